/* iam_policy.c - cross-account analysis of resource policies.
 *
 * Follows Cloud Custodian's PolicyChecker rule for rule (see the header),
 * including its conservative reading of conditions: a condition key the
 * checker has no rule for never makes a statement trusted, so an unknown
 * guard cannot hide a public grant.  Where Custodian would crash on odd
 * documents (a statement without Effect, non-string principals, a single
 * statement object instead of a list) this code treats the odd part as
 * absent and carries on.
 */
#include "filters/iam_policy.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

bool str_list_has(const str_list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0) return true;
    return false;
}

const char *iam_arn_account(const char *arn, char *out, size_t outsz)
{
    int colons = 0;
    for (const char *p = arn; *p; p++)
        colons += *p == ':';
    if (colons < 4) return arn;
    const char *p = arn;
    for (int i = 0; i < 4; p++)
        if (*p == ':') i++;
    const char *end = strchr(p, ':');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    if (n >= outsz) n = outsz - 1;
    memcpy(out, p, n);
    out[n] = 0;
    return out;
}

bool iam_account_allowed(const iam_checker *c, const char *id)
{
    if (str_list_has(&c->allowed_accounts, id)) return true;
    return c->whitelist_org && c->known_account && c->known_account(c->known_arg, id);
}

/* ---- principal ---- */

/* One principal id: true when it reaches outside the allowed accounts. */
static bool principal_outside(const iam_checker *c, const jv *pid)
{
    if (!jv_is(pid, JV_STRING)) return false;
    if (strcmp(pid->u.str, "*") == 0) return true;
    if (c->everyone_only) return false;
    if (strncmp(pid->u.str, "arn:aws:iam::cloudfront:user", 28) == 0) return false;
    char buf[256];
    return !iam_account_allowed(c, iam_arn_account(pid->u.str, buf, sizeof buf));
}

/* Returns true when some id in v (string or list) is outside; counts ids. */
static bool principal_value_outside(const iam_checker *c, const jv *v, size_t *count)
{
    bool out = false;
    if (jv_is(v, JV_ARRAY)) {
        for (uint32_t i = 0; i < v->len; i++) {
            (*count)++;
            out |= principal_outside(c, &v->u.items[i]);
        }
    } else if (v) {
        (*count)++;
        out |= principal_outside(c, v);
    }
    return out;
}

static bool principal_reaches_outside(const iam_checker *c, const jv *s)
{
    if (jv_get(s, "NotPrincipal")) return true;
    const jv *p = jv_get(s, "Principal");
    if (!jv_truthy(p)) return true;
    size_t count = 0;
    bool out = false;
    if (jv_is(p, JV_OBJECT)) {
        for (uint32_t i = 0; i < p->len; i++) {
            if (strcmp(p->u.members[i].key, "Service") == 0) continue;
            out |= principal_value_outside(c, &p->u.members[i].val, &count);
        }
    } else {
        out = principal_value_outside(c, p, &count);
    }
    return count > 0 && out;
}

/* ---- action ---- */

static bool action_checked(const iam_checker *c, const jv *s)
{
    if (c->check_actions.n == 0) return true;
    const jv *a = jv_get(s, "Action");
    uint32_t n = jv_is(a, JV_ARRAY) ? a->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const jv *one = jv_is(a, JV_ARRAY) ? &a->u.items[i] : a;
        if (!jv_is(one, JV_STRING)) continue;
        /* The statement's action is the glob; the configured actions are
         * the names it is matched against. */
        for (size_t k = 0; k < c->check_actions.n; k++)
            if (fnmatch(one->u.str, c->check_actions.items[k], FNM_NOESCAPE) == 0) return true;
    }
    return false;
}

/* ---- conditions ---- */

static const char *const cond_ops[] = {
    "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress",
    "NotIpAddress"};

static bool cond_op_known(const char *op)
{
    for (size_t i = 0; i < sizeof cond_ops / sizeof cond_ops[0]; i++)
        if (strcmp(op, cond_ops[i]) == 0) return true;
    return strncmp(op, "ForAllValues", 12) == 0 || strncmp(op, "ForAnyValues", 12) == 0;
}

/* True when some value (mapped to its account id) is not in allowed. */
static bool values_outside(const jv *values, const str_list *allowed)
{
    uint32_t n = jv_is(values, JV_ARRAY) ? values->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const jv *v = jv_is(values, JV_ARRAY) ? &values->u.items[i] : values;
        if (!jv_is(v, JV_STRING)) continue;
        char buf[256];
        if (!str_list_has(allowed, iam_arn_account(v->u.str, buf, sizeof buf))) return true;
    }
    return false;
}

/* The same for account-valued keys, through account_allowed. */
static bool accounts_outside(const iam_checker *c, const jv *values)
{
    uint32_t n = jv_is(values, JV_ARRAY) ? values->len : 1;
    for (uint32_t i = 0; i < n; i++) {
        const jv *v = jv_is(values, JV_ARRAY) ? &values->u.items[i] : values;
        if (!jv_is(v, JV_STRING)) continue;
        char buf[256];
        if (!iam_account_allowed(c, iam_arn_account(v->u.str, buf, sizeof buf))) return true;
    }
    return false;
}

/* A value naming specific parties: no wildcard (an ARN whose account
 * field is concrete counts, e.g. an IAM role ARN ending in a wildcard), and
 * not a whole address family (0.0.0.0/0, ::/0). */
static bool value_concrete(const jv *v)
{
    if (!jv_is(v, JV_STRING) || v->len == 0) return false;
    const char *s = v->u.str;
    size_t n = v->len;
    if (n >= 2 && strcmp(s + n - 2, "/0") == 0) return false;
    if (!strpbrk(s, "*?")) return true;
    char buf[256];
    const char *acct = iam_arn_account(s, buf, sizeof buf);
    if (acct == s || !*acct) return false;
    for (const char *p = acct; *p; p++)
        if (*p < '0' || *p > '9') return false;
    return true;
}

static bool values_concrete(const jv *values)
{
    if (jv_is(values, JV_ARRAY)) {
        if (values->len == 0) return false;
        for (uint32_t i = 0; i < values->len; i++)
            if (!value_concrete(&values->u.items[i])) return false;
        return true;
    }
    return value_concrete(values);
}

typedef enum { COND_TRUSTED, COND_UNTRUSTED } cond_verdict;

/* One normalised condition: key is lower-case. */
static cond_verdict condition_verdict(const iam_checker *c, const char *key, const jv *values)
{
    if (str_list_has(&c->whitelist_conditions, key)) return COND_TRUSTED;
    static const char *const account_keys[] = {"aws:sourceowner",      "aws:sourceaccount",
                                               "aws:sourcearn",        "aws:principalarn",
                                               "aws:principalaccount", "s3:dataaccesspointaccount"};
    for (size_t i = 0; i < sizeof account_keys / sizeof account_keys[0]; i++)
        if (strcmp(key, account_keys[i]) == 0)
            return accounts_outside(c, values) ? COND_UNTRUSTED : COND_TRUSTED;
    if (strcmp(key, "aws:sourceip") == 0)
        /* custos: with everyone_only/whitelist_org, 0.0.0.0/0 fences nothing */
        return (c->everyone_only || c->whitelist_org) && !values_concrete(values) ? COND_UNTRUSTED
                                                                                  : COND_TRUSTED;
    if (strcmp(key, "aws:sourcevpce") == 0)
        return c->allowed_vpce.n && values_outside(values, &c->allowed_vpce) ? COND_UNTRUSTED
                                                                             : COND_TRUSTED;
    if (strcmp(key, "aws:sourcevpc") == 0)
        return c->allowed_vpc.n && values_outside(values, &c->allowed_vpc) ? COND_UNTRUSTED
                                                                           : COND_TRUSTED;
    if (strcmp(key, "aws:principalorgid") == 0)
        return !c->allowed_orgid.n || values_outside(values, &c->allowed_orgid) ? COND_UNTRUSTED
                                                                                : COND_TRUSTED;
    if (strcmp(key, "aws:resourceorgid") == 0)
        return values_outside(values, &c->allowed_orgid) ? COND_UNTRUSTED : COND_TRUSTED;
    return COND_UNTRUSTED; /* no rule for this key */
}

/* True when the statement's conditions (as Custodian reads them) all trust
 * the caller; false when there are none. */
static bool conditions_trust(const iam_checker *c, const jv *s)
{
    const jv *cond = jv_get(s, "Condition");
    if (!jv_is(cond, JV_OBJECT)) return false;
    size_t seen = 0;
    for (uint32_t i = 0; i < cond->len; i++) {
        const jv_member *op = &cond->u.members[i];
        if (!cond_op_known(op->key) || !jv_is(&op->val, JV_OBJECT) || op->val.len == 0) continue;
        const jv_member *first = &op->val.u.members[0];
        char key[256];
        size_t n = first->klen < sizeof key - 1 ? first->klen : sizeof key - 1;
        for (size_t k = 0; k < n; k++)
            key[k] = (char)((first->key[k] >= 'A' && first->key[k] <= 'Z') ? first->key[k] + 32
                                                                           : first->key[k]);
        key[n] = 0;
        seen++;
        if (condition_verdict(c, key, &first->val) != COND_TRUSTED) return false;
    }
    return seen > 0;
}

/* ---- confinement (custos; see the header) ---- */

/* Operators that only let a request through when its key is present and
 * matches: the forms that confine a statement. */
static bool op_confines(const char *op)
{
    static const char *const ops[] = {"StringEquals", "StringEqualsIgnoreCase",
                                      "StringLike",   "ArnEquals",
                                      "ArnLike",      "IpAddress"};
    if (strncmp(op, "ForAnyValue:", 12) == 0) op += 12;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i]) == 0) return true;
    return false;
}

static bool key_in(const char *key, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(key, keys[i]) == 0) return true;
    return false;
}

/* kms:CallerAccount: AWS managed keys' policies grant {"AWS": "*"} limited
 * by it (and kms:ViaService) to the key's own account. */
static const char *const ACCOUNT_KEYS[] = {
    "aws:SourceAccount",    "aws:SourceOwner",           "aws:SourceArn",    "aws:PrincipalArn",
    "aws:PrincipalAccount", "s3:DataAccessPointAccount", "kms:CallerAccount"};
#define N_ACCOUNT_KEYS (sizeof ACCOUNT_KEYS / sizeof ACCOUNT_KEYS[0])

/* everyone_only: this one condition limits who can use the statement. */
static bool confines_everyone(const char *key, const jv *values)
{
    static const char *const others[] = {"aws:PrincipalOrgID", "aws:SourceVpce", "aws:SourceVpc",
                                         "aws:SourceIp"};
    if (!key_in(key, ACCOUNT_KEYS, N_ACCOUNT_KEYS) && !key_in(key, others, 4)) return false;
    return values_concrete(values);
}

/* whitelist_org: this one condition limits the statement to us. */
static bool confines_inside(const iam_checker *c, const char *key, const jv *values)
{
    if (!values_concrete(values)) return false;
    if (key_in(key, ACCOUNT_KEYS, N_ACCOUNT_KEYS)) return !accounts_outside(c, values);
    if (strcasecmp(key, "aws:PrincipalOrgID") == 0)
        return c->allowed_orgid.n && !values_outside(values, &c->allowed_orgid);
    if (strcasecmp(key, "aws:SourceVpce") == 0)
        return !c->allowed_vpce.n || !values_outside(values, &c->allowed_vpce);
    if (strcasecmp(key, "aws:SourceVpc") == 0)
        return !c->allowed_vpc.n || !values_outside(values, &c->allowed_vpc);
    return false;
}

/* True when some positive condition of s (every key of every operator)
 * confines it in the sense of the options set. */
static bool conditions_confine(const iam_checker *c, const jv *s)
{
    const jv *cond = jv_get(s, "Condition");
    if (!jv_is(cond, JV_OBJECT)) return false;
    for (uint32_t i = 0; i < cond->len; i++) {
        const jv_member *op = &cond->u.members[i];
        if (!op_confines(op->key) || !jv_is(&op->val, JV_OBJECT)) continue;
        for (uint32_t k = 0; k < op->val.len; k++) {
            const jv_member *m = &op->val.u.members[k];
            if (c->everyone_only && confines_everyone(m->key, &m->val)) return true;
            if (c->whitelist_org && confines_inside(c, m->key, &m->val)) return true;
        }
    }
    return false;
}

bool iam_statement_violates(const iam_checker *c, const jv *stmt)
{
    if (!jv_is(stmt, JV_OBJECT)) return false;
    return principal_reaches_outside(c, stmt) && jv_str_eq(jv_get(stmt, "Effect"), "Allow") &&
           action_checked(c, stmt) && !conditions_trust(c, stmt) &&
           !((c->everyone_only || c->whitelist_org) && conditions_confine(c, stmt));
}

const jv *iam_policy_doc(const jv *policy, arena *a)
{
    if (jv_is(policy, JV_OBJECT)) return policy;
    if (!jv_is(policy, JV_STRING) || policy->len == 0) return NULL;
    jv *doc = arena_alloc(a, sizeof *doc);
    json_error err;
    if (json_parse(a, policy->u.str, policy->len, doc, &err) != 0) return NULL;
    return jv_is(doc, JV_OBJECT) ? doc : NULL;
}

jv iam_policy_violations(const iam_checker *c, const jv *policy, arena *a)
{
    jv_builder b;
    jvb_array(&b, a);
    const jv *doc = iam_policy_doc(policy, a);
    const jv *st = doc ? jv_get(doc, "Statement") : NULL;
    if (jv_is(st, JV_OBJECT)) {
        if (iam_statement_violates(c, st) != c->return_allowed) jvb_push(&b, *st);
    } else if (jv_is(st, JV_ARRAY)) {
        for (uint32_t i = 0; i < st->len; i++)
            if (iam_statement_violates(c, &st->u.items[i]) != c->return_allowed)
                jvb_push(&b, st->u.items[i]);
    }
    return jvb_done(&b);
}
