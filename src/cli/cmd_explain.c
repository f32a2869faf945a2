/* cmd_explain.c - `custos explain FINDING-ID`: one finding, its priority
 * reasons, and its runbook with the real ids filled in.
 *
 * A finding id is the fingerprint `scan` prints (any unambiguous prefix of
 * at least 4 hex digits, like a git hash).  Until the findings store
 * exists, explain re-runs the scan over the inventory, which takes about a
 * second on a 44-account organisation, and picks the finding out.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "findings/priority.h"

static const char usage_text[] =
    "usage: custos explain FINDING-ID --inventory DIR [--policies PATH...] [options]\n"
    "\n"
    "Prints one finding: what is wrong, where, why it has its priority, the evidence,\n"
    "and its runbook with the commands to fix and verify it.  FINDING-ID is the\n"
    "fingerprint from `custos scan` (json: \"fingerprint\"; table: the explain hint),\n"
    "or any unique prefix of it (at least 4 hex digits).\n"
    "\n"
    "  -i, --inventory SPEC   inventory the finding came from\n"
    "  -p, --policies PATH    policies (default: the built-in pack)\n"
    "  -f, --format FMT       text (default) or json (the finding as scan prints it)\n"
    "      --as-of DATE       as for scan (findings whose ids depend on ages)\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 found, 1 not found, ambiguous, or an error.\n";

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

int cmd_explain(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"inventory", required_argument, 0, 'i'},
        {"policies", required_argument, 0, 'p'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    run_opts o = {0};
    const char *inv_spec = NULL, *fmt = "text", *id = NULL;
    int c, rc = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:p:f:h", longopts, NULL)) != -1) {
        if (c == 'i')
            inv_spec = optarg;
        else if (c == 'p')
            strlist_add(&o.policy_paths, optarg);
        else if (c == 'f')
            fmt = optarg;
        else if (c == OPT_AS_OF)
            o.as_of = optarg;
        else if (c == 'h') {
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        } else {
            fputs(usage_text, stderr);
            goto out;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "custos explain: expected one FINDING-ID\n%s", usage_text);
        goto out;
    }
    id = argv[optind];
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
        fprintf(stderr, "custos explain: --inventory is required\n%s", usage_text);
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
