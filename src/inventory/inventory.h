/* inventory.h - reading an organisation's configuration snapshot.
 *
 * Two on-disk formats, one interface:
 *  - the custos layout (DESIGN.md): DIR/accounts.yaml plus
 *    DIR/<account>/<region>/<service>.<Operation>.json, each file the API
 *    response as `aws ... --output json` prints it (all pages merged), and
 *    per-resource calls as <service>.<Operation>.<resource-id>.json
 *    (e.g. global/s3.GetBucketPolicy.my-bucket.json);
 *  - "placebo:DIR", Cloud Custodian's recorded responses
 *    (<service>.<Operation>_<n>.json, {"status_code", "data"}), one account
 *    and region given by the caller.
 * Paginated placebo recordings (NextToken chains) are concatenated.  Files
 * are parsed in parallel with json_parse_fast.  Datetime objects in placebo
 * data ({"__class__": "datetime", ...}) become ISO-8601 strings, as the
 * AWS CLI prints them.
 *
 * Layout details (accounts.yaml format, per-resource files, "not
 * configured" vs "not collected", the keys merged into resources) are in
 * examples/README.md and at the top of layout.c and augment.c.  Global
 * types (IAM, S3, aws.account) load in each account's first scope; a
 * bucket's own region is its Location (LocationConstraint null =
 * us-east-1), as Custodian's get_region reads it.  Placebo defaults:
 * account 123456789012, region us-east-1, one scope.
 *
 * Threads: inventory_load may be called from several threads at once (each
 * call parses with up to `threads` workers of its own); a loaded
 * resource_set is read-only and indexed by id (resource_set_find is O(1)).
 *
 * Resource memory belongs to the inventory and lives until inventory_close.
 * Errors (unreadable file, bad JSON with line/column, unknown layout) are
 * returned as diagnostics naming the file.
 */
#ifndef CUSTOS_INVENTORY_H
#define CUSTOS_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "json/json.h"
#include "resources/resource.h"
#include "util/diag.h"

typedef struct account_info {
    const char *id;
    const char *name;        /* defaults to id */
    const char *team;        /* may be NULL */
    const char *environment; /* dev/staging/prod/...; may be NULL */
    jv raw;                  /* the whole accounts.yaml entry (contacts, ...) */
} account_info;

typedef struct inv_scope {
    const account_info *account;
    const char *region; /* "us-east-1", ...; global types use "global" dirs but
                         * report the region the resource lives in */
} inv_scope;

typedef struct inventory inventory;

typedef struct inventory_options {
    const char *account_id; /* placebo: account id to report (default 123456789012) */
    const char *region;     /* placebo: region to report (default us-east-1) */
    int threads;            /* parse parallelism; 0 = number of cores */
} inventory_options;

/* spec is "DIR" or "placebo:DIR". */
int inventory_open(const char *spec, const inventory_options *opt, inventory **out,
                   diag_list *diags);
void inventory_close(inventory *inv);
/* Frees everything loads parsed: every resource_set loaded so far is
 * invalid after this (a later load parses again).  Accounts, scopes, the
 * organisation and settings stay.  For a caller done evaluating: what it
 * does next (a recording scan's store work) reuses that memory instead of
 * adding to the scan's peak. */
void inventory_release_loads(inventory *inv);

size_t inventory_account_count(const inventory *inv);
const account_info *inventory_account(const inventory *inv, size_t i);
const account_info *inventory_account_find(const inventory *inv, const char *id);

/* accounts.yaml's top-level `organization:` mapping ({id, trusted_accounts,
 * ...}); a null jv when absent. */
const jv *inventory_organization(const inventory *inv);

/* Any other top-level key of accounts.yaml (`teams:`, `notifications:`,
 * ...), as parsed; NULL when absent or when the file is not a mapping. */
const jv *inventory_setting(const inventory *inv, const char *key);

/* When the snapshot was taken: accounts.yaml's `collected_at:` (ISO 8601),
 * or 0 when it does not say.  Ages (key age, snapshot age, ...) are
 * measured from this moment, so a scan of a snapshot gives the same
 * answer whenever it runs. */
time_t inventory_collected_at(const inventory *inv);

/* Every (account, region) pair present, in a stable order (account order of
 * accounts.yaml, then region name). */
size_t inventory_scopes(const inventory *inv, const inv_scope **out);

/* Loads all resources of type t in one scope into *out (n = 0 when the
 * inventory has no data for it: that is not an error).  Global types
 * (IAM, S3) are loaded from the account's "global" directory when region is
 * the account's first region and are empty otherwise, so a scan over all
 * scopes sees each global resource once.  S3 buckets get their per-bucket
 * calls merged under Custodian's keys (Policy, Acl, Versioning, ...).
 * Returns 0, or -1 with diagnostics. */
int inventory_load(inventory *inv, const resource_type *t, const inv_scope *scope,
                   resource_set *out, diag_list *diags);

/* Loading in parts, for bounded memory and parallel loading.
 *
 * inventory_parts() says into how many independently loadable parts the
 * resources of t in scope split: more than 1 only for paginated placebo
 * listings that need nothing joined across pages.  inventory_load_part()
 * loads part `part` (or everything when part is -1; -2 is everything for
 * a related-resource lookup, which in a placebo recording also reads the
 * listing call's answers beyond its page chain) into the caller's
 * arena, parsing on the calling thread, so several workers can load parts
 * at once and free each by resetting their arena.  *more reports whether
 * the part's page says more pages follow: a listing ends at the first part
 * with *more false, and parts after it are not part of the listing. */
size_t inventory_parts(inventory *inv, const resource_type *t, const inv_scope *scope);
int inventory_load_part(inventory *inv, const resource_type *t, const inv_scope *scope, long part,
                        arena *a, resource_set *out, bool *more, diag_list *diags);

/* True when scope is its account's first scope (where global types load). */
bool inventory_scope_is_first(const inventory *inv, const inv_scope *scope);

/* Every API call whose answer the inventory reads, for the live collector
 * and the README (`custos validate --calls`): the resource type it serves,
 * the boto3/CLI service name and operation, how it is made ("listing",
 * "per resource", "listing, joined", "account", ...), the custos layout
 * file that holds it (REGION = the scope's region directory; <X> = the
 * resource's member X), and the document key it fills.  The strings are
 * valid during the callback only. */
typedef struct inventory_call {
    const char *type, *client, *operation, *kind, *file, *provides;
} inventory_call;
void inventory_calls(void (*fn)(const inventory_call *c, void *arg), void *arg);

/* The AWS managed policies whose attachment to a user is collected
 * (iam.ListEntitiesForPolicy.<name>.json, inventory/watched.c), by index;
 * NULL past the end. */
const char *inventory_watched_policy(int i);

/* Lower level, for tools and fuzzing: parses one response file's text into
 * the API response (placebo: unwraps {"status_code", "data"} into *out and
 * *http_status; datetimes become ISO-8601 strings).  Returns 0, -1 for bad
 * JSON (err has line/column) or -2 for a bad placebo shape. */
int inventory_parse_response(arena *a, const char *text, size_t len, bool placebo, jv *out,
                             int *http_status, json_error *err);

#endif
