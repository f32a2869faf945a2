/* buf.h - growable byte buffer (heap), for building output and messages.
 *
 * Always NUL-terminated after any append, so b->data can be used as a C
 * string.  Allocation failure aborts (see arena.h for why).
 */
#ifndef CUSTOS_BUF_H
#define CUSTOS_BUF_H

#include <stddef.h>

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc_slow(buf *b, char c);
/* Inline: output writers call this per character. */
static inline void buf_putc(buf *b, char c)
{
    if (b->len + 2 > b->cap) {
        buf_putc_slow(b, c);
        return;
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(buf *b); /* len = 0, keep memory */
void buf_free(buf *b);
char *buf_steal(buf *b); /* returns malloc'd string, leaves b empty */

/* Reads a whole file into a malloc'd NUL-terminated buffer.  Returns NULL
 * and sets errno on failure. */
char *read_file(const char *path, size_t *len_out);

#endif
