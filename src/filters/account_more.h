/* account_more.h - account-wide calls and missing (account_more.c).
 *
 * Contract: each filter_type below is one Custodian filter, registered in
 * filters/registry.c; account_more.c's header comment gives each one's semantics
 * (Custodian's, with any difference said there), the inventory keys it
 * reads (inventory/calls.c says which API call fills each), and what it
 * reports as missing data (needs.h) when those were not collected.
 * Compile functions report bad options with positions; match functions
 * are pure and thread-safe (scratch memory from eval_ctx).
 */
#ifndef CUSTOS_ACCOUNT_MORE_H
#define CUSTOS_ACCOUNT_MORE_H

#include "filters/filter.h"

extern const filter_type filter_type_access_analyzer;
extern const filter_type filter_type_check_macie;
extern const filter_type filter_type_organization;
extern const filter_type filter_type_emr_bpa;
extern const filter_type filter_type_missing;
extern const filter_type filter_type_glue_config;
extern const filter_type filter_type_ses_agg;
extern const filter_type filter_type_ses_send;
extern const filter_type filter_type_check_config;
/* account_services.c */
extern const filter_type filter_type_guard_duty;
extern const filter_type filter_type_securityhub;
extern const filter_type filter_type_lakeformation;

#endif
