/* cmd_eval.c - `custos eval`: policies over resources given as JSON, no
 * inventory needed.  How a user tests a policy while writing it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"

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
    run_opts o = {0};
    const char *account_id = "123456789012", *region = "us-east-1", *args[1] = {NULL};
    long threads = 0;
    int nargs = 0, rc = 1;
    const cli_opt opts[] = {
        {"policies", 'p', CLI_PATH, &o.policy_paths, "PATH",
         "policy file or directory (repeatable)"},
        {"format", 'f', CLI_STR, &o.format, "FMT", "table (default on a terminal), json, csv"},
        {"output", 'o', CLI_STR, &o.output, "FILE", "write the report to FILE"},
        {"as-of", 0, CLI_STR, &o.as_of, "DATE",
         "evaluate ages (key age, snapshot age, ...) as of DATE;\ndefault: the inventory's "
         "collected_at, else now"},
        {"fail-on", 0, CLI_STR, &o.fail_on, "SEV",
         "exit 3 when a finding has severity SEV or higher"},
        {"policy", 0, CLI_LIST, &o.policies, "NAME",
         "only these policies (repeatable, comma-separated)"},
        {"account-id", 0, CLI_STR, &account_id, "ID",
         "account the resources belong to (default 123456789012)"},
        {"region", 0, CLI_STR, &region, "REGION",
         "region the resources belong to (default us-east-1)"},
        {"threads", 'j', CLI_NUM, &threads, "N", "worker threads (default: all cores)"},
        {0},
    };
    const cli_command cmd = {
        "eval",
        "usage: custos eval --policies PATH... [RESOURCES.json|-] [options]\n"
        "\n"
        "Evaluates policies over a JSON array of resource documents (from the file, or\n"
        "stdin when the file is '-' or missing), whatever resource type each policy\n"
        "declares.  Output and exit status are those of 'custos scan'.\n",
        opts,
        1,
        "resources file",
        NULL};
    int prc = cli_args(&cmd, argc, argv, args, &nargs);
    if (prc >= 0) {
        rc = prc;
        goto out;
    }
    o.threads = (int)threads;
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
    if (read_resources(nargs ? args[0] : NULL, a, &resources) == 0) {
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
