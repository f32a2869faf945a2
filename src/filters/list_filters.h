/* list_filters.h - the filters of list_filters.c (ssh-key, entry,
 * login-profile, snapshots, grant-count; see its header comment).
 *
 * Contract for other filter files: aws.key-pair's `unused` shares its name
 * with the security group filter, so the registry's `unused` entry
 * (sg_usage.c) hands key pairs to these two functions: a key pair is
 * unused when no EC2 instance (KeyName) and no auto scaling group
 * (c7n:launch-key-names) uses its name; option state (default true).
 */
#ifndef CUSTOS_LIST_FILTERS_H
#define CUSTOS_LIST_FILTERS_H

#include "filters/filter.h"

extern const filter_type filter_type_ssh_key;
extern const filter_type filter_type_prefix_entry;
extern const filter_type filter_type_login_profile;
extern const filter_type filter_type_snapshots;
extern const filter_type filter_type_grant_count;
extern const filter_type filter_type_iam_analyzer;
extern const filter_type filter_type_ssm_inventory;

filter *keypair_unused_compile(filter_compiler *fc, const jv *spec);
bool keypair_unused_match(const filter *f, const jv *r, eval_ctx *ctx);

#endif
