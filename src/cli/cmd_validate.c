/* cmd_validate.c - `custos validate POLICY...`: check policy files without scanning.
 *
 * Loads every file and directory given into one policy set (so duplicate
 * names across files are caught), prints each problem as
 * "file:line:col: error: message" on stderr and, when there is none,
 * "N policies OK" on stdout.  The exit status is what CI needs: 0 valid,
 * 1 otherwise (including usage errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "filters/support.h"
#include "inventory/inventory.h"
#include "policy/policy.h"

static void print_call(const inventory_call *c, void *arg)
{
    buf_printf(arg, "| `%s` | %s.%s | %s | `%s` | %s |\n", c->type, c->client, c->operation,
               c->kind, c->file, c->provides);
}

/* A generated table (README.md embeds both) on stdout. */
static int print_table(bool calls)
{
    buf b = BUF_INIT;
    if (calls) {
        buf_puts(&b, "| resource type | call | made | layout file | fills |\n"
                     "|---|---|---|---|---|\n");
        inventory_calls(print_call, &b);
    } else {
        support_markdown(&b);
    }
    fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
    return 0;
}

int cmd_validate(int argc, char **argv)
{
    bool supported = false, calls = false;
    const cli_opt opts[] = {
        {"supported", 0, CLI_FLAG, &supported, NULL,
         "print the Markdown table of supported resource types and\nfilters (README.md embeds "
         "it)"},
        {"calls", 0, CLI_FLAG, &calls, NULL,
         "print the Markdown table of the API calls the inventory reads\n(what the collector "
         "must collect; README.md embeds it)"},
        {0},
    };
    const cli_command cmd = {
        "validate",
        "usage: custos validate POLICY...\n"
        "\n"
        "Checks Cloud Custodian policy files: YAML syntax, known keys, resource types,\n"
        "filter and action types valid for the resource, operators, value types,\n"
        "regexes, dates and CIDRs, and policy names unique across all files.\n"
        "POLICY is a .yml/.yaml/.json file or a directory (searched recursively).\n"
        "Every problem is printed as FILE:LINE:COL: error: MESSAGE on stderr.\n",
        opts,
        argc,
        "policy paths",
        "Exit status: 0 all valid (prints \"N policies OK\"), 1 otherwise.\n"};
    const char **paths = calloc((size_t)argc + 1, sizeof *paths);
    if (!paths) abort();
    int npaths = 0, rc = cli_args(&cmd, argc, argv, paths, &npaths);
    if (rc < 0 && (supported || calls)) rc = print_table(calls);
    if (rc < 0 && npaths == 0) {
        cli_usage(&cmd, stderr);
        rc = 1;
    }
    if (rc >= 0) {
        free(paths);
        return rc;
    }
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    for (int i = 0; i < npaths; i++)
        policy_load_path(&ps, paths[i], &d);
    rc = 0;
    if (d.n) {
        diag_print(&d, stderr);
        fprintf(stderr, "%zu error%s; %zu valid polic%s\n", d.n, d.n == 1 ? "" : "s", ps.n,
                ps.n == 1 ? "y" : "ies");
        rc = 1;
    } else {
        printf("%zu polic%s OK\n", ps.n, ps.n == 1 ? "y" : "ies");
    }
    diag_free(&d);
    policy_set_free(&ps);
    free(paths);
    return rc;
}
