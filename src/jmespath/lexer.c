/* lexer.c - JMESPath text -> tokens.
 *
 * The whole expression is tokenised up front: expressions are short and
 * the parser needs two tokens of lookahead to tell "[*]" from a list.
 * Quoted identifiers are decoded as JSON strings and backtick literals
 * parsed with json_parse (strict JSON: the deprecated "`foo`" form without
 * quotes is a syntax error, as the compliance suite expects), so escapes
 * behave exactly like JSON.  Raw strings ('...') only unescape \'.  Inside
 * any delimited token a backslash protects the next byte.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jmespath/jp_internal.h"

int jp_fail(jp_error *err, const char *kind, size_t pos, const char *fmt, ...)
{
    if (!err) return -1;
    err->kind = kind;
    err->pos = pos;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

const char *jp_tok_name(int kind)
{
    static const char *names[JT_COUNT] = {
        [JT_EOF] = "end of expression",
        [JT_UNQUOTED] = "identifier",
        [JT_QUOTED] = "quoted identifier",
        [JT_LITERAL] = "literal",
        [JT_RBRACKET] = "']'",
        [JT_RPAREN] = "')'",
        [JT_COMMA] = "','",
        [JT_RBRACE] = "'}'",
        [JT_NUMBER] = "number",
        [JT_CURRENT] = "'@'",
        [JT_EXPREF] = "'&'",
        [JT_COLON] = "':'",
        [JT_PIPE] = "'|'",
        [JT_OR] = "'||'",
        [JT_AND] = "'&&'",
        [JT_EQ] = "'=='",
        [JT_NE] = "'!='",
        [JT_LT] = "'<'",
        [JT_LE] = "'<='",
        [JT_GT] = "'>'",
        [JT_GE] = "'>='",
        [JT_FLATTEN] = "'[]'",
        [JT_STAR] = "'*'",
        [JT_FILTER] = "'[?'",
        [JT_DOT] = "'.'",
        [JT_NOT] = "'!'",
        [JT_LBRACE] = "'{'",
        [JT_LBRACKET] = "'['",
        [JT_LPAREN] = "'('",
    };
    return kind >= 0 && kind < JT_COUNT ? names[kind] : "token";
}

typedef struct lexer {
    arena *a;
    const char *s;
    size_t len, i;
    jp_error *err;
    jp_tok *toks;
    size_t n, cap;
} lexer;

static jp_tok *push(lexer *lx, int kind, size_t pos)
{
    if (lx->n == lx->cap) {
        lx->cap = lx->cap ? lx->cap * 2 : 16;
        jp_tok *t = realloc(lx->toks, lx->cap * sizeof *t);
        if (!t) {
            fprintf(stderr, "custos: out of memory\n");
            abort();
        }
        lx->toks = t;
    }
    jp_tok *t = &lx->toks[lx->n++];
    memset(t, 0, sizeof *t);
    t->kind = (uint8_t)kind;
    t->pos = pos;
    return t;
}

/* Finds the closing delimiter of a token starting at lx->i (the opening
 * delimiter); returns its offset or (size_t)-1. */
static size_t closing(const lexer *lx, char delim)
{
    for (size_t j = lx->i + 1; j < lx->len; j++) {
        if (lx->s[j] == '\\') {
            j++;
            continue;
        }
        if (lx->s[j] == delim) return j;
    }
    return (size_t)-1;
}

/* Copies s[from..to) replacing "\<delim>" by "<delim>". */
static char *unescape(arena *a, const char *s, size_t from, size_t to, char delim, size_t *out_len)
{
    char *d = arena_alloc(a, to - from + 1);
    size_t k = 0;
    for (size_t j = from; j < to; j++) {
        if (s[j] == '\\' && j + 1 < to && s[j + 1] == delim)
            j++;
        else if (s[j] == '\\' && j + 1 < to)
            d[k++] = s[j++];
        d[k++] = s[j];
    }
    d[k] = 0;
    *out_len = k;
    return d;
}

static int lex_quoted(lexer *lx)
{
    size_t start = lx->i, end = closing(lx, '"');
    if (end == (size_t)-1)
        return jp_fail(lx->err, "syntax", start, "unterminated quoted identifier");
    json_error je;
    jv v;
    if (json_parse(lx->a, lx->s + start, end + 1 - start, &v, &je) != 0 || v.kind != JV_STRING)
        return jp_fail(lx->err, "syntax", start + je.offset, "bad quoted identifier: %s", je.msg);
    jp_tok *t = push(lx, JT_QUOTED, start);
    t->s = v.u.str;
    t->slen = v.len;
    lx->i = end + 1;
    return 0;
}

static int lex_raw_string(lexer *lx)
{
    size_t start = lx->i, end = closing(lx, '\'');
    if (end == (size_t)-1) return jp_fail(lx->err, "syntax", start, "unterminated raw string");
    size_t n;
    char *d = unescape(lx->a, lx->s, start + 1, end, '\'', &n);
    jp_tok *t = push(lx, JT_LITERAL, start);
    t->lit = jv_str_nocopy(d, n);
    lx->i = end + 1;
    return 0;
}

static int lex_literal(lexer *lx)
{
    size_t start = lx->i, end = closing(lx, '`');
    if (end == (size_t)-1) return jp_fail(lx->err, "syntax", start, "unterminated literal");
    size_t n;
    char *d = unescape(lx->a, lx->s, start + 1, end, '`', &n);
    json_error je;
    jv v;
    if (json_parse(lx->a, d, n, &v, &je) != 0)
        return jp_fail(lx->err, "syntax", start, "bad JSON literal: %s", je.msg);
    jp_tok *t = push(lx, JT_LITERAL, start);
    t->lit = v;
    lx->i = end + 1;
    return 0;
}

static int lex_number(lexer *lx)
{
    size_t start = lx->i, j = lx->i;
    bool neg = lx->s[j] == '-';
    if (neg) j++;
    if (j >= lx->len || lx->s[j] < '0' || lx->s[j] > '9')
        return jp_fail(lx->err, "syntax", start, "'-' must be followed by digits");
    int64_t v = 0;
    const int64_t cap = (int64_t)1 << 62;
    for (; j < lx->len && lx->s[j] >= '0' && lx->s[j] <= '9'; j++)
        v = v <= (cap - 9) / 10 ? v * 10 + (lx->s[j] - '0') : cap;
    jp_tok *t = push(lx, JT_NUMBER, start);
    t->num = neg ? -v : v;
    lx->i = j;
    return 0;
}

static bool ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9');
}

/* One- or two-character operators; returns 0 when c starts none. */
static int lex_operator(lexer *lx)
{
    const char *s = lx->s;
    size_t i = lx->i;
    char c = s[i], d = i + 1 < lx->len ? s[i + 1] : 0;
    int kind = 0, w = 1;
    switch (c) {
    case '.':
        kind = JT_DOT;
        break;
    case '*':
        kind = JT_STAR;
        break;
    case ']':
        kind = JT_RBRACKET;
        break;
    case ',':
        kind = JT_COMMA;
        break;
    case ':':
        kind = JT_COLON;
        break;
    case '@':
        kind = JT_CURRENT;
        break;
    case '(':
        kind = JT_LPAREN;
        break;
    case ')':
        kind = JT_RPAREN;
        break;
    case '{':
        kind = JT_LBRACE;
        break;
    case '}':
        kind = JT_RBRACE;
        break;
    case '[':
        kind = d == ']' ? JT_FLATTEN : d == '?' ? JT_FILTER : JT_LBRACKET;
        break;
    case '|':
        kind = d == '|' ? JT_OR : JT_PIPE;
        break;
    case '&':
        kind = d == '&' ? JT_AND : JT_EXPREF;
        break;
    case '<':
        kind = d == '=' ? JT_LE : JT_LT;
        break;
    case '>':
        kind = d == '=' ? JT_GE : JT_GT;
        break;
    case '!':
        kind = d == '=' ? JT_NE : JT_NOT;
        break;
    case '=':
        if (d != '=') return jp_fail(lx->err, "syntax", i, "'=' is not an operator (use '==')");
        kind = JT_EQ;
        break;
    default:
        return 0;
    }
    if (kind == JT_FLATTEN || kind == JT_FILTER || kind == JT_OR || kind == JT_AND ||
        kind == JT_LE || kind == JT_GE || kind == JT_NE || kind == JT_EQ)
        w = 2;
    push(lx, kind, i);
    lx->i += (size_t)w;
    return 1;
}

static int lex_one(lexer *lx)
{
    char c = lx->s[lx->i];
    if (ident_start(c)) {
        size_t start = lx->i;
        while (lx->i < lx->len && ident_char(lx->s[lx->i]))
            lx->i++;
        jp_tok *t = push(lx, JT_UNQUOTED, start);
        t->s = arena_strndup(lx->a, lx->s + start, lx->i - start);
        t->slen = lx->i - start;
        return 0;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return lex_number(lx);
    if (c == '"') return lex_quoted(lx);
    if (c == '\'') return lex_raw_string(lx);
    if (c == '`') return lex_literal(lx);
    int r = lex_operator(lx);
    if (r < 0) return -1;
    if (r == 0) {
        unsigned char u = (unsigned char)c;
        if (u >= 0x20 && u < 0x7f)
            return jp_fail(lx->err, "syntax", lx->i, "unexpected character '%c'", c);
        return jp_fail(lx->err, "syntax", lx->i, "unexpected byte 0x%02x", u);
    }
    return 0;
}

jp_tok *jp_lex(arena *a, const char *expr, size_t len, size_t *ntok, jp_error *err)
{
    lexer lx = {.a = a, .s = expr, .len = len, .err = err};
    while (lx.i < len) {
        char c = expr[lx.i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            lx.i++;
            continue;
        }
        if (lex_one(&lx) != 0) {
            free(lx.toks);
            return NULL;
        }
    }
    push(&lx, JT_EOF, len);
    *ntok = lx.n;
    return lx.toks;
}
