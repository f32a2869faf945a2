/* needs.h - saying so when a filter needs data the inventory lacks.
 *
 * Contract: a filter whose answer depends on a call that was not collected
 * (a related type's listing, a per-resource call, an account-wide call)
 * never answers "no match" as if it had seen the data: it calls
 * filter_note_missing, and the scan reports the gap for the resource's
 * account and region (engine.h: scan_result.missing, the report's
 * "missing_data").  The filter still returns false for that resource.
 */
#ifndef CUSTOS_NEEDS_H
#define CUSTOS_NEEDS_H

#include "filters/filter.h"

struct resource_set;

/* Notes that `filter` on the policy's type needed `call` ("ec2.DescribeVpcs")
 * which the inventory does not hold.  Thread-safe; no-op without a scope. */
void filter_note_missing(eval_ctx *ctx, const char *filter, const char *call);

/* The set of type_name in the resource's scope; when its listing was not
 * collected, notes it for `filter` (once per scope) and still returns the
 * (empty) set.  Never NULL. */
const struct resource_set *filter_need_set(eval_ctx *ctx, const char *filter,
                                           const char *type_name);

#endif
