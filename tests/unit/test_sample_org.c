/* test_sample_org.c - the built-in pack finds exactly the planted problems.
 *
 * Generates the sample organisation (examples/gen_org.py, fixed epoch),
 * loads the pack (policies/aws) and scans the inventory with engine_scan,
 * as `custos scan` does, so filters that read their account/region (the
 * scope: `unused`, check-cloudtrail, snapshot-age, az-imbalance, the
 * organisation's accounts) see what they see in production.  The clock is
 * the inventory's collected_at (the generator's epoch), so age thresholds
 * do not drift with the day the test runs.
 *
 * Compared as (check, resource id, account) triples:
 *  - every planted.json entry of a pack check is found (nothing missed);
 *  - every finding of a pack check is planted (nothing extra);
 *  - no trap in traps.json is reported by its check;
 *  - the generator plants every check of the pack table at least once.
 * The pack table (PACK_CHECKS, PACK-SPEC.md) is the contract: every one of
 * its checks must be in policies/aws, and only its policies are compared.
 *
 * The ranking (issue 3): the planted SSH group in prod (40 public
 * instances behind an internet gateway) is the first finding and ranks far
 * above the same check on the dev group in a VPC without an internet
 * gateway; every critical finding in a prod account ranks above every
 * finding that is not critical and every finding in a dev or staging
 * account.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "t.h"
#include "util/buf.h"

#define ORG "build/test-out/sample-org-e2e"
#define EPOCH "2026-11-01"

static const char *const PACK_CHECKS[] = {
    "sg-ssh-open-to-world",
    "sg-rdp-open-to-world",
    "sg-database-open-to-world",
    "sg-all-traffic-open-to-world",
    "sg-egress-plaintext-to-internet",
    "sg-unused",
    "asg-az-imbalance",
    "elb-az-imbalance",
    "s3-global-grants",
    "s3-public-policy",
    "s3-cross-account",
    "s3-public-access-block",
    "s3-versioning-disabled",
    "s3-encryption-missing",
    "s3-access-logging-off",
    "ebs-unencrypted",
    "ebs-snapshot-public",
    "ebs-snapshot-unencrypted",
    "ebs-backup-stale",
    "ebs-backup-shrunk",
    "rds-publicly-accessible",
    "rds-unencrypted",
    "rds-backup-stale",
    "rds-snapshot-public",
    "cloudtrail-not-all-regions",
    "cloudtrail-log-validation-off",
    "kms-key-rotation-off",
    "iam-user-console-without-mfa",
    "iam-access-key-old-human",
    "iam-access-key-old-machine",
    "iam-access-key-unused",
    "iam-root-access-keys",
    "iam-root-without-mfa",
    "iam-password-policy-weak",
    "iam-policy-allows-admin",
    "iam-role-trusts-any-principal",
    "iam-role-cross-account-unknown",
};
#define NCHECKS (sizeof PACK_CHECKS / sizeof PACK_CHECKS[0])

typedef struct keys {
    char **v;
    size_t n;
} keys;

static void keys_add(keys *k, const char *check, const char *id, const char *acct)
{
    k->v = realloc(k->v, (k->n + 1) * sizeof *k->v);
    size_t len = strlen(check) + strlen(id) + strlen(acct) + 3;
    k->v[k->n] = malloc(len);
    snprintf(k->v[k->n], len, "%s|%s|%s", check, id, acct);
    k->n++;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void keys_sort(keys *k)
{
    if (k->n) qsort(k->v, k->n, sizeof *k->v, cmp_str);
}

static bool keys_has(const keys *k, const char *key)
{
    return k->n && bsearch(&key, k->v, k->n, sizeof *k->v, cmp_str) != NULL;
}

static void keys_free(keys *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0) return true;
    return false;
}

/* Reads DIR/<file> (a JSON array of {check, id, account, ...}) into keys,
 * keeping only entries whose check is in `checks`; counts every entry per
 * pack check in `per_check` when given. */
static bool load_list(arena *a, const char *file, const char *const *checks, size_t nchecks,
                      keys *out, size_t *per_check)
{
    size_t n;
    char *text = read_file(file, &n);
    if (!text) return false;
    jv doc = jv_null();
    json_error e;
    int rc = json_parse(a, text, n, &doc, &e);
    free(text);
    if (rc != 0 || !jv_is(&doc, JV_ARRAY)) return false;
    for (uint32_t i = 0; i < doc.len; i++) {
        const jv *it = &doc.u.items[i];
        const jv *c = jv_get(it, "check"), *id = jv_get(it, "id"), *acct = jv_get(it, "account");
        if (!jv_is(c, JV_STRING) || !jv_is(id, JV_STRING) || !jv_is(acct, JV_STRING)) return false;
        for (size_t k = 0; per_check && k < NCHECKS; k++)
            if (strcmp(PACK_CHECKS[k], c->u.str) == 0) per_check[k]++;
        if (in_list(checks, nchecks, c->u.str)) keys_add(out, c->u.str, id->u.str, acct->u.str);
    }
    keys_sort(out);
    return true;
}

/* One scan shared by the tests. */
static struct {
    bool ok;
    policy_set ps;
    inventory *inv;
    scan_result r;
    const char *loaded[NCHECKS];
    size_t nloaded;
    bool collected_at_ok;
} S;

static void scan_sample_org(void)
{
    policy_set_init(&S.ps);
    scan_result_init(&S.r);
    if (system("/usr/bin/python3 examples/gen_org.py --out " ORG " --epoch " EPOCH " --quiet") != 0)
        return;
    diag_list d = DIAG_LIST_INIT;
    int rc = policy_load_path(&S.ps, "policies/aws", &d);
    diag_print(&d, stdout);
    diag_free(&d);
    if (rc != 0) return;
    /* The pack checks present in policies/aws: the ones compared. */
    for (size_t i = 0; i < NCHECKS; i++) {
        bool have = false;
        for (size_t p = 0; p < S.ps.n && !have; p++)
            have = strcmp(S.ps.items[p].name, PACK_CHECKS[i]) == 0;
        if (have)
            S.loaded[S.nloaded++] = PACK_CHECKS[i];
        else
            printf("  pack check missing from policies/aws: %s\n", PACK_CHECKS[i]);
    }
    printf("  comparing %zu of %zu pack checks\n", S.nloaded, (size_t)NCHECKS);
    inventory_options o = {.threads = 2};
    rc = inventory_open(ORG, &o, &S.inv, &d);
    diag_print(&d, stdout);
    diag_free(&d);
    if (rc != 0 || !S.inv || S.nloaded == 0) return;
    /* now = 0: the scan's clock is accounts.yaml's collected_at (the epoch). */
    struct tm epoch = {.tm_year = 2026 - 1900, .tm_mon = 10, .tm_mday = 1};
    S.collected_at_ok = inventory_collected_at(S.inv) == timegm(&epoch);
    engine_options opt = {.threads = 2, .filter = {.policies = S.loaded, .n_policies = S.nloaded}};
    rc = engine_scan(S.inv, &S.ps, &opt, &S.r, &d);
    diag_print(&d, stdout);
    diag_free(&d);
    S.ok = rc == 0;
}

TEST(pack_finds_exactly_the_planted_set)
{
    CHECK(S.ok);
    CHECK(S.collected_at_ok);
    CHECK(S.nloaded == NCHECKS); /* the whole pack, every check */
    if (!S.ok) return;
    keys found = {0};
    for (size_t i = 0; i < S.r.n; i++)
        keys_add(&found, S.r.items[i].pol->name, S.r.items[i].id, S.r.items[i].account_id);
    keys_sort(&found);

    arena *a = arena_new(0);
    keys want = {0}, traps = {0};
    size_t planted_per[NCHECKS] = {0}, trapped_per[NCHECKS] = {0};
    CHECK(load_list(a, ORG "/planted.json", S.loaded, S.nloaded, &want, planted_per));
    CHECK(load_list(a, ORG "/traps.json", S.loaded, S.nloaded, &traps, trapped_per));
    for (size_t i = 0; i < NCHECKS; i++) {
        if (planted_per[i] == 0) printf("  generator plants nothing for %s\n", PACK_CHECKS[i]);
        CHECK(planted_per[i] > 0);
    }
    size_t missed = 0, extra = 0, trapped = 0;
    for (size_t i = 0; i < want.n; i++) {
        if (keys_has(&found, want.v[i])) continue;
        printf("  planted but not found: %s\n", want.v[i]);
        missed++;
    }
    for (size_t i = 0; i < found.n; i++) {
        if (keys_has(&want, found.v[i])) continue;
        if (extra++ < 30) printf("  found but not planted: %s\n", found.v[i]);
    }
    for (size_t i = 0; i < traps.n; i++) {
        if (!keys_has(&found, traps.v[i])) continue;
        printf("  trap reported: %s\n", traps.v[i]);
        trapped++;
    }
    printf("  %zu planted, %zu found, %zu traps checked: %zu missed, %zu extra, %zu traps hit\n",
           want.n, found.n, traps.n, missed, extra, trapped);
    CHECK(want.n > 0);
    CHECK(missed == 0);
    CHECK(extra == 0);
    CHECK(trapped == 0);
    keys_free(&found);
    keys_free(&want);
    keys_free(&traps);
    arena_free(a);
}

static const char *env_of(const finding *f)
{
    return f->account && f->account->environment ? f->account->environment : "";
}

static bool is_prod_critical(const finding *f)
{
    return f->pol->sev == SEV_CRITICAL && strcmp(env_of(f), "prod") == 0;
}

static bool is_below_prod_critical(const finding *f)
{
    return f->pol->sev != SEV_CRITICAL || strcmp(env_of(f), "dev") == 0 ||
           strcmp(env_of(f), "staging") == 0;
}

TEST(ranking_puts_prod_criticals_first)
{
    CHECK(S.ok);
    if (!S.ok || S.r.n == 0) return;
    for (size_t i = 1; i < S.r.n; i++)
        CHECK(S.r.items[i - 1].priority >= S.r.items[i].priority);
    const finding *top = &S.r.items[0];
    printf("  first: %s %s (%s) priority %d\n", top->pol->name, top->id, env_of(top),
           top->priority);
    CHECK_STR(top->pol->name, "sg-ssh-open-to-world");
    CHECK_STR(env_of(top), "prod");
    /* The dev half of the scenario: the same check in the dev account. */
    int dev_ssh = -1;
    for (size_t i = 0; i < S.r.n; i++) {
        const finding *f = &S.r.items[i];
        if (strcmp(f->pol->name, "sg-ssh-open-to-world") == 0 && strcmp(env_of(f), "dev") == 0)
            dev_ssh = f->priority;
    }
    printf("  dev sg-ssh-open-to-world priority %d\n", dev_ssh);
    CHECK(dev_ssh >= 0 && top->priority - dev_ssh >= 30);
    int min_prod_crit = 101, max_below = -1;
    for (size_t i = 0; i < S.r.n; i++) {
        const finding *f = &S.r.items[i];
        if (is_prod_critical(f) && f->priority < min_prod_crit) min_prod_crit = f->priority;
        if (is_below_prod_critical(f) && f->priority > max_below) max_below = f->priority;
    }
    printf("  lowest prod critical %d, highest non-critical or dev/staging %d\n", min_prod_crit,
           max_below);
    CHECK(min_prod_crit <= 100 && min_prod_crit > max_below);
}

int main(void)
{
    scan_sample_org();
    RUN(pack_finds_exactly_the_planted_set);
    RUN(ranking_puts_prod_criticals_first);
    scan_result_free(&S.r);
    if (S.inv) inventory_close(S.inv);
    policy_set_free(&S.ps);
    T_EXIT();
}
