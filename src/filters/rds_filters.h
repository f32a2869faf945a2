/* rds_filters.h - RDS engine, maintenance and parameters (rds_filters.c).
 *
 * Contract: each filter_type below is one Custodian filter, registered in
 * filters/registry.c; rds_filters.c's header comment gives each one's semantics
 * (Custodian's, with any difference said there), the inventory keys it
 * reads (inventory/calls.c says which API call fills each), and what it
 * reports as missing data (needs.h) when those were not collected.
 * Compile functions report bad options with positions; match functions
 * are pure and thread-safe (scratch memory from eval_ctx).
 */
#ifndef CUSTOS_RDS_FILTERS_H
#define CUSTOS_RDS_FILTERS_H

#include "filters/filter.h"

extern const filter_type filter_type_rds_engine;
extern const filter_type filter_type_upgrade_available;
extern const filter_type filter_type_pending_maintenance;
extern const filter_type filter_type_db_parameter;
extern const filter_type filter_type_consecutive_backups;

#endif
