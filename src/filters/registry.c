/* registry.c - the table of filter types.
 *
 * TO ADD A FILTER TYPE: write its compile/match functions and a
 * `const filter_type filter_type_<name>` in its own file, then add one
 * extern line and one table line below.  Order does not matter; names
 * must be unique (the unit test checks).
 */
#include <string.h>

#include "filters/filter.h"
#include "util/buf.h"

extern const filter_type filter_type_value;
extern const filter_type filter_type_and;
extern const filter_type filter_type_or;
extern const filter_type filter_type_not;
extern const filter_type filter_type_list_item;
extern const filter_type filter_type_marked_for_op;
extern const filter_type filter_type_ingress;
extern const filter_type filter_type_egress;
extern const filter_type filter_type_has_statement;
extern const filter_type filter_type_global_grants;
extern const filter_type filter_type_cross_account;
extern const filter_type filter_type_check_public_block;
extern const filter_type filter_type_unused;
extern const filter_type filter_type_used;
extern const filter_type filter_type_az_imbalance;
/* IAM (iam_filters.c, account_iam.c) */
extern const filter_type filter_type_credential;
extern const filter_type filter_type_access_key;
extern const filter_type filter_type_mfa_device;
extern const filter_type filter_type_has_allow_all;
extern const filter_type filter_type_iam_summary;
extern const filter_type filter_type_password_policy;
/* storage and logging (storage_filters.c, account_filters.c) */
extern const filter_type filter_type_bucket_encryption;
extern const filter_type filter_type_key_rotation_status;
extern const filter_type filter_type_snapshot_age;
extern const filter_type filter_type_snapshot_shrink;
extern const filter_type filter_type_check_cloudtrail;
/* ages and small predicates (age_filters.c) */
extern const filter_type filter_type_instance_age;
extern const filter_type filter_type_state_age;
extern const filter_type filter_type_image_age;
extern const filter_type filter_type_rds_snapshot_age;
extern const filter_type filter_type_default_vpc;
extern const filter_type filter_type_singleton;
extern const filter_type filter_type_is_shadow;
extern const filter_type filter_type_route;
extern const filter_type filter_type_latest;
/* IAM roles behind resources (iam_related.c) */
extern const filter_type filter_type_has_specific_managed_policy;
extern const filter_type filter_type_iam_role_tag_mirror;
/* values of per-resource and listing calls (attr_filters.c) */
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
/* account-wide calls and missing (account_more.c) */
extern const filter_type filter_type_access_analyzer;
extern const filter_type filter_type_check_macie;
extern const filter_type filter_type_organization;
extern const filter_type filter_type_emr_bpa;
extern const filter_type filter_type_missing;
extern const filter_type filter_type_missing_route;
extern const filter_type filter_type_stale;
extern const filter_type filter_type_modifyable;
extern const filter_type filter_type_fault_tolerant;
extern const filter_type filter_type_cross_az_nat;
extern const filter_type filter_type_glue_config;
extern const filter_type filter_type_ses_agg;
extern const filter_type filter_type_ses_send;
extern const filter_type filter_type_check_config;
extern const filter_type filter_type_guard_duty;
extern const filter_type filter_type_securityhub;
extern const filter_type filter_type_lakeformation;
/* lists from per-resource calls (list_filters.c) */
extern const filter_type filter_type_ssh_key;
extern const filter_type filter_type_prefix_entry;
extern const filter_type filter_type_login_profile;
extern const filter_type filter_type_network_location;
extern const filter_type filter_type_metrics;
extern const filter_type filter_type_health_event;
extern const filter_type filter_type_lambda_edge;
extern const filter_type filter_type_event_source;
extern const filter_type filter_type_rds_engine;
extern const filter_type filter_type_upgrade_available;
extern const filter_type filter_type_pending_maintenance;
extern const filter_type filter_type_db_parameter;
extern const filter_type filter_type_offhour;
extern const filter_type filter_type_onhour;
extern const filter_type filter_type_consecutive_backups;
extern const filter_type filter_type_snapshots;
extern const filter_type filter_type_grant_count;
extern const filter_type filter_type_iam_analyzer;
extern const filter_type filter_type_ssm_inventory;
/* related resources (related.c) */
extern const filter_type filter_type_rel_security_group;
extern const filter_type filter_type_rel_subnet;
extern const filter_type filter_type_rel_vpc;
extern const filter_type filter_type_rel_kms_key;
extern const filter_type filter_type_rel_iam_role;
extern const filter_type filter_type_rel_instance;
extern const filter_type filter_type_rel_volume;
extern const filter_type filter_type_rel_image;
extern const filter_type filter_type_rel_topic;
extern const filter_type filter_type_rel_igw;
extern const filter_type filter_type_rel_nat;
extern const filter_type filter_type_rel_vpc_endpoint;
extern const filter_type filter_type_kms_alias;
extern const filter_type filter_type_attached_ebs;

static const filter_type *const FILTER_TYPES[] = {
    &filter_type_value,
    &filter_type_and,
    &filter_type_or,
    &filter_type_not,
    &filter_type_list_item,
    &filter_type_marked_for_op,
    &filter_type_ingress,
    &filter_type_egress,
    &filter_type_has_statement,
    &filter_type_global_grants,
    &filter_type_cross_account,
    &filter_type_check_public_block,
    &filter_type_unused,
    &filter_type_used,
    &filter_type_az_imbalance,
    &filter_type_credential,
    &filter_type_access_key,
    &filter_type_mfa_device,
    &filter_type_has_allow_all,
    &filter_type_iam_summary,
    &filter_type_password_policy,
    /* storage and logging */
    &filter_type_bucket_encryption,
    &filter_type_key_rotation_status,
    &filter_type_snapshot_age,
    &filter_type_snapshot_shrink,
    &filter_type_check_cloudtrail,
    /* ages and small predicates */
    &filter_type_instance_age,
    &filter_type_state_age,
    &filter_type_image_age,
    &filter_type_rds_snapshot_age,
    &filter_type_default_vpc,
    &filter_type_singleton,
    &filter_type_is_shadow,
    &filter_type_route,
    &filter_type_latest,
    /* IAM roles behind resources */
    &filter_type_has_specific_managed_policy,
    &filter_type_iam_role_tag_mirror,
    /* values of per-resource and listing calls */
    &filter_type_trail_status,
    &filter_type_event_selectors,
    &filter_type_ssm,
    &filter_type_service_details,
    &filter_type_instance_attribute,
    &filter_type_termination_protected,
    &filter_type_user_data,
    &filter_type_vpc_attributes,
    &filter_type_dhcp_options,
    &filter_type_flow_logs,
    /* account-wide calls and missing */
    &filter_type_access_analyzer,
    &filter_type_check_macie,
    &filter_type_organization,
    &filter_type_emr_bpa,
    &filter_type_missing,
    &filter_type_missing_route,
    &filter_type_stale,
    &filter_type_modifyable,
    &filter_type_fault_tolerant,
    &filter_type_cross_az_nat,
    &filter_type_glue_config,
    &filter_type_ses_agg,
    &filter_type_ses_send,
    &filter_type_check_config,
    &filter_type_guard_duty,
    &filter_type_securityhub,
    &filter_type_lakeformation,
    /* lists from per-resource calls */
    &filter_type_ssh_key,
    &filter_type_prefix_entry,
    &filter_type_login_profile,
    &filter_type_network_location,
    &filter_type_metrics,
    &filter_type_health_event,
    &filter_type_lambda_edge,
    &filter_type_event_source,
    &filter_type_rds_engine,
    &filter_type_upgrade_available,
    &filter_type_pending_maintenance,
    &filter_type_db_parameter,
    &filter_type_offhour,
    &filter_type_onhour,
    &filter_type_consecutive_backups,
    &filter_type_snapshots,
    &filter_type_grant_count,
    &filter_type_iam_analyzer,
    &filter_type_ssm_inventory,
    /* related resources */
    &filter_type_rel_security_group,
    &filter_type_rel_subnet,
    &filter_type_rel_vpc,
    &filter_type_rel_kms_key,
    &filter_type_rel_iam_role,
    &filter_type_rel_instance,
    &filter_type_rel_volume,
    &filter_type_rel_image,
    &filter_type_rel_topic,
    &filter_type_rel_igw,
    &filter_type_rel_nat,
    &filter_type_rel_vpc_endpoint,
    &filter_type_kms_alias,
    &filter_type_attached_ebs,
};

#define N_TYPES (sizeof FILTER_TYPES / sizeof *FILTER_TYPES)

const filter_type *filter_type_find(const char *name)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (!strcmp(FILTER_TYPES[i]->name, name)) return FILTER_TYPES[i];
    return NULL;
}

const filter_type *filter_type_at(int i)
{
    return i >= 0 && (size_t)i < N_TYPES ? FILTER_TYPES[i] : NULL;
}

const char *filter_type_names(arena *a)
{
    buf b = BUF_INIT;
    for (size_t i = 0; i < N_TYPES; i++)
        buf_printf(&b, "%s%s", i ? ", " : "", FILTER_TYPES[i]->name);
    char *out = arena_strdup(a, b.data ? b.data : "");
    buf_free(&b);
    return out;
}
