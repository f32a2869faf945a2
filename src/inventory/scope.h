/* scope.h - what a filter may see beyond the resource it is matching.
 *
 * A scope is one account/region of a scan.  Filters that read other
 * resource types of the same scope (security group `unused` reads network
 * interfaces, check-cloudtrail reads the trails, the exposure model reads
 * subnets, route tables and network ACLs) ask scope_set() for them.  Each
 * set is loaded at most once per scope per scan, on first use, by whichever
 * worker asks first; workers asking for the same set meanwhile wait.  Sets
 * are read-only once returned and live until the scan is done with their
 * account (scope_table_release), so a filter may keep pointers into them
 * while it evaluates that account's resources.  Memory therefore follows
 * the accounts in flight, not the size of the inventory.
 *
 * Global types (IAM, S3, the account) live in the account's first scope;
 * scope_set() redirects there, so any scope of an account can read them.
 *
 * The organisation: the inventory's accounts (accounts.yaml) and its
 * optional top-level `organization:` mapping ({id: o-..., trusted_accounts:
 * [...]}), so filters can tell "another account of ours" from a stranger.
 *
 * scope_memo() caches one derived structure per (scope, key), e.g. the
 * exposure model built from the network sets, with the same once-only rule.
 *
 * A scope may also be built over fixed sets (scope_new_static), for unit
 * tests and `custos eval`, where there is no inventory.
 */
#ifndef CUSTOS_SCOPE_H
#define CUSTOS_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

#include "inventory/inventory.h"
#include "resources/resource.h"
#include "util/arena.h"

typedef struct scope_ctx scope_ctx;
typedef struct scope_table scope_table;

/* Every resource of type t in this scope; never NULL.  n == 0 when the
 * inventory has no data for it (or loading failed: the error is reported
 * once in the scan's diagnostics, scope_table_diags). */
const resource_set *scope_set(scope_ctx *sc, const resource_type *t);
/* The same by type name ("aws.eni"); NULL for an unknown name. */
const resource_set *scope_set_named(scope_ctx *sc, const char *type_name);

const char *scope_account_id(const scope_ctx *sc);
const char *scope_region(const scope_ctx *sc);
const account_info *scope_account(const scope_ctx *sc); /* may be NULL */

/* True when account_id is one of the inventory's accounts or listed in
 * organization.trusted_accounts. */
bool scope_known_account(const scope_ctx *sc, const char *account_id);
/* organization.id from accounts.yaml, or NULL. */
const char *scope_org_id(const scope_ctx *sc);

/* Returns the value build(sc, a, arg) made for this (scope, key), building
 * it on first use (a lives as long as the scope).  key is any address
 * unique to the caller (e.g. a static variable's). */
void *scope_memo(scope_ctx *sc, const void *key, void *(*build)(scope_ctx *sc, arena *a, void *arg),
                 void *arg);

/* Records that evaluating this scope needed data the inventory does not
 * hold (what: "aws.ec2 iam-role: iam.ListInstanceProfiles not collected"),
 * so the scan reports it for this account/region instead of answering "no
 * match" as if the data had been seen.  Repeats are kept once.
 * Thread-safe; a no-op on static scopes. */
void scope_note_missing(scope_ctx *sc, const char *what);

/* ---- for the engine ---- */

/* One scope_ctx per scope of inv (in inventory_scopes order). */
scope_table *scope_table_new(inventory *inv);
scope_ctx *scope_table_get(scope_table *st, const inv_scope *scope);
/* The engine takes one reference per task on the task's account before the
 * scan starts, and drops it when the task is done; when an account's last
 * task is done its sets and models are freed.  Thread-safe. */
void scope_table_retain(scope_table *st, const inv_scope *scope);
void scope_table_release(scope_table *st, const inv_scope *scope);
/* Errors met while loading sets on demand (appended to diags). */
void scope_table_diags(scope_table *st, diag_list *diags);
/* What scope_note_missing recorded (the engine sorts it):
 * each entry's pos.file is the account id, its message "REGION\tWHAT". */
void scope_table_missing(scope_table *st, diag_list *out);
void scope_table_free(scope_table *st);

/* A scope over fixed sets (no inventory), for tests and `custos eval`:
 * sets[i].type says which type each is; types not given are empty.
 * known_accounts (may be NULL) are the organisation's accounts.  Lives in
 * a; free with scope_free_static (only the lock and memo state). */
scope_ctx *scope_new_static(arena *a, const char *account_id, const char *region,
                            const resource_set *sets, size_t nsets,
                            const char *const *known_accounts, size_t nknown, const char *org_id);
void scope_free_static(scope_ctx *sc);

#endif
