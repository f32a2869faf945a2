/* diag.c - diagnostics list; see diag.h. */
#include "util/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_add(diag_list *d, srcpos pos, const char *fmt, ...)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        diag *items = realloc(d->items, cap * sizeof *items);
        if (!items) abort();
        d->items = items;
        d->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    va_end(ap);
    d->items[d->n].pos = pos;
    d->items[d->n].msg = msg;
    d->n++;
}

void diag_print(const diag_list *d, FILE *f)
{
    for (size_t i = 0; i < d->n; i++) {
        const diag *g = &d->items[i];
        if (g->pos.file) fprintf(f, "%s:", g->pos.file);
        if (g->pos.line) fprintf(f, "%d:%d:", g->pos.line, g->pos.col);
        fprintf(f, "%serror: %s\n", (g->pos.file || g->pos.line) ? " " : "", g->msg);
    }
}

void diag_free(diag_list *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->items[i].msg);
    free(d->items);
    d->items = NULL;
    d->n = d->cap = 0;
}
