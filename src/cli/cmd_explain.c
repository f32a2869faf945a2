/* cmd_explain.c - `custos explain FINDING-ID`: one finding, its priority
 * reasons, and its runbook with the real ids filled in.
 *
 * A finding id is the fingerprint `scan` prints (any unambiguous prefix of
 * at least 4 hex digits, like a git hash).  By default the finding comes
 * from the findings store, with its lifecycle and history; with
 * --inventory, explain re-runs the scan over that inventory instead (about
 * a second on a 44-account organisation) and picks the finding out.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "engine/priority.h"
#include "output/stored_report.h"

static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 16) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))) return false;
    return true;
}

static void print_text(const finding *f)
{
    char fp[17];
    fingerprint_hex(f->fingerprint, fp);
    const account_info *a = f->account;
    printf("%s  [%s, priority %d]  finding %s\n", f->pol->name, severity_name(f->pol->sev),
           f->priority, fp);
    if (f->pol->description) printf("%s\n", f->pol->description);
    printf("\nResource: %s %s", f->rtype ? f->rtype->name : "", f->id);
    if (f->name && strcmp(f->name, f->id)) printf(" (%s)", f->name);
    printf("\nWhere:    account %s", f->account_id ? f->account_id : "-");
    if (a && a->name && strcmp(a->name, a->id)) printf(" (%s)", a->name);
    if (a && a->team) printf(", team %s", a->team);
    if (a && a->environment) printf(", %s", a->environment);
    printf(", region %s\n", f->region ? f->region : "-");
    printf("\nWhy this priority:\n");
    for (size_t i = 0; i < f->nreasons; i++)
        printf("  - %s\n", f->reasons[i]);
    if (f->fix) printf("\nFix: %s\n", f->fix);
    if (f->runbook)
        printf("\n%s%s", f->runbook, f->runbook[strlen(f->runbook) - 1] == '\n' ? "" : "\n");
    if (f->render_error) printf("\n(runbook incomplete: %s)\n", f->render_error);
    if (f->evidence.kind != JV_NULL) {
        buf b = BUF_INIT;
        json_write_pretty(&b, &f->evidence, 2);
        printf("\nEvidence:\n%s\n", b.data);
        buf_free(&b);
    }
}

static void print_stored(const stored_finding *f, const finding_event *ev, size_t nev)
{
    char t1[21], t2[21];
    iso_time(f->first_seen, t1);
    iso_time(f->last_seen, t2);
    printf("%s  [%s, priority %d, %s]  finding %s\n", f->policy, f->severity, f->priority,
           f->status, f->fingerprint);
    if (f->description) printf("%s\n", f->description);
    printf("\nResource: %s %s", f->resource_type, f->resource_id);
    if (f->resource_name) printf(" (%s)", f->resource_name);
    printf("\nWhere:    account %s", f->account_id);
    if (f->account_name && strcmp(f->account_name, f->account_id)) printf(" (%s)", f->account_name);
    if (f->team) printf(", team %s", f->team);
    if (f->environment) printf(", %s", f->environment);
    printf(", region %s\n", f->region);
    printf("Seen:     first %s, last %s", t1, t2);
    if (f->resolved_at) {
        iso_time(f->resolved_at, t1);
        printf(", resolved %s", t1);
    }
    printf("\n");
    if (f->suppression_id) {
        iso_time(f->suppressed_until, t1);
        printf("Suppressed by %s until %s: %s\n",
               f->suppression_author ? f->suppression_author : "?", t1,
               f->suppression_reason ? f->suppression_reason : "");
    }
    jv reasons;
    json_error err;
    arena *a = arena_new(0);
    printf("\nWhy this priority:\n");
    if (f->reasons && json_parse(a, f->reasons, strlen(f->reasons), &reasons, &err) == 0 &&
        reasons.kind == JV_ARRAY)
        for (size_t i = 0; i < reasons.len; i++)
            if (reasons.u.items[i].kind == JV_STRING) printf("  - %s\n", reasons.u.items[i].u.str);
    if (f->fix) printf("\nFix: %s\n", f->fix);
    if (f->runbook && *f->runbook)
        printf("\n%s%s", f->runbook, f->runbook[strlen(f->runbook) - 1] == '\n' ? "" : "\n");
    jv evidence;
    if (f->evidence && json_parse(a, f->evidence, strlen(f->evidence), &evidence, &err) == 0) {
        buf b = BUF_INIT;
        json_write_pretty(&b, &evidence, 2);
        printf("\nEvidence:\n%s\n", b.data);
        buf_free(&b);
    }
    arena_free(a);
    if (nev) printf("\nHistory:\n");
    for (size_t i = 0; i < nev; i++) {
        iso_time(ev[i].at, t1);
        if (ev[i].scan_id)
            printf("  %s  %-10s scan %lld\n", t1, ev[i].status, (long long)ev[i].scan_id);
        else
            printf("  %s  %-10s (suppression rule changed)\n", t1, ev[i].status);
    }
}

/* The finding from the store: 0 found and printed, 1 otherwise. */
static int explain_stored(const char *db_url, const char *id, const char *fmt)
{
    static const char *const all[] = {"new", "open", "regressed", "resolved", "suppressed"};
    store *st = cli_store_open_existing("explain", db_url);
    if (!st) return 1;
    arena *a = arena_new(0);
    finding_query q = {
        .fingerprint = id, .statuses = all, .n_statuses = 5, .min_severity = -1, .limit = 2};
    stored_finding *f;
    size_t n;
    int rc = 1;
    if (store_findings(st, &q, a, &f, &n) < 0) {
        fprintf(stderr, "custos explain: %s\n", store_error(st));
    } else if (n == 0) {
        fprintf(stderr,
                "custos explain: no finding %s in %s (scan first, or give --inventory to "
                "scan one)\n",
                id, store_url(st));
    } else if (n > 1) {
        fprintf(stderr, "custos explain: '%s' matches more than one finding; give more digits\n",
                id);
    } else if (!strcmp(fmt, "json")) {
        buf b = BUF_INIT;
        stored_report_write(&b, SR_JSON, f, 1, (int64_t)time(NULL));
        fputs(b.data, stdout);
        buf_free(&b);
        rc = 0;
    } else {
        finding_event *ev;
        size_t nev = 0;
        if (store_events(st, 0, 0, f->fingerprint, a, &ev, &nev) < 0) nev = 0;
        print_stored(f, ev, nev);
        rc = 0;
    }
    arena_free(a);
    store_close(st);
    return rc;
}

int cmd_explain(int argc, char **argv)
{
    run_opts o = {0};
    const char *inv_spec = NULL, *fmt = "text", *id = NULL, *db_url = NULL;
    const cli_opt opts[] = {
        {"db", 0, CLI_STR, &db_url, "URL",
         "findings store to read it from (default $CUSTOS_DB, else\nsqlite:custos.db); adds "
         "status, first/last seen, history"},
        {"inventory", 'i', CLI_STR, &inv_spec, "SPEC",
         "scan this inventory instead of reading the store"},
        {"policies", 'p', CLI_PATH, &o.policy_paths, "PATH",
         "policies (default: the built-in pack)"},
        {"format", 'f', CLI_STR, &fmt, "FMT",
         "text (default) or json (the finding as scan prints it)"},
        {"as-of", 0, CLI_STR, &o.as_of, "DATE", "as for scan (findings whose ids depend on ages)"},
        {0},
    };
    const cli_command cmd = {
        "explain",
        "usage: custos explain FINDING-ID [--db URL]\n"
        "       custos explain FINDING-ID --inventory DIR [--policies PATH...] [options]\n"
        "\n"
        "Prints one finding: what is wrong, where, why it has its priority, the evidence,\n"
        "and its runbook with the commands to fix and verify it.  FINDING-ID is the\n"
        "fingerprint from `custos scan` (json: \"fingerprint\"; table: the explain hint),\n"
        "or any unique prefix of it (at least 4 hex digits).\n",
        opts,
        1,
        "FINDING-ID",
        "Exit status: 0 found, 1 not found, ambiguous, or an error.\n"};
    int rc = 1, nargs = 0;
    if ((rc = cli_args(&cmd, argc, argv, &id, &nargs)) >= 0) goto out;
    rc = 1;
    if (nargs != 1) {
        fprintf(stderr,
                "custos explain: expected one FINDING-ID (the fingerprint custos scan prints)\n"
                "Run 'custos explain --help' to see every option.\n");
        goto out;
    }
    if (!valid_id(id)) {
        fprintf(stderr,
                "custos explain: '%s' is not a finding id (4 to 16 hex digits, as "
                "printed by custos scan)\n",
                id);
        goto out;
    }
    if (strcmp(fmt, "text") && strcmp(fmt, "json")) {
        fprintf(stderr, "custos explain: unknown --format '%s' (expected text or json)\n", fmt);
        goto out;
    }
    if (!inv_spec) {
        rc = explain_stored(db_url, id, fmt);
        goto out;
    }
    engine_options eo = {0};
    if (cli_check_output_opts("explain", &o, &eo.now) < 0) goto out;
    scan_session s;
    if (cli_scan_run("explain", inv_spec, NULL, &o, &eo, &s) == 0) {
        const finding *hit = NULL;
        size_t matches = 0;
        for (size_t i = 0; i < s.r.n; i++) {
            char fp[17];
            fingerprint_hex(s.r.items[i].fingerprint, fp);
            if (strncmp(fp, id, strlen(id)) == 0 && matches++ == 0) hit = &s.r.items[i];
        }
        if (matches == 1) {
            if (!strcmp(fmt, "json")) {
                buf b = BUF_INIT;
                finding_write_json(&b, hit);
                printf("%s\n", b.data);
                buf_free(&b);
            } else {
                print_text(hit);
            }
            rc = 0;
        } else if (matches > 1) {
            fprintf(stderr, "custos explain: '%s' matches %zu findings; give more digits\n", id,
                    matches);
        } else {
            fprintf(stderr,
                    "custos explain: no finding %s in %s (%zu findings scanned; was it fixed?)\n",
                    id, inv_spec, s.r.n);
        }
    }
    cli_scan_done(&s);
out:
    run_opts_free(&o);
    return rc;
}
