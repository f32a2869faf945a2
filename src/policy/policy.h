/* policy.h - Cloud Custodian policy files: load, validate, compile.
 *
 * A policy file is YAML (or JSON) with a top-level `policies:` list.  Each
 * policy is validated against Custodian's schema rules (known keys, known
 * resource type, filter and action types valid for that resource, option
 * types, regexes that compile, unique names across all files) and compiled
 * into a filter tree.  Every problem found is reported with file:line:col;
 * loading continues past errors so a single run lists them all.
 */
#ifndef CUSTOS_POLICY_H
#define CUSTOS_POLICY_H

#include <stddef.h>

#include "filters/filter.h"
#include "json/json.h"
#include "resources/resource.h"
#include "util/diag.h"

typedef enum { SEV_INFO = 0, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL } severity;

typedef struct policy {
    const char *name;
    const char *description; /* may be NULL */
    const resource_type *rtype;
    severity sev;    /* metadata.severity, default medium */
    jv metadata;     /* object (empty when absent) */
    filter *filters; /* NULL = matches every resource */
    jv actions;      /* validated list (empty when absent) */
    srcpos pos;
    bool needs_related; /* a filter looks at other resources of the set */
    /* metadata.fix (one line) and metadata.runbook (Markdown), compiled
     * templates (format/template.h); NULL when absent. */
    struct tmpl *fix, *runbook;
    /* `query:` as the describe API would apply it (policy/query.h); NULL
     * when absent. */
    struct policy_query *query;
} policy;

typedef struct policy_set {
    arena *a; /* owns everything below */
    policy *items;
    size_t n, cap;
    struct policy_names *names; /* every name seen, for duplicate detection */
} policy_set;

void policy_set_init(policy_set *ps);
void policy_set_free(policy_set *ps);

/* policy_set_init zeroes; the arena is created on first load.  Compiled
 * policies are read-only, so one set may be evaluated by many threads (each
 * with its own eval_ctx.scratch arena).  A policy with any error is left
 * out of the set; every error is added to diags. */

/* Loads a file, or every .yml, .yaml and .json file under a directory
 * (sorted, recursive).  Returns 0 when everything loaded is valid, -1
 * otherwise (diagnostics added; valid policies are still appended). */
int policy_load_path(policy_set *ps, const char *path, diag_list *diags);
/* Loads from text already in memory (file used for messages only). */
int policy_load_text(policy_set *ps, const char *file, const char *text, size_t len,
                     diag_list *diags);
/* Loads policies from a parsed document {"policies": [...]} or a single
 * policy object (used by tests and `eval` with JSON input). */
int policy_load_jv(policy_set *ps, const char *file, const jv *doc, const srcmap *map,
                   const char *base_dir, diag_list *diags);

const char *severity_name(severity s);
int severity_parse(const char *s, severity *out); /* 0 ok, -1 unknown */

#endif
