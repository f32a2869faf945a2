/* cmd_scan.c - `custos scan`: policies over an inventory. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/aws.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "cli/scan_gaps.h"
#include "notify/notify.h"
#include "store/suppress_file.h"

static const char usage_text[] =
    "usage: custos scan --inventory DIR|placebo:DIR [--policies PATH...] [options]\n"
    "\n"
    "Evaluates Cloud Custodian policies over an inventory snapshot and prints findings.\n"
    "\n"
    "  -i, --inventory SPEC   inventory directory (accounts.yaml + <account>/<region>/*.json)\n"
    "                         or placebo:DIR for Cloud Custodian recorded responses\n"
    "      --collect          collect from AWS first (custos collect) into the --inventory\n"
    "                         directory, default ./custos-inventory (replaced atomically),\n"
    "                         then scan it; needs --accounts\n"
    "      --accounts FILE    with --collect: the accounts.yaml to collect\n"
    "  -p, --policies PATH    policy file or directory; repeatable, and further\n"
    "                         arguments after the options are policy paths too;\n"
    "                         default: the built-in pack (custos checks lists it)\n"
    "  -f, --format FMT       table (default on a terminal), json (default otherwise), csv\n"
    "  -o, --output FILE      write the report to FILE instead of stdout\n"
    "      --as-of DATE       evaluate ages (key age, snapshot age, ...) as of DATE;\n"
    "                         default: the inventory's collected_at, else now\n"
    "      --fail-on SEV      exit 3 when a finding has severity SEV or higher\n"
    "                         (info, low, medium, high, critical); default: never\n"
    "      --account ID|NAME  only these accounts (repeatable, comma-separated)\n"
    "      --region REGION    only these regions (repeatable, comma-separated)\n"
    "      --policy NAME      only these policies (repeatable, comma-separated)\n"
    "      --account-id ID    placebo inventories: the account id the data belongs to\n"
    "                         (default 123456789012); the region is --region's single\n"
    "                         value, or us-east-1\n"
    "      --db URL           findings store to record the scan in: sqlite:PATH or\n"
    "                         postgresql://... (default $CUSTOS_DB, else sqlite:custos.db)\n"
    "      --no-store         do not record the scan (a one-off check, a CI gate)\n"
    "      --suppressions FILE  sync suppression rules from this YAML file first\n"
    "      --notify           after recording, tell each team about its new and regressed\n"
    "                         findings (custos notify with accounts.yaml's settings)\n"
    "      --shard I/N        scan only shard I (0-based) of N: a stable, balanced subset of\n"
    "                         the accounts, so N workers cover the organisation into one\n"
    "                         store; 'auto': I and N from AWS Batch's array variables\n"
    "      --shards N         the same, I from $JOB_COMPLETION_INDEX (Kubernetes Indexed\n"
    "                         Jobs) or $AWS_BATCH_JOB_ARRAY_INDEX\n"
    "      --run ID           this scan is a shard of run ID (default $CUSTOS_RUN, else the\n"
    "                         array job of $AWS_BATCH_JOB_ID): the store tracks the run's\n"
    "                         shards and --notify sends once, after the last one records\n"
    "  -j, --threads N        worker threads (default: all cores)\n"
    "      --load-only        read and parse what the policies need, evaluate nothing\n"
    "                         (measures the I/O floor; see bench/)\n"
    "  -v, --verbose          print timing statistics on stderr\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 no findings at or above --fail-on, 3 there are, 1 error;\n"
    "with --collect, 5 when the collection was partial (and neither 1 nor 3);\n"
    "with --notify, 4 when a notification is still undelivered (and neither of those).\n";

/* A progress line on a terminal, for scans that take more than a moment. */
static void show_progress(size_t done, size_t total, void *arg)
{
    (void)arg;
    fprintf(stderr, "\rcustos scan: %zu/%zu tasks (%zu%%)%s", done, total,
            total ? done * 100 / total : 100, done == total ? "\r\033[K" : "");
}

static int scan_sync_suppressions(store *st, const char *file)
{
    arena *a = arena_new(0);
    diag_list d = DIAG_LIST_INIT;
    suppression *rules;
    size_t n, matched;
    int rc = suppress_file_load(a, file, &rules, &n, &d);
    if (rc < 0) cli_diag_print("scan", &d);
    if (rc == 0 &&
        (rc = store_sync_suppressions(st, file, rules, n, (int64_t)time(NULL), &matched)) < 0)
        fprintf(stderr, "custos scan: %s\n", store_error(st));
    diag_free(&d);
    arena_free(a);
    return rc;
}

static bool listed(const strlist *l, const char *a, const char *b)
{
    return !l->n || strlist_has(l, a) || strlist_has(l, b);
}

/* The gaps of collection.json that this scan's selection covers (its
 * accounts and regions), into s->r for the report.  0 or -1. */
static int scan_load_gaps(arena *a, scan_session *s, const run_opts *o, const char *inv_spec,
                          scan_gaps *gaps)
{
    memset(gaps, 0, sizeof *gaps);
    if (strncmp(inv_spec, "placebo:", 8) == 0) return 0;
    if (scan_gaps_load(a, inv_spec, s->inv, gaps) < 0) return -1;
    size_t n = 0;
    for (size_t i = 0; i < gaps->n; i++) {
        const collect_gap *g = &gaps->items[i];
        const account_info *ai = inventory_account_find(s->inv, g->account_id);
        if (!listed(&o->accounts, g->account_id, ai ? ai->name : NULL)) continue;
        if (o->regions.n && strcmp(g->region, "*") && strcmp(g->region, "global") &&
            !strlist_has(&o->regions, g->region))
            continue;
        gaps->items[n++] = *g;
    }
    gaps->n = n;
    s->r.gaps = gaps->items;
    s->r.n_gaps = n;
    for (size_t i = 0; i < n; i++) {
        const collect_gap *g = &gaps->items[i];
        const char *name = g->account_name ? g->account_name : g->account_id;
        if (strcmp(g->region, "*") != 0)
            fprintf(stderr, "custos scan: not collected: %s %s %s: %s\n", name, g->region,
                    g->service, g->code);
    }
    return 0;
}

/* Records the scan: its findings and what it covered (the accounts and
 * policies selected, the regions when limited), at the inventory's clock. */
static int scan_store(store *st, const scan_session *s, const run_opts *o, const char *inv_spec,
                      time_t as_of, const scan_gaps *gaps, const char *run, scan_summary *sum_out)
{
    size_t na = inventory_account_count(s->inv), np = s->ps.n;
    const char **acc = calloc(na ? na : 1, sizeof *acc), **pol = calloc(np ? np : 1, sizeof *pol);
    const account_info **info = calloc(na ? na : 1, sizeof *info);
    const policy **pp = calloc(np ? np : 1, sizeof *pp);
    if (!acc || !pol || !info || !pp) abort();
    scan_scope sc = {.accounts = acc, .account_info = info, .policies = pol, .run = run};
    if (run) {
        sc.shard = o->shard_n ? o->shard_i : 0;
        sc.shards = o->shard_n ? o->shard_n : 1;
    }
    /* What `custos collect` could not collect stays out of the resolution
     * scope (scan_gaps.c): an account not collected at all, and in each
     * account, each policy a gap of that account feeds, in the gap's
     * region (in all of them for a global call). */
    for (size_t i = 0; i < na; i++) {
        const account_info *ai = inventory_account(s->inv, i);
        if (!listed(&o->accounts, ai->id, ai->name)) continue;
        if (scan_gaps_account(gaps, ai->id)) {
            fprintf(stderr, "custos scan: not collected: %s (all of it): nothing of it resolved\n",
                    ai->name ? ai->name : ai->id);
            continue;
        }
        info[sc.n_accounts] = ai;
        acc[sc.n_accounts++] = ai->id;
    }
    for (size_t i = 0; i < np; i++) {
        const policy *p = &s->ps.items[i];
        if (!listed(&o->policies, p->name, NULL)) continue;
        pp[sc.n_policies] = p;
        pol[sc.n_policies++] = p->name;
    }
    arena *ga = arena_new(0);
    scan_hold *holds;
    size_t nholds;
    scan_gaps_holds(ga, gaps, s->inv, acc, sc.n_accounts, pp, sc.n_policies, &holds, &nholds);
    sc.holds = holds;
    sc.n_holds = nholds;
    sc.gaps = gaps->items;
    sc.n_gaps = gaps->n;
    for (size_t i = 0; i < nholds; i++) {
        bool first = !i || strcmp(holds[i].account, holds[i - 1].account) != 0;
        if (!first) continue;
        size_t k = i;
        while (k < nholds && !strcmp(holds[k].account, holds[i].account))
            k++;
        const account_info *ai = inventory_account_find(s->inv, holds[i].account);
        fprintf(stderr,
                "custos scan: %s: %zu policies not resolved where their data was not "
                "collected\n",
                ai && ai->name ? ai->name : holds[i].account, k - i);
    }
    if (o->regions.n) {
        sc.regions = (const char *const *)o->regions.items;
        sc.n_regions = o->regions.n;
    }
    int64_t at = as_of ? (int64_t)as_of : (int64_t)inventory_collected_at(s->inv);
    if (!at) at = (int64_t)time(NULL);
    scan_summary sum;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = store_record_scan(st, &s->r, &sc, at, inv_spec, &sum);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc < 0)
        fprintf(stderr, "custos scan: cannot record the scan in %s: %s\n", store_url(st),
                store_error(st));
    else
        fprintf(stderr,
                "custos scan: scan %lld recorded in %s: %zu new, %zu regressed, %zu resolved, "
                "%zu suppressed, %zu open\n",
                (long long)sum.scan_id, store_url(st), sum.new_, sum.regressed, sum.resolved,
                sum.suppressed, sum.open);
    if (rc == 0 && run)
        fprintf(stderr,
                "custos scan: run %s: shard %d of %d recorded; %d of %d shards recorded%s\n", run,
                sc.shard, sc.shards, sum.run_recorded, sc.shards,
                sum.run_complete ? ": the run is complete" : "");
    *sum_out = sum;
    if (rc == 0 && o->verbose)
        fprintf(stderr, "custos scan: store: %lld rows written in %.3f s%s\n", (long long)sum.rows,
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                sum.rebuilt ? " (indexes rebuilt: most rows were written)" : "");
    arena_free(ga);
    free(acc);
    free(info);
    free(pol);
    free(pp);
    return rc;
}

/* `scan --collect`: custos collect into dir first (a shard: only its
 * accounts).  COLLECT_OK, COLLECT_PARTIAL or COLLECT_ERROR (printed). */
static int scan_collect(const char *accounts_file, const char *dir, run_opts *o)
{
    collect_options co = {.accounts_path = accounts_file,
                          .out_dir = dir,
                          .progress = isatty(2),
                          .keep_account = cli_shard_keeps,
                          .keep_arg = o};
    collect_summary sum;
    diag_list d = DIAG_LIST_INIT;
    int rc = aws_collect(&co, &sum, &d);
    if (rc == COLLECT_ERROR)
        cli_diag_print("scan", &d);
    else
        fprintf(stderr,
                "custos scan: collected %zu accounts into %s: %zu operations collected, %zu not "
                "collected (%s/collection.json), %zu requests, %.1f s\n",
                sum.accounts, dir, sum.collected, sum.not_collected, dir, sum.requests,
                sum.seconds);
    diag_free(&d);
    return rc;
}

/* The notification run after a recorded scan: 0, 4 (undelivered) or 1. */
static int scan_notify(store *st, inventory *inv)
{
    notify_options no = {0};
    notify_report rep = {0};
    char *err = NULL;
    int rc;
    if (notify_run(st, inv, &no, &rep, &err) < 0) {
        fprintf(stderr, "custos scan: notify: %s\n", err ? err : "failed");
        rc = 1;
    } else {
        /* stdout is the scan's report: what was sent goes to stderr. */
        notify_report_print(&rep, "scan", true, false);
        for (size_t i = 0; i < rep.nlines; i++)
            if (!rep.lines[i].problem) fprintf(stderr, "custos scan: %s\n", rep.lines[i].text);
        if (!rep.pending)
            fprintf(stderr, "custos scan: notify: %zu queued, %zu sent\n", rep.queued, rep.sent);
        rc = notify_exit_status(&rep, &no);
    }
    free(err);
    notify_report_free(&rep);
    return rc;
}

/* The run this scan is a shard of: --run, else $CUSTOS_RUN (set it from
 * the Job's name in a Kubernetes Indexed Job), else the array job's id of
 * an AWS Batch child ($AWS_BATCH_JOB_ID is "<array job id>:<index>").
 * NULL when none: the scan is recorded on its own.  0, or -1 printed. */
static int scan_run_id(const char *opt, const run_opts *o, char *buf, size_t len, const char **out)
{
    *out = NULL;
    const char *id = opt, *from = "--run";
    if (!id && (id = getenv("CUSTOS_RUN")) && *id) from = "$CUSTOS_RUN";
    if ((!id || !*id) && o->shard_n) {
        const char *job = getenv("AWS_BATCH_JOB_ID"), *colon = job ? strchr(job, ':') : NULL;
        if (colon && colon > job && (size_t)(colon - job) < len) {
            memcpy(buf, job, (size_t)(colon - job));
            buf[colon - job] = 0;
            id = buf;
            from = "$AWS_BATCH_JOB_ID";
        }
    }
    if (!id || !*id) return 0;
    size_t n = strlen(id);
    bool ok = n <= 200;
    for (size_t i = 0; ok && i < n; i++)
        ok = id[i] > ' ' && id[i] < 127;
    if (!ok) {
        fprintf(stderr,
                "custos scan: %s: a run id is 1 to 200 printable characters without spaces\n",
                from);
        return -1;
    }
    *out = id;
    return 0;
}

/* --notify for a shard of a run: only the shard whose record completed
 * the run notifies, and only if no one did it before (a run notifies
 * once).  A rerun of a recorded shard notifies a complete run that was
 * never notified (the first attempt died after its commit).  True when
 * this scan should send. */
static bool scan_run_notifies(store *st, const char *run, const scan_summary *sum, bool rerun)
{
    if (!run) return true;
    if (!sum->run_complete && !rerun) {
        fprintf(stderr,
                "custos scan: run %s: notifications go out once, after its last shard records "
                "(or by custos notify --run %s)\n",
                run, run);
        return false;
    }
    arena *a = arena_new(0);
    bool claimed = false;
    if (store_run_claim_notify(st, run, (int64_t)time(NULL), a, NULL, &claimed) < 0)
        fprintf(stderr, "custos scan: run %s: %s\n", run, store_error(st));
    else if (!claimed)
        fprintf(stderr, "custos scan: run %s: not complete or already notified; nothing sent\n",
                run);
    arena_free(a);
    return claimed;
}

/* A rerun of a shard that is recorded already (the engine retried a pod
 * that had committed): 1, said, and nothing is recorded again.  0 when
 * not, -1 printed when the run disagrees (another shard count). */
static int scan_run_recorded(store *st, const char *run, const run_opts *o)
{
    int64_t scan_id = 0;
    int shard = o->shard_n ? o->shard_i : 0;
    if (!st || !run) return 0;
    if (store_run_shard_scan(st, run, shard, o->shard_n ? o->shard_n : 1, &scan_id) < 0) {
        fprintf(stderr, "custos scan: %s\n", store_error(st));
        return -1;
    }
    if (scan_id)
        fprintf(stderr,
                "custos scan: run %s: shard %d is recorded already (scan %lld); this rerun "
                "records nothing\n",
                run, shard, (long long)scan_id);
    return scan_id != 0;
}

/* A shard that could not be scanned or recorded says so in its run, so
 * the dashboard shows it failed rather than missing. */
static void scan_run_failed(store *st, const char *run, const run_opts *o, const char *why)
{
    if (!st || !run) return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s", why);
    if (store_run_shard_failed(st, run, o->shard_n ? o->shard_i : 0, o->shard_n ? o->shard_n : 1,
                               (int64_t)time(NULL), msg) < 0)
        fprintf(stderr, "custos scan: run %s: %s\n", run, store_error(st));
}

enum { OPT_COLLECT = 0x1000, OPT_ACCOUNTS_FILE, OPT_RUN };

int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"inventory", required_argument, 0, 'i'},
        {"policies", required_argument, 0, 'p'},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"fail-on", required_argument, 0, OPT_FAIL_ON},
        {"as-of", required_argument, 0, OPT_AS_OF},
        {"account", required_argument, 0, OPT_ACCOUNT},
        {"region", required_argument, 0, OPT_REGION},
        {"policy", required_argument, 0, OPT_POLICY},
        {"account-id", required_argument, 0, OPT_ACCOUNT_ID},
        {"threads", required_argument, 0, 'j'},
        {"load-only", no_argument, 0, OPT_LOAD_ONLY},
        {"db", required_argument, 0, OPT_DB},
        {"no-store", no_argument, 0, OPT_NO_STORE},
        {"suppressions", required_argument, 0, OPT_SUPPRESSIONS},
        {"notify", no_argument, 0, OPT_NOTIFY},
        {"collect", no_argument, 0, OPT_COLLECT},
        {"accounts", required_argument, 0, OPT_ACCOUNTS_FILE},
        {"shard", required_argument, 0, OPT_SHARD},
        {"shards", required_argument, 0, OPT_SHARDS},
        {"run", required_argument, 0, OPT_RUN},
        {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    run_opts o = {0};
    const char *inv_spec = NULL, *account_id = NULL, *db_url = NULL, *sup_file = NULL;
    bool load_only = false, no_store = false, notify = false, collect = false;
    const char *accounts_file = NULL, *run_opt = NULL, *run = NULL;
    char run_buf[256];
    int collected = COLLECT_OK;
    int c, rc = 1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "i:p:f:o:j:vh", longopts)) != -1) {
        switch (c) {
        case 'i':
            inv_spec = optarg;
            break;
        case OPT_ACCOUNT:
            strlist_add_csv(&o.accounts, optarg);
            break;
        case OPT_REGION:
            strlist_add_csv(&o.regions, optarg);
            break;
        case OPT_ACCOUNT_ID:
            account_id = optarg;
            break;
        case OPT_LOAD_ONLY:
            load_only = true;
            break;
        case OPT_DB:
            db_url = optarg;
            break;
        case OPT_NO_STORE:
            no_store = true;
            break;
        case OPT_SUPPRESSIONS:
            sup_file = optarg;
            break;
        case OPT_COLLECT:
            collect = true;
            break;
        case OPT_ACCOUNTS_FILE:
            accounts_file = optarg;
            break;
        case OPT_NOTIFY:
            notify = true;
            break;
        case OPT_RUN:
            run_opt = optarg;
            break;
        case 'v':
            o.verbose = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        default:
            if (cli_common_option(c, optarg, &o)) break;
            goto out;
        }
    }
    for (int i = optind; i < argc; i++)
        strlist_add(&o.policy_paths, argv[i]);
    if (collect || accounts_file) {
        if (!collect || !accounts_file) {
            fprintf(stderr, "custos scan: --collect and --accounts go together\n");
            goto out;
        }
        if (!inv_spec) inv_spec = "custos-inventory";
        if (cli_shard_resolve("scan", &o) < 0) goto out;
        if ((collected = scan_collect(accounts_file, inv_spec, &o)) == COLLECT_ERROR) goto out;
    }
    if (!inv_spec) {
        fprintf(stderr, "custos scan: --inventory is required\n%s", usage_text);
        goto out;
    }
    time_t as_of = 0;
    if (cli_check_output_opts("scan", &o, &as_of) < 0) goto out;
    if (cli_shard_resolve("scan", &o) < 0) goto out;
    if (no_store && (db_url || sup_file || notify || run_opt)) {
        fprintf(stderr, "custos scan: --no-store contradicts --db/--suppressions/--notify/--run\n");
        goto out;
    }
    bool storing = !no_store && !load_only;
    if (storing && scan_run_id(run_opt, &o, run_buf, sizeof run_buf, &run) < 0) goto out;
    if (storing && o.shard_n && !run)
        fprintf(stderr,
                "custos scan: shard %d of %d has no run id (--run, $CUSTOS_RUN, or AWS Batch's "
                "$AWS_BATCH_JOB_ID): recorded as a scan on its own, not as part of a run\n",
                o.shard_i, o.shard_n);
    store *st = NULL;
    /* Open the store before the scan: a bad URL should not cost a scan. */
    if (storing && !(st = cli_store_open("scan", db_url))) goto out;
    int rerun = scan_run_recorded(st, run, &o);
    if (rerun < 0 || (st && sup_file && scan_sync_suppressions(st, sup_file) < 0)) {
        store_close(st);
        goto out;
    }

    engine_options eo = {
        .now = as_of,
        .load_only = load_only,
        /* Rendered and hashed on the workers; the store compares the
         * hashes with its own and reads the JSON of what changed. */
        .render_json = cli_format(&o) == REPORT_JSON,
        .hash = storing,
        .progress = isatty(STDERR_FILENO) ? show_progress : NULL,
    };
    scan_session s;
    if (cli_scan_run("scan", inv_spec, account_id, &o, &eo, &s) == 0) {
        /* The findings are self-contained (engine/finding.h): what the
         * scan parsed is done with, and recording reuses its memory. */
        inventory_release_loads(s.inv);
        if (o.shard_n)
            fprintf(stderr, "custos scan: shard %d of %d (0-based): %zu of %zu accounts\n",
                    o.shard_i, o.shard_n,
                    o.accounts.n == 1 && !strcmp(o.accounts.items[0], "-") ? 0 : o.accounts.n,
                    inventory_account_count(s.inv));
        scan_gaps gaps;
        arena *ga = arena_new(0);
        if (scan_load_gaps(ga, &s, &o, inv_spec, &gaps) < 0) {
            arena_free(ga);
            cli_scan_done(&s);
            store_close(st);
            goto out;
        }
        scan_summary sum = {0};
        int stored = st && !rerun ? scan_store(st, &s, &o, inv_spec, as_of, &gaps, run, &sum) : 0;
        rc = cli_finish("scan", &o, &s.r);
        s.r.gaps = NULL;
        s.r.n_gaps = 0;
        arena_free(ga);
        if (rc == 0 && collected == COLLECT_PARTIAL) rc = COLLECT_PARTIAL;
        if (stored < 0) {
            rc = 1;
            scan_run_failed(st, run, &o, store_error(st));
        } else if (notify && st && scan_run_notifies(st, run, &sum, rerun)) {
            int nrc = scan_notify(st, s.inv);
            if (nrc == 1 || (nrc && rc == 0)) rc = nrc;
        }
    } else
        scan_run_failed(st, run, &o, "the scan failed (its log says why)");
    cli_scan_done(&s);
    store_close(st);
out:
    run_opts_free(&o);
    return rc;
}
