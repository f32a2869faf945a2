/* arena.c - chunked bump allocator; see arena.h.
 *
 * Chunks form a singly linked list.  A request larger than a quarter of the
 * chunk size gets a chunk of its own so big allocations never waste the tail
 * of a normal chunk.  arena_realloc grows in place when the block is the
 * last one handed out, which makes arena-backed vectors cheap.
 */
#include "util/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 16

typedef struct chunk {
    struct chunk *next;
    size_t size, used;
    _Alignas(ALIGN) unsigned char data[];
} chunk;

struct arena {
    chunk *head;
    size_t chunk_size;
    size_t reserved;
    void *last; /* most recent allocation, for in-place realloc */
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) {
        fprintf(stderr, "custos: out of memory (%zu bytes)\n", n);
        abort();
    }
    return p;
}

static chunk *chunk_new(arena *a, size_t size)
{
    chunk *c = xmalloc(sizeof(chunk) + size);
    c->size = size;
    c->used = 0;
    a->reserved += size;
    return c;
}

arena *arena_new(size_t chunk_size)
{
    arena *a = xmalloc(sizeof *a);
    a->chunk_size = chunk_size ? chunk_size : (size_t)64 * 1024;
    a->reserved = 0;
    a->last = NULL;
    a->head = chunk_new(a, a->chunk_size);
    a->head->next = NULL;
    return a;
}

void arena_free(arena *a)
{
    if (!a) return;
    for (chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(a);
}

void arena_reset(arena *a)
{
    chunk *c = a->head;
    while (c->next) {
        chunk *n = c->next;
        a->reserved -= c->size;
        free(c);
        c = n;
    }
    a->head = c;
    c->used = 0;
    a->last = NULL;
}

void *arena_alloc(arena *a, size_t n)
{
    n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (n == 0) n = ALIGN;
    chunk *c = a->head;
    /* Packed string allocations may have left the cursor unaligned. */
    size_t pad = (ALIGN - (c->used & (ALIGN - 1))) & (ALIGN - 1);
    if (c->size - c->used >= pad) c->used += pad;
    if (c->size - c->used < n) {
        if (n > a->chunk_size / 4) {
            /* Big block: private chunk, linked behind the head so the head's
             * free tail stays usable. */
            chunk *big = chunk_new(a, n);
            big->used = n;
            big->next = c->next;
            c->next = big;
            a->last = NULL;
            return big->data;
        }
        c = chunk_new(a, a->chunk_size);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    a->last = p;
    return p;
}

void *arena_alloc_packed(arena *a, size_t n)
{
    chunk *c = a->head;
    if (c->size - c->used < n || n > a->chunk_size / 4) return arena_alloc(a, n);
    void *p = c->data + c->used;
    c->used += n;
    a->last = NULL;
    return p;
}

void *arena_calloc(arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

void *arena_grow(arena *a, void *p, size_t *cap, size_t need, size_t elem)
{
    if (p && need <= *cap) return p;
    size_t old = p ? *cap : 0, n = old ? old : 16;
    while (n < need)
        n *= 2;
    p = arena_realloc(a, p, old * elem, n * elem);
    *cap = n;
    return p;
}

void *arena_realloc(arena *a, void *p, size_t old_n, size_t new_n)
{
    if (!p) return arena_alloc(a, new_n);
    if (new_n <= old_n) return p;
    chunk *c = a->head;
    size_t old_r = (old_n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    size_t new_r = (new_n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (p == a->last && (unsigned char *)p + old_r == c->data + c->used &&
        c->size - c->used >= new_r - old_r) {
        c->used += new_r - old_r;
        return p;
    }
    void *q = arena_alloc(a, new_n);
    memcpy(q, p, old_n);
    return q;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *d = arena_alloc_packed(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *arena_strdup(arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *arena_vsprintf(arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0) n = 0;
    char *d = arena_alloc_packed(a, (size_t)n + 1);
    vsnprintf(d, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return d;
}

char *arena_sprintf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = arena_vsprintf(a, fmt, ap);
    va_end(ap);
    return d;
}

size_t arena_bytes(const arena *a)
{
    return a->reserved;
}
