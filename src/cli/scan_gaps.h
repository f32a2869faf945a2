/* scan_gaps.h - what a collected inventory says it could not collect
 * (DIR/collection.json), for `custos scan` (scan_gaps.c). */
#ifndef CUSTOS_CLI_SCAN_GAPS_H
#define CUSTOS_CLI_SCAN_GAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/inventory.h"
#include "policy/policy.h"
#include "store/store.h"
#include "util/arena.h"

typedef struct scan_gaps {
    collect_gap *items;
    size_t n;
} scan_gaps;

/* Reads inv_dir/collection.json's not_collected list (none when the file
 * is absent: an inventory not written by `custos collect`), naming each
 * account as inv does.  0, or -1 with a message on stderr for a
 * collection.json that is not valid. */
int scan_gaps_load(arena *a, const char *inv_dir, const inventory *inv, scan_gaps *g);
/* True when the whole account was not collected (AssumeRole denied...). */
bool scan_gaps_account(const scan_gaps *g, const char *account);
/* The store's holds for what the gaps hit: for each of the accounts and
 * each policy that a gap of that account feeds (a call the inventory
 * layer makes for the policy's resource type), the account's regions
 * where the policy's data was all collected (none when a global call or
 * a global type's call was not).  In a. */
void scan_gaps_holds(arena *a, const scan_gaps *g, const inventory *inv,
                     const char *const *accounts, size_t n_accounts, const policy *const *policies,
                     size_t n_policies, scan_hold **out, size_t *n);

#endif
