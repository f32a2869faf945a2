/* cmd_findings.c - `custos findings`: findings from the store, filtered. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "output/stored_report.h"

static const char usage_text[] =
    "usage: custos findings [--db URL] [filters] [--format FMT] [-o FILE]\n"
    "\n"
    "Lists findings from the findings store, highest priority first.  By default\n"
    "the open ones (status new, open or regressed).\n"
    "\n"
    "      --db URL            findings store: sqlite:PATH or postgresql://...\n"
    "                          (default $CUSTOS_DB, else sqlite:custos.db)\n"
    "      --account ID|NAME   only these accounts (repeatable, comma-separated)\n"
    "      --team TEAM         only these teams\n"
    "      --env ENV           only these environments (dev, staging, prod, ...)\n"
    "      --policy NAME       only these policies\n"
    "      --severity SEV      this severity or higher (info, low, medium, high, critical)\n"
    "      --status LIST       new, open, regressed, resolved, suppressed, or all\n"
    "                          (default new,open,regressed)\n"
    "      --older-than AGE    open for at least AGE (e.g. 7d, 12h, 2w)\n"
    "      --id FINGERPRINT    one finding (a prefix of 4+ hex digits works)\n"
    "      --limit N           at most N findings (with --offset M: skip M first)\n"
    "  -f, --format FMT        table (default on a terminal), json (default otherwise), csv\n"
    "  -o, --output FILE       write to FILE instead of stdout\n"
    "      --as-of DATE        the clock for ages and expiries (default: now)\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 ok, 1 error.\n";

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

int cmd_findings(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, 0, OPT_DB},
        {"account", required_argument, 0, OPT_ACCOUNT},
        {"team", required_argument, 0, OPT_TEAM},
        {"env", required_argument, 0, OPT_ENV},
        {"policy", required_argument, 0, OPT_POLICY},
        {"severity", required_argument, 0, OPT_SEVERITY},
        {"status", required_argument, 0, OPT_STATUS},
        {"older-than", required_argument, 0, OPT_OLDER_THAN},
        {"id", required_argument, 0, 'I'},
        {"limit", required_argument, 0, OPT_LIMIT},
        {"offset", required_argument, 0, OPT_OFFSET},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"as-of", required_argument, 0, OPT_AS_OF},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    strlist accounts = {0}, teams = {0}, envs = {0}, policies = {0}, statuses = {0};
    const char *db_url = NULL, *format = NULL, *output = NULL, *as_of = NULL, *sev = NULL,
               *older = NULL, *id = NULL;
    long limit = 0, offset = 0;
    int c, rc = 1;
    store *st = NULL;
    arena *a = arena_new(0);
    buf out = BUF_INIT;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "f:o:h", longopts)) != -1) {
        switch (c) {
        case OPT_DB:
            db_url = optarg;
            break;
        case OPT_ACCOUNT:
            strlist_add_csv(&accounts, optarg);
            break;
        case OPT_TEAM:
            strlist_add_csv(&teams, optarg);
            break;
        case OPT_ENV:
            strlist_add_csv(&envs, optarg);
            break;
        case OPT_POLICY:
            strlist_add_csv(&policies, optarg);
            break;
        case OPT_STATUS:
            strlist_add_csv(&statuses, optarg);
            break;
        case OPT_SEVERITY:
            sev = optarg;
            break;
        case OPT_OLDER_THAN:
            older = optarg;
            break;
        case 'I':
            id = optarg;
            break;
        case OPT_LIMIT:
            limit = atol(optarg);
            break;
        case OPT_OFFSET:
            offset = atol(optarg);
            break;
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_AS_OF:
            as_of = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            rc = 0;
            goto done;
        default:
            goto done;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "custos findings: unexpected argument '%s'\n%s", argv[optind], usage_text);
        goto done;
    }
    stored_format fmt = isatty(STDOUT_FILENO) && !output ? SR_TABLE : SR_JSON;
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
    /* Streamed from the store row by row (issue 17): a whole store as
     * SARIF held every finding and its JSON at once (1.5 GB at 1M). */
    FILE *fo = stdout;
    if (output && !(fo = fopen(output, "w"))) {
        fprintf(stderr, "custos findings: cannot write %s: %m\n", output);
        goto done;
    }
    int src = stored_report_stream(st, &q, fmt, q.now, fo);
    if (src == -1) fprintf(stderr, "custos findings: %s\n", store_error(st));
    bool werr = src == -2 || fflush(fo) != 0;
    if (fo != stdout && fclose(fo) != 0) werr = true;
    if (werr) fprintf(stderr, "custos findings: error writing output: %m\n");
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
