/* strmap.c - open addressing with linear probing; see strmap.h.
 *
 * Load factor stays under one half, so probes are short and a lookup of an
 * absent key ends at the first empty slot.  FNV-1a is enough for AWS ids,
 * which are random hex after a fixed prefix.
 */
#include "util/strmap.h"

#include <stdint.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static void alloc_slots(strmap *m, size_t cap)
{
    m->cap = cap;
    m->keys = arena_calloc(m->a, cap * sizeof *m->keys);
    m->vals = arena_alloc(m->a, cap * sizeof *m->vals);
}

void strmap_init(strmap *m, arena *a, size_t expected)
{
    size_t cap = 16;
    while (cap < expected * 2 + 2)
        cap *= 2;
    m->a = a;
    m->n = 0;
    alloc_slots(m, cap);
}

static size_t find(const strmap *m, const char *key)
{
    size_t mask = m->cap - 1, i = (size_t)hash_str(key) & mask;
    while (m->keys[i] && strcmp(m->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

static void grow(strmap *m)
{
    const char **keys = m->keys;
    int *vals = m->vals;
    size_t old = m->cap;
    alloc_slots(m, old * 2);
    for (size_t i = 0; i < old; i++) {
        if (!keys[i]) continue;
        size_t j = find(m, keys[i]);
        m->keys[j] = keys[i];
        m->vals[j] = vals[i];
    }
}

int *strmap_slot(strmap *m, const char *key, int init)
{
    if ((m->n + 1) * 2 > m->cap) grow(m);
    size_t i = find(m, key);
    if (!m->keys[i]) {
        m->keys[i] = key;
        m->vals[i] = init;
        m->n++;
    }
    return &m->vals[i];
}

int strmap_get(const strmap *m, const char *key, int missing)
{
    if (!key || !m->keys) return missing;
    size_t i = find(m, key);
    return m->keys[i] ? m->vals[i] : missing;
}

bool strmap_has(const strmap *m, const char *key)
{
    return key && m->keys && m->keys[find(m, key)] != NULL;
}

bool str_in(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (!strcmp(list[i], s)) return true;
    return false;
}
