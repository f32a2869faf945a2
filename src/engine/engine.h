/* engine.h - evaluate compiled policies over resources and collect findings.
 *
 * The engine is the only stage that knows about all the others: it asks the
 * inventory for the resource sets the selected policies need (one resource
 * type in one account/region at a time, so memory is bounded by what is
 * loaded), runs every policy of that type over the set on all cores, and
 * appends a finding per (policy, resource) match.  Results are deterministic:
 * the order depends only on inputs, never on thread timing.
 *
 * A finding points into inventory memory (the resource document) and into
 * the result's own arenas (evidence), so keep the inventory open until the
 * result has been written.
 */
#ifndef CUSTOS_ENGINE_H
#define CUSTOS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "inventory/inventory.h"
#include "policy/policy.h"

typedef struct finding {
    const policy *pol;
    const resource_type *rtype; /* type of the resource (the policy's) */
    const char *id;             /* resource id (or "#<index>" when it has none) */
    const char *name;           /* resource name when the type has one, else NULL */
    const account_info *account; /* may be NULL for eval without an inventory */
    const char *account_id;
    const char *region;
    const jv *resource;
    jv evidence; /* what matched (object); null when the filters gave none */
} finding;

typedef struct scan_filter {
    const char *const *accounts; /* account ids or names; NULL = all */
    size_t n_accounts;
    const char *const *regions; /* NULL = all */
    size_t n_regions;
    const char *const *policies; /* policy names; NULL = all */
    size_t n_policies;
} scan_filter;

typedef struct scan_stats {
    size_t resources;  /* resources evaluated (counted once per set) */
    size_t sets;       /* (scope, type) sets loaded */
    size_t policies;   /* policies selected */
    size_t scopes;     /* (account, region) pairs scanned */
    double load_secs, eval_secs;
} scan_stats;

typedef struct scan_result {
    finding *items;
    size_t n, cap;
    scan_stats stats;
    arena *a;          /* ids, evidence, ... */
    struct engine_priv *priv;
} scan_result;

typedef struct engine_options {
    int threads; /* 0 = all cores */
    time_t now;  /* 0 = time(NULL) */
    bool load_only; /* load what the policies need, evaluate nothing (the I/O floor) */
    scan_filter filter;
} engine_options;

void scan_result_init(scan_result *r);
void scan_result_free(scan_result *r);

/* Runs every selected policy over the inventory.  Returns 0, or -1 with
 * diagnostics (bad inventory files, unknown --account/--policy names). */
int engine_scan(inventory *inv, const policy_set *ps, const engine_options *opt,
                scan_result *out, diag_list *diags);

/* Runs every policy over a JSON array of resource documents, whatever their
 * declared resource type (how `custos eval` tests a policy while writing it). */
int engine_eval(const policy_set *ps, const jv *resources, const char *account_id,
                const char *region, const engine_options *opt, scan_result *out,
                diag_list *diags);

#endif
