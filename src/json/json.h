/* json.h - the JSON value model every custos stage shares.
 *
 * A jv is a 16-byte tagged value.  Strings, arrays and objects point into an
 * arena (see util/arena.h), so a whole parsed inventory file or a JMESPath
 * intermediate is freed with its arena.  Objects keep their members in
 * document order in a flat array; lookups are linear, which beats hashing
 * for the small objects AWS APIs return (see bench/README.md).
 *
 * Numbers are doubles, with JVF_INT set when the source text was an integer
 * that a double represents exactly, so output keeps "1" rather than "1.0".
 * Strings are length-counted (they may hold NUL from \u0000) and are also
 * NUL-terminated so C string functions work on ordinary text.
 *
 * Parsing never aborts on bad input: it returns -1 and fills json_error with
 * a 1-based line and column and a message.
 */
#ifndef CUSTOS_JSON_H
#define CUSTOS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"
#include "util/buf.h"

typedef enum {
    JV_NULL = 0,
    JV_FALSE,
    JV_TRUE,
    JV_NUMBER,
    JV_STRING,
    JV_ARRAY,
    JV_OBJECT,
} jv_kind;

#define JVF_INT 1u /* number was written as an integer */

typedef struct jv_member jv_member;

typedef struct jv {
    uint8_t kind;  /* jv_kind */
    uint8_t flags; /* JVF_* */
    uint32_t len;  /* string bytes, array items, object members */
    union {
        double num;
        const char *str;
        struct jv *items;
        jv_member *members;
    } u;
} jv;

struct jv_member {
    const char *key; /* NUL-terminated */
    uint32_t klen;
    jv val;
};

typedef struct json_error {
    int line, col; /* 1-based; 0 when not applicable */
    size_t offset; /* byte offset of the problem */
    char msg[160];
} json_error;

/* ---- constructors ---- */
/* Written without designated initializers so C++ (json_simd.cpp) can use them. */
static inline jv jv_make(jv_kind k)
{
    jv v;
    v.kind = (uint8_t)k;
    v.flags = 0;
    v.len = 0;
    v.u.items = 0;
    return v;
}
static inline jv jv_null(void)
{
    return jv_make(JV_NULL);
}
static inline jv jv_bool(bool b)
{
    return jv_make(b ? JV_TRUE : JV_FALSE);
}
static inline jv jv_num(double d)
{
    jv v = jv_make(JV_NUMBER);
    v.u.num = d;
    return v;
}
jv jv_int(int64_t i);                           /* number with JVF_INT when exact */
jv jv_str(arena *a, const char *s, size_t len); /* copies */
jv jv_cstr(arena *a, const char *s);            /* copies */
static inline jv jv_str_nocopy(const char *s, size_t len)
{
    jv v = jv_make(JV_STRING);
    v.len = (uint32_t)len;
    v.u.str = s;
    return v;
}
jv jv_array(arena *a, size_t n);  /* n items, all null; fill u.items[i] */
jv jv_object(arena *a, size_t n); /* n members, zeroed; fill members */

/* Growable array/object builders (arena-backed, amortised O(1) push). */
typedef struct jv_builder {
    arena *a;
    jv v; /* kind JV_ARRAY or JV_OBJECT; len = used */
    size_t cap;
} jv_builder;
void jvb_array(jv_builder *b, arena *a);
void jvb_object(jv_builder *b, arena *a);
void jvb_push(jv_builder *b, jv item);                             /* arrays */
void jvb_set(jv_builder *b, const char *key, size_t klen, jv val); /* objects; replaces */
static inline jv jvb_done(jv_builder *b)
{
    return b->v;
}

/* ---- accessors ---- */
static inline bool jv_is(const jv *v, jv_kind k)
{
    return v && v->kind == k;
}
static inline bool jv_is_bool(const jv *v)
{
    return v && (v->kind == JV_TRUE || v->kind == JV_FALSE);
}
const jv *jv_get(const jv *obj, const char *key);               /* NULL if absent/not object */
const jv *jv_getn(const jv *obj, const char *key, size_t klen); /* NULL if absent/not object */
bool jv_str_eq(const jv *v, const char *s);                     /* v is a string equal to s */
/* v is a number in [lo, hi] (so never NaN): *out gets it truncated toward
 * zero.  Data from accounts and policies can hold any double; converting one
 * outside the target type's range is undefined, so every such read goes
 * through here. */
bool jv_num_in(const jv *v, int64_t lo, int64_t hi, int64_t *out);
const char *jv_kind_name(jv_kind k); /* JMESPath type names: "null","boolean",... */

/* JMESPath truthiness: false, null, "", [], {} are false. */
bool jv_truthy(const jv *v);
/* Deep equality (objects unordered, numbers by value).  NULL (a missing
 * member from jv_get) equals nothing, not even another NULL. */
bool jv_equal(const jv *a, const jv *b);
/* Deep copy into arena a (for values that must outlive their source arena). */
jv jv_copy(arena *a, const jv *v);

/* ---- parse / write ---- */

/* Parses exactly one JSON value (RFC 8259) from buf[0..len).  Strings are
 * decoded into the arena.  Returns 0, or -1 with err filled. */
int json_parse(arena *a, const char *text, size_t len, jv *out, json_error *err);

/* Fast path for big inventory files: simdjson when built in, else the same
 * as json_parse.  Errors are re-derived with json_parse for line/column.
 * json_parse_fast_shared also stores each distinct short string once per
 * document: about half the memory for AWS listings, worth it when the
 * documents are kept, a loss (hashing) when the arena is reset soon after
 * (bench/README.md). */
int json_parse_fast(arena *a, const char *text, size_t len, jv *out, json_error *err);
int json_parse_fast_shared(arena *a, const char *text, size_t len, jv *out, json_error *err);

/* Compact JSON (no spaces), numbers in shortest round-trip form.  Non-ASCII
 * is written as UTF-8; control characters escaped. */
void json_write(buf *out, const jv *v);
/* Indented JSON, 2 spaces. */
void json_write_pretty(buf *out, const jv *v, int indent);
/* Writes s as a JSON string literal with quotes. */
void json_write_string(buf *out, const char *s, size_t len);
/* Writes a number the way json_write does. */
void json_write_number(buf *out, double d, unsigned flags);

#endif
