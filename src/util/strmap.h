/* strmap.h - a string-keyed hash map to int, built once, then read-only.
 *
 * For models derived from a whole resource set (security group -> network
 * interfaces, subnet -> route table): filled in one pass while building,
 * then shared read-only by evaluation threads (lookups never write).
 * Keys are not copied: they must outlive the map (they normally point into
 * the resource documents).  Memory comes from an arena; nothing to free.
 */
#ifndef CUSTOS_STRMAP_H
#define CUSTOS_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef struct strmap {
    arena *a;
    const char **keys; /* NULL = empty slot */
    int *vals;
    size_t cap, n; /* cap is a power of two, kept above 2n */
} strmap;

void strmap_init(strmap *m, arena *a, size_t expected);
/* The value slot for key, inserting it with value `init` when absent. */
int *strmap_slot(strmap *m, const char *key, int init);
/* The value for key, or `missing`.  NULL key: `missing`. */
int strmap_get(const strmap *m, const char *key, int missing);
bool strmap_has(const strmap *m, const char *key);

/* For the few-item lists a command line gives (--team a,b): a linear search.
 * NULL s is in no list. */
bool str_in(const char *const *list, size_t n, const char *s);

#endif
