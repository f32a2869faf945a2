/* attr_filters.h - value filters over per-resource and listing calls (attr_filters.c).
 *
 * Contract: each filter_type below is one Custodian filter, registered in
 * filters/registry.c; attr_filters.c's header comment gives each one's semantics
 * (Custodian's, with any difference said there), the inventory keys it
 * reads (inventory/calls.c says which API call fills each), and what it
 * reports as missing data (needs.h) when those were not collected.
 * Compile functions report bad options with positions; match functions
 * are pure and thread-safe (scratch memory from eval_ctx).
 */
#ifndef CUSTOS_ATTR_FILTERS_H
#define CUSTOS_ATTR_FILTERS_H

#include "filters/filter.h"

extern const filter_type filter_type_trail_status;
extern const filter_type filter_type_event_selectors;
extern const filter_type filter_type_ssm;
extern const filter_type filter_type_service_details;
extern const filter_type filter_type_instance_attribute;
extern const filter_type filter_type_termination_protected;
extern const filter_type filter_type_user_data;
extern const filter_type filter_type_vpc_attributes;
extern const filter_type filter_type_dhcp_options;
extern const filter_type filter_type_flow_logs;

#endif
