/* test_trends.c - carry-forward aggregation of daily counts (store/trends.h). */
#include "store/trends.h"
#include "t.h"

/* Two accounts of team "a", one of team "b".  Day 10: all scanned.  Day 11:
 * only acct1 scanned (2 resolved).  Day 12: only acct3 scanned. */
static const day_count ROWS[] = {
    {10, "1", "one", "a", "prod", "high", 5, 5, 0, 0, 1, 80},
    {10, "1", "one", "a", "prod", "low", 2, 2, 0, 0, 0, 20},
    {10, "2", "two", "a", "dev", "high", 4, 4, 0, 0, 0, 60},
    {10, "3", "three", "b", "prod", "high", 1, 1, 0, 0, 0, 90},
    {11, "1", "one", "a", "prod", "high", 3, 0, 2, 0, 1, 70},
    {11, "1", "one", "a", "prod", "low", 2, 0, 0, 0, 0, 20},
    {12, "3", "three", "b", "prod", "high", 2, 1, 0, 1, 0, 95},
};
#define NROWS (sizeof ROWS / sizeof ROWS[0])

static const trend_row *find(const trend_row *r, size_t n, int64_t day, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].day == day && !strcmp(r[i].key, key)) return &r[i];
    return NULL;
}

TEST(by_team_carries_forward)
{
    arena *a = arena_new(0);
    trend_row *r;
    size_t n = trends_compute(ROWS, NROWS, TREND_TEAM, NULL, 0, a, &r);
    CHECK(n == 6); /* 3 days x 2 teams */
    const trend_row *a10 = find(r, n, 10, "a"), *a11 = find(r, n, 11, "a"),
                    *a12 = find(r, n, 12, "a"), *b12 = find(r, n, 12, "b");
    CHECK(a10 && a10->open == 11 && a10->new_ == 11 && a10->max_priority == 80);
    /* day 11: acct1's new numbers plus acct2 carried forward (open 4, no new) */
    CHECK(a11 && a11->open == 9 && a11->new_ == 0 && a11->resolved == 2 && a11->suppressed == 1);
    CHECK(a11 && a11->max_priority == 70);
    /* day 12: team a not scanned: open carried, nothing happened */
    CHECK(a12 && a12->open == 9 && a12->resolved == 0);
    CHECK(b12 && b12->open == 2 && b12->regressed == 1 && b12->max_priority == 95);
    arena_free(a);
}

TEST(filters_and_since)
{
    arena *a = arena_new(0);
    trend_row *r;
    const char *teams[] = {"b"};
    trend_filter f = {teams, 1, NULL, 0};
    size_t n = trends_compute(ROWS, NROWS, TREND_ALL, &f, 11, a, &r);
    CHECK(n == 2 && r[0].day == 11 && r[1].day == 12);
    CHECK(n == 2 && r[0].open == 1 && r[1].open == 2);
    const char *accts[] = {"two"};
    trend_filter g = {NULL, 0, accts, 1};
    n = trends_compute(ROWS, NROWS, TREND_SEVERITY, &g, 0, a, &r);
    CHECK(n == 3 && !strcmp(r[0].key, "high") && r[2].open == 4);
    arena_free(a);
}

TEST(keys_sorted_and_named)
{
    arena *a = arena_new(0);
    trend_row *r;
    size_t n = trends_compute(ROWS, 4, TREND_ACCOUNT, NULL, 0, a, &r);
    CHECK(n == 3);
    CHECK(n == 3 && !strcmp(r[0].key, "one") && !strcmp(r[1].key, "three") &&
          !strcmp(r[2].key, "two"));
    trend_key k;
    CHECK(trend_key_parse("environment", &k) == 0 && k == TREND_ENVIRONMENT);
    CHECK(trend_key_parse("bogus", &k) < 0);
    arena_free(a);
}

int main(void)
{
    RUN(by_team_carries_forward);
    RUN(filters_and_since);
    RUN(keys_sorted_and_named);
    T_EXIT();
}
