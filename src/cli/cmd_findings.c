/* cmd_findings.c - `custos findings`: findings from the store, filtered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "output/run_status.h"
#include "output/stored_report.h"

static const char *const STATUSES[] = {"new", "open", "regressed", "resolved", "suppressed"};

static int check_statuses(const strlist *l, bool *all)
{
    *all = false;
    for (size_t i = 0; i < l->n; i++) {
        if (!strcmp(l->items[i], "all")) {
            *all = true;
            continue;
        }
        bool ok = false;
        for (size_t k = 0; k < 5; k++)
            ok |= !strcmp(l->items[i], STATUSES[k]);
        if (!ok) {
            fprintf(stderr,
                    "custos findings: unknown --status '%s' (expected new, open, regressed, "
                    "resolved, suppressed or all)\n",
                    l->items[i]);
            return -1;
        }
    }
    return 0;
}

/* Runs of shards (custos scan --run): when the newest is incomplete,
 * say which shards are missing or failed, on stderr, so the findings on
 * stdout stay machine-readable.  The findings are what the recorded
 * shards found; the accounts of a missing shard show their last scan. */
static void findings_run_notice(store *st)
{
    arena *a = arena_new(0);
    stored_run *runs;
    size_t n;
    run_view v;
    if (store_runs(st, 20, a, &runs, &n) == 0 && (run_view_pick(runs, n, &v), v.current) &&
        !v.current->completed_at) {
        buf b = BUF_INIT;
        run_status_text(v.current, &b);
        fprintf(stderr, "custos findings: run %s: %s\n", v.current->id, b.data);
        if (v.last_complete) {
            char when[32];
            run_time_text(v.last_complete->completed_at, when);
            fprintf(stderr,
                    "custos findings: the last complete run is %s (%d shards, %s); accounts of "
                    "the missing shards show what it found\n",
                    v.last_complete->id, v.last_complete->shards, when);
        }
        buf_free(&b);
    }
    arena_free(a);
}

int cmd_findings(int argc, char **argv)
{
    strlist accounts = {0}, teams = {0}, envs = {0}, policies = {0}, statuses = {0};
    const char *db_url = NULL, *format = NULL, *output = NULL, *as_of = NULL, *sev = NULL,
               *older = NULL, *id = NULL;
    long limit = 0, offset = 0;
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_url),
        CLI_OPT_ACCOUNT(&accounts),
        CLI_OPT_TEAM(&teams),
        {"env", 0, CLI_LIST, &envs, "ENV", "only these environments (dev, staging, prod, ...)"},
        {"policy", 0, CLI_LIST, &policies, "NAME", "only these policies"},
        {"severity", 0, CLI_STR, &sev, "SEV",
         "this severity or higher (info, low, medium, high, critical)"},
        {"status", 0, CLI_LIST, &statuses, "LIST",
         "new, open, regressed, resolved, suppressed, or all\n(default new,open,regressed)"},
        {"older-than", 0, CLI_STR, &older, "AGE", "open for at least AGE (e.g. 7d, 12h, 2w)"},
        {"id", 0, CLI_STR, &id, "FINGERPRINT", "one finding (a prefix of 4+ hex digits works)"},
        {"limit", 0, CLI_NUM, &limit, "N", "at most N findings (with --offset M: skip M first)"},
        {"offset", 0, CLI_NUM, &offset, "M", "skip the first M findings"},
        {"format", 'f', CLI_STR, &format, "FMT",
         "table (default on a terminal), json (default otherwise),\ncsv, sarif or ocsf"},
        CLI_OPT_OUTPUT(&output),
        CLI_OPT_AS_OF(&as_of),
        {0},
    };
    const cli_command cmd = {
        "findings",
        "usage: custos findings [--db URL] [filters] [--format FMT] [-o FILE]\n"
        "\n"
        "Lists findings from the findings store, highest priority first.  By default\n"
        "the open ones (status new, open or regressed).\n",
        opts,
        0,
        NULL,
        "Exit status: 0 ok, 1 error.\n"};
    int rc = 1;
    store *st = NULL;
    arena *a = arena_new(0);
    buf out = BUF_INIT;
    if ((rc = cli_args(&cmd, argc, argv, NULL, NULL)) >= 0) goto done;
    rc = 1;
    stored_format fmt = cli_for_people(output) ? SR_TABLE : SR_JSON;
    if (format && stored_format_parse(format, &fmt) < 0) {
        fprintf(stderr,
                "custos findings: unknown --format '%s' (expected table, json, csv, "
                "sarif or ocsf)\n",
                format);
        goto done;
    }
    finding_query q = {.min_severity = -1};
    severity min;
    if (sev) {
        if (severity_parse(sev, &min) < 0) {
            fprintf(stderr,
                    "custos findings: unknown --severity '%s' (expected info, low, "
                    "medium, high or critical)\n",
                    sev);
            goto done;
        }
        q.min_severity = (int)min;
    }
    if (older && cli_parse_duration(older, &q.min_age) < 0) {
        fprintf(stderr, "custos findings: --older-than '%s' is not a duration (e.g. 7d, 12h)\n",
                older);
        goto done;
    }
    if (limit < 0 || offset < 0) {
        fprintf(stderr, "custos findings: --limit and --offset must not be negative\n");
        goto done;
    }
    bool all;
    if (check_statuses(&statuses, &all) < 0 || cli_clock("findings", as_of, &q.now) < 0) goto done;
    q.accounts = (const char *const *)accounts.items, q.n_accounts = accounts.n;
    q.teams = (const char *const *)teams.items, q.n_teams = teams.n;
    q.environments = (const char *const *)envs.items, q.n_environments = envs.n;
    q.policies = (const char *const *)policies.items, q.n_policies = policies.n;
    if (all) {
        q.statuses = STATUSES;
        q.n_statuses = 5;
    } else if (statuses.n) {
        q.statuses = (const char *const *)statuses.items;
        q.n_statuses = statuses.n;
    }
    q.fingerprint = id;
    q.limit = (size_t)limit;
    q.offset = (size_t)offset;
    if (!(st = cli_store_open_existing("findings", db_url))) goto done;
    findings_run_notice(st);
    /* Streamed from the store row by row (issue 17): a whole store as
     * SARIF held every finding and its JSON at once (1.5 GB at 1M). */
    FILE *fo = cli_output_open("findings", output);
    if (!fo) goto done;
    int src = stored_report_stream(st, &q, fmt, q.now, fo);
    if (src == -1) fprintf(stderr, "custos findings: %s\n", store_error(st));
    int werr = cli_output_close("findings", output, fo);
    if (src == -2 && !werr) fprintf(stderr, "custos findings: error writing output\n");
    rc = src == 0 && !werr ? 0 : 1;
done:
    store_close(st);
    buf_free(&out);
    arena_free(a);
    strlist_free(&accounts);
    strlist_free(&teams);
    strlist_free(&envs);
    strlist_free(&policies);
    strlist_free(&statuses);
    return rc;
}
