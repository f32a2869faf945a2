/* parse.h - the parts of an HTTP request the dashboard parses itself.
 *
 * libmicrohttpd parses the request line and headers; everything after that
 * is ours: the raw request target (path segments and query string), form
 * bodies, the Cookie header, Accept and Authorization.  Every function takes
 * untrusted bytes, never reads past the length it is given, allocates from
 * the caller's arena and reports malformed input as -1 (the server answers
 * 400), never by crashing.  Decoded text must be valid UTF-8 without NUL
 * or control characters (tab, CR and LF excepted); anything else is
 * malformed.
 * tests/fuzz/fuzz_http.c drives all of it.
 */
#ifndef CUSTOS_WEB_PARSE_H
#define CUSTOS_WEB_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef struct web_kv {
    const char *key, *val; /* decoded, NUL-terminated */
} web_kv;

typedef struct web_kvlist {
    web_kv *items;
    size_t n;
} web_kvlist;

#define WEB_MAX_PARAMS 64   /* query or form pairs */
#define WEB_MAX_SEGMENTS 16 /* path segments */

/* Percent-decodes s[0..n) ("+" is a space when plus_space).  NULL when an
 * escape is malformed or the result is not clean UTF-8 text. */
char *web_url_decode(arena *a, const char *s, size_t n, bool plus_space);

/* Splits a request target "/a/b%2Fc?x=1" into its decoded path segments
 * ("a", "b/c") and its raw query ("x=1", or "" when absent).  The target
 * must start with '/'; one trailing '/' is ignored; empty segments (from
 * "//") and the segments "." and ".." are malformed.  "/" has no segments. */
int web_split_target(arena *a, const char *target, size_t n, char ***segs, size_t *nseg,
                     const char **query);

/* application/x-www-form-urlencoded (query strings and form bodies): pairs
 * in order; a key without '=' gets "".  At most WEB_MAX_PARAMS pairs. */
int web_parse_form(arena *a, const char *s, size_t n, web_kvlist *out);

/* The first value for key, or NULL. */
const char *web_kv_get(const web_kvlist *l, const char *key);

/* "a=1; b=2": cookie pairs, values not decoded (ours are hex).  Pairs
 * without '=' are skipped; at most WEB_MAX_PARAMS. */
int web_parse_cookies(arena *a, const char *header, size_t n, web_kvlist *out);

/* True when the Accept header prefers application/json to text/html (by
 * q-value, then order); NULL or no preference means HTML. */
bool web_accept_json(const char *accept);

/* The token of "Authorization: Bearer TOKEN" (scheme case-insensitive),
 * copied into the arena, or NULL. */
const char *web_bearer_token(arena *a, const char *authorization);

#endif
