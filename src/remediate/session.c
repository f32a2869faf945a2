/* session.c - AWS access for custos fix: credentials per account, the
 * caller's identity, and reading the state a step changes.
 *
 * Credentials: the SDK chain (aws_default_creds), then, when accounts.yaml
 * has a `remediate:` section with a role, STS AssumeRole of
 * arn:aws:iam::<account>:role/<role> with its external id and session name
 * (aws_assume_role, the collector's).  Without a role the base
 * credentials are used as they are.  Each account is assumed once per run.
 *
 * States are read with the same calls the collector makes and normalised
 * so that two reads of an unchanged resource are equal JSON: a security
 * group's rules become one grant per (protocol, ports, range item), sorted
 * by their JSON text, which is also the form revoke calls take.
 */
#include <stdlib.h>
#include <string.h>

#include "remediate/remediate.h"
#include "remediate/rm_internal.h"

typedef struct acct_creds {
    const char *id;
    aws_creds creds;
    const char *who;
    bool ok;
} acct_creds;

struct rm_session {
    arena *a;
    const collect_config *cfg;
    const char *profile;
    aws_creds base;
    acct_creds **accts; /* each allocated once: pointers stay valid */
    size_t n, cap;
};

rm_session *rm_session_new(const collect_config *cfg, const char *profile, buf *err)
{
    rm_session *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->a = arena_new(0);
    s->cfg = cfg;
    s->profile = profile;
    if (aws_default_creds(profile, &s->base, err) != 0) {
        rm_session_free(s);
        return NULL;
    }
    return s;
}

void rm_session_free(rm_session *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        aws_creds_clear(&s->accts[i]->creds);
        free(s->accts[i]);
    }
    free(s->accts);
    aws_creds_clear(&s->base);
    arena_free(s->a);
    free(s);
}

const collect_account *rm_session_account(const rm_session *s, const char *account_id)
{
    for (size_t i = 0; s->cfg && i < s->cfg->naccounts; i++)
        if (!strcmp(s->cfg->accounts[i].id, account_id)) return &s->cfg->accounts[i];
    return NULL;
}

/* The account's entry, assumed on first use. */
static acct_creds *acct_for(rm_session *s, const char *account_id, buf *err)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->accts[i]->id, account_id)) {
            if (!s->accts[i]->ok) buf_printf(err, "no credentials for account %s", account_id);
            return s->accts[i]->ok ? s->accts[i] : NULL;
        }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 8;
        s->accts = realloc(s->accts, s->cap * sizeof *s->accts);
        if (!s->accts) abort();
    }
    acct_creds *ac = calloc(1, sizeof *ac);
    if (!ac) abort();
    s->accts[s->n++] = ac;
    ac->id = arena_strdup(s->a, account_id);
    const collect_account *ca = rm_session_account(s, account_id);
    const remediate_settings *r = s->cfg ? &s->cfg->remediate : NULL;
    char arn[256] = "";
    const char *ext = NULL, *session = NULL;
    int duration = 0;
    if (ca && ca->remediate && r && r->role) {
        snprintf(arn, sizeof arn, "arn:aws:iam::%s:role/%s", account_id, r->role);
        ext = r->external_id, session = r->session_name, duration = r->duration;
    } else if (ca && ca->role_arn && s->cfg) { /* reads only: the collector's role */
        snprintf(arn, sizeof arn, "%s", ca->role_arn);
        ext = s->cfg->external_id, session = s->cfg->session_name, duration = s->cfg->duration;
    }
    if (!*arn) {
        aws_creds_copy(&ac->creds, &s->base);
        ac->ok = true;
        return ac;
    }
    ac->ok = aws_assume_role(&s->base, arn, ext, session ? session : "custos-fix", duration,
                             "us-east-1", &ac->creds, err) == 0;
    return ac->ok ? ac : NULL;
}

const aws_creds *rm_session_creds(rm_session *s, const char *account_id, buf *err)
{
    acct_creds *ac = acct_for(s, account_id, err);
    return ac ? &ac->creds : NULL;
}

const char *rm_session_who(rm_session *s, const char *account_id, buf *err)
{
    acct_creds *ac = acct_for(s, account_id, err);
    if (!ac) return NULL;
    if (ac->who) return ac->who;
    aws_result res;
    if (aws_call(s->a, &ac->creds, "sts", "GetCallerIdentity", "us-east-1", s->profile, NULL, 0,
                 &res)) {
        buf_printf(err, "GetCallerIdentity: %s: %s", res.code, res.message);
        return NULL;
    }
    const jv *arn = jv_get(&res.data, "Arn");
    ac->who = jv_is(arn, JV_STRING) ? arn->u.str : "unknown";
    return ac->who;
}

/* The profile the session was made with (endpoint_url), may be NULL. */
const char *rm_session_profile(const rm_session *s)
{
    return s->profile;
}

const char *rm_region(const rm_step *st)
{
    const char *r = st->region;
    return r && *r && strcmp(r, "global") != 0 ? r : "us-east-1";
}

/* One read call (flat params, or the whole input when input is set); a
 * not-found answer is *gone = true, not an error. */
static int read_call_input(rm_session *s, const rm_step *st, arena *a, const char *client,
                           const char *op, const aws_param *p, size_t n, const jv *input,
                           aws_result *res, bool *gone, buf *err)
{
    *gone = false;
    const aws_creds *c = rm_session_creds(s, st->account_id, err);
    if (!c) return -1;
    int rc = input ? aws_call_input(a, c, client, op, rm_region(st), s->profile, input, res)
                   : aws_call(a, c, client, op, rm_region(st), s->profile, p, n, res);
    if (rc == 0) return 0;
    if (!strncmp(res->code, "NoSuch", 6) || strstr(res->code, "NotFound")) {
        *gone = true;
        return 0;
    }
    buf_printf(err, "%s %s: %s: %s", client, op, res->code, res->message);
    return -1;
}

static int read_call(rm_session *s, const rm_step *st, arena *a, const char *client, const char *op,
                     const aws_param *p, size_t n, aws_result *res, bool *gone, buf *err)
{
    return read_call_input(s, st, a, client, op, p, n, NULL, res, gone, err);
}

static int read_sg(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"GroupIds", st->resource_id}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "ec2", "DescribeSecurityGroups", p, 1, &res, &gone, err)) return -1;
    const jv *groups = gone ? NULL : jv_get(&res.data, "SecurityGroups");
    if (!jv_is(groups, JV_ARRAY) || groups->len == 0) {
        *out = jv_null();
        return 0;
    }
    const char *key = st->kind == RM_SG_INGRESS ? "IpPermissions" : "IpPermissionsEgress";
    *out = rm_sg_grants(a, jv_get(&groups->u.items[0], key));
    return 0;
}

static int read_pab(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"Bucket", st->resource_id}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "s3", "GetPublicAccessBlock", p, 1, &res, &gone, err)) return -1;
    *out = rm_pab_normal(a, gone ? NULL : jv_get(&res.data, "PublicAccessBlockConfiguration"));
    return 0;
}

static int read_policy(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"Bucket", st->resource_id}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "s3", "GetBucketPolicy", p, 1, &res, &gone, err)) return -1;
    const jv *pol = gone ? NULL : jv_get(&res.data, "Policy");
    *out = jv_null();
    if (!jv_is(pol, JV_STRING)) return 0;
    json_error je;
    if (json_parse(a, pol->u.str, pol->len, out, &je) != 0) {
        buf_printf(err, "bucket %s: its policy is not JSON", st->resource_id);
        return -1;
    }
    return 0;
}

static int read_key(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"UserName", st->key}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "iam", "ListAccessKeys", p, 1, &res, &gone, err)) return -1;
    const jv *keys = gone ? NULL : jv_get(&res.data, "AccessKeyMetadata");
    const jv *want = jv_get(&st->params, "AccessKeyId");
    *out = jv_null();
    for (uint32_t i = 0; jv_is(keys, JV_ARRAY) && i < keys->len; i++) {
        const jv *k = &keys->u.items[i];
        if (want && jv_equal(jv_get(k, "AccessKeyId"), want))
            *out = rm_key_state(a, want->u.str, jv_get(k, "Status"));
    }
    return 0;
}

static int read_snap_perms(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"SnapshotId", st->resource_id}, {"Attribute", "createVolumePermission"}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "ec2", "DescribeSnapshotAttribute", p, 2, &res, &gone, err)) return -1;
    *out = gone ? jv_null() : rm_perms_normal(a, jv_get(&res.data, "CreateVolumePermissions"));
    return 0;
}

static int read_ami_perms(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"ImageId", st->resource_id}, {"Attribute", "launchPermission"}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "ec2", "DescribeImageAttribute", p, 2, &res, &gone, err)) return -1;
    *out = gone ? jv_null() : rm_perms_normal(a, jv_get(&res.data, "LaunchPermissions"));
    return 0;
}

static int read_rds_perms(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"DBSnapshotIdentifier", st->resource_id}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "rds", "DescribeDBSnapshotAttributes", p, 1, &res, &gone, err))
        return -1;
    const jv *attrs =
        jv_get(jv_get(&res.data, "DBSnapshotAttributesResult"), "DBSnapshotAttributes");
    const jv *values = NULL;
    for (uint32_t i = 0; !gone && jv_is(attrs, JV_ARRAY) && i < attrs->len; i++)
        if (jv_str_eq(jv_get(&attrs->u.items[i], "AttributeName"), "restore"))
            values = jv_get(&attrs->u.items[i], "AttributeValues");
    *out = gone ? jv_null() : rm_perms_normal(a, values);
    return 0;
}

static int read_sg_exists(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"GroupIds", st->resource_id}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "ec2", "DescribeSecurityGroups", p, 1, &res, &gone, err)) return -1;
    const jv *groups = gone ? NULL : jv_get(&res.data, "SecurityGroups");
    *out = jv_null();
    if (!jv_is(groups, JV_ARRAY) || groups->len == 0) return 0;
    jv_builder b;
    jvb_object(&b, a);
    const char *keys[] = {"GroupId", "GroupName"};
    for (size_t k = 0; k < 2; k++) {
        const jv *v = jv_get(&groups->u.items[0], keys[k]);
        jvb_set(&b, keys[k], strlen(keys[k]), v ? *v : jv_null());
    }
    *out = jvb_done(&b);
    return 0;
}

/* The policy document of an SNS topic, ECR repository, Lambda function or
 * KMS key. */
static int read_res_policy(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_result res;
    bool gone;
    const char *text_key;
    const char *rt = st->resource_type;
    if (!strcmp(rt, "aws.sns")) {
        aws_param p[] = {{"TopicArn", st->resource_id}};
        if (read_call(s, st, a, "sns", "GetTopicAttributes", p, 1, &res, &gone, err)) return -1;
        text_key = "Attributes.Policy";
    } else if (!strcmp(rt, "aws.ecr")) {
        aws_param p[] = {{"repositoryName", st->resource_id}};
        if (read_call(s, st, a, "ecr", "GetRepositoryPolicy", p, 1, &res, &gone, err)) return -1;
        text_key = "policyText";
    } else if (!strcmp(rt, "aws.lambda")) {
        aws_param p[] = {{"FunctionName", st->resource_id}};
        if (read_call(s, st, a, "lambda", "GetPolicy", p, 1, &res, &gone, err)) return -1;
        text_key = "Policy";
    } else {
        aws_param p[] = {{"KeyId", st->resource_id}, {"PolicyName", "default"}};
        if (read_call(s, st, a, "kms", "GetKeyPolicy", p, 2, &res, &gone, err)) return -1;
        text_key = "Policy";
    }
    const jv *t = gone                    ? NULL
                  : strchr(text_key, '.') ? jv_get(jv_get(&res.data, "Attributes"), "Policy")
                                          : jv_get(&res.data, text_key);
    *out = jv_null();
    if (!jv_is(t, JV_STRING) || !t->len) return 0;
    json_error je;
    if (json_parse(a, t->u.str, t->len, out, &je) != 0) {
        buf_printf(err, "%s: its policy is not JSON", st->resource_id);
        return -1;
    }
    return 0;
}

/* {key: value now, or null} for the keys a step names: want's Key
 * members (params.Tags), else the names in keys (params.TagKeys; NULL
 * for none); tags is the resource's [{Key, Value}] (NULL: none). */
static jv pick_tags(arena *a, const jv *tags, const jv *want, const jv *keys)
{
    jv_builder b;
    jvb_object(&b, a);
    bool named = jv_is(want, JV_ARRAY);
    const jv *list = named ? want : jv_is(keys, JV_ARRAY) ? keys : NULL;
    for (uint32_t i = 0; list && i < list->len; i++) {
        const jv *k = named ? jv_get(&list->u.items[i], "Key") : &list->u.items[i];
        if (!jv_is(k, JV_STRING)) continue;
        jv v = jv_null();
        for (uint32_t t = 0; jv_is(tags, JV_ARRAY) && t < tags->len; t++)
            if (jv_equal(jv_get(&tags->u.items[t], "Key"), k)) {
                const jv *tv = jv_get(&tags->u.items[t], "Value");
                v = tv ? *tv : jv_cstr(a, "");
            }
        jvb_set(&b, k->u.str, k->len, v);
    }
    return jvb_done(&b);
}

/* The step's tag keys (the names in params.Tags) with their values now
 * (null when the resource does not have it). */
static int read_tags(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    jv_builder in, filters, f, vals;
    jvb_array(&vals, a);
    jvb_push(&vals, jv_cstr(a, st->resource_id));
    jvb_object(&f, a);
    jvb_set(&f, "Name", 4, jv_cstr(a, "resource-id"));
    jvb_set(&f, "Values", 6, jvb_done(&vals));
    jvb_array(&filters, a);
    jvb_push(&filters, jvb_done(&f));
    jvb_object(&in, a);
    jvb_set(&in, "Filters", 7, jvb_done(&filters));
    jv input = jvb_done(&in);
    aws_result res;
    bool gone;
    if (read_call_input(s, st, a, "ec2", "DescribeTags", NULL, 0, &input, &res, &gone, err))
        return -1;
    *out = pick_tags(a, jv_get(&res.data, "Tags"), jv_get(&st->params, "Tags"), NULL);
    return 0;
}

/* A user's tags (ListUserTags) for the step's keys: params.Tags[].Key
 * or params.TagKeys[]. */
static int read_user_tags(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    const jv *user = jv_get(&st->params, "UserName");
    aws_param p[] = {{"UserName", jv_is(user, JV_STRING) ? user->u.str : ""}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "iam", "ListUserTags", p, 1, &res, &gone, err)) return -1;
    *out = pick_tags(a, gone ? NULL : jv_get(&res.data, "Tags"), jv_get(&st->params, "Tags"),
                     jv_get(&st->params, "TagKeys"));
    return 0;
}

int rm_read_state(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    switch (st->kind) {
    case RM_SG_INGRESS:
    case RM_SG_EGRESS:
        return read_sg(s, st, a, out, err);
    case RM_S3_PAB:
        return read_pab(s, st, a, out, err);
    case RM_S3_POLICY:
        return read_policy(s, st, a, out, err);
    case RM_IAM_KEY:
        return read_key(s, st, a, out, err);
    case RM_SNAP_PERMS:
        return read_snap_perms(s, st, a, out, err);
    case RM_AMI_PERMS:
        return read_ami_perms(s, st, a, out, err);
    case RM_RDS_PERMS:
        return read_rds_perms(s, st, a, out, err);
    case RM_SG_EXISTS:
        return read_sg_exists(s, st, a, out, err);
    case RM_EC2_TAGS:
        return read_tags(s, st, a, out, err);
    case RM_RES_POLICY:
        return read_res_policy(s, st, a, out, err);
    case RM_IAM_TAGS:
        return read_user_tags(s, st, a, out, err);
    case RM_NKINDS:
        break;
    }
    buf_puts(err, "unknown state kind");
    return -1;
}

int rm_read_keys(rm_session *s, const rm_step *st, arena *a, jv *out, buf *err)
{
    aws_param p[] = {{"UserName", st->key}};
    aws_result res;
    bool gone;
    if (read_call(s, st, a, "iam", "ListAccessKeys", p, 1, &res, &gone, err)) return -1;
    const jv *keys = gone ? NULL : jv_get(&res.data, "AccessKeyMetadata");
    *out = jv_is(keys, JV_ARRAY) ? *keys : jv_array(a, 0);
    return 0;
}
