/* cmd_eval.c - `custos eval`: policies over resources given as JSON, no
 * inventory needed.  How a user tests a policy while writing it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"

static const char usage_text[] =
    "usage: custos eval --policies PATH... [RESOURCES.json|-] [options]\n"
    "\n"
    "Evaluates policies over a JSON array of resource documents (from the file, or\n"
    "stdin when the file is '-' or missing), whatever resource type each policy\n"
    "declares.  Output and exit status are those of 'custos scan'.\n"
    "\n"
    "  -p, --policies PATH    policy file or directory (repeatable)\n"
    "  -f, --format FMT       table (default on a terminal), json, csv\n"
    "  -o, --output FILE      write the report to FILE\n"
    "      --as-of DATE       evaluate ages (key age, snapshot age, ...) as of DATE;\n"
    "                         default: the inventory's collected_at, else now\n"
    "      --fail-on SEV      exit 3 when a finding has severity SEV or higher\n"
    "      --policy NAME      only these policies (repeatable, comma-separated)\n"
    "      --account-id ID    account the resources belong to (default 123456789012)\n"
    "      --region REGION    region the resources belong to (default us-east-1)\n"
    "  -j, --threads N        worker threads (default: all cores)\n"
    "  -h, --help             this text\n";

static int read_resources(const char *path, arena *a, jv *out)
{
    size_t len;
    char *text;
    const char *name = path && strcmp(path, "-") ? path : "<stdin>";
    if (path && strcmp(path, "-")) {
        text = read_file(path, &len);
    } else {
        buf b = BUF_INIT;
        char tmp[65536];
        size_t n;
        while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
            buf_append(&b, tmp, n);
        len = b.len;
        text = buf_steal(&b);
    }
    if (!text) {
        fprintf(stderr, "custos eval: cannot read %s: %m\n", name);
        return -1;
    }
    json_error e;
    int rc = json_parse(a, text, len, out, &e);
    free(text);
    if (rc < 0) {
        fprintf(stderr, "custos eval: %s:%d:%d: %s\n", name, e.line, e.col, e.msg);
        return -1;
    }
    if (out->kind == JV_OBJECT) {
        /* A single resource document is accepted as a one-element list. */
        jv arr = jv_array(a, 1);
        arr.u.items[0] = *out;
        *out = arr;
    }
    if (out->kind != JV_ARRAY) {
        fprintf(stderr, "custos eval: %s: expected a JSON array of resource objects, got %s\n",
                name, jv_kind_name(out->kind));
        return -1;
    }
    return 0;
}

int cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"policies", required_argument, 0, 'p'},
        {"format", required_argument, 0, 'f'},
        {"output", required_argument, 0, 'o'},
        {"fail-on", required_argument, 0, OPT_FAIL_ON},
        {"as-of", required_argument, 0, OPT_AS_OF},
        {"policy", required_argument, 0, OPT_POLICY},
        {"account-id", required_argument, 0, OPT_ACCOUNT_ID},
        {"region", required_argument, 0, OPT_REGION},
        {"threads", required_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    run_opts o = {0};
    const char *account_id = "123456789012", *region = "us-east-1";
    int c, rc = 1;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "p:f:o:j:h", longopts)) != -1) {
        switch (c) {
        case OPT_ACCOUNT_ID:
            account_id = optarg;
            break;
        case OPT_REGION:
            region = optarg;
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
    if (argc - optind > 1) {
        fprintf(stderr, "custos eval: one resources file expected, got %d\n", argc - optind);
        goto out;
    }
    time_t as_of = 0;
    if (cli_check_output_opts("eval", &o, &as_of) < 0) goto out;
    policy_set ps;
    policy_set_init(&ps);
    if (cli_load_policies("eval", &o.policy_paths, &ps) < 0) {
        policy_set_free(&ps);
        goto out;
    }
    arena *a = arena_new(0);
    jv resources;
    if (read_resources(optind < argc ? argv[optind] : NULL, a, &resources) == 0) {
        engine_options eo = {
            .threads = o.threads, .now = as_of, .render_json = cli_format(&o) == REPORT_JSON};
        cli_fill_filter(&o, &eo.filter);
        scan_result r;
        scan_result_init(&r);
        diag_list d = DIAG_LIST_INIT;
        if (engine_eval(&ps, &resources, account_id, region, &eo, &r, &d) < 0)
            diag_print(&d, stderr);
        else
            rc = cli_finish("eval", &o, &r);
        diag_free(&d);
        scan_result_free(&r);
    }
    arena_free(a);
    policy_set_free(&ps);
out:
    run_opts_free(&o);
    return rc;
}
