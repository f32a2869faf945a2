/* query.h - a policy's `query:` applied to the listing, as Custodian's
 * describe source passes it to the API.
 *
 * custos evaluates a listing already collected (or recorded), so the query
 * is a pre-filter over it with the API's semantics.  Only what custos can
 * honour exactly compiles; anything else is a validation error at the
 * offending node, never silently ignored (see query.c).
 */
#ifndef CUSTOS_POLICY_QUERY_H
#define CUSTOS_POLICY_QUERY_H

#include <stdbool.h>

#include "json/json.h"
#include "resources/resource.h"
#include "util/arena.h"

typedef struct policy_query policy_query;

/* Compiles q (the value of `query:`) for resource type rt (may be NULL:
 * then nothing is checked and NULL returned).  On error returns NULL and
 * sets *msg (in a) and *node (the jv to position the error at). */
policy_query *policy_query_compile(arena *a, const jv *q, const resource_type *rt, const char **msg,
                                   const jv **node);
/* True when the resource is one the API would have returned. */
bool policy_query_match(const policy_query *pq, const jv *resource);
/* AWS describe-filter wildcards: '*' any run, '?' one character, '\'
 * escapes the next one; everything else literal and case-sensitive. */
bool query_wildcard_match(const char *pat, const char *s);

#endif
