/* query.c - Custodian's `query:` for the describe source, as a pre-filter.
 *
 * Custodian hands a policy's query to the describe API only for some
 * resource types; custos honours the two it can reproduce exactly over a
 * listing and refuses every other query (a validation error positioned at
 * the node), because a query ignored evaluates more resources than
 * Custodian would.
 *
 *   aws.ec2  (Custodian's EC2QueryParser -> DescribeInstances Filters)
 *     query: [{Filters: [{Name: N, Values: [v, ...]}, ...]}]
 *     query: [{N: v}, {N: [v, ...]}, ...]      (the implicit form; taken
 *            when the first entry's key is a filter name or tag:KEY)
 *     A filter matches when any of its values does (values of entries
 *     with the same Name are merged), filters combine with AND; values
 *     take AWS's wildcards * and ?.  Names: instance-state-name,
 *     instance-id, instance-type, image-id, vpc-id, availability-zone,
 *     architecture, tenancy, instance-lifecycle, platform,
 *     iam-instance-profile.arn, tag-key, tag-value, tag:KEY.  As in
 *     Custodian, when several {Filters: ...} entries are given the last
 *     one is the one sent (dict.update).  Other names of Custodian's
 *     schema (owner-id, ebs-optimized, instance.group-*) and the
 *     InstanceIds/MaxResults keys are refused.
 *   aws.rds  (merged into DescribeDBInstances' parameters)
 *     query: [{DBInstanceIdentifier: id}]: that instance only (exact).
 *
 * Everything is allocated in the policy set's arena.
 */
#include "policy/query.h"

#include <string.h>

typedef enum { QT_FIELD, QT_TAG, QT_TAG_KEY, QT_TAG_VALUE } qterm_kind;

typedef struct qterm {
    qterm_kind kind;
    const char *name;    /* the filter's Name, for merging */
    const char *path[3]; /* QT_FIELD: nested keys, NULL-terminated */
    const char *tag;     /* QT_TAG: the key after "tag:" */
    const char **vals;
    size_t nvals, cap;
    bool exact; /* no wildcards (rds identifier) */
} qterm;

struct policy_query {
    qterm *t;
    size_t n, cap;
};

typedef struct ec2_name {
    const char *name;
    const char *path[3];
    const char *allowed; /* Custodian's enumeration ("a|b|c"), or NULL */
} ec2_name;

static const ec2_name EC2_NAMES[] = {
    {"instance-state-name",
     {"State", "Name"},
     "pending|terminated|running|shutting-down|stopping|stopped"},
    {"instance-id", {"InstanceId"}, NULL},
    {"instance-type", {"InstanceType"}, NULL},
    {"image-id", {"ImageId"}, NULL},
    {"vpc-id", {"VpcId"}, NULL},
    {"availability-zone", {"Placement", "AvailabilityZone"}, NULL},
    {"architecture", {"Architecture"}, "i386|x86_64"},
    {"tenancy", {"Placement", "Tenancy"}, "dedicated|default|host"},
    {"instance-lifecycle", {"InstanceLifecycle"}, "spot|scheduled|capacity-block"},
    {"platform", {"Platform"}, NULL},
    {"iam-instance-profile.arn", {"IamInstanceProfile", "Arn"}, NULL},
};
#define N_EC2_NAMES (sizeof EC2_NAMES / sizeof *EC2_NAMES)

/* In Custodian's schema, but not reproducible from a listing here. */
static const char *const EC2_REFUSED[] = {"owner-id", "ebs-optimized", "instance.group-id",
                                          "instance.group-name"};

typedef struct qc {
    arena *a;
    const char **msg;
    const jv **node;
} qc;

/* v is one of the '|'-separated words of allowed (no wildcards there). */
static bool allowed_value(const char *allowed, const char *v)
{
    size_t n = strlen(v);
    for (const char *w = allowed; w;) {
        const char *bar = strchr(w, '|');
        size_t len = bar ? (size_t)(bar - w) : strlen(w);
        if (len == n && !strncmp(w, v, n)) return true;
        w = bar ? bar + 1 : NULL;
    }
    return false;
}

static policy_query *fail(qc *c, const jv *node, const char *m)
{
    *c->msg = m;
    *c->node = node;
    return NULL;
}

bool query_wildcard_match(const char *p, const char *s)
{
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*p == '*') {
            star = ++p;
            resume = s;
            continue;
        }
        const char *lit = p;
        if (*p == '\\' && p[1]) lit = p + 1;
        if (*p == '?' || (*p && *lit == *s)) {
            p = lit + 1;
            s++;
            continue;
        }
        if (!star) return false;
        p = star;
        s = ++resume;
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

static qterm *term_for(qc *c, policy_query *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->t[i].name, name)) return &q->t[i];
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 4;
        qterm *t = arena_alloc(c->a, cap * sizeof *t);
        if (q->n) memcpy(t, q->t, q->n * sizeof *t);
        q->t = t;
        q->cap = cap;
    }
    qterm *t = &q->t[q->n++];
    memset(t, 0, sizeof *t);
    t->name = name;
    return t;
}

static bool add_value(qc *c, qterm *t, const jv *v)
{
    if (v->kind != JV_STRING) return false;
    if (t->nvals == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        const char **n = arena_alloc(c->a, cap * sizeof *n);
        if (t->nvals) memcpy(n, t->vals, t->nvals * sizeof *n);
        t->vals = n;
        t->cap = cap;
    }
    t->vals[t->nvals++] = v->u.str;
    return true;
}

/* One EC2 filter: its Name and Values (a list, or one string in the
 * implicit form). */
static policy_query *ec2_filter(qc *c, policy_query *q, const jv *namenode, const char *name,
                                const jv *values, bool implicit)
{
    const ec2_name *en = NULL;
    for (size_t i = 0; i < N_EC2_NAMES; i++)
        if (!strcmp(EC2_NAMES[i].name, name)) en = &EC2_NAMES[i];
    bool tag = !strncmp(name, "tag:", 4);
    bool tkey = !strcmp(name, "tag-key"), tval = !strcmp(name, "tag-value");
    if (!en && !tag && !tkey && !tval) {
        for (size_t i = 0; i < sizeof EC2_REFUSED / sizeof *EC2_REFUSED; i++)
            if (!strcmp(EC2_REFUSED[i], name))
                return fail(c, namenode,
                            arena_sprintf(c->a,
                                          "query filter '%s' is not supported by custos "
                                          "(its listing cannot reproduce it); remove it or use a "
                                          "filter",
                                          name));
        return fail(c, namenode,
                    arena_sprintf(c->a,
                                  "unknown EC2 query filter '%s' (supported: instance-state-name, "
                                  "instance-id, instance-type, image-id, vpc-id, "
                                  "availability-zone, architecture, tenancy, instance-lifecycle, "
                                  "platform, iam-instance-profile.arn, tag-key, tag-value, "
                                  "tag:KEY)",
                                  name));
    }
    if (!values || (values->kind != JV_ARRAY && !(implicit && values->kind == JV_STRING)))
        return fail(
            c, values ? values : namenode,
            arena_sprintf(c->a, "query filter '%s': Values must be a list of strings", name));
    qterm *t = term_for(c, q, name);
    if (en) {
        t->kind = QT_FIELD;
        memcpy(t->path, en->path, sizeof t->path);
    } else {
        t->kind = tag ? QT_TAG : tkey ? QT_TAG_KEY : QT_TAG_VALUE;
        t->tag = tag ? name + 4 : NULL;
    }
    uint32_t n = values->kind == JV_STRING ? 1 : values->len;
    for (uint32_t i = 0; i < n; i++) {
        const jv *v = values->kind == JV_STRING ? values : &values->u.items[i];
        if (!add_value(c, t, v))
            return fail(
                c, v, arena_sprintf(c->a, "query filter '%s': each value must be a string", name));
        /* Custodian's type_check: enumerated names take only their words */
        if (en && en->allowed && !allowed_value(en->allowed, v->u.str))
            return fail(c, v,
                        arena_sprintf(c->a, "query filter '%s': invalid value '%s' (valid: %s)",
                                      name, v->u.str, en->allowed));
    }
    return q;
}

static bool is_ec2_filter_name(const char *k)
{
    if (!strncmp(k, "tag:", 4) || !strcmp(k, "tag-key") || !strcmp(k, "tag-value")) return true;
    for (size_t i = 0; i < N_EC2_NAMES; i++)
        if (!strcmp(EC2_NAMES[i].name, k)) return true;
    for (size_t i = 0; i < sizeof EC2_REFUSED / sizeof *EC2_REFUSED; i++)
        if (!strcmp(EC2_REFUSED[i], k)) return true;
    return false;
}

static policy_query *ec2_filters_list(qc *c, policy_query *q, const jv *list)
{
    if (list->kind != JV_ARRAY)
        return fail(c, list, "query Filters must be a list of {Name, Values} mappings");
    for (uint32_t i = 0; i < list->len; i++) {
        const jv *f = &list->u.items[i];
        const jv *n = jv_get(f, "Name"), *v = jv_get(f, "Values");
        if (f->kind != JV_OBJECT || !n || !v || f->len != 2 || n->kind != JV_STRING)
            return fail(c, f, "each query filter must be a mapping with Name and Values");
        if (!ec2_filter(c, q, n, n->u.str, v, false)) return NULL;
    }
    return q;
}

static policy_query *compile_ec2(qc *c, const jv *q)
{
    policy_query *pq = arena_alloc(c->a, sizeof *pq);
    memset(pq, 0, sizeof *pq);
    if (!q->len) return pq;
    const jv *first = &q->u.items[0];
    bool implicit =
        first->kind == JV_OBJECT && first->len >= 1 && is_ec2_filter_name(first->u.members[0].key);
    for (uint32_t i = 0; i < q->len; i++) {
        const jv *e = &q->u.items[i];
        if (e->kind != JV_OBJECT || e->len != 1)
            return fail(c, e, "each query entry must be a mapping with one key");
        const jv_member *m = &e->u.members[0];
        if (implicit) {
            if (!ec2_filter(c, pq, e, m->key, &m->val, true)) return NULL;
        } else if (!strcmp(m->key, "Filters")) {
            pq->n = 0; /* Custodian: dict.update, the last Filters entry wins */
            if (!ec2_filters_list(c, pq, &m->val)) return NULL;
        } else {
            return fail(c, e,
                        arena_sprintf(c->a,
                                      "query key '%s' is not supported for aws.ec2 (use "
                                      "Filters, or the {filter-name: value} form)",
                                      m->key));
        }
    }
    return pq;
}

static policy_query *compile_rds(qc *c, const jv *q)
{
    policy_query *pq = arena_alloc(c->a, sizeof *pq);
    memset(pq, 0, sizeof *pq);
    for (uint32_t i = 0; i < q->len; i++) {
        const jv *e = &q->u.items[i];
        if (e->kind != JV_OBJECT) return fail(c, e, "each query entry must be a mapping");
        for (uint32_t k = 0; k < e->len; k++) {
            const jv_member *m = &e->u.members[k];
            if (strcmp(m->key, "DBInstanceIdentifier") != 0)
                return fail(c, e,
                            arena_sprintf(c->a,
                                          "query key '%s' is not supported for aws.rds "
                                          "(supported: DBInstanceIdentifier)",
                                          m->key));
            if (m->val.kind != JV_STRING)
                return fail(c, &m->val, "query DBInstanceIdentifier must be a string");
            /* merge_dict_list: a later entry replaces an earlier one */
            pq->n = 0;
            qterm *t = term_for(c, pq, "DBInstanceIdentifier");
            t->kind = QT_FIELD;
            t->path[0] = "DBInstanceIdentifier";
            t->exact = true;
            add_value(c, t, &m->val);
        }
    }
    return pq;
}

policy_query *policy_query_compile(arena *a, const jv *q, const resource_type *rt, const char **msg,
                                   const jv **node)
{
    qc c = {a, msg, node};
    *msg = NULL;
    *node = q;
    if (!rt) return NULL;
    if (q->kind != JV_ARRAY) return fail(&c, q, "'query' must be a list of mappings");
    if (!strcmp(rt->name, "aws.ec2")) return compile_ec2(&c, q);
    if (!strcmp(rt->name, "aws.rds")) return compile_rds(&c, q);
    return fail(&c, q,
                arena_sprintf(a,
                              "'query' is not supported for %s by custos (only aws.ec2 "
                              "Filters and aws.rds DBInstanceIdentifier); express it as a "
                              "filter",
                              rt->name));
}

static bool value_matches(const qterm *t, const jv *v)
{
    if (!v || v->kind != JV_STRING) return false;
    for (size_t i = 0; i < t->nvals; i++)
        if (t->exact ? !strcmp(t->vals[i], v->u.str) : query_wildcard_match(t->vals[i], v->u.str))
            return true;
    return false;
}

static bool term_matches(const qterm *t, const jv *res)
{
    if (t->kind == QT_FIELD) {
        const jv *v = res;
        for (int i = 0; i < 3 && t->path[i] && v; i++)
            v = jv_get(v, t->path[i]);
        return value_matches(t, v);
    }
    const jv *tags = jv_get(res, "Tags");
    if (!tags || tags->kind != JV_ARRAY) return false;
    for (uint32_t i = 0; i < tags->len; i++) {
        const jv *tg = &tags->u.items[i];
        const jv *k = jv_get(tg, "Key"), *v = jv_get(tg, "Value");
        if (t->kind == QT_TAG_KEY && value_matches(t, k)) return true;
        if (t->kind == QT_TAG_VALUE && value_matches(t, v)) return true;
        if (t->kind == QT_TAG && k && k->kind == JV_STRING && !strcmp(k->u.str, t->tag) &&
            value_matches(t, v))
            return true;
    }
    return false;
}

bool policy_query_match(const policy_query *pq, const jv *resource)
{
    for (size_t i = 0; i < pq->n; i++)
        if (!term_matches(&pq->t[i], resource)) return false;
    return true;
}
