/* augment.c - merging per-resource API calls into resources, as Custodian.
 *
 * Custodian's resource managers "augment" listings with per-resource calls
 * before any filter runs, and policies written for Custodian rely on the
 * exact keys and defaults: an S3 bucket carries Location, Tags, Policy,
 * Acl, Replication, Versioning, Website, Logging, Notification and
 * Lifecycle (S3_AUGMENT_TABLE in c7n/resources/s3.py), where a "NoSuch*" or
 * "*NotFound" error stores the table's default (Tags [], Location {},
 * others null) and AccessDenied records the method in c7n:DeniedMethods.
 * A `select` member is taken when the response has it, otherwise the whole
 * response is stored (so Logging is {} when logging is off).
 *
 * Calls outside Custodian's augment table that its filters make on their
 * own are pre-computed here under the annotation key the filter uses, so
 * filters stay pure functions of the resource document:
 *   c7n:PublicAccessBlock   GetPublicAccessBlock's PublicAccessBlockConfiguration
 *                           (all four flags false when not configured), as
 *                           check-public-block annotates;
 *   Encryption              GetBucketEncryption's ServerSideEncryptionConfiguration
 *                           (custos key; null when not configured);
 *   c7n:attribute-createVolumePermission  DescribeSnapshotAttribute's
 *                           CreateVolumePermissions (ebs-snapshot cross-account);
 *   KeyRotationEnabled      kms-key: GetKeyRotationStatus's response, as
 *                           key-rotation-status annotates (null when the
 *                           key's file is missing; absent when an error
 *                           such as UnsupportedOperationException answered);
 *   Status                  cloudtrail: GetTrailStatus's response, as
 *                           check-cloudtrail's `running` annotates (files
 *                           are named by the trail's Name, not its ARN id);
 *   c7n:attributes          rds-snapshot: DescribeDBSnapshotAttributes as
 *                           {AttributeName: AttributeValues} (e.g. {"restore":
 *                           ["all"]}), as rds-snapshot cross-account annotates.
 * Other types: iam-user/iam-role documents are replaced by GetUser/GetRole
 * (Custodian's augment does this to get Tags and PermissionsBoundary), and
 * kms-key documents get DescribeKey's KeyMetadata merged in; iam-user and
 * account documents get their credential report row (c7n:credential-report).
 *
 * IAM keys the filters of iam_filters.h read (Custodian's annotation keys):
 *   iam-user  c7n:AccessKeys      ListAccessKeys' AccessKeyMetadata (access-key)
 *             MFADevices          ListMFADevices' MFADevices (mfa-device)
 *             (a user without a file, when other users have one: [])
 *   iam-policy c7n:policy         GetPolicyVersion's PolicyVersion, file named
 *                                 by PolicyName (has-allow-all reads Document)
 *   account   c7n:iam_summary     GetAccountSummary's SummaryMap (iam-summary)
 *             c7n:password_policy GetAccountPasswordPolicy's PasswordPolicy plus
 *                                 PasswordPolicyConfigured true; a NoSuchEntity
 *                                 error, or no file while the account's other
 *                                 IAM data was collected, gives
 *                                 {PasswordPolicyConfigured: false}
 *                                 (password-policy), as Custodian builds it.
 */
#include <string.h>

#include "inventory/inv_internal.h"

#define S3(op, meth, sel, k, dv)                                                                   \
    {                                                                                              \
        .client = "s3", .service = "s3", .operation = (op), .method = (meth), .select = (sel),     \
        .mode = DM_SET, .key = (k), .dflt = (dv)                                                   \
    }

static const detail_spec S3_DETAILS[] = {
    S3("GetBucketLocation", "get_bucket_location", NULL, "Location", DV_OBJECT),
    S3("GetBucketTagging", "get_bucket_tagging", "TagSet", "Tags", DV_ARRAY),
    S3("GetBucketPolicy", "get_bucket_policy", "Policy", "Policy", DV_NULL),
    S3("GetBucketAcl", "get_bucket_acl", NULL, "Acl", DV_NULL),
    S3("GetBucketReplication", "get_bucket_replication", NULL, "Replication", DV_NULL),
    S3("GetBucketVersioning", "get_bucket_versioning", NULL, "Versioning", DV_NULL),
    S3("GetBucketWebsite", "get_bucket_website", NULL, "Website", DV_NULL),
    S3("GetBucketLogging", "get_bucket_logging", "LoggingEnabled", "Logging", DV_NULL),
    S3("GetBucketNotificationConfiguration", "get_bucket_notification_configuration", NULL,
       "Notification", DV_NULL),
    S3("GetBucketLifecycleConfiguration", "get_bucket_lifecycle_configuration", NULL, "Lifecycle",
       DV_NULL),
    /* Filter-side calls, pre-computed (see the comment at the top). */
    S3("GetPublicAccessBlock", "get_public_access_block", "PublicAccessBlockConfiguration",
       "c7n:PublicAccessBlock", DV_PAB),
    S3("GetBucketEncryption", "get_bucket_encryption", "ServerSideEncryptionConfiguration",
       "Encryption", DV_NULL),
};

static const detail_spec USER_DETAILS[] = {
    {.client = "iam",
     .service = "iam",
     .operation = "GetUser",
     .method = "get_user",
     .select = "User",
     .select_strict = true,
     .mode = DM_REPLACE,
     .drop_not_found = true},
    /* Filter-side calls of access-key and mfa-device, pre-computed. */
    {.client = "iam",
     .service = "iam",
     .operation = "ListAccessKeys",
     .method = "list_access_keys",
     .select = "AccessKeyMetadata",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:AccessKeys",
     .dflt = DV_ARRAY},
    {.client = "iam",
     .service = "iam",
     .operation = "ListMFADevices",
     .method = "list_mfa_devices",
     .select = "MFADevices",
     .select_strict = true,
     .mode = DM_SET,
     .key = "MFADevices",
     .dflt = DV_ARRAY},
    /* login-profile and ssh-key (filters/list_filters.c). */
    {.client = "iam",
     .service = "iam",
     .operation = "GetLoginProfile",
     .method = "get_login_profile",
     .select = "LoginProfile",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:LoginProfile",
     .dflt = DV_NULL},
    {.client = "iam",
     .service = "iam",
     .operation = "ListSSHPublicKeys",
     .method = "list_ssh_public_keys",
     .select = "SSHPublicKeys",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:SSHKeys",
     .dflt = DV_ARRAY},
};
/* has-allow-all's get_policy_version, pre-computed. */
static const detail_spec POLICY_DETAILS[] = {
    {.client = "iam",
     .service = "iam",
     .operation = "GetPolicyVersion",
     .method = "get_policy_version",
     .select = "PolicyVersion",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:policy",
     .dflt = DV_NULL,
     .file_key = "PolicyName"},
};
static const detail_spec ROLE_DETAILS[] = {
    {.client = "iam",
     .service = "iam",
     .operation = "GetRole",
     .method = "get_role",
     .select = "Role",
     .select_strict = true,
     .mode = DM_REPLACE,
     .drop_not_found = true},
    /* has-specific-managed-policy (filters/iam_related.c). */
    {.client = "iam",
     .service = "iam",
     .operation = "ListAttachedRolePolicies",
     .method = "list_attached_role_policies",
     .select = "AttachedPolicies",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:AttachedPolicies",
     .dflt = DV_ARRAY},
};
static const detail_spec KMS_DETAILS[] = {
    {.client = "kms",
     .service = "kms",
     .operation = "DescribeKey",
     .method = "describe_key",
     .select = "KeyMetadata",
     .select_strict = true,
     .mode = DM_MERGE},
    /* cross-account: the default key policy under Policy, as Custodian's
     * KMSCrossAccountAccessFilter reads it (get_key_policy). */
    {.client = "kms",
     .service = "kms",
     .operation = "GetKeyPolicy",
     .method = "get_key_policy",
     .select = "Policy",
     .select_strict = true,
     .mode = DM_SET,
     .key = "Policy",
     .dflt = DV_NULL},
    /* key-rotation-status: the whole response under KeyRotationEnabled. */
    {.client = "kms",
     .service = "kms",
     .operation = "GetKeyRotationStatus",
     .method = "get_key_rotation_status",
     .mode = DM_SET,
     .key = "KeyRotationEnabled",
     .dflt = DV_NULL},
};

/* check-cloudtrail `running`: GetTrailStatus per trail, by Name (the id is
 * the trail ARN, which cannot be part of a file name). */
static const detail_spec TRAIL_DETAILS[] = {
    {.client = "cloudtrail",
     .service = "cloudtrail",
     .operation = "GetTrailStatus",
     .method = "get_trail_status",
     .mode = DM_SET,
     .key = "Status",
     .dflt = DV_NULL,
     .file_key = "Name"},
};

/* DescribeDBSnapshotAttributes' [{AttributeName, AttributeValues}] as
 * Custodian's c7n:attributes mapping {name: values}. */
static jv rds_attribute_map(arena *a, const jv *v)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; jv_is(v, JV_ARRAY) && i < v->len; i++) {
        const jv *name = jv_get(&v->u.items[i], "AttributeName");
        const jv *vals = jv_get(&v->u.items[i], "AttributeValues");
        if (jv_is(name, JV_STRING))
            jvb_set(&b, name->u.str, name->len, vals ? *vals : jv_array(a, 0));
    }
    return jvb_done(&b);
}

static jv rds_snapshot_attributes(arena *a, const jv *v)
{
    const jv *res = jv_get(v, "DBSnapshotAttributesResult");
    return rds_attribute_map(a, jv_get(res, "DBSnapshotAttributes"));
}

static const detail_spec RDS_SNAP_DETAILS[] = {
    {.client = "rds",
     .service = "rds",
     .operation = "DescribeDBSnapshotAttributes",
     .method = "describe_db_snapshot_attributes",
     .mode = DM_SET,
     .key = "c7n:attributes",
     .dflt = DV_OBJECT,
     .convert = rds_snapshot_attributes},
};
static const detail_spec SNAP_DETAILS[] = {
    {.client = "ec2",
     .service = "ec2",
     .operation = "DescribeSnapshotAttribute",
     .method = "describe_snapshot_attribute",
     .select = "CreateVolumePermissions",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:attribute-createVolumePermission",
     .dflt = DV_ARRAY},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const detail_spec *inv_details(const resource_type *t, size_t *n)
{
    const char *name = t ? t->name : "";
    if (strcmp(name, "aws.s3") == 0) return *n = COUNT(S3_DETAILS), S3_DETAILS;
    if (strcmp(name, "aws.iam-user") == 0) return *n = COUNT(USER_DETAILS), USER_DETAILS;
    if (strcmp(name, "aws.iam-role") == 0) return *n = COUNT(ROLE_DETAILS), ROLE_DETAILS;
    if (strcmp(name, "aws.iam-policy") == 0) return *n = COUNT(POLICY_DETAILS), POLICY_DETAILS;
    if (strcmp(name, "aws.kms-key") == 0) return *n = COUNT(KMS_DETAILS), KMS_DETAILS;
    if (strcmp(name, "aws.ebs-snapshot") == 0) return *n = COUNT(SNAP_DETAILS), SNAP_DETAILS;
    if (strcmp(name, "aws.cloudtrail") == 0) return *n = COUNT(TRAIL_DETAILS), TRAIL_DETAILS;
    if (strcmp(name, "aws.rds-snapshot") == 0)
        return *n = COUNT(RDS_SNAP_DETAILS), RDS_SNAP_DETAILS;
    return inv_more_details(t, n);
}

static bool starts_with(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

call_result inv_classify(const pfile *f)
{
    call_result r = {CALL_ABSENT, NULL};
    if (f->status != PF_OK) return r;
    const jv *err = jv_get(&f->data, "Error");
    const jv *code = jv_get(err, "Code");
    if (f->http < 400 && !jv_is(code, JV_STRING)) {
        r.outcome = CALL_OK;
        r.data = &f->data;
        return r;
    }
    const char *c = jv_is(code, JV_STRING) ? code->u.str : "";
    if (starts_with(c, "NoSuch") || strstr(c, "NotFound") || strstr(c, "NonExistent"))
        r.outcome = CALL_NOT_FOUND;
    else if (strcmp(c, "AccessDenied") == 0)
        r.outcome = CALL_DENIED;
    else
        r.outcome = CALL_FAILED;
    return r;
}

static jv default_jv(arena *a, default_value d)
{
    switch (d) {
    case DV_OBJECT:
        return jv_object(a, 0);
    case DV_ARRAY:
        return jv_array(a, 0);
    case DV_PAB: {
        static const char *const flags[] = {"BlockPublicAcls", "IgnorePublicAcls",
                                            "BlockPublicPolicy", "RestrictPublicBuckets"};
        jv o = jv_object(a, 4);
        for (int i = 0; i < 4; i++) {
            o.u.members[i].key = flags[i];
            o.u.members[i].klen = (uint32_t)strlen(flags[i]);
            o.u.members[i].val = jv_bool(false);
        }
        return o;
    }
    default:
        return jv_null();
    }
}

/* The response with ResponseMetadata dropped (Custodian pops it). */
static jv without_metadata(arena *a, const jv *resp)
{
    if (!jv_is(resp, JV_OBJECT) || !jv_get(resp, "ResponseMetadata")) return *resp;
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; i < resp->len; i++) {
        const jv_member *m = &resp->u.members[i];
        if (strcmp(m->key, "ResponseMetadata") != 0) jvb_set(&b, m->key, m->klen, m->val);
    }
    return jvb_done(&b);
}

/* A copy of object r's members in a builder (so keys can be set). */
static void begin_copy(jv_builder *b, arena *a, const jv *r)
{
    jvb_object(b, a);
    if (!jv_is(r, JV_OBJECT)) return;
    for (uint32_t i = 0; i < r->len; i++)
        jvb_set(b, r->u.members[i].key, r->u.members[i].klen, r->u.members[i].val);
}

static void note_denied(arena *a, jv_builder *b, const char *method)
{
    const jv *prev = jv_getn(&b->v, "c7n:DeniedMethods", 17);
    jv_builder l;
    jvb_array(&l, a);
    if (jv_is(prev, JV_ARRAY))
        for (uint32_t i = 0; i < prev->len; i++)
            jvb_push(&l, prev->u.items[i]);
    jvb_push(&l, jv_cstr(a, method));
    jvb_set(b, "c7n:DeniedMethods", 17, jvb_done(&l));
}

/* Location: EU means eu-west-1 (Custodian rewrites it). */
static jv fix_location(arena *a, jv v)
{
    const jv *lc = jv_get(&v, "LocationConstraint");
    if (!jv_str_eq(lc, "EU")) return v;
    jv_builder b;
    begin_copy(&b, a, &v);
    jvb_set(&b, "LocationConstraint", 18, jv_cstr(a, "eu-west-1"));
    return jvb_done(&b);
}

bool inv_apply_detail(arena *a, const detail_spec *d, call_result res, jv *r)
{
    if (res.outcome == CALL_ABSENT || res.outcome == CALL_FAILED) return true;
    if (d->mode != DM_SET) {
        if (res.outcome == CALL_NOT_FOUND) return !d->drop_not_found;
        if (res.outcome != CALL_OK) return true;
        const jv *sel = jv_get(res.data, d->select);
        if (!jv_is(sel, JV_OBJECT)) return true;
        if (d->mode == DM_REPLACE) {
            *r = *sel;
            return true;
        }
        jv_builder b;
        begin_copy(&b, a, r);
        for (uint32_t i = 0; i < sel->len; i++)
            jvb_set(&b, sel->u.members[i].key, sel->u.members[i].klen, sel->u.members[i].val);
        *r = jvb_done(&b);
        return true;
    }
    jv_builder b;
    begin_copy(&b, a, r);
    size_t klen = strlen(d->key);
    if (res.outcome == CALL_DENIED) {
        note_denied(a, &b, d->method);
    } else if (res.outcome == CALL_NOT_FOUND) {
        jvb_set(&b, d->key, klen, default_jv(a, d->dflt));
    } else {
        jv v = without_metadata(a, res.data);
        const jv *sel = d->select ? jv_get(&v, d->select) : NULL;
        if (sel)
            v = *sel;
        else if (d->select_strict)
            v = default_jv(a, d->dflt);
        if (strcmp(d->key, "Location") == 0) v = fix_location(a, v);
        if (d->convert) v = d->convert(a, &v);
        jvb_set(&b, d->key, klen, v);
    }
    *r = jvb_done(&b);
    return true;
}

void inv_ec2_tags(arena *a, jv *items, size_t n, const jv *describe_tags)
{
    const jv *tags = jv_get(describe_tags, "Tags");
    if (!jv_is(tags, JV_ARRAY)) return;
    const resource_type *t = resource_type_find("aws.ec2");
    /* Custodian looks at one instance: if it has Tags the listing is
     * trusted.  Instances lacking Tags get theirs from DescribeTags. */
    for (size_t i = 0; i < n; i++) {
        if (jv_get(&items[i], "Tags")) continue;
        const char *id = resource_id(t, &items[i]);
        jv_builder l;
        jvb_array(&l, a);
        for (uint32_t k = 0; id && k < tags->len; k++) {
            const jv *tg = &tags->u.items[k];
            if (!jv_str_eq(jv_get(tg, "ResourceId"), id)) continue;
            jv_builder one;
            jvb_object(&one, a);
            const jv *key = jv_get(tg, "Key"), *val = jv_get(tg, "Value");
            if (key) jvb_set(&one, "Key", 3, *key);
            if (val) jvb_set(&one, "Value", 5, *val);
            jvb_push(&l, jvb_done(&one));
        }
        jv_builder b;
        begin_copy(&b, a, &items[i]);
        jvb_set(&b, "Tags", 4, jvb_done(&l));
        items[i] = jvb_done(&b);
    }
}

/* ---- credential report ---- */

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

/* Decodes base64 (whitespace and padding ignored) into the arena. */
static char *b64decode(arena *a, const char *s, size_t n, size_t *out_len)
{
    char *out = arena_alloc(a, n / 4 * 3 + 4);
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64val((unsigned char)s[i]);
        if (v < 0) continue;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

/* Splits one CSV line (no quoting: the report has none) into fields. */
static size_t split_csv(char *line, char **f, size_t max)
{
    size_t n = 0;
    while (n < max) {
        f[n++] = line;
        char *c = strchr(line, ',');
        if (!c) break;
        *c = '\0';
        line = c + 1;
    }
    return n;
}

/* Custodian's record conversion: N/A and no_information -> null,
 * true/false -> booleans, access_key_N_* / cert_N_* grouped into
 * access_keys / certs lists (only when active or ever rotated). */
static jv report_value(arena *a, const char *v)
{
    if (strcmp(v, "N/A") == 0 || strcmp(v, "no_information") == 0) return jv_null();
    if (strcmp(v, "true") == 0) return jv_bool(true);
    if (strcmp(v, "false") == 0) return jv_bool(false);
    return jv_cstr(a, v);
}

static jv report_row(arena *a, char **hdr, char **val, size_t n)
{
    static const char *const groups[][2] = {{"access_key_1_", "access_keys"},
                                            {"access_key_2_", "access_keys"},
                                            {"cert_1_", "certs"},
                                            {"cert_2_", "certs"}};
    jv_builder row, lists[2];
    jvb_object(&row, a);
    jvb_array(&lists[0], a);
    jvb_array(&lists[1], a);
    for (size_t i = 0; i < n; i++) {
        bool grouped = false;
        for (size_t g = 0; g < 4; g++)
            grouped |= strncmp(hdr[i], groups[g][0], strlen(groups[g][0])) == 0;
        if (!grouped) jvb_set(&row, hdr[i], strlen(hdr[i]), report_value(a, val[i]));
    }
    for (size_t g = 0; g < 4; g++) {
        size_t pl = strlen(groups[g][0]);
        jv_builder obj;
        jvb_object(&obj, a);
        for (size_t i = 0; i < n; i++)
            if (strncmp(hdr[i], groups[g][0], pl) == 0)
                jvb_set(&obj, hdr[i] + pl, strlen(hdr[i] + pl), report_value(a, val[i]));
        jv o = jvb_done(&obj);
        const jv *active = jv_get(&o, "active"), *rot = jv_get(&o, "last_rotated");
        if (jv_truthy(active) || jv_truthy(rot)) jvb_push(&lists[g < 2 ? 0 : 1], o);
    }
    if (lists[0].v.len) jvb_set(&row, "access_keys", 11, jvb_done(&lists[0]));
    if (lists[1].v.len) jvb_set(&row, "certs", 5, jvb_done(&lists[1]));
    return jvb_done(&row);
}

void inv_credential_report(arena *a, jv *items, size_t n, const jv *response, bool root)
{
    const jv *content = jv_get(response, "Content");
    if (!jv_is(content, JV_STRING) || n == 0) return;
    size_t len;
    char *csv = b64decode(a, content->u.str, content->len, &len);
    enum { MAXF = 64 };
    char *hdr[MAXF], *val[MAXF];
    char *save = NULL;
    char *line = strtok_r(csv, "\r\n", &save);
    if (!line) return;
    size_t nh = split_csv(line, hdr, MAXF);
    size_t user_col = nh;
    for (size_t i = 0; i < nh; i++)
        if (strcmp(hdr[i], "user") == 0) user_col = i;
    if (user_col == nh) return;
    /* Users by name through the registry's id index. */
    resource_set byname = {.type = resource_type_find("aws.iam-user"), .items = items, .n = n};
    if (!root) resource_set_index(&byname, a);
    while ((line = strtok_r(NULL, "\r\n", &save))) {
        size_t nv = split_csv(line, val, MAXF);
        if (nv != nh) continue;
        const jv *u = NULL;
        if (root)
            u = strcmp(val[user_col], "<root_account>") == 0 ? &items[0] : NULL;
        else
            u = resource_set_find(&byname, val[user_col]);
        if (!u) continue;
        jv *item = &items[u - items];
        jv_builder b;
        begin_copy(&b, a, item);
        jvb_set(&b, "c7n:credential-report", 21, report_row(a, hdr, val, nv));
        *item = jvb_done(&b);
    }
}

/* ---- account IAM documents ---- */

static void set_key(arena *a, jv *item, const char *key, jv val)
{
    jv_builder b;
    begin_copy(&b, a, item);
    jvb_set(&b, key, strlen(key), val);
    *item = jvb_done(&b);
}

void inv_account_iam(arena *a, jv *item, call_result summary, call_result password,
                     bool password_missing)
{
    if (summary.outcome == CALL_OK) {
        const jv *m = jv_get(summary.data, "SummaryMap");
        if (jv_is(m, JV_OBJECT)) set_key(a, item, "c7n:iam_summary", *m);
    }
    jv_builder pp;
    if (password.outcome == CALL_OK) {
        begin_copy(&pp, a, jv_get(password.data, "PasswordPolicy"));
        jvb_set(&pp, "PasswordPolicyConfigured", 24, jv_bool(true));
    } else if (password.outcome == CALL_NOT_FOUND ||
               (password.outcome == CALL_ABSENT && password_missing)) {
        jvb_object(&pp, a);
        jvb_set(&pp, "PasswordPolicyConfigured", 24, jv_bool(false));
    } else {
        return; /* not collected, denied or failed: unknown */
    }
    set_key(a, item, "c7n:password_policy", jvb_done(&pp));
}
