/* cmd_scan.c - `custos scan`: policies over an inventory. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"

static const char usage_text[] =
    "usage: custos scan --inventory DIR|placebo:DIR [--policies PATH...] [options]\n"
    "\n"
    "Evaluates Cloud Custodian policies over an inventory snapshot and prints findings.\n"
    "\n"
    "  -i, --inventory SPEC   inventory directory (accounts.yaml + <account>/<region>/*.json)\n"
    "                         or placebo:DIR for Cloud Custodian recorded responses\n"
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
    "  -j, --threads N        worker threads (default: all cores)\n"
    "      --load-only        read and parse what the policies need, evaluate nothing\n"
    "                         (measures the I/O floor; see bench/)\n"
    "  -v, --verbose          print timing statistics on stderr\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 no findings at or above --fail-on, 3 there are, 1 error.\n";

/* A progress line on a terminal, for scans that take more than a moment. */
static void show_progress(size_t done, size_t total, void *arg)
{
    (void)arg;
    fprintf(stderr, "\rcustos scan: %zu/%zu tasks (%zu%%)%s", done, total,
            total ? done * 100 / total : 100, done == total ? "\r\033[K" : "");
}

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
        {"verbose", no_argument, 0, 'v'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    run_opts o = {0};
    const char *inv_spec = NULL, *account_id = NULL;
    bool load_only = false;
    int c, rc = 1;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:p:f:o:j:vh", longopts, NULL)) != -1) {
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
        case 'v':
            o.verbose = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        default:
            if (cli_common_option(c, optarg, &o)) break;
            fputs(usage_text, stderr);
            goto out;
        }
    }
    for (int i = optind; i < argc; i++)
        strlist_add(&o.policy_paths, argv[i]);
    if (!inv_spec) {
        fprintf(stderr, "custos scan: --inventory is required\n%s", usage_text);
        goto out;
    }
    time_t as_of = 0;
    if (cli_check_output_opts("scan", &o, &as_of) < 0) goto out;

    engine_options eo = {
        .now = as_of,
        .load_only = load_only,
        .render_json = cli_format(&o) == REPORT_JSON,
        .progress = isatty(STDERR_FILENO) ? show_progress : NULL,
    };
    scan_session s;
    if (cli_scan_run("scan", inv_spec, account_id, &o, &eo, &s) == 0)
        rc = cli_finish("scan", &o, &s.r);
    cli_scan_done(&s);
out:
    run_opts_free(&o);
    return rc;
}
