/* parser.c - tokens -> AST, a Pratt (top-down operator precedence) parser.
 *
 * Binding powers are the ones the JMESPath grammar implies (and the
 * reference implementation uses): pipe 1, or 2, and 3, comparators 5,
 * flatten 9, star 20, filter 21, dot 40, not 45, { 50, [ 55, ( 60.  Tokens
 * with binding power below 10 end a projection: everything after a
 * projection up to such a token is applied to each projected item, which
 * is why projections take their right-hand side while parsing.
 *
 * Sequential application (a.b, a[0], a | b) is flattened into one CHAIN
 * node.  Every node records a depth (chains add their children's depths)
 * and parsing fails past JP_MAX_DEPTH / JP_MAX_NEST, so neither the parser
 * nor the interpreter can be driven into a stack overflow.
 *
 * Functions are resolved here: an unknown name is an "unknown-function"
 * error and a wrong argument count "invalid-arity", both at compile time,
 * so policy validation reports them before any resource is evaluated.
 * They are held back until the whole expression has parsed, so a syntax
 * error anywhere wins (as in implementations that check at run time).
 */
#include <stdlib.h>
#include <string.h>

#include "jmespath/jp_internal.h"

static const int bp_table[JT_COUNT] = {
    [JT_PIPE] = 1,      [JT_OR] = 2,      [JT_AND] = 3,  [JT_EQ] = 5,   [JT_NE] = 5,
    [JT_LT] = 5,        [JT_LE] = 5,      [JT_GT] = 5,   [JT_GE] = 5,   [JT_FLATTEN] = 9,
    [JT_STAR] = 20,     [JT_FILTER] = 21, [JT_DOT] = 40, [JT_NOT] = 45, [JT_LBRACE] = 50,
    [JT_LBRACKET] = 55, [JT_LPAREN] = 60,
};
#define PROJECTION_STOP 10

typedef struct parser {
    arena *a;
    const jp_tok *t;
    size_t i, n;
    jp_error *err;
    int nest;
    jp_error late; /* first function error, reported if the syntax is fine */
    bool has_late;
} parser;

static jp_node *expression(parser *p, int rbp);
static uint8_t has_duplicate_keys(const jp_node *m);

static int cur(const parser *p)
{
    return p->t[p->i].kind;
}
static int ahead(const parser *p, size_t k)
{
    return p->i + k < p->n ? p->t[p->i + k].kind : JT_EOF;
}
static const jp_tok *tok(const parser *p)
{
    return &p->t[p->i];
}
static void advance(parser *p)
{
    if (p->i + 1 < p->n) p->i++;
}

static jp_node *fail_at(parser *p, const jp_tok *t, const char *what)
{
    if (t->kind == JT_EOF)
        jp_fail(p->err, "syntax", t->pos, "unexpected end of expression: %s", what);
    else
        jp_fail(p->err, "syntax", t->pos, "unexpected %s: %s", jp_tok_name(t->kind), what);
    return NULL;
}

static int match(parser *p, int kind, const char *what)
{
    if (cur(p) != kind) {
        fail_at(p, tok(p), what);
        return -1;
    }
    advance(p);
    return 0;
}

static jp_node *node(parser *p, int kind, size_t pos, uint32_t nkids)
{
    jp_node *n = arena_calloc(p->a, sizeof *n);
    n->kind = (uint8_t)kind;
    n->pos = pos;
    n->depth = 1;
    n->nkids = nkids;
    if (nkids) n->kids = arena_calloc(p->a, nkids * sizeof *n->kids);
    return n;
}

/* Recomputes n->depth from its children; fails past JP_MAX_DEPTH. */
static jp_node *seal(parser *p, jp_node *n)
{
    int d = 0;
    for (uint32_t k = 0; k < n->nkids; k++) {
        int kd = n->kids[k]->depth;
        if (n->kind == JN_CHAIN)
            d += kd;
        else if (kd > d)
            d = kd;
    }
    n->depth = n->kind == JN_CHAIN ? d : d + 1;
    if (n->depth > JP_MAX_DEPTH) {
        jp_fail(p->err, "syntax", n->pos, "expression nested too deeply");
        return NULL;
    }
    return n;
}

static jp_node *identity(parser *p)
{
    return node(p, JN_CURRENT, tok(p)->pos, 0);
}

static jp_node *binary(parser *p, int kind, jp_node *l, jp_node *r)
{
    if (!l || !r) return NULL;
    jp_node *n = node(p, kind, l->pos, 2);
    n->kids[0] = l;
    n->kids[1] = r;
    return seal(p, n);
}

/* Appends r to l's chain (or makes a new chain of l and r). */
static jp_node *chain(parser *p, jp_node *l, jp_node *r, bool pipe)
{
    if (!l || !r) return NULL;
    uint32_t nl = l->kind == JN_CHAIN ? l->nkids : 1;
    uint32_t nr = r->kind == JN_CHAIN ? r->nkids : 1;
    jp_node *n = node(p, JN_CHAIN, l->pos, nl + nr);
    if (l->kind == JN_CHAIN)
        memcpy(n->kids, l->kids, nl * sizeof *n->kids);
    else
        n->kids[0] = l;
    if (r->kind == JN_CHAIN)
        memcpy(n->kids + nl, r->kids, nr * sizeof *n->kids);
    else
        n->kids[nl] = r;
    n->op = (uint8_t)(pipe || (l->kind == JN_CHAIN && l->op) || (r->kind == JN_CHAIN && r->op));
    return seal(p, n);
}

/* What follows a projection: nothing (identity), [..], [?..] or .rhs */
static jp_node *dot_rhs(parser *p, int rbp);
static jp_node *projection_rhs(parser *p, int rbp)
{
    int k = cur(p);
    if (bp_table[k] < PROJECTION_STOP) return identity(p);
    if (k == JT_LBRACKET || k == JT_FILTER) return expression(p, rbp);
    if (k == JT_DOT) {
        advance(p);
        return dot_rhs(p, rbp);
    }
    return fail_at(p, tok(p), "expected '.', '[' or '[?' after a projection");
}

/* Parses `expression (',' expression)*` up to the token `close`, which is
 * left unconsumed.  The list grows on the stack and then in the arena; the
 * caller copies it into its node.  Returns -1 on a syntax error. */
static int expr_list(parser *p, int close, const char *what, jp_node ***out, uint32_t *nout)
{
    jp_node *first[16], **v = first;
    uint32_t n = 0, cap = 16;
    for (;;) {
        jp_node *e = expression(p, 0);
        if (!e) return -1;
        if (n == cap) {
            jp_node **nv = arena_alloc(p->a, 2 * (size_t)cap * sizeof *nv);
            memcpy(nv, v, n * sizeof *nv);
            v = nv;
            cap *= 2;
        }
        v[n++] = e;
        if (cur(p) == close) break;
        if (match(p, JT_COMMA, what) != 0) return -1;
    }
    *out = arena_alloc(p->a, n * sizeof *v);
    memcpy(*out, v, n * sizeof *v);
    *nout = n;
    return 0;
}

static jp_node *multi_list(parser *p, size_t pos)
{
    jp_node **v;
    uint32_t n;
    if (expr_list(p, JT_RBRACKET, "expected ',' or ']' in a multi-select list", &v, &n) != 0)
        return NULL;
    advance(p);
    jp_node *m = node(p, JN_MULTI_LIST, pos, n);
    memcpy(m->kids, v, n * sizeof *v);
    return seal(p, m);
}

static jp_node *multi_hash(parser *p, size_t pos)
{
    jp_node *m = node(p, JN_MULTI_HASH, pos, 0);
    uint32_t cap = 0;
    for (;;) {
        const jp_tok *k = tok(p);
        if (k->kind != JT_UNQUOTED && k->kind != JT_QUOTED)
            return fail_at(p, k, "expected a key in a multi-select hash");
        advance(p);
        if (match(p, JT_COLON, "expected ':' after a multi-select hash key") != 0) return NULL;
        jp_node *e = expression(p, 0);
        if (!e) return NULL;
        if (m->nkids == cap) {
            cap = cap ? cap * 2 : 8;
            m->kids =
                arena_realloc(p->a, m->kids, m->nkids * sizeof *m->kids, cap * sizeof *m->kids);
            m->keys =
                arena_realloc(p->a, m->keys, m->nkids * sizeof *m->keys, cap * sizeof *m->keys);
            m->klens =
                arena_realloc(p->a, m->klens, m->nkids * sizeof *m->klens, cap * sizeof *m->klens);
        }
        m->kids[m->nkids] = e;
        m->keys[m->nkids] = k->s;
        m->klens[m->nkids] = k->slen;
        m->nkids++;
        if (cur(p) == JT_RBRACE) break;
        if (match(p, JT_COMMA, "expected ',' or '}' in a multi-select hash") != 0) return NULL;
    }
    advance(p);
    m->op = has_duplicate_keys(m);
    return seal(p, m);
}

static int cmp_keys(const void *x, const void *y)
{
    const char *const *a = x, *const *b = y;
    return strcmp(*a, *b);
}

/* Sorting a copy of the keys finds repeats in O(n log n), so evaluation
 * can skip de-duplication for the usual hash without repeats.  Keys with
 * an embedded NUL compare by their prefix: a false "repeat" only costs
 * the slow path. */
static uint8_t has_duplicate_keys(const jp_node *m)
{
    if (m->nkids < 2) return 0;
    const char **v = malloc(m->nkids * sizeof *v);
    if (!v) return 1;
    memcpy(v, m->keys, m->nkids * sizeof *v);
    qsort(v, m->nkids, sizeof *v, cmp_keys);
    uint8_t dup = 0;
    for (uint32_t i = 1; i < m->nkids && !dup; i++)
        dup = strcmp(v[i - 1], v[i]) == 0;
    free(v);
    return dup;
}

static jp_node *dot_rhs(parser *p, int rbp)
{
    int k = cur(p);
    size_t pos = tok(p)->pos;
    if (k == JT_UNQUOTED || k == JT_QUOTED || k == JT_STAR) return expression(p, rbp);
    if (k == JT_LBRACKET) {
        advance(p);
        return multi_list(p, pos);
    }
    if (k == JT_LBRACE) {
        advance(p);
        return multi_hash(p, pos);
    }
    return fail_at(p, tok(p), "expected an identifier, '*', '[' or '{' after '.'");
}

/* [number] or [start:stop:step], the '[' already consumed. */
static jp_node *index_or_slice(parser *p, size_t pos)
{
    if (cur(p) == JT_COLON || ahead(p, 1) == JT_COLON) {
        jp_node *s = node(p, JN_SLICE, pos, 0);
        int part = 0;
        while (cur(p) != JT_RBRACKET) {
            if (cur(p) == JT_COLON) {
                if (++part == 3) return fail_at(p, tok(p), "too many ':' in a slice");
            } else if (cur(p) == JT_NUMBER && !s->has[part]) {
                s->num[part] = tok(p)->num;
                s->has[part] = 1;
            } else {
                return fail_at(p, tok(p), "expected a number or ':' in a slice");
            }
            advance(p);
        }
        advance(p);
        return s;
    }
    jp_node *ix = node(p, JN_INDEX, pos, 0);
    ix->num[0] = tok(p)->num;
    advance(p);
    if (match(p, JT_RBRACKET, "expected ']' after an index") != 0) return NULL;
    return ix;
}

/* left[index] is a chain; left[slice] projects the rest. */
static jp_node *index_expr(parser *p, jp_node *left, size_t pos)
{
    jp_node *r = index_or_slice(p, pos);
    if (!r) return NULL;
    jp_node *c = chain(p, left, r, false);
    if (!c || r->kind != JN_SLICE) return c;
    return binary(p, JN_PROJECT, c, projection_rhs(p, bp_table[JT_STAR]));
}

static jp_node *flatten(parser *p, jp_node *left, size_t pos)
{
    jp_node *f = node(p, JN_FLATTEN, pos, 1);
    f->kids[0] = left;
    if (!seal(p, f)) return NULL;
    return binary(p, JN_PROJECT, f, projection_rhs(p, bp_table[JT_FLATTEN]));
}

static jp_node *filter(parser *p, jp_node *left, size_t pos)
{
    jp_node *cond = expression(p, 0);
    if (!cond) return NULL;
    if (match(p, JT_RBRACKET, "expected ']' after a filter condition") != 0) return NULL;
    jp_node *right = cur(p) == JT_FLATTEN ? identity(p) : projection_rhs(p, bp_table[JT_FILTER]);
    if (!right) return NULL;
    jp_node *n = node(p, JN_FPROJECT, pos, 3);
    n->kids[0] = left;
    n->kids[1] = right;
    n->kids[2] = cond;
    return seal(p, n);
}

static jp_node *function_call(parser *p, jp_node *name)
{
    if (name->kind != JN_FIELD || p->t[p->i - 2].kind != JT_UNQUOTED)
        return fail_at(p, &p->t[p->i - 1], "only a plain name can be called as a function");
    const jp_func *fn = jp_func_lookup(name->s, name->slen);
    if (!fn && !p->has_late) {
        p->has_late = true;
        jp_fail(&p->late, "unknown-function", name->pos, "unknown function %s()", name->s);
    }
    jp_node *f = node(p, JN_FUNC, name->pos, 0);
    f->fn = fn;
    f->s = name->s;
    f->slen = name->slen;
    jp_node **v = NULL;
    uint32_t n = 0;
    if (cur(p) != JT_RPAREN &&
        expr_list(p, JT_RPAREN, "expected ',' or ')' in function arguments", &v, &n) != 0)
        return NULL;
    advance(p);
    if (fn && !p->has_late && ((int)n < fn->nparams || (!fn->variadic && (int)n > fn->nparams))) {
        p->has_late = true;
        jp_fail(&p->late, "invalid-arity", name->pos, "%s() takes %s%d argument%s, got %u",
                fn->name, fn->variadic ? "at least " : "", fn->nparams, fn->nparams == 1 ? "" : "s",
                n);
    }
    f->nkids = n;
    f->kids = arena_alloc(p->a, (n ? n : 1) * sizeof *f->kids);
    if (n) memcpy(f->kids, v, n * sizeof *v);
    return seal(p, f);
}

static jp_node *nud(parser *p, const jp_tok *t)
{
    size_t pos = t->pos;
    switch (t->kind) {
    case JT_LITERAL: {
        jp_node *n = node(p, JN_LITERAL, pos, 0);
        n->lit = t->lit;
        return n;
    }
    case JT_UNQUOTED:
    case JT_QUOTED: {
        if (t->kind == JT_QUOTED && cur(p) == JT_LPAREN)
            return fail_at(p, tok(p), "a quoted identifier cannot name a function");
        jp_node *n = node(p, JN_FIELD, pos, 0);
        n->s = t->s;
        n->slen = t->slen;
        return n;
    }
    case JT_STAR: {
        jp_node *l = node(p, JN_CURRENT, pos, 0);
        return binary(p, JN_VPROJECT, l, projection_rhs(p, bp_table[JT_STAR]));
    }
    case JT_FILTER:
        return filter(p, node(p, JN_CURRENT, pos, 0), pos);
    case JT_LBRACE:
        return multi_hash(p, pos);
    case JT_LPAREN: {
        jp_node *e = expression(p, 0);
        if (!e || match(p, JT_RPAREN, "expected ')'") != 0) return NULL;
        return e;
    }
    case JT_FLATTEN:
        return flatten(p, node(p, JN_CURRENT, pos, 0), pos);
    case JT_NOT: {
        jp_node *n = node(p, JN_NOT, pos, 1);
        if (!(n->kids[0] = expression(p, bp_table[JT_NOT]))) return NULL;
        return seal(p, n);
    }
    case JT_LBRACKET:
        if (cur(p) == JT_NUMBER || cur(p) == JT_COLON)
            return index_expr(p, node(p, JN_CURRENT, pos, 0), pos);
        if (cur(p) == JT_STAR && ahead(p, 1) == JT_RBRACKET) {
            advance(p);
            advance(p);
            return binary(p, JN_PROJECT, node(p, JN_CURRENT, pos, 0),
                          projection_rhs(p, bp_table[JT_STAR]));
        }
        return multi_list(p, pos);
    case JT_CURRENT:
        return node(p, JN_CURRENT, pos, 0);
    case JT_EXPREF: {
        jp_node *n = node(p, JN_EXPREF, pos, 1);
        if (!(n->kids[0] = expression(p, 0))) return NULL;
        return seal(p, n);
    }
    default:
        return fail_at(p, t, "expected an expression");
    }
}

static jp_node *led(parser *p, const jp_tok *t, jp_node *left)
{
    size_t pos = t->pos;
    switch (t->kind) {
    case JT_DOT:
        if (cur(p) == JT_STAR) {
            advance(p);
            return binary(p, JN_VPROJECT, left, projection_rhs(p, bp_table[JT_DOT]));
        }
        return chain(p, left, dot_rhs(p, bp_table[JT_DOT]), false);
    case JT_PIPE:
        return chain(p, left, expression(p, bp_table[JT_PIPE]), true);
    case JT_OR:
        return binary(p, JN_OR, left, expression(p, bp_table[JT_OR]));
    case JT_AND:
        return binary(p, JN_AND, left, expression(p, bp_table[JT_AND]));
    case JT_LPAREN:
        return function_call(p, left);
    case JT_FILTER:
        return filter(p, left, pos);
    case JT_EQ:
    case JT_NE:
    case JT_LT:
    case JT_LE:
    case JT_GT:
    case JT_GE: {
        jp_node *n = binary(p, JN_CMP, left, expression(p, bp_table[t->kind]));
        if (n) n->op = t->kind;
        return n;
    }
    case JT_FLATTEN:
        return flatten(p, left, pos);
    case JT_LBRACKET:
        if (cur(p) == JT_NUMBER || cur(p) == JT_COLON) return index_expr(p, left, pos);
        if (match(p, JT_STAR, "expected a number, ':' or '*' after '['") != 0) return NULL;
        if (match(p, JT_RBRACKET, "expected ']' after '[*'") != 0) return NULL;
        return binary(p, JN_PROJECT, left, projection_rhs(p, bp_table[JT_STAR]));
    default:
        return fail_at(p, t, "unexpected token after an expression");
    }
}

static jp_node *expression(parser *p, int rbp)
{
    if (++p->nest > JP_MAX_NEST) {
        jp_fail(p->err, "syntax", tok(p)->pos, "expression nested too deeply");
        return NULL;
    }
    const jp_tok *t = tok(p);
    advance(p);
    jp_node *left = nud(p, t);
    while (left && rbp < bp_table[cur(p)]) {
        t = tok(p);
        advance(p);
        left = led(p, t, left);
    }
    p->nest--;
    return left;
}

jp_node *jp_compile(arena *a, const char *expr, size_t len, jp_error *err)
{
    size_t n = 0;
    jp_tok *toks = jp_lex(a, expr, len, &n, err);
    if (!toks) return NULL;
    parser p = {.a = a, .t = toks, .n = n, .err = err};
    jp_node *e = expression(&p, 0);
    if (e && cur(&p) != JT_EOF) e = fail_at(&p, tok(&p), "expected end of expression");
    if (e && p.has_late) {
        if (err) *err = p.late;
        e = NULL;
    }
    free(toks);
    return e;
}

int jp_simple_path(const jp_node *e, const char **names, size_t *lens, int max)
{
    if (!e) return 0;
    if (e->kind == JN_FIELD) {
        if (max < 1) return 0;
        names[0] = e->s;
        lens[0] = e->slen;
        return 1;
    }
    if (e->kind != JN_CHAIN || e->nkids > (uint32_t)max) return 0;
    for (uint32_t k = 0; k < e->nkids; k++) {
        if (e->kids[k]->kind != JN_FIELD) return 0;
        names[k] = e->kids[k]->s;
        lens[k] = e->kids[k]->slen;
    }
    return (int)e->nkids;
}
