/* scope.c - per-scope lazy sets, the organisation, and memoised models; see
 * scope.h.
 *
 * A scope_ctx holds one slot per resource type.  A slot is filled under the
 * scope's mutex: the first worker to ask loads the set while holding it, so
 * a set is never loaded twice and later readers see it complete.  Loads are
 * rare (a handful of network types per scope) and short next to the
 * evaluation they serve, so one lock per scope is not a bottleneck; sets
 * already loaded are read through an acquire flag without taking it.
 */
#include "inventory/scope.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MEMO 32

typedef struct slot {
    atomic_bool ready;
    resource_set set;
} slot;

typedef struct memo {
    const void *key;
    void *value;
    arena *a; /* where value lives */
} memo;

struct scope_ctx {
    scope_table *table; /* NULL for a static scope */
    arena *a;           /* the sets loaded for this scope (inventory scopes) */
    atomic_int refs;    /* on an account's first scope: tasks not yet done */
    const inv_scope *scope;
    const char *account_id, *region;
    const account_info *account;
    scope_ctx *first; /* the account's first scope (global types), or self */
    pthread_mutex_t lock;
    slot *slots; /* one per registry type */
    memo memos[MAX_MEMO];
    atomic_size_t nmemos;
    /* static scopes */
    const char *const *known;
    size_t nknown;
    const char *org_id;
};

struct scope_table {
    inventory *inv;
    scope_ctx *ctx;
    size_t n;
    const char **known; /* sorted account ids */
    size_t nknown;
    const char *org_id;
    pthread_mutex_t lock; /* guards diags and missing */
    diag_list diags;
    diag_list missing; /* scope_note_missing: pos.file = account, msg = region\twhat */
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void ctx_init(scope_ctx *c)
{
    pthread_mutex_init(&c->lock, NULL);
    c->slots = calloc((size_t)resource_type_count(), sizeof *c->slots);
    if (!c->slots) abort();
    c->first = c;
}

/* Drops everything loaded for c; it may be loaded again on demand. */
static void ctx_clear(scope_ctx *c)
{
    size_t n = atomic_load(&c->nmemos);
    for (size_t i = 0; i < n; i++)
        arena_free(c->memos[i].a);
    atomic_store(&c->nmemos, 0);
    for (int i = 0; i < resource_type_count(); i++)
        atomic_store(&c->slots[i].ready, false);
    arena_free(c->a);
    c->a = NULL;
}

static void ctx_free(scope_ctx *c)
{
    pthread_mutex_destroy(&c->lock);
    free(c->slots);
    arena_free(c->a);
    size_t n = atomic_load(&c->nmemos);
    for (size_t i = 0; i < n; i++)
        arena_free(c->memos[i].a);
}

static void collect_known(scope_table *st, const jv *org)
{
    size_t na = inventory_account_count(st->inv);
    const jv *trusted = org ? jv_get(org, "trusted_accounts") : NULL;
    size_t nt = trusted && jv_is(trusted, JV_ARRAY) ? trusted->len : 0;
    st->known = malloc((na + nt + 1) * sizeof *st->known);
    if (!st->known) abort();
    for (size_t i = 0; i < na; i++)
        st->known[st->nknown++] = inventory_account(st->inv, i)->id;
    for (size_t i = 0; i < nt; i++)
        if (jv_is(&trusted->u.items[i], JV_STRING))
            st->known[st->nknown++] = trusted->u.items[i].u.str;
    qsort(st->known, st->nknown, sizeof *st->known, cmp_str);
    const jv *id = org ? jv_get(org, "id") : NULL;
    st->org_id = id && jv_is(id, JV_STRING) ? id->u.str : NULL;
}

scope_table *scope_table_new(inventory *inv)
{
    scope_table *st = calloc(1, sizeof *st);
    if (!st) abort();
    st->inv = inv;
    pthread_mutex_init(&st->lock, NULL);
    const inv_scope *scopes;
    st->n = inventory_scopes(inv, &scopes);
    st->ctx = calloc(st->n ? st->n : 1, sizeof *st->ctx);
    if (!st->ctx) abort();
    const jv *org = inventory_organization(inv);
    collect_known(st, jv_is(org, JV_OBJECT) ? org : NULL);
    for (size_t i = 0; i < st->n; i++) {
        scope_ctx *c = &st->ctx[i];
        ctx_init(c);
        c->table = st;
        c->scope = &scopes[i];
        c->account = scopes[i].account;
        c->account_id = scopes[i].account->id;
        c->region = scopes[i].region;
        /* Scopes of one account are adjacent; the first is where global
         * types load. */
        if (i > 0 && scopes[i - 1].account == scopes[i].account) c->first = st->ctx[i - 1].first;
    }
    return st;
}

scope_ctx *scope_table_get(scope_table *st, const inv_scope *scope)
{
    const inv_scope *scopes;
    inventory_scopes(st->inv, &scopes);
    return &st->ctx[scope - scopes];
}

void scope_table_retain(scope_table *st, const inv_scope *scope)
{
    atomic_fetch_add(&scope_table_get(st, scope)->first->refs, 1);
}

void scope_table_release(scope_table *st, const inv_scope *scope)
{
    scope_ctx *first = scope_table_get(st, scope)->first;
    if (atomic_fetch_sub(&first->refs, 1) != 1) return;
    /* The account's last task is done: nobody reads its scopes any more. */
    for (scope_ctx *c = first; c < st->ctx + st->n && c->first == first; c++)
        ctx_clear(c);
}

void scope_table_diags(scope_table *st, diag_list *diags)
{
    for (size_t k = 0; k < st->diags.n; k++)
        diag_add(diags, st->diags.items[k].pos, "%s", st->diags.items[k].msg);
}

void scope_table_free(scope_table *st)
{
    if (!st) return;
    for (size_t i = 0; i < st->n; i++)
        ctx_free(&st->ctx[i]);
    free(st->ctx);
    free(st->known);
    diag_free(&st->diags);
    diag_free(&st->missing);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

static int type_index(const resource_type *t)
{
    for (int i = 0; resource_type_at(i); i++)
        if (resource_type_at(i) == t) return i;
    return -1;
}

static void load_slot(scope_ctx *c, const resource_type *t, slot *s)
{
    s->set = (resource_set){.type = t, .account_id = c->account_id, .region = c->region};
    if (!c->table) return; /* static scope: types not given are empty */
    diag_list d = DIAG_LIST_INIT;
    if (!c->a) c->a = arena_new(1 << 16);
    bool more;
    /* -2: a related lookup (inventory.h), as Custodian's get_resources. */
    if (inventory_load_part(c->table->inv, t, c->scope, -2, c->a, &s->set, &more, &d) != 0) {
        s->set = (resource_set){.type = t, .account_id = c->account_id, .region = c->region};
        pthread_mutex_lock(&c->table->lock);
        for (size_t k = 0; k < d.n; k++)
            diag_add(&c->table->diags, d.items[k].pos, "%s", d.items[k].msg);
        pthread_mutex_unlock(&c->table->lock);
    }
    diag_free(&d);
}

const resource_set *scope_set(scope_ctx *sc, const resource_type *t)
{
    if (t->global) sc = sc->first;
    int i = type_index(t);
    slot *s = &sc->slots[i];
    if (atomic_load_explicit(&s->ready, memory_order_acquire)) return &s->set;
    pthread_mutex_lock(&sc->lock);
    if (!atomic_load_explicit(&s->ready, memory_order_relaxed)) {
        load_slot(sc, t, s);
        atomic_store_explicit(&s->ready, true, memory_order_release);
    }
    pthread_mutex_unlock(&sc->lock);
    return &s->set;
}

const resource_set *scope_set_named(scope_ctx *sc, const char *type_name)
{
    const resource_type *t = resource_type_find(type_name);
    return t ? scope_set(sc, t) : NULL;
}

void scope_note_missing(scope_ctx *sc, const char *what)
{
    if (!sc || !sc->table || !what) return;
    scope_table *st = sc->table;
    const char *region = sc->region ? sc->region : "";
    size_t rl = strlen(region);
    pthread_mutex_lock(&st->lock);
    bool seen = false;
    for (size_t i = 0; i < st->missing.n && !seen; i++) {
        const diag *d = &st->missing.items[i];
        seen = d->pos.file && sc->account_id && strcmp(d->pos.file, sc->account_id) == 0 &&
               strncmp(d->msg, region, rl) == 0 && d->msg[rl] == '\t' &&
               strcmp(d->msg + rl + 1, what) == 0;
    }
    if (!seen) diag_add(&st->missing, (srcpos){sc->account_id, 0, 0}, "%s\t%s", region, what);
    pthread_mutex_unlock(&st->lock);
}

void scope_table_missing(scope_table *st, diag_list *out)
{
    pthread_mutex_lock(&st->lock);
    for (size_t i = 0; i < st->missing.n; i++)
        diag_add(out, st->missing.items[i].pos, "%s", st->missing.items[i].msg);
    pthread_mutex_unlock(&st->lock);
}

const char *scope_account_id(const scope_ctx *sc)
{
    return sc->account_id;
}

const char *scope_region(const scope_ctx *sc)
{
    return sc->region;
}

const account_info *scope_account(const scope_ctx *sc)
{
    return sc->account;
}

bool scope_known_account(const scope_ctx *sc, const char *account_id)
{
    if (!account_id) return false;
    if (sc->account_id && strcmp(sc->account_id, account_id) == 0) return true;
    if (sc->table)
        return bsearch(&account_id, sc->table->known, sc->table->nknown, sizeof(char *), cmp_str) !=
               NULL;
    for (size_t i = 0; i < sc->nknown; i++)
        if (strcmp(sc->known[i], account_id) == 0) return true;
    return false;
}

const char *scope_org_id(const scope_ctx *sc)
{
    return sc->table ? sc->table->org_id : sc->org_id;
}

void *scope_memo(scope_ctx *sc, const void *key, void *(*build)(scope_ctx *sc, arena *a, void *arg),
                 void *arg)
{
    /* Fast path, once per finding: entries are complete before nmemos
     * publishes them (release), so reading without the lock is safe. */
    size_t n = atomic_load_explicit(&sc->nmemos, memory_order_acquire);
    for (size_t i = 0; i < n; i++)
        if (sc->memos[i].key == key) return sc->memos[i].value;
    /* Builders may call scope_set (same lock): build outside the lock and
     * keep the first value stored. */
    arena *a = arena_new(1 << 12);
    void *v = build(sc, a, arg);
    pthread_mutex_lock(&sc->lock);
    n = atomic_load_explicit(&sc->nmemos, memory_order_relaxed);
    for (size_t i = 0; i < n; i++)
        if (sc->memos[i].key == key) { /* another worker won the race */
            void *won = sc->memos[i].value;
            pthread_mutex_unlock(&sc->lock);
            arena_free(a);
            return won;
        }
    if (n == MAX_MEMO) abort(); /* a programming error: raise MAX_MEMO */
    sc->memos[n] = (memo){key, v, a};
    atomic_store_explicit(&sc->nmemos, n + 1, memory_order_release);
    pthread_mutex_unlock(&sc->lock);
    return v;
}

scope_ctx *scope_new_static(arena *a, const char *account_id, const char *region,
                            const resource_set *sets, size_t nsets,
                            const char *const *known_accounts, size_t nknown, const char *org_id)
{
    scope_ctx *c = arena_calloc(a, sizeof *c);
    ctx_init(c);
    c->account_id = account_id;
    c->region = region;
    c->known = known_accounts;
    c->nknown = nknown;
    c->org_id = org_id;
    for (size_t i = 0; i < nsets; i++) {
        int ti = type_index(sets[i].type);
        if (ti < 0) continue;
        c->slots[ti].set = sets[i];
        atomic_store(&c->slots[ti].ready, true);
    }
    return c;
}

void scope_free_static(scope_ctx *sc)
{
    if (sc) ctx_free(sc);
}
