/* scan_gaps.h - what a collected inventory says it could not collect
 * (DIR/collection.json), for `custos scan` (scan_gaps.c). */
#ifndef CUSTOS_CLI_SCAN_GAPS_H
#define CUSTOS_CLI_SCAN_GAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "util/arena.h"

typedef struct scan_gap {
    const char *account, *region, *service, *operation, *code;
} scan_gap;

typedef struct scan_gaps {
    scan_gap *items;
    size_t n;
} scan_gaps;

/* Reads inv_dir/collection.json's not_collected list (none when the file
 * is absent: an inventory not written by `custos collect`).  0, or -1
 * with a message on stderr for a collection.json that is not valid. */
int scan_gaps_load(arena *a, const char *inv_dir, scan_gaps *g);
/* True when the whole account was not collected (AssumeRole denied...). */
bool scan_gaps_account(const scan_gaps *g, const char *account);
/* True when a gap of this account (NULL: any account) is a call that
 * feeds policy p's resource type (src/inventory's call list). */
bool scan_gaps_hit(const scan_gaps *g, const char *account, const policy *p);

#endif
