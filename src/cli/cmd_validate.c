/* cmd_validate.c - `custos validate POLICY...`: check policy files without scanning.
 *
 * Loads every file and directory given into one policy set (so duplicate
 * names across files are caught), prints each problem as
 * "file:line:col: error: message" on stderr and, when there is none,
 * "N policies OK" on stdout.  The exit status is what CI needs: 0 valid,
 * 1 otherwise (including usage errors).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "filters/support.h"
#include "inventory/inventory.h"
#include "policy/policy.h"

static void print_call(const inventory_call *c, void *arg)
{
    buf_printf(arg, "| `%s` | %s.%s | %s | `%s` | %s |\n", c->type, c->client, c->operation,
               c->kind, c->file, c->provides);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: custos validate POLICY...\n"
               "\n"
               "Checks Cloud Custodian policy files: YAML syntax, known keys, resource types,\n"
               "filter and action types valid for the resource, operators, value types,\n"
               "regexes, dates and CIDRs, and policy names unique across all files.\n"
               "POLICY is a .yml/.yaml/.json file or a directory (searched recursively).\n"
               "Every problem is printed as FILE:LINE:COL: error: MESSAGE on stderr.\n"
               "\n"
               "Exit status: 0 all valid (prints \"N policies OK\"), 1 otherwise.\n"
               "\n"
               "  --supported   print the Markdown table of supported resource types and\n"
               "                filters (README.md embeds it)\n"
               "  --calls       print the Markdown table of the API calls the inventory reads\n"
               "                (what the collector must collect; README.md embeds it)\n"
               "  --help        this text\n");
}

int cmd_validate(int argc, char **argv)
{
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--calls")) {
            buf b = BUF_INIT;
            buf_puts(&b, "| resource type | call | made | layout file | fills |\n"
                         "|---|---|---|---|---|\n");
            inventory_calls(print_call, &b);
            fwrite(b.data, 1, b.len, stdout);
            buf_free(&b);
            return 0;
        }
        if (!strcmp(argv[i], "--supported")) {
            buf b = BUF_INIT;
            support_markdown(&b);
            fwrite(b.data, 1, b.len, stdout);
            buf_free(&b);
            return 0;
        }
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "custos validate: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 1;
        }
        npaths++;
    }
    if (npaths == 0) {
        usage(stderr);
        return 1;
    }
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    for (int i = 1; i < argc; i++)
        policy_load_path(&ps, argv[i], &d);
    int rc = 0;
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
    return rc;
}
