/* priority.h - how urgent a finding is (0-100), why, and its stable id.
 *
 * Severity says how bad a problem is in general; priority says how bad this
 * one is here.  The score starts from the policy's severity and moves with
 * facts from the inventory, each recorded as a human-readable reason:
 * the account's environment (accounts.yaml), exposure computed by the
 * exposure model (is there an actual path from the internet?), and blast
 * radius (how many instances and interfaces use the resource).  The
 * weights are in priority.c, chosen so that no single modifier can lift a
 * finding across more than one severity band and so that the same
 * severity in prod-and-reachable always outranks dev-and-unreachable.
 *
 * The fingerprint is FNV-1a over policy, resource type, account, region and
 * resource id: the same problem on the same resource has the same id in
 * every scan, which the findings store (lifecycle) and `custos explain`
 * rely on.
 */
#ifndef CUSTOS_PRIORITY_H
#define CUSTOS_PRIORITY_H

#include <stddef.h>
#include <stdint.h>

#include "inventory/scope.h"
#include "policy/policy.h"

#define PRIORITY_MAX_REASONS 6

typedef struct priority {
    int score; /* 0..100 */
    const char *reasons[PRIORITY_MAX_REASONS];
    size_t n;
    const char *instance; /* the instance on the exposure path (in a), or NULL */
} priority;

/* Scores one finding.  scope and account may be NULL (custos eval);
 * reasons are allocated in a. */
void priority_compute(const policy *pol, const resource_type *t, const jv *resource,
                      const jv *evidence, const account_info *account, scope_ctx *scope, arena *a,
                      priority *out);

uint64_t finding_fingerprint(const char *policy, const char *type, const char *account,
                             const char *region, const char *id);
/* 16 lowercase hex digits + NUL. */
void fingerprint_hex(uint64_t fp, char out[17]);

#endif
