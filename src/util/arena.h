/* arena.h - bump allocator for per-scan and per-document data.
 *
 * Everything parsed from an inventory file, every JMESPath intermediate and
 * every finding of a scan lives in an arena and is released in one call.
 * Allocation never fails from the caller's point of view: out of memory
 * aborts with a message, because a scan that silently drops data is worse
 * than one that stops.  An arena is not thread-safe; give each worker its own.
 */
#ifndef CUSTOS_ARENA_H
#define CUSTOS_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(size_t chunk_size);    /* 0 picks a default (64 KiB) */
void arena_free(arena *a);              /* NULL is fine */
void arena_reset(arena *a);             /* drop everything, keep the first chunk */
void *arena_alloc(arena *a, size_t n);  /* 16-byte aligned, uninitialised */
void *arena_calloc(arena *a, size_t n); /* zeroed */
void *arena_realloc(arena *a, void *p, size_t old_n, size_t new_n);
/* A growable array of *cap elements of elem bytes: returns it with room for
 * at least need elements, doubling *cap (NULL p: a new array). */
void *arena_grow(arena *a, void *p, size_t *cap, size_t need, size_t elem);
void *arena_alloc_packed(arena *a, size_t n);           /* no alignment: for string bytes */
char *arena_strndup(arena *a, const char *s, size_t n); /* NUL-terminated copy, packed */
char *arena_strdup(arena *a, const char *s);
char *arena_sprintf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vsprintf(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
size_t arena_bytes(const arena *a); /* bytes reserved from the system */

#endif
