/* cmd_shards.c - `custos shards`: which shard scans which account.
 *
 * The same assignment `scan --shard I/N` uses (cli_shard_of), printed for
 * people planning a batch job (how many workers, how even) and for tests
 * that check the assignment's promises: every account in exactly one
 * shard, an added account moving no other.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "inventory/inventory.h"

static const char usage_text[] =
    "usage: custos shards --inventory DIR --shards N [--format table|json]\n"
    "\n"
    "Prints the shard (0 to N-1) of each account of the inventory's accounts.yaml,\n"
    "as `custos scan --shard I/N` assigns them, and how many accounts each shard has.\n"
    "\n"
    "  -i, --inventory DIR    the inventory (its accounts.yaml)\n"
    "      --shards N         the number of shards\n"
    "  -f, --format FMT       table (default) or json\n"
    "  -h, --help             this text\n";

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
    static const struct option longopts[] = {
        {"inventory", required_argument, 0, 'i'},
        {"shards", required_argument, 0, 'n'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *inv_spec = NULL, *fmt = "table";
    int n = 0, c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "i:f:h", longopts)) != -1) {
        if (c == 'i')
            inv_spec = optarg;
        else if (c == 'n')
            n = atoi(optarg);
        else if (c == 'f')
            fmt = optarg;
        else if (c == 'h') {
            fputs(usage_text, stdout);
            return 0;
        } else
            return 1;
    }
    bool json = fmt && !strcmp(fmt, "json"), fmt_ok = json || (fmt && !strcmp(fmt, "table"));
    if (!inv_spec || n < 1 || n > 10000 || !fmt_ok) {
        fprintf(stderr, "custos shards: needs --inventory DIR and --shards N (1 to 10000)%s\n",
                fmt_ok ? "" : "; --format is table or json");
        return 1;
    }
    inventory_options io = {0};
    inventory *inv = NULL;
    diag_list d = DIAG_LIST_INIT;
    int rc = 1;
    if (inventory_open(inv_spec, &io, &inv, &d) == 0) {
        print(inv, n, json);
        rc = 0;
    }
    cli_diag_print("shards", &d);
    diag_free(&d);
    inventory_close(inv);
    return rc;
}
