/* engine.h - evaluate compiled policies over resources and collect findings.
 *
 * The engine is the only stage that knows about all the others.  It cuts a
 * scan into tasks, one per (account/region scope, resource type, part): a
 * part is a whole resource set, or one page of a paginated recording when
 * no selected policy needs to see other resources of the set.  Workers on
 * all cores load a task's resources into their own arena, run every policy
 * of that type over them, copy what each finding needs, and reset the
 * arena, so memory is bounded by what the workers hold at once, not by the
 * size of the inventory.  Results are deterministic: the order depends only
 * on inputs, never on thread timing.
 *
 * Findings are self-contained (ids, names and evidence are copied into the
 * result's arenas); account and policy pointers stay valid while the
 * inventory and policy set are open.  Each finding is scored (priority and
 * reasons, engine/priority.h) and its policy's fix line and runbook are
 * rendered on the worker that found it, while the resource is at hand
 * (a policy with actions: the runbook ends with how custos fix applies
 * them, and the plan command for that finding).
 * The result is ordered by priority (highest first), then policy severity
 * and name, then inventory order.
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
    const resource_type *rtype;  /* type of the resource (the policy's) */
    const char *id;              /* resource id (or "#<index>" when it has none) */
    const char *name;            /* resource name when the type has one, else NULL */
    const account_info *account; /* may be NULL for eval without an inventory */
    const char *account_id;
    const char *region;
    jv evidence;      /* what matched; null when the filters gave none, or once rendered */
    const char *json; /* pre-rendered JSON object (engine_options.render_json), or NULL */
    uint32_t json_len;
    uint32_t evidence_at;     /* where the evidence starts in json (when json is set) */
    uint64_t content_hash;    /* finding_json_hash of its JSON (engine_options.hash), or 0 */
    int16_t priority;         /* 0..100, engine/priority.h */
    uint16_t nreasons;        /* entries in reasons */
    uint64_t fingerprint;     /* stable id: policy, type, account, region, resource id */
    const char **reasons;     /* why the priority is what it is */
    const char *fix;          /* rendered metadata.fix (one line), or NULL */
    const char *runbook;      /* rendered metadata.runbook (Markdown), or NULL */
    const char *render_error; /* why fix/runbook could not be rendered, or NULL */
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
    size_t resources;            /* resources evaluated (counted once per set) */
    size_t sets;                 /* (scope, type) sets loaded */
    size_t policies;             /* policies selected */
    size_t scopes;               /* (account, region) pairs scanned */
    size_t tasks;                /* units of work the scan was cut into */
    double load_secs, eval_secs; /* summed over workers */
} scan_stats;

/* A call the collector could not make (DIR/collection.json, src/aws):
 * region "*" when the whole account was not collected (its role could not
 * be assumed), "global" for a global call. */
typedef struct collect_gap {
    const char *account_id, *account_name, *region, *service, *operation, *code, *message;
} collect_gap;

typedef struct scan_result {
    finding *items;
    size_t n, cap;
    scan_stats stats;
    arena *a; /* ids, evidence, ... */
    struct engine_priv *priv;
    /* Data the policies needed that the inventory does not hold (a listing
     * or a call a filter reads was not collected), per account/region,
     * sorted: each entry's pos.file is the account id and its message
     * "REGION\tWHAT".  Never a reason to fail the scan, always reported. */
    diag_list missing;
    /* What was not collected, for the report (set by the caller; the
     * strings live as long as the caller says, e.g. in a). */
    const collect_gap *gaps;
    size_t n_gaps;
} scan_result;

typedef struct engine_options {
    int threads;    /* 0 = all cores */
    time_t now;     /* 0 = when the inventory was collected, else time(NULL) */
    bool load_only; /* load what the policies need, evaluate nothing (the I/O floor) */
    /* Render each finding's JSON on the worker that found it, so writing a
     * large JSON report is a concatenation rather than a serial step. */
    bool render_json;
    /* Hash each finding's JSON on the worker that found it (content_hash):
     * the findings store compares it with what it holds, so a rescan
     * writes only the findings that changed. */
    bool hash;
    /* Called now and then from the calling thread with tasks done / total
     * (for a progress line on a terminal); may be NULL. */
    void (*progress)(size_t done, size_t total, void *arg);
    void *progress_arg;
    scan_filter filter;
} engine_options;

void scan_result_init(scan_result *r);
void scan_result_free(scan_result *r);

/* Runs every selected policy over the inventory.  Returns 0, or -1 with
 * diagnostics (bad inventory files, unknown --account/--policy names). */
int engine_scan(inventory *inv, const policy_set *ps, const engine_options *opt, scan_result *out,
                diag_list *diags);

/* Runs every policy over a JSON array of resource documents, whatever their
 * declared resource type (how `custos eval` tests a policy while writing it). */
int engine_eval(const policy_set *ps, const jv *resources, const char *account_id,
                const char *region, const engine_options *opt, scan_result *out, diag_list *diags);

#endif
