/* iam_policy.h - decides which statements of a resource policy grant access
 * outside the trusted set of accounts (Cloud Custodian's PolicyChecker).
 *
 * A statement is a violation when all of these hold:
 *  - Effect is "Allow";
 *  - its principal reaches outside: NotPrincipal, no Principal, "*",
 *    {"AWS": "*"} (any AWS account, not "this account"), or an account/ARN
 *    whose account id is not allowed (service principals are ignored;
 *    CloudFront OAI users are trusted; with everyone_only only "*" counts);
 *  - with check_actions set, one of its Action globs matches one of them;
 *  - its conditions do not constrain it to trusted parties.  Conditions are
 *    read the way Custodian reads them: per operator (StringEquals,
 *    StringEqualsIgnoreCase, StringLike, ArnEquals, ArnLike, IpAddress,
 *    NotIpAddress, ForAllValues*, ForAnyValues*) only the first key counts,
 *    and every such condition must be trusting: aws:SourceAccount,
 *    SourceOwner, SourceArn, PrincipalArn, PrincipalAccount and
 *    s3:DataAccessPointAccount name only allowed accounts; aws:SourceVpce /
 *    SourceVpc are trusted unless allow-lists are configured (then the values
 *    must be in them); aws:PrincipalOrgID and aws:ResourceOrgID must be in
 *    the allowed org ids (none configured = untrusted); aws:SourceIp is
 *    trusted (with everyone_only or whitelist_org only a concrete one, not
 *    0.0.0.0/0: custos); keys in whitelist_conditions are trusted; any other key is not.
 *
 * Confinement (custos, beyond Custodian; only with everyone_only or
 * whitelist_org).  IAM ANDs every condition of a statement, so one positive
 * condition (StringEquals*, StringLike, ArnEquals, ArnLike, IpAddress and
 * their ForAnyValue: forms; not the Not*, *IfExists or ForAllValues: forms,
 * which let requests without the key through) on a concrete value (no
 * wildcard; not a /0 network) already limits who can use it, whatever the
 * other conditions say.  Custodian instead needs every condition to be
 * trusting and reads only the first key per operator, so it reports e.g.
 * Principal "*" limited by aws:PrincipalOrgID plus an s3:prefix condition.
 *  - everyone_only: a statement confined by aws:SourceAccount, SourceOwner,
 *    SourceArn, PrincipalArn, PrincipalAccount, PrincipalOrgID, SourceVpce,
 *    SourceVpc, SourceIp or s3:DataAccessPointAccount is not open to
 *    everyone (it may still be cross-account; Custodian reports it unless
 *    the value is in its allow-lists).
 *  - whitelist_org: confined to allowed/known accounts (the account keys),
 *    to allowed org ids or the organisation's id (aws:PrincipalOrgID), or
 *    to a concrete VPC endpoint or VPC (endpoints only exist inside VPCs;
 *    with whitelist_vpce / whitelist_vpc set the value must be listed).
 *
 * The checker is read-only after setup and safe to share between threads.
 */
#ifndef CUSTOS_IAM_POLICY_H
#define CUSTOS_IAM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "json/json.h"

typedef struct str_list {
    const char **items;
    size_t n;
} str_list;

typedef struct iam_checker {
    str_list allowed_accounts;
    str_list allowed_vpce, allowed_vpc, allowed_orgid;
    str_list check_actions;        /* empty = every action */
    str_list whitelist_conditions; /* lower-case condition keys */
    bool everyone_only;
    /* custos ext. (cross-account whitelist_org): accounts for which
     * known_account(known_arg, id) is true are allowed too, and a
     * statement confined by any one positive condition to allowed
     * accounts, allowed org ids or a concrete VPC endpoint / VPC is
     * inside (see confinement below).  known_account may be NULL. */
    bool whitelist_org;
    bool (*known_account)(const void *arg, const char *account_id);
    const void *known_arg;
    /* Custodian's return_allowed: iam_policy_violations returns the
     * statements that are NOT violations instead (the filter then matches
     * resources with at least one allowed statement). */
    bool return_allowed;
} iam_checker;

bool str_list_has(const str_list *l, const char *s);

/* An account id c trusts: in allowed_accounts, or (whitelist_org) one that
 * known_account says belongs to the organisation. */
bool iam_account_allowed(const iam_checker *c, const char *id);

/* The account id in an ARN ("arn:aws:iam::123456789012:root" ->
 * "123456789012"); a string with fewer than 4 colons is returned whole.
 * Writes into out (size outsz). */
const char *iam_arn_account(const char *arn, char *out, size_t outsz);

/* True when statement stmt (an object) is a violation. */
bool iam_statement_violates(const iam_checker *c, const jv *stmt);

/* The violating statements of policy (an object with Statement, or the
 * policy JSON text as a string) as an array allocated in a.  A policy that
 * is not valid JSON gives an empty array. */
jv iam_policy_violations(const iam_checker *c, const jv *policy, arena *a);

/* Parses a policy given as JSON text (Custodian stores bucket policies as
 * strings) or returns it as is when already an object; NULL otherwise. */
const jv *iam_policy_doc(const jv *policy, arena *a);

#endif
