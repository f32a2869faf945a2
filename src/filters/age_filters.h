/* age_filters.h - ages and small predicates (age_filters.c).
 *
 * Contract: each filter_type below is one Custodian filter, registered in
 * filters/registry.c; age_filters.c's header comment gives each one's semantics
 * (Custodian's, with any difference said there), the inventory keys it
 * reads (inventory/calls.c says which API call fills each), and what it
 * reports as missing data (needs.h) when those were not collected.
 * Compile functions report bad options with positions; match functions
 * are pure and thread-safe (scratch memory from eval_ctx).
 */
#ifndef CUSTOS_AGE_FILTERS_H
#define CUSTOS_AGE_FILTERS_H

#include "filters/filter.h"

extern const filter_type filter_type_instance_age;
extern const filter_type filter_type_state_age;
extern const filter_type filter_type_image_age;
extern const filter_type filter_type_rds_snapshot_age;
extern const filter_type filter_type_default_vpc;
extern const filter_type filter_type_singleton;
extern const filter_type filter_type_is_shadow;
extern const filter_type filter_type_route;
extern const filter_type filter_type_latest;

#endif
