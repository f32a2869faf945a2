/* trends.c - carry-forward aggregation of daily counts; see trends.h.
 *
 * One pass over the rows in day order keeps, per (account, severity), the
 * latest row seen so far; at the end of each day the groups are summed from
 * those latest rows.  Groups per day are few (teams, accounts), so a linear
 * search per row is cheaper than a hash map here. */
#include "store/trends.h"

#include <stdlib.h>
#include <string.h>

#include "util/strmap.h"

static const char *const KEY_NAMES[] = {"team", "account", "environment", "severity", "all"};

int trend_key_parse(const char *s, trend_key *out)
{
    for (size_t i = 0; i < sizeof KEY_NAMES / sizeof KEY_NAMES[0]; i++)
        if (!strcmp(s, KEY_NAMES[i])) {
            *out = (trend_key)i;
            return 0;
        }
    return -1;
}

const char *trend_key_name(trend_key k)
{
    return KEY_NAMES[k];
}

static const char *key_of(const day_count *d, trend_key by)
{
    const char *k = NULL;
    switch (by) {
    case TREND_TEAM:
        k = d->team;
        break;
    case TREND_ACCOUNT:
        k = d->account_name ? d->account_name : d->account_id;
        break;
    case TREND_ENVIRONMENT:
        k = d->environment;
        break;
    case TREND_SEVERITY:
        k = d->severity;
        break;
    case TREND_ALL:
        k = "all";
        break;
    }
    return k ? k : "(none)";
}

static bool in(const char *const *l, size_t n, const char *a, const char *b)
{
    return !l || str_in(l, n, a) || str_in(l, n, b);
}

static int cmp_key(const void *pa, const void *pb)
{
    return strcmp(((const trend_row *)pa)->key, ((const trend_row *)pb)->key);
}

size_t trends_compute(const day_count *d, size_t n, trend_key by, const trend_filter *f,
                      int64_t since_day, arena *a, trend_row **out)
{
    strmap ix;
    strmap_init(&ix, a, n);
    const day_count **latest = arena_calloc(a, (n ? n : 1) * sizeof *latest);
    size_t nl = 0, nout = 0, cap = 64;
    trend_row *rows = arena_alloc(a, cap * sizeof *rows);
    for (size_t i = 0; i < n;) {
        int64_t day = d[i].day;
        size_t j = i;
        for (; j < n && d[j].day == day; j++) {
            if (f && (!in(f->teams, f->n_teams, d[j].team, NULL) ||
                      !in(f->accounts, f->n_accounts, d[j].account_id, d[j].account_name)))
                continue;
            char *k = arena_sprintf(a, "%s\x1f%s", d[j].account_id, d[j].severity);
            int *slot = strmap_slot(&ix, k, -1);
            if (*slot < 0) *slot = (int)nl++;
            latest[*slot] = &d[j];
        }
        i = j;
        if (day < since_day) continue;
        size_t first = nout;
        for (size_t k = 0; k < nl; k++) {
            const day_count *x = latest[k];
            const char *key = key_of(x, by);
            size_t m = first;
            while (m < nout && strcmp(rows[m].key, key))
                m++;
            if (m == nout) {
                rows = arena_grow(a, rows, &cap, nout + 1, sizeof *rows);
                rows[nout++] = (trend_row){.day = day, .key = key, .sample = x};
            }
            trend_row *g = &rows[m];
            g->open += x->open;
            g->suppressed += x->suppressed;
            if (x->max_priority > g->max_priority) g->max_priority = x->max_priority;
            if (x->day == day) {
                g->new_ += x->new_;
                g->resolved += x->resolved;
                g->regressed += x->regressed;
            }
        }
        qsort(rows + first, nout - first, sizeof *rows, cmp_key);
    }
    *out = rows;
    return nout;
}
