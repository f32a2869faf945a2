/* jp_internal.h - what the JMESPath lexer, parser, interpreter and function
 * table share; not for use outside src/jmespath/.
 *
 * Tokens carry their byte offset so every syntax error names a position.
 * The AST is a tree of jp_node allocated in the caller's compile arena and
 * never written after jp_compile returns (thread-safe evaluation).
 * Sequential application (a.b, a[0], a | b) is one CHAIN node with a child
 * list, so long dotted paths cost no recursion and jp_simple_path is a scan.
 */
#ifndef CUSTOS_JP_INTERNAL_H
#define CUSTOS_JP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "jmespath/jmespath.h"

/* Parser recursion limit and AST depth limit (chains count the sum of
 * their children) so hostile input cannot exhaust the stack. */
#define JP_MAX_NEST 256
#define JP_MAX_DEPTH 1000

/* ---- lexer ---- */

typedef enum {
    JT_EOF,
    JT_UNQUOTED, /* identifier */
    JT_QUOTED,   /* "identifier" */
    JT_LITERAL,  /* `json` or 'raw' */
    JT_RBRACKET,
    JT_RPAREN,
    JT_COMMA,
    JT_RBRACE,
    JT_NUMBER,
    JT_CURRENT, /* @ */
    JT_EXPREF,  /* & */
    JT_COLON,
    JT_PIPE,
    JT_OR,
    JT_AND,
    JT_EQ,
    JT_NE,
    JT_LT,
    JT_LE,
    JT_GT,
    JT_GE,
    JT_FLATTEN, /* [] */
    JT_STAR,
    JT_FILTER, /* [? */
    JT_DOT,
    JT_NOT,
    JT_LBRACE,
    JT_LBRACKET,
    JT_LPAREN,
    JT_COUNT
} jp_tok_kind;

typedef struct jp_tok {
    uint8_t kind;
    size_t pos;    /* byte offset in the expression */
    const char *s; /* identifier text (decoded, NUL-terminated) */
    size_t slen;
    int64_t num; /* JT_NUMBER, clamped to +-2^62 */
    jv lit;      /* JT_LITERAL */
} jp_tok;

/* Tokenises expr into a malloc'd array ending with JT_EOF (free() it).
 * Identifier text and literals live in arena a.  NULL + err on error. */
jp_tok *jp_lex(arena *a, const char *expr, size_t len, size_t *ntok, jp_error *err);
const char *jp_tok_name(int kind);

/* ---- AST ---- */

typedef enum {
    JN_FIELD,
    JN_CURRENT, /* @ and the implicit identity */
    JN_LITERAL,
    JN_INDEX,
    JN_SLICE,
    JN_CHAIN,      /* kids applied in turn: a.b, a[0], a | b */
    JN_PROJECT,    /* kids[0] an array, kids[1] applied to each item */
    JN_VPROJECT,   /* kids[0] an object, kids[1] applied to each value */
    JN_FPROJECT,   /* like PROJECT, items kept where kids[2] is truthy */
    JN_FLATTEN,    /* kids[0] */
    JN_MULTI_LIST, /* kids */
    JN_MULTI_HASH, /* kids, keys */
    JN_OR,
    JN_AND,
    JN_NOT,
    JN_CMP, /* op = JT_EQ .. JT_GE */
    JN_EXPREF,
    JN_FUNC,
} jp_node_kind;

typedef struct jp_func jp_func;

struct jp_node {
    uint8_t kind;
    uint8_t op;     /* JN_CMP: comparator token; JN_CHAIN: 1 if any pipe;
                       JN_MULTI_HASH: 1 if a key repeats */
    uint8_t has[3]; /* JN_SLICE: which of start/stop/step were given */
    int depth;      /* see JP_MAX_DEPTH */
    size_t pos;     /* byte offset where the node starts */
    uint32_t nkids;
    jp_node **kids;
    const char *s; /* JN_FIELD name (NUL-terminated) */
    size_t slen;
    const char **keys; /* JN_MULTI_HASH: one per kid */
    size_t *klens;
    int64_t num[3]; /* JN_INDEX num[0]; JN_SLICE start/stop/step */
    jv lit;         /* JN_LITERAL */
    const jp_func *fn;
};

/* ---- evaluation and functions ---- */

typedef struct jp_ctx {
    arena *a; /* scratch for intermediate values */
    jp_error *err;
} jp_ctx;

typedef struct jp_arg {
    jv v;
    const jp_node *ref; /* expression of an &expref argument, else NULL */
} jp_arg;

typedef int (*jp_fn)(jp_ctx *c, const jp_arg *args, int n, jv *out);

/* Argument type bits. */
enum {
    TY_NULL = 1,
    TY_BOOL = 2,
    TY_NUMBER = 4,
    TY_STRING = 8,
    TY_ARRAY = 16,
    TY_OBJECT = 32,
    TY_EXPREF = 64,
    TY_ARR_NUM = 128, /* array whose items are all numbers */
    TY_ARR_STR = 256, /* array whose items are all strings */
    TY_ANY = 63,
};

struct jp_func {
    const char *name;
    jp_fn fn;
    int nparams;   /* fixed parameters (minimum when variadic) */
    bool variadic; /* last parameter repeats */
    unsigned types[3];
};

const jp_func *jp_func_lookup(const char *name, size_t len);
/* Type-checks args against f's signature and calls it. */
int jp_func_call(jp_ctx *c, const jp_func *f, const jp_arg *args, int n, jv *out);
/* The interpreter's entry point, used by functions for &expref arguments. */
int jp_ev(jp_ctx *c, const jp_node *n, jv in, jv *out);

/* Position placeholder for errors raised inside a function body; the
 * interpreter replaces it with the call's position. */
#define JP_POS_CALL ((size_t)-1)

int jp_fail(jp_error *err, const char *kind, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
