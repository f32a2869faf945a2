/* template.c - {{ JMESPath }} templates; see template.h.
 *
 * A compiled template is a flat list of parts, each a literal run or a
 * compiled expression, so rendering is one pass with no parsing.  Holes are
 * found by scanning for "{{" and the next "}}"; JMESPath itself never needs
 * "}}" outside a string literal in a runbook, and a literal containing it
 * can be written with a JMESPath raw string join.
 */
#include "findings/template.h"

#include <stdio.h>
#include <string.h>

#include "jmespath/jmespath.h"

typedef struct part {
    const char *lit; /* literal text, or NULL for an expression */
    size_t len;      /* literal length, or the source length of the expression */
    const char *src; /* the expression's text (for messages) */
    jp_node *expr;
} part;

struct tmpl {
    part *parts;
    size_t n, holes;
};

static void add_part(arena *a, tmpl *t, size_t *cap, part p)
{
    if (t->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        t->parts = arena_realloc(a, t->parts, *cap * sizeof *t->parts, ncap * sizeof *t->parts);
        *cap = ncap;
    }
    t->parts[t->n++] = p;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

tmpl *tmpl_compile(arena *a, const char *text, size_t len, tmpl_error *err)
{
    tmpl *t = arena_calloc(a, sizeof *t);
    size_t cap = 0, i = 0;
    while (i < len) {
        const char *open = memmem(text + i, len - i, "{{", 2);
        size_t lit_end = open ? (size_t)(open - text) : len;
        if (lit_end > i) add_part(a, t, &cap, (part){text + i, lit_end - i, NULL, NULL});
        if (!open) break;
        size_t start = lit_end + 2;
        const char *close = memmem(text + start, len - start, "}}", 2);
        if (!close) {
            err->offset = lit_end;
            snprintf(err->msg, sizeof err->msg, "'{{' without a closing '}}'");
            return NULL;
        }
        size_t end = (size_t)(close - text);
        while (start < end && is_space(text[start]))
            start++;
        while (end > start && is_space(text[end - 1]))
            end--;
        if (start == end) {
            err->offset = lit_end;
            snprintf(err->msg, sizeof err->msg, "empty placeholder '{{}}'");
            return NULL;
        }
        jp_error je;
        jp_node *e = jp_compile(a, text + start, end - start, &je);
        if (!e) {
            err->offset = start + je.pos;
            snprintf(err->msg, sizeof err->msg, "placeholder '{{ %.*s }}': %s", (int)(end - start),
                     text + start, je.msg);
            return NULL;
        }
        add_part(a, t, &cap, (part){NULL, end - start, text + start, e});
        t->holes++;
        i = (size_t)(close - text) + 2;
    }
    return t;
}

int tmpl_render(const tmpl *t, const jv *ctx, arena *scratch, buf *out, tmpl_error *err)
{
    for (size_t i = 0; i < t->n; i++) {
        const part *p = &t->parts[i];
        if (p->lit) {
            buf_append(out, p->lit, p->len);
            continue;
        }
        jv v;
        jp_error je;
        if (jp_eval(p->expr, ctx, scratch, &v, &je) != 0) {
            err->offset = 0;
            snprintf(err->msg, sizeof err->msg, "placeholder '{{ %.*s }}': %s", (int)p->len, p->src,
                     je.msg);
            return -1;
        }
        if (v.kind == JV_NULL) {
            err->offset = 0;
            snprintf(err->msg, sizeof err->msg,
                     "placeholder '{{ %.*s }}' is empty for this finding", (int)p->len, p->src);
            return -1;
        }
        if (v.kind == JV_STRING)
            buf_append(out, v.u.str, v.len);
        else
            json_write(out, &v);
    }
    return 0;
}

size_t tmpl_holes(const tmpl *t)
{
    return t->holes;
}
