/* diag.h - user-facing error messages with a source position.
 *
 * Deep code never prints.  It appends a diagnostic ("file:line:col: error:
 * message") to a diag_list and returns failure; the command decides how to
 * show them.  Validation collects every error rather than stopping at the
 * first, so one `custos validate` run shows everything to fix.
 */
#ifndef CUSTOS_DIAG_H
#define CUSTOS_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct srcpos {
    const char *file; /* may be NULL (e.g. policies given as JSON on stdin) */
    int line, col;    /* 1-based; 0 = unknown */
} srcpos;

typedef struct diag {
    srcpos pos;
    char *msg; /* malloc'd */
} diag;

typedef struct diag_list {
    diag *items;
    size_t n, cap;
} diag_list;

#define DIAG_LIST_INIT                                                                             \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void diag_add(diag_list *d, srcpos pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_print(const diag_list *d, FILE *f); /* "file:line:col: error: msg\n" each */
void diag_free(diag_list *d);

#endif
