/* cmd_compliance.c - `custos compliance`: the auditor's view of the store.
 *
 * For each account, each requirement of a framework (policy/framework.h):
 * "fail" when an open finding of a check that covers it exists in the
 * account, "pass" when none does, "not covered" when no check covers it
 * yet, "manual" when it needs a person.  The mapping comes from the
 * policies' metadata.compliance (the built-in pack unless --policies), the
 * findings from the store, so "pass" means "nothing open as of the last
 * scans recorded", which is what an auditor can be shown, with the dates.
 * Only the covering checks' findings are read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "json/json.h"
#include "policy/framework.h"
#include "util/strmap.h"

/* Which checks cover requirement j: indexes into ps, by requirement. */
typedef struct coverage {
    const policy ***by_req; /* by_req[j]: NULL-terminated list */
    const char **names;     /* every covering check's name, for the query */
    size_t n_names;
} coverage;

static void map_checks(const policy_set *ps, const framework *fw, arena *a, coverage *cv)
{
    cv->by_req = arena_calloc(a, fw->n * sizeof *cv->by_req);
    cv->names = arena_calloc(a, (ps->n ? ps->n : 1) * sizeof *cv->names);
    cv->n_names = 0;
    for (size_t j = 0; j < fw->n; j++) {
        cv->by_req[j] = arena_calloc(a, (ps->n + 1) * sizeof **cv->by_req);
        size_t k = 0;
        for (size_t i = 0; i < ps->n; i++)
            if (framework_refers(&ps->items[i].metadata, fw->name, fw->reqs[j].id))
                cv->by_req[j][k++] = &ps->items[i];
    }
    for (size_t i = 0; i < ps->n; i++) {
        const jv *c = jv_get(jv_get(&ps->items[i].metadata, "compliance"), fw->name);
        if (jv_is(c, JV_ARRAY) && c->len) cv->names[cv->n_names++] = ps->items[i].name;
    }
}

/* "account\x1fcheck", the key of the open-finding counts. */
static const char *count_key(arena *a, const char *acc, const char *check)
{
    return arena_sprintf(a, "%s\x1f%s", acc, check);
}

/* One pass over the findings: open findings per (account, check), so the
 * report is accounts x requirements lookups, not a scan of every finding
 * per cell (a million findings times 44 x 62 cells). */
static void count_open(strmap *m, arena *a, const stored_finding *f, size_t n)
{
    strmap_init(m, a, n);
    for (size_t i = 0; i < n; i++)
        (*strmap_slot(m, count_key(a, f[i].account_id, f[i].policy), 0))++;
}

static void report(const framework *fw, const coverage *cv, const stored_account *acc, size_t na,
                   const strmap *open, arena *scratch, bool json)
{
    buf b = BUF_INIT;
    if (json) {
        buf_puts(&b, "{\"framework\":");
        json_write_string(&b, fw->name, strlen(fw->name));
        buf_puts(&b, ",\"accounts\":[");
    }
    for (size_t a = 0; a < na; a++) {
        const stored_account *s = &acc[a];
        size_t pass = 0, failed = 0;
        buf fails = BUF_INIT;
        if (json) {
            buf_puts(&b, a ? ",\n{\"id\":" : "\n{\"id\":");
            json_write_string(&b, s->account_id, strlen(s->account_id));
            buf_puts(&b, ",\"name\":");
            const char *nm = s->name ? s->name : s->account_id;
            json_write_string(&b, nm, strlen(nm));
            buf_puts(&b, ",\"requirements\":[");
        }
        for (size_t j = 0; j < fw->n; j++) {
            size_t found = 0;
            for (const policy **p = cv->by_req[j]; *p; p++)
                found += (size_t)strmap_get(open, count_key(scratch, s->account_id, (*p)->name), 0);
            const char *st = !cv->by_req[j][0]
                                 ? (fw->reqs[j].automatable ? "not-covered" : "manual")
                             : found ? "fail"
                                     : "pass";
            if (!strcmp(st, "pass")) pass++;
            if (!strcmp(st, "fail")) {
                failed++;
                buf_printf(&fails, "%s%s (%zu)", fails.len ? ", " : "", fw->reqs[j].id, found);
            }
            if (json)
                buf_printf(&b, "%s{\"id\":\"%s\",\"status\":\"%s\",\"open_findings\":%zu}",
                           j ? "," : "", fw->reqs[j].id, st, found);
        }
        if (json)
            buf_printf(&b, "],\"pass\":%zu,\"fail\":%zu}", pass, failed);
        else
            buf_printf(&b, "%-22s %-12s pass %2zu  fail %2zu%s%s\n",
                       s->name ? s->name : s->account_id, s->account_id, pass, failed,
                       fails.len ? "  failing: " : "", fails.len ? fails.data : "");
        buf_free(&fails);
    }
    if (json) buf_puts(&b, "\n]}\n");
    fputs(b.data ? b.data : "", stdout);
    buf_free(&b);
}

static bool wanted(const stored_account *s, const strlist *accounts, const strlist *teams)
{
    bool ok = accounts->n == 0;
    for (size_t i = 0; i < accounts->n && !ok; i++)
        ok = !strcmp(accounts->items[i], s->account_id) ||
             (s->name && !strcmp(accounts->items[i], s->name));
    bool team = teams->n == 0;
    for (size_t i = 0; i < teams->n && !team; i++)
        team = s->team && !strcmp(teams->items[i], s->team);
    return ok && team;
}

int cmd_compliance(int argc, char **argv)
{
    const char *fw_name = NULL, *db_url = NULL, *fmt = "table";
    strlist paths = {0}, accounts = {0}, teams = {0};
    const cli_opt opts[] = {
        {"framework", 0, CLI_STR, &fw_name, "FW",
         "the framework (custos checks --framework FW lists it)"},
        CLI_OPT_DB(&db_url),
        CLI_OPT_ACCOUNT(&accounts),
        CLI_OPT_TEAM(&teams),
        {"policies", 'p', CLI_PATH, &paths, "PATH",
         "the checks and their references (default: the built-in pack)"},
        {"format", 'f', CLI_STR, &fmt, "FMT", "table (default) or json"},
        {0},
    };
    const cli_command cmd = {
        "compliance",
        "usage: custos compliance --framework FW [--db URL] [--account ID|NAME] [--team T]\n"
        "                         [--policies PATH...] [--format table|json]\n"
        "\n"
        "Per account, each requirement of FW (cis-aws-3.0): pass (nothing open), fail (open\n"
        "findings of the checks that cover it, counted), not covered (no check yet) or\n"
        "manual (needs a person), from the findings store.\n",
        opts,
        0,
        NULL,
        NULL};
    int rc = 1;
    if ((rc = cli_args(&cmd, argc, argv, NULL, NULL)) >= 0) goto out;
    rc = 1;
    const framework *fw = framework_find(fw_name);
    bool json = fmt && !strcmp(fmt, "json");
    if (!fw || !(json || (fmt && !strcmp(fmt, "table")))) {
        fprintf(stderr, "custos compliance: %s\n",
                !fw_name ? "--framework FW is required (e.g. cis-aws-3.0)"
                : !fw    ? "unknown framework (known: cis-aws-3.0)"
                         : "--format is table or json");
        goto out;
    }
    policy_set ps;
    policy_set_init(&ps);
    store *st = NULL;
    arena *a = arena_new(0);
    if (cli_load_policies("compliance", &paths, &ps) == 0 &&
        (st = cli_store_open_existing("compliance", db_url))) {
        coverage cv;
        map_checks(&ps, fw, a, &cv);
        stored_account *acc;
        size_t na, nf = 0;
        stored_finding *f = NULL;
        finding_query q = {.policies = cv.names, .n_policies = cv.n_names, .min_severity = -1};
        if (store_accounts(st, a, &acc, &na) < 0 ||
            (cv.n_names && store_findings(st, &q, a, &f, &nf) < 0)) {
            fprintf(stderr, "custos compliance: %s\n", store_error(st));
        } else {
            size_t keep = 0;
            for (size_t i = 0; i < na; i++)
                if (wanted(&acc[i], &accounts, &teams)) acc[keep++] = acc[i];
            if (!json) printf("%s\n\n", fw->title);
            strmap open;
            count_open(&open, a, f, nf);
            report(fw, &cv, acc, keep, &open, a, json);
            rc = 0;
        }
    }
    store_close(st);
    arena_free(a);
    policy_set_free(&ps);
out:
    strlist_free(&paths);
    strlist_free(&accounts);
    strlist_free(&teams);
    return rc;
}
