/* iam_related.h - IAM roles behind resources (iam_related.c).
 *
 * Contract: each filter_type below is one Custodian filter, registered in
 * filters/registry.c; iam_related.c's header comment gives each one's semantics
 * (Custodian's, with any difference said there), the inventory keys it
 * reads (inventory/calls.c says which API call fills each), and what it
 * reports as missing data (needs.h) when those were not collected.
 * Compile functions report bad options with positions; match functions
 * are pure and thread-safe (scratch memory from eval_ctx).
 */
#ifndef CUSTOS_IAM_RELATED_H
#define CUSTOS_IAM_RELATED_H

#include "filters/filter.h"

extern const filter_type filter_type_has_specific_managed_policy;
extern const filter_type filter_type_iam_role_tag_mirror;

#endif
