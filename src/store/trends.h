/* trends.h - counts per day from the store's daily rows, grouped.
 *
 * The store keeps one row per (day, account, severity), written by that
 * day's scans (store_history).  An account not scanned on a day still has
 * its findings open, so its open, suppressed and max-priority values carry
 * forward from its last scan, while new/resolved/regressed count only what
 * happened on the day itself.  Used by `custos history` and the dashboard.
 */
#ifndef CUSTOS_TRENDS_H
#define CUSTOS_TRENDS_H

#include "store/store.h"

typedef enum { TREND_TEAM, TREND_ACCOUNT, TREND_ENVIRONMENT, TREND_SEVERITY, TREND_ALL } trend_key;

typedef struct trend_row {
    int64_t day;
    const char *key;         /* team, account name (else id), environment, severity or "all";
                              * "(none)" when the account has no team/environment */
    const day_count *sample; /* one contributing row: account id, team, ... */
    int64_t open, new_, resolved, regressed, suppressed, max_priority;
} trend_row;

typedef struct trend_filter {
    const char *const *teams; /* any of; NULL = all */
    size_t n_teams;
    const char *const *accounts; /* ids or names */
    size_t n_accounts;
} trend_filter;

int trend_key_parse(const char *s, trend_key *out); /* 0, or -1 unknown */
const char *trend_key_name(trend_key k);

/* Rows for every day with data from since_day on, ordered by day then key.
 * d must be ordered by day (store_history's order).  Rows live in a. */
size_t trends_compute(const day_count *d, size_t n, trend_key by, const trend_filter *f,
                      int64_t since_day, arena *a, trend_row **out);

#endif
