/* counts.h - per-account state and daily series from the store's daily
 * counts, for the overview, team, account and trends pages.
 *
 * The store keeps one row per (day, account, severity) written by that
 * day's scans (store_history).  From them, for every account:
 *  - its current state: open findings by severity and the highest open
 *    priority, from its latest day with counts (its last scan);
 *  - for each day of the window [start_day, start_day + days): open by
 *    severity, carried forward over days the account was not scanned
 *    (what the last scan found is still open), and new / resolved /
 *    regressed counted on the day itself only.
 * Reads never touch the findings table, so the cost depends on accounts
 * and days, not on how many findings the store holds.
 */
#ifndef CUSTOS_WEB_COUNTS_H
#define CUSTOS_WEB_COUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "util/arena.h"
#include "web/svg.h"

#define WEB_NSEV 5 /* info, low, medium, high, critical: severity_rank order */
#define WEB_MAX_DAYS 365

extern const char *const WEB_SEV_NAMES[WEB_NSEV];
int web_sev_rank(const char *name); /* -1 when unknown */

typedef struct acc_counts {
    const stored_account *acc;
    int64_t latest_day; /* -1: no counts */
    int64_t sev[WEB_NSEV], open, max_priority;
    int64_t *open_sev;                    /* days x WEB_NSEV, carried forward */
    int64_t *new_, *resolved, *regressed; /* days each, on the day */
    const char *colour;                   /* web_status_colour of the current state */
} acc_counts;

typedef struct web_counts {
    int days;
    int64_t start_day; /* Unix day number of the first day of the window */
    acc_counts *acc;   /* in store_accounts order (team, name) */
    size_t nacc;
    int64_t last_scan; /* latest scan time over all accounts, 0 = none */
    int64_t first_day; /* earliest day with counts, -1 = none */
} web_counts;

/* The window is the `days` days ending on now's day.  Returns 0 or -1
 * (store error). */
int web_counts_load(store *st, arena *a, int64_t now, int days, web_counts *out);

/* Sums the accounts for which keep(acc, ctx) is true (NULL = all) into
 * per-day arrays allocated in a: open_sev (days x WEB_NSEV), new_,
 * resolved, regressed (days each). */
typedef struct counts_sum {
    int64_t *open_sev, *new_, *resolved, *regressed;
    int64_t sev[WEB_NSEV], open, max_priority;
    size_t naccounts;
} counts_sum;
void web_counts_sum(const web_counts *c, arena *a, bool (*keep)(const acc_counts *, const void *),
                    const void *ctx, counts_sum *out);

/* Whether day k of the window has data: between the first day with any
 * counts and the day of the latest scan.  Days after the last scan are
 * not "unchanged": nobody looked. */
bool web_counts_has_day(const web_counts *c, int k);
/* The window's days as "2026-11-01" labels, in a. */
const char **web_day_labels(const web_counts *c, arena *a);
/* s's open findings by severity, critical first (the order of a stacked
 * chart's legend), SVG_NO_DATA on days without data; fills out[WEB_NSEV]. */
void web_sev_series(const web_counts *c, const counts_sum *s, arena *a, svg_series *out);

#endif
