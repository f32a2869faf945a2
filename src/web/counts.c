/* counts.c - see counts.h.
 *
 * One pass over the rows (ordered by day, account, severity).  Per account
 * we keep the raw window (what the rows say, day by day), the last state
 * before the window (so a series starts from the truth, not from zero),
 * and the latest state; carry-forward happens once at the end: a day on
 * which the account had rows takes them as the whole truth (a severity
 * without a row is 0 that day), any other day repeats the previous one.
 */
#include "web/counts.h"

#include <string.h>

#include "util/strmap.h"
#include "web/page.h"

const char *const WEB_SEV_NAMES[WEB_NSEV] = {"info", "low", "medium", "high", "critical"};

int web_sev_rank(const char *s)
{
    for (int i = 0; i < WEB_NSEV; i++)
        if (s && !strcmp(s, WEB_SEV_NAMES[i])) return i;
    return -1;
}

typedef struct scratch {
    bool *has_day;
    int64_t before[WEB_NSEV];
    int64_t before_day;
} scratch;

static void add_row(acc_counts *s, scratch *x, const day_count *d, int64_t start, int days)
{
    int sev = web_sev_rank(d->severity);
    if (sev < 0) sev = 0;
    if (d->day > s->latest_day) {
        s->latest_day = d->day;
        memset(s->sev, 0, sizeof s->sev);
        s->max_priority = 0;
    }
    if (d->day == s->latest_day) {
        s->sev[sev] += d->open;
        if (d->open > 0 && d->max_priority > s->max_priority) s->max_priority = d->max_priority;
    }
    if (d->day < start) {
        if (d->day > x->before_day) {
            x->before_day = d->day;
            memset(x->before, 0, sizeof x->before);
        }
        if (d->day == x->before_day) x->before[sev] += d->open;
        return;
    }
    int64_t k = d->day - start;
    if (k >= days) return;
    x->has_day[k] = true;
    s->open_sev[k * WEB_NSEV + sev] += d->open;
    s->new_[k] += d->new_;
    s->resolved[k] += d->resolved;
    s->regressed[k] += d->regressed;
}

static void carry_forward(acc_counts *s, const scratch *x, int days)
{
    const int64_t *prev = x->before;
    for (int k = 0; k < days; k++) {
        int64_t *day = &s->open_sev[(size_t)k * WEB_NSEV];
        if (!x->has_day[k]) memcpy(day, prev, WEB_NSEV * sizeof *day);
        prev = day;
    }
    s->open = 0;
    for (int i = 0; i < WEB_NSEV; i++)
        s->open += s->sev[i];
    s->colour = web_status_colour(s->max_priority, s->open);
}

int web_counts_load(store *st, arena *a, int64_t now, int days, web_counts *out)
{
    memset(out, 0, sizeof *out);
    if (days < 1) days = 1;
    if (days > WEB_MAX_DAYS) days = WEB_MAX_DAYS;
    out->days = days;
    out->start_day = now / 86400 - (days - 1);
    stored_account *acc;
    if (store_accounts(st, a, &acc, &out->nacc) < 0) return -1;
    out->acc = arena_calloc(a, (out->nacc ? out->nacc : 1) * sizeof *out->acc);
    scratch *x = arena_calloc(a, (out->nacc ? out->nacc : 1) * sizeof *x);
    int64_t since = out->start_day;
    strmap idx;
    strmap_init(&idx, a, out->nacc);
    for (size_t i = 0; i < out->nacc; i++) {
        acc_counts *s = &out->acc[i];
        s->acc = &acc[i];
        s->latest_day = -1;
        s->open_sev = arena_calloc(a, (size_t)days * WEB_NSEV * sizeof *s->open_sev);
        s->new_ = arena_calloc(a, (size_t)days * sizeof *s->new_);
        s->resolved = arena_calloc(a, (size_t)days * sizeof *s->resolved);
        s->regressed = arena_calloc(a, (size_t)days * sizeof *s->regressed);
        x[i].has_day = arena_calloc(a, (size_t)days * sizeof *x[i].has_day);
        x[i].before_day = -1;
        *strmap_slot(&idx, acc[i].account_id, (int)i) = (int)i;
        if (acc[i].last_scan_at > out->last_scan) out->last_scan = acc[i].last_scan_at;
        /* Reach back to every account's last scan, however old. */
        if (acc[i].last_scan_at / 86400 < since) since = acc[i].last_scan_at / 86400;
    }
    day_count *d;
    size_t nd;
    if (store_history(st, since, a, &d, &nd) < 0) return -1;
    out->first_day = -1;
    for (size_t i = 0; i < nd; i++) {
        if (out->first_day < 0 || d[i].day < out->first_day) out->first_day = d[i].day;
        int k = strmap_get(&idx, d[i].account_id, -1);
        if (k >= 0) add_row(&out->acc[k], &x[k], &d[i], out->start_day, days);
    }
    for (size_t i = 0; i < out->nacc; i++)
        carry_forward(&out->acc[i], &x[i], days);
    return 0;
}

void web_counts_sum(const web_counts *c, arena *a, bool (*keep)(const acc_counts *, const void *),
                    const void *ctx, counts_sum *out)
{
    memset(out, 0, sizeof *out);
    size_t days = (size_t)c->days;
    out->open_sev = arena_calloc(a, days * WEB_NSEV * sizeof *out->open_sev);
    out->new_ = arena_calloc(a, days * sizeof *out->new_);
    out->resolved = arena_calloc(a, days * sizeof *out->resolved);
    out->regressed = arena_calloc(a, days * sizeof *out->regressed);
    for (size_t i = 0; i < c->nacc; i++) {
        const acc_counts *s = &c->acc[i];
        if (keep && !keep(s, ctx)) continue;
        out->naccounts++;
        for (size_t k = 0; k < days * WEB_NSEV; k++)
            out->open_sev[k] += s->open_sev[k];
        for (size_t k = 0; k < days; k++) {
            out->new_[k] += s->new_[k];
            out->resolved[k] += s->resolved[k];
            out->regressed[k] += s->regressed[k];
        }
        for (int k = 0; k < WEB_NSEV; k++)
            out->sev[k] += s->sev[k];
        out->open += s->open;
        if (s->open && s->max_priority > out->max_priority) out->max_priority = s->max_priority;
    }
}

bool web_counts_has_day(const web_counts *c, int k)
{
    int64_t day = c->start_day + k;
    return c->last_scan > 0 && c->first_day >= 0 && day >= c->first_day &&
           day <= c->last_scan / 86400;
}

const char **web_day_labels(const web_counts *c, arena *a)
{
    const char **labels = arena_alloc(a, (size_t)(c->days > 0 ? c->days : 1) * sizeof *labels);
    for (int k = 0; k < c->days; k++)
        labels[k] = web_date(a, (c->start_day + k) * 86400);
    return labels;
}

void web_sev_series(const web_counts *c, const counts_sum *s, arena *a, svg_series *out)
{
    for (int v = WEB_NSEV - 1, n = 0; v >= 0; v--, n++) {
        int64_t *vals = arena_alloc(a, (size_t)(c->days > 0 ? c->days : 1) * sizeof *vals);
        for (int k = 0; k < c->days; k++)
            vals[k] = web_counts_has_day(c, k) ? s->open_sev[k * WEB_NSEV + v] : SVG_NO_DATA;
        out[n].name = WEB_SEV_NAMES[v];
        out[n].css_class = arena_sprintf(a, "sev-%s", WEB_SEV_NAMES[v]);
        out[n].values = vals;
    }
}
