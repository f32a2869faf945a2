/* remediate.h - fix plans: what custos would change, and applying them.
 *
 * The layer above the store and the collector's AWS client (issue 13).
 * Its contract:
 *
 *  - A plan (rm_plan) is built from open findings in the store whose
 *    policy has `actions:` (Custodian's names and options).  Each action
 *    becomes zero or more steps: one AWS call (service, operation, the
 *    input with the real ids, as botocore names it), the state of the
 *    resource that call changes as read live now (`before`), the state it
 *    leaves (`after`) and the AWS CLI command doing the same, every value
 *    shell-quoted (names are chosen by whoever controls the resource).
 *    Planning reads and never writes.
 *  - plan.json is the plan as JSON; its hash is the SHA-256 of its steps'
 *    JSON, checked on load, so a plan edited by hand is refused.
 *  - Applying a plan runs exactly its steps: for each, the account must say
 *    `remediate: true` in accounts.yaml (and a prod account needs
 *    allow_prod); the state is read again: equal to `after` -> already
 *    applied (nothing is called: applying twice is a no-op), different
 *    from `before` -> skipped as changed-since-plan; else the call is made
 *    (at most max_changes calls), the resource read again and the step
 *    reported fixed or not-fixed.  Then each finding changed is collected
 *    again and its policy run on it: resolved in the store, or reported
 *    still found (rm_read_again).  Every step is written to the store's
 *    audit log (store/audit.h) before and after its call, with the
 *    remediation role's identity.
 *  - Credentials: the SDK chain, then for an account with `remediate:
 *    true` the `remediate:` section's role (arn:aws:iam::<account>:role/
 *    <role>), for any other the collector's role (collect: / role_arn),
 *    through STS AssumeRole, the collector's code (aws/aws.h,
 *    aws/collect_config.h): planning an account custos may not change
 *    reads it with the read-only role; the write role is never needed
 *    there.
 *
 * Errors are returned with context in bufs; nothing here prints except
 * rm_plan_print / rm_report_print to the FILE given.
 */
#ifndef CUSTOS_REMEDIATE_H
#define CUSTOS_REMEDIATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "aws/aws.h"
#include "aws/collect_config.h"
#include "json/json.h"
#include "policy/policy.h"
#include "store/store.h"

/* How a step's state is read (read.c). */
typedef enum {
    RM_SG_INGRESS, /* the group's IpPermissions, one grant per item, sorted */
    RM_SG_EGRESS,  /* IpPermissionsEgress, the same */
    RM_S3_PAB,     /* GetPublicAccessBlock's configuration (all false when none) */
    RM_S3_POLICY,  /* GetBucketPolicy's document (null when none) */
    RM_IAM_KEY,    /* {AccessKeyId, Status} of one key (null when gone) */
    RM_SNAP_PERMS, /* an EBS snapshot's createVolumePermission, sorted */
    RM_AMI_PERMS,  /* an AMI's launchPermission, sorted */
    RM_RDS_PERMS,  /* an RDS snapshot's `restore` attribute values, sorted */
    RM_SG_EXISTS,  /* {GroupId, GroupName} of a group (null when gone) */
    RM_EC2_TAGS,   /* {key: value or null} for the keys of params.Tags */
    RM_RES_POLICY, /* an SNS topic's, ECR repository's, Lambda function's or KMS key's policy */
    RM_IAM_TAGS,   /* {key: value or null} of a user for the keys of params.Tags / TagKeys */
    RM_NKINDS
} rm_state_kind;

typedef struct rm_step {
    const char *fingerprint, *policy, *action;
    const char *account_id, *account_name, *environment, *region;
    const char *resource_type, *resource_id, *resource_name; /* name may be NULL */
    const char *service, *operation; /* "ec2", "RevokeSecurityGroupIngress" */
    jv params;                       /* the call's input */
    rm_state_kind kind;
    const char *key; /* RM_IAM_KEY: the user; the key id is params.AccessKeyId */
    jv before, after;
    const char *cli; /* the AWS CLI equivalent */
} rm_step;

/* A finding with actions that gave no step, and why. */
typedef struct rm_note {
    const char *fingerprint, *policy, *action, *resource_id, *reason;
} rm_note;

typedef struct rm_plan {
    arena *a; /* owns everything */
    int64_t created_at;
    char hash[65];
    rm_step *steps;
    size_t n, cap;
    rm_note *notes;
    size_t nnotes, capnotes;
} rm_plan;

/* Per-run AWS access: config, base credentials, assumed roles. */
typedef struct rm_session rm_session;

rm_session *rm_session_new(const collect_config *cfg, const char *profile, buf *err);
void rm_session_free(rm_session *s);
/* The account's entry in accounts.yaml, or NULL. */
const collect_account *rm_session_account(const rm_session *s, const char *account_id);
/* Credentials for an account (assumed once, then cached); NULL with err. */
const aws_creds *rm_session_creds(rm_session *s, const char *account_id, buf *err);
/* The caller ARN of the account's credentials (STS GetCallerIdentity). */
const char *rm_session_who(rm_session *s, const char *account_id, buf *err);

/* The step's state now, into *out (strings in a).  0, or -1 with err
 * ("AccessDenied: ..."). */
int rm_read_state(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err);

/* What plan selects. */
typedef struct rm_plan_options {
    const char *const *policies; /* names; NULL/0 = any */
    size_t n_policies;
    const char *const *accounts; /* ids or names */
    size_t n_accounts;
    const char *finding; /* fingerprint or prefix, or NULL */
    int64_t now;
} rm_plan_options;

void rm_plan_init(rm_plan *p);
void rm_plan_free(rm_plan *p);
/* Builds the plan from the store's open findings and the policies'
 * actions, reading each resource's state.  0, or -1 with err. */
int rm_plan_build(rm_plan *p, store *st, const policy_set *ps, rm_session *s,
                  const rm_plan_options *o, buf *err);
/* Adds the steps of one finding's action (actions.c). */
int rm_plan_action(rm_plan *p, rm_session *s, const stored_finding *f, const jv *action, buf *err);

/* plan.json (plan_io.c). */
void rm_plan_hash(rm_plan *p);
void rm_plan_write_json(const rm_plan *p, buf *out);
/* Parses plan.json into p (rm_plan_init'ed); -1 with err on bad JSON, a
 * missing field or a hash that does not match the steps. */
int rm_plan_load(rm_plan *p, const char *text, size_t len, buf *err);
void rm_plan_print(const rm_plan *p, FILE *out);

/* The AWS CLI equivalent of a step (cli_equiv.c), shell-quoted. */
const char *rm_cli_equivalent(arena *a, const rm_step *st);

/* Applying (apply.c). */
typedef struct rm_apply_options {
    long max_changes; /* calls at most */
    bool allow_prod;
    int64_t now;
} rm_apply_options;

typedef struct rm_outcome {
    const char *result; /* fixed, not-fixed, already-applied, changed-since-plan,
                           not-enabled, prod-needs-allow-prod, max-changes, error */
    const char *message;
    const char *request_id;
} rm_outcome;

/* A finding read again after its steps (recheck.c). */
typedef struct rm_recheck {
    const char *fingerprint, *policy, *resource_id;
    const char *result; /* resolved, still-found, not-re-read */
    const char *message;
} rm_recheck;

typedef struct rm_report {
    rm_outcome *o; /* one per step */
    size_t n, calls, fixed, failed, skipped;
    rm_recheck *checks; /* one per finding read again (rm_read_again) */
    size_t nchecks, resolved;
} rm_report;

/* Applies p; outcomes in r (strings in p->a).  0 when every step ended
 * fixed or already applied, 1 when some did not, -1 when the audit log
 * could not be written (the run stops before the next call). */
int rm_apply(const rm_plan *p, rm_session *s, store *st, const rm_apply_options *o, rm_report *r,
             buf *err);

/* Reading again what was changed (recheck.c): the findings of the steps
 * that made their call or found it made are collected again with the
 * collector's read role and calls (accounts_path), only their accounts,
 * regions and types, their policies (ps) run on that at `now` (the plan's
 * clock), and each is resolved in the store when its policy no longer
 * matches, reported still-found when it does, or not-re-read when the
 * collection did not cover it (nothing stored then).  One audit row per
 * finding (phase "recheck", at audit_at).  Outcomes in r->checks.  0, or
 * -1 with err (the outcomes say what was decided before). */
typedef struct rm_recheck_options {
    const char *accounts_path, *profile;
    const policy_set *ps;
    int64_t now, audit_at;
} rm_recheck_options;
int rm_read_again(const rm_plan *p, rm_report *r, store *st, const rm_recheck_options *o, buf *err);

void rm_report_print(const rm_plan *p, const rm_report *r, FILE *out);
void rm_report_json(const rm_plan *p, const rm_report *r, buf *out);

#endif
