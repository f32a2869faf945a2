/* jmespath.h - JMESPath (https://jmespath.org/specification.html) over jv.
 *
 * Split like jq: lexer.c turns text into tokens, parser.c builds an AST with
 * a Pratt parser (binding powers from the spec's grammar), interp.c walks it,
 * functions.c holds the built-in function table.  A compiled expression is
 * immutable, so many threads may evaluate one expression at once, each with
 * its own arena for intermediate values.
 *
 * Errors carry the spec's error kind so callers and tests can tell them
 * apart: "syntax", "invalid-type", "invalid-value", "invalid-arity",
 * "unknown-function".
 */
#ifndef CUSTOS_JMESPATH_H
#define CUSTOS_JMESPATH_H

#include <stddef.h>

#include "json/json.h"

typedef struct jp_node jp_node;

typedef struct jp_error {
    const char *kind; /* one of the kinds above; static string */
    size_t pos;       /* byte offset into the expression (syntax errors) */
    char msg[200];
} jp_error;

/* Compiles expr[0..len).  Nodes are allocated in a (long-lived) arena.
 * Returns NULL with err filled on a syntax, unknown-function or
 * invalid-arity error (function names and argument counts are checked at
 * compile time; err->pos is the byte offset of the problem). */
jp_node *jp_compile(arena *a, const char *expr, size_t len, jp_error *err);

/* Evaluates e over data.  Results may point into data, into scratch or into
 * the arena e was compiled in (literals, multi-select keys); jv_copy them to
 * keep them longer.  Uses no global state: many threads may evaluate one e.
 * Returns 0, or -1 with err filled (invalid-type, invalid-value,
 * invalid-arity, unknown-function). */
int jp_eval(const jp_node *e, const jv *data, arena *scratch, jv *out, jp_error *err);

/* If e is a plain chain of field names ("a.b.c", no other syntax), returns
 * the number of fields and fills names/lens (up to max) so hot callers can
 * skip the interpreter; otherwise 0. */
int jp_simple_path(const jp_node *e, const char **names, size_t *lens, int max);

#endif
