/* cmd_shards.c - `custos shards`: which shard scans which account.
 *
 * The same assignment `scan --shard I/N` uses (cli_shard_of), printed for
 * people planning a batch job (how many workers, how even) and for tests
 * that check the assignment's promises: every account in exactly one
 * shard, an added account moving no other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "inventory/inventory.h"

static void print(const inventory *inv, int n, bool json)
{
    size_t na = inventory_account_count(inv);
    size_t *per = calloc((size_t)n, sizeof *per);
    if (!per) abort();
    if (json) printf("{\"shards\":%d,\"accounts\":[", n);
    for (size_t k = 0; k < na; k++) {
        const account_info *ai = inventory_account(inv, k);
        int s = cli_shard_of(ai->id, n);
        per[s]++;
        if (json)
            printf("%s{\"id\":\"%s\",\"shard\":%d}", k ? "," : "", ai->id, s);
        else
            printf("%-14s %-5d %s\n", ai->id, s, ai->name ? ai->name : "");
    }
    if (json) {
        printf("],\"per_shard\":[");
        for (int s = 0; s < n; s++)
            printf("%s%zu", s ? "," : "", per[s]);
        printf("]}\n");
    } else {
        printf("\n");
        for (int s = 0; s < n; s++)
            printf("shard %d: %zu accounts\n", s, per[s]);
    }
    free(per);
}

int cmd_shards(int argc, char **argv)
{
    static const char *const FORMATS[] = {"table", "json", NULL};
    const char *inv_spec = NULL, *fmt = NULL;
    long n = 0;
    const cli_opt opts[] = {
        {"inventory", 'i', CLI_STR, &inv_spec, "DIR", "the inventory (its accounts.yaml)"},
        {"shards", 0, CLI_NUM, &n, "N", "the number of shards"},
        {"format", 'f', CLI_STR, &fmt, "FMT", "table (default) or json"},
        {0},
    };
    const cli_command cmd = {
        "shards",
        "usage: custos shards --inventory DIR --shards N [--format table|json]\n"
        "\n"
        "Prints the shard (0 to N-1) of each account of the inventory's accounts.yaml,\n"
        "as `custos scan --shard I/N` assigns them, and how many accounts each shard has.\n",
        opts,
        0,
        NULL,
        NULL};
    int prc = cli_args(&cmd, argc, argv, NULL, NULL);
    if (prc >= 0) return prc;
    int f = cli_choice("shards", "format", fmt, FORMATS, 0);
    if (f < 0) return 1;
    bool json = f == 1;
    if (!inv_spec || n < 1 || n > 10000) {
        fprintf(stderr, "custos shards: needs --inventory DIR and --shards N (1 to 10000)\n");
        return 1;
    }
    inventory_options io = {0};
    inventory *inv = NULL;
    diag_list d = DIAG_LIST_INIT;
    int rc = 1;
    if (inventory_open(inv_spec, &io, &inv, &d) == 0) {
        print(inv, (int)n, json);
        rc = 0;
    }
    cli_diag_print("shards", &d);
    diag_free(&d);
    inventory_close(inv);
    return rc;
}
