/* jsonw.h - a streaming JSON writer for the dashboard's API answers.
 *
 * Commas and nesting are tracked for the caller, so page code reads like
 * the document it writes:  jw_obj(w); jw_key(w, "team"); jw_str(w, t);
 * ... jw_end(w).  Strings are escaped by json_write_string (json.h).
 * jw_json copies text that should already be JSON (the store keeps
 * reasons and evidence as JSON text): it is parsed first and written as a
 * string instead when it is not valid, so the answer is always valid JSON.
 */
#ifndef CUSTOS_WEB_JSONW_H
#define CUSTOS_WEB_JSONW_H

#include <stdbool.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"

#define JW_MAX_DEPTH 32

typedef struct jw {
    buf *b;
    arena *a; /* for jw_json's parse */
    int depth;
    bool need_comma[JW_MAX_DEPTH];
    char closer[JW_MAX_DEPTH];
    bool after_key;
} jw;

void jw_init(jw *w, buf *b, arena *a);
void jw_obj(jw *w);
void jw_arr(jw *w);
void jw_end(jw *w); /* closes the innermost object or array */
void jw_key(jw *w, const char *key);
void jw_str(jw *w, const char *s); /* NULL writes null */
void jw_int(jw *w, int64_t v);
void jw_bool(jw *w, bool v);
void jw_null(jw *w);
void jw_json(jw *w, const char *json_text); /* NULL or "" writes null */
void jw_time(jw *w, int64_t t);             /* ISO 8601 UTC, 0 writes null */

/* key + value shorthands */
void jw_kstr(jw *w, const char *key, const char *s);
void jw_kint(jw *w, const char *key, int64_t v);

#endif
