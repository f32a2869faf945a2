/* actions.c - Custodian's actions as steps: the exact calls custos fix makes.
 *
 *   aws.security-group  remove-permissions  ingress/egress: matched | all
 *       RevokeSecurityGroupIngress/Egress with exactly the grants selected
 *       (matched: those of the finding's evidence still in the group), so
 *       the other grants of the same rule and the other rules stay
 *   aws.s3  set-public-block  (BlockPublicAcls, IgnorePublicAcls,
 *       BlockPublicPolicy, RestrictPublicBuckets; state, default true)
 *       PutPublicAccessBlock
 *   aws.s3, aws.sns, aws.ecr, aws.kms-key  remove-statements
 *       statement_ids: matched | [Sid, ...]: PutBucketPolicy /
 *       SetTopicAttributes Policy / SetRepositoryPolicy / PutKeyPolicy with
 *       the other statements; DeleteBucketPolicy / DeleteRepositoryPolicy
 *       when none is left (a topic or key policy is never emptied)
 *   aws.lambda  remove-statements: one RemovePermission per statement
 *       (by Sid; a statement without one is a note)
 *   aws.iam-user  remove-keys  disable: true, age: DAYS, matched: true
 *       UpdateAccessKey Status=Inactive per active key selected (deleting
 *       keys is refused: deactivation can be undone, deletion cannot)
 *   aws.ebs-snapshot / aws.ami / aws.rds-snapshot  set-permissions
 *       remove: all | [account ids] (and remove-launch-permissions, accounts:
 *       all | [ids], on an AMI)  ModifySnapshotAttribute /
 *       ModifyImageAttribute / ModifyDBSnapshotAttribute removing every
 *       permission there is now, or only those of the accounts listed
 *       ("all" in the list: the public permission)
 *   aws.security-group  delete   DeleteSecurityGroup
 *   EC2 resources  tag (key/value or tags), mark-for-op (tag, op, days,
 *       msg: Custodian's "Resource does not meet policy: {op}@{action_date}"
 *       in maid_status), unmark / untag / remove-tag (tags or key)
 *       CreateTags / DeleteTags with only those keys
 *   aws.iam-user  the same tag actions: TagUser / UntagUser (TagKeys)
 *
 * An action that gives no step (nothing matched any more, already in the
 * desired state, not supported) is a note of the plan saying why.
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "json/jv_date.h"
#include "remediate/rm_internal.h"

typedef struct act_ctx {
    rm_plan *p;
    rm_session *s;
    const stored_finding *f;
    const jv *action; /* the action object ({} for a bare name) */
    const char *type;
    jv evidence; /* the finding's evidence (null when none) */
} act_ctx;

static int note(act_ctx *x, const char *reason)
{
    rm_note_add(x->p, x->f, x->type, reason);
    return 0;
}

/* Reads a step's state; a failed read is a note, not an error of the plan. */
static bool read_before(act_ctx *x, rm_step *st)
{
    buf err = BUF_INIT;
    int rc = rm_read_state(x->s, st, x->p->a, &st->before, &err);
    if (rc != 0)
        note(x, arena_sprintf(x->p->a, "cannot read the resource: %s", err.data ? err.data : ""));
    buf_free(&err);
    return rc == 0;
}

static void drop_last(rm_plan *p)
{
    p->n--;
}

static void finish(act_ctx *x, rm_step *st)
{
    st->cli = rm_cli_equivalent(x->p->a, st);
}

/* ---- remove-permissions ---- */

static bool in_evidence(const jv *ev, const jv *g)
{
    char want[512], got[512];
    if (!rm_grant_id(g, want, sizeof want)) return false;
    for (uint32_t i = 0; jv_is(ev, JV_ARRAY) && i < ev->len; i++)
        if (rm_grant_id(&ev->u.items[i], got, sizeof got) && !strcmp(want, got)) return true;
    return false;
}

static int sg_direction(act_ctx *x, bool ingress, const char *mode)
{
    arena *a = x->p->a;
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    st->kind = ingress ? RM_SG_INGRESS : RM_SG_EGRESS;
    st->service = "ec2";
    st->operation = ingress ? "RevokeSecurityGroupIngress" : "RevokeSecurityGroupEgress";
    if (!read_before(x, st)) return drop_last(x->p), 0;
    if (jv_is(&st->before, JV_NULL)) return drop_last(x->p), note(x, "the group no longer exists");
    bool all = !strcmp(mode, "all");
    jv_builder sel, call;
    jvb_array(&sel, a);
    jvb_array(&call, a);
    for (uint32_t i = 0; i < st->before.len; i++) {
        const jv *g = &st->before.u.items[i];
        if (!all && !in_evidence(&x->evidence, g)) continue;
        jvb_push(&sel, *g);
        jvb_push(&call, rm_grant_for_call(a, g));
    }
    jv selected = jvb_done(&sel);
    if (!selected.len) {
        drop_last(x->p);
        return note(x, ingress ? "no matched ingress grant is in the group now"
                               : "no matched egress grant is in the group now");
    }
    st->after = rm_without(a, &st->before, &selected);
    jv_builder pb;
    jvb_object(&pb, a);
    jvb_set(&pb, "GroupId", 7, jv_cstr(a, x->f->resource_id));
    jvb_set(&pb, "IpPermissions", 13, jvb_done(&call));
    st->params = jvb_done(&pb);
    finish(x, st);
    return 0;
}

static const char *mode_of(act_ctx *x, const char *key)
{
    const jv *v = jv_get(x->action, key);
    if (!v) return NULL;
    if (jv_str_eq(v, "matched") || jv_str_eq(v, "all")) return v->u.str;
    return "";
}

static int remove_permissions(act_ctx *x)
{
    const char *in = mode_of(x, "ingress"), *eg = mode_of(x, "egress");
    if ((in && !*in) || (eg && !*eg))
        return note(x, "remove-permissions: only `matched` and `all` are supported (not a list "
                       "of rule ids)");
    if (!in && !eg) return note(x, "remove-permissions: neither ingress nor egress given");
    if (in && sg_direction(x, true, in) != 0) return -1;
    if (eg && sg_direction(x, false, eg) != 0) return -1;
    return 0;
}

/* ---- set-public-block ---- */

static int set_public_block(act_ctx *x)
{
    arena *a = x->p->a;
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    st->kind = RM_S3_PAB;
    st->service = "s3";
    st->operation = "PutPublicAccessBlock";
    if (!read_before(x, st)) return drop_last(x->p), 0;
    const jv *state = jv_get(x->action, "state");
    bool dflt = !jv_is(state, JV_FALSE);
    jv_builder b;
    jvb_object(&b, a);
    for (size_t k = 0; k < 4; k++) {
        const jv *v = jv_get(x->action, RM_PAB_KEYS[k]);
        bool on = v && jv_is_bool(v) ? jv_is(v, JV_TRUE) : dflt;
        jvb_set(&b, RM_PAB_KEYS[k], strlen(RM_PAB_KEYS[k]), jv_bool(on));
    }
    st->after = jvb_done(&b);
    if (jv_equal(&st->before, &st->after))
        return drop_last(x->p), note(x, "the bucket's public access block is already so");
    jv_builder pb;
    jvb_object(&pb, a);
    jvb_set(&pb, "Bucket", 6, jv_cstr(a, x->f->resource_id));
    jvb_set(&pb, "PublicAccessBlockConfiguration", 30, st->after);
    st->params = jvb_done(&pb);
    finish(x, st);
    return 0;
}

/* ---- remove-statements ---- */

static bool sid_listed(const jv *ids, const jv *stmt)
{
    const jv *sid = jv_get(stmt, "Sid");
    for (uint32_t i = 0; jv_is(ids, JV_ARRAY) && i < ids->len; i++)
        if (sid && jv_equal(sid, &ids->u.items[i])) return true;
    return false;
}

static bool stmt_matched(const jv *ev, const jv *stmt)
{
    const jv *sid = jv_get(stmt, "Sid");
    for (uint32_t i = 0; jv_is(ev, JV_ARRAY) && i < ev->len; i++) {
        const jv *e = &ev->u.items[i];
        if (jv_equal(e, stmt)) return true;
        if (sid && jv_is(sid, JV_STRING) && sid->len && jv_equal(sid, jv_get(e, "Sid")))
            return true;
    }
    return false;
}

static jv statements(arena *a, const jv *doc)
{
    const jv *s = jv_get(doc, "Statement");
    if (jv_is(s, JV_ARRAY)) return *s;
    jv one = jv_array(a, s ? 1 : 0);
    if (s) one.u.items[0] = *s;
    return one;
}

static jv with_statements(arena *a, const jv *doc, jv stmts)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; i < doc->len; i++)
        jvb_set(&b, doc->u.members[i].key, doc->u.members[i].klen, doc->u.members[i].val);
    jvb_set(&b, "Statement", 9, stmts);
    return jvb_done(&b);
}

/* The call that writes the remaining statements (or removes the policy)
 * for each resource type; NULL delete: a policy that may not be emptied. */
static const struct {
    const char *rtype, *service, *put, *del, *id_member, *text_member;
} POLICY_CALLS[] = {
    {"aws.s3", "s3", "PutBucketPolicy", "DeleteBucketPolicy", "Bucket", "Policy"},
    {"aws.sns", "sns", "SetTopicAttributes", NULL, "TopicArn", "AttributeValue"},
    {"aws.ecr", "ecr", "SetRepositoryPolicy", "DeleteRepositoryPolicy", "repositoryName",
     "policyText"},
    {"aws.kms-key", "kms", "PutKeyPolicy", NULL, "KeyId", "Policy"},
};

/* Lambda: one RemovePermission per statement (by its Sid), in order; each
 * step's `before` is the policy the previous one leaves. */
static int lambda_statements(act_ctx *x, const jv *ids, bool matched)
{
    arena *a = x->p->a;
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    st->kind = RM_RES_POLICY;
    st->service = "lambda";
    if (!read_before(x, st)) return drop_last(x->p), 0;
    jv now = st->before;
    drop_last(x->p);
    if (!jv_is(&now, JV_OBJECT)) return note(x, "the function has no policy now");
    jv all = statements(a, &now);
    size_t made = 0;
    for (uint32_t i = 0; i < all.len; i++) {
        const jv *s = &all.u.items[i], *sid = jv_get(s, "Sid");
        if (!(matched ? stmt_matched(&x->evidence, s) : sid_listed(ids, s))) continue;
        if (!jv_is(sid, JV_STRING) || !sid->len) {
            note(x, "a statement to remove has no Sid: RemovePermission cannot name it");
            continue;
        }
        jv drop = jv_array(a, 1);
        drop.u.items[0] = *s;
        jv left = statements(a, &now);
        jv kept = rm_without(a, &left, &drop);
        rm_step *k = rm_step_new(x->p, x->f, x->type);
        k->kind = RM_RES_POLICY;
        k->service = "lambda";
        k->operation = "RemovePermission";
        k->before = now;
        k->after = kept.len ? with_statements(a, &now, kept) : jv_null();
        jv_builder pb;
        jvb_object(&pb, a);
        jvb_set(&pb, "FunctionName", 12, jv_cstr(a, x->f->resource_id));
        jvb_set(&pb, "StatementId", 11, *sid);
        k->params = jvb_done(&pb);
        finish(x, k);
        now = k->after;
        made++;
        if (!jv_is(&now, JV_OBJECT)) break;
    }
    if (!made) note(x, "no statement to remove is in the policy now");
    return 0;
}

static int remove_statements(act_ctx *x)
{
    arena *a = x->p->a;
    const jv *ids = jv_get(x->action, "statement_ids");
    bool matched = jv_str_eq(ids, "matched");
    if (!matched && !jv_is(ids, JV_ARRAY))
        return note(x, "remove-statements: statement_ids must be `matched` or a list of Sids");
    if (!strcmp(x->f->resource_type, "aws.lambda")) return lambda_statements(x, ids, matched);
    size_t c = 0;
    while (c < sizeof POLICY_CALLS / sizeof POLICY_CALLS[0] &&
           strcmp(POLICY_CALLS[c].rtype, x->f->resource_type) != 0)
        c++;
    if (c == sizeof POLICY_CALLS / sizeof POLICY_CALLS[0])
        return note(x, "remove-statements is not supported on this resource type yet");
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    st->kind = c == 0 ? RM_S3_POLICY : RM_RES_POLICY;
    st->service = POLICY_CALLS[c].service;
    if (!read_before(x, st)) return drop_last(x->p), 0;
    if (!jv_is(&st->before, JV_OBJECT))
        return drop_last(x->p), note(x, "the resource has no policy now");
    jv all = statements(a, &st->before);
    jv_builder keep;
    jvb_array(&keep, a);
    for (uint32_t i = 0; i < all.len; i++) {
        const jv *s = &all.u.items[i];
        if (!(matched ? stmt_matched(&x->evidence, s) : sid_listed(ids, s))) jvb_push(&keep, *s);
    }
    jv kept = jvb_done(&keep);
    if (kept.len == all.len)
        return drop_last(x->p), note(x, "no statement to remove is in the policy now");
    if (kept.len == 0 && !POLICY_CALLS[c].del)
        return drop_last(x->p), note(x, "it would remove every statement of a policy that "
                                        "cannot be empty: change it by hand");
    jv_builder pb;
    jvb_object(&pb, a);
    const char *idm = POLICY_CALLS[c].id_member;
    jvb_set(&pb, idm, strlen(idm), jv_cstr(a, x->f->resource_id));
    if (kept.len == 0) {
        st->operation = POLICY_CALLS[c].del;
        st->after = jv_null();
    } else {
        st->operation = POLICY_CALLS[c].put;
        st->after = with_statements(a, &st->before, kept);
        if (c == 1) jvb_set(&pb, "AttributeName", 13, jv_cstr(a, "Policy"));
        if (c == 3) jvb_set(&pb, "PolicyName", 10, jv_cstr(a, "default"));
        buf t = BUF_INIT;
        json_write(&t, &st->after);
        const char *tm = POLICY_CALLS[c].text_member;
        jvb_set(&pb, tm, strlen(tm), jv_str(a, t.data, t.len));
        buf_free(&t);
    }
    st->params = jvb_done(&pb);
    finish(x, st);
    return 0;
}

/* ---- remove-keys ---- */

static bool key_matched(const jv *ev, const jv *id)
{
    const jv *keys = jv_get(ev, "c7n:matched-keys");
    for (uint32_t i = 0; jv_is(keys, JV_ARRAY) && i < keys->len; i++)
        if (jv_equal(jv_get(&keys->u.items[i], "AccessKeyId"), id)) return true;
    return false;
}

static bool key_selected(act_ctx *x, const jv *k)
{
    if (!jv_str_eq(jv_get(k, "Status"), "Active")) return false;
    if (jv_is(jv_get(x->action, "matched"), JV_TRUE) &&
        !key_matched(&x->evidence, jv_get(k, "AccessKeyId")))
        return false;
    const jv *age = jv_get(x->action, "age");
    double created;
    if (jv_is(age, JV_NUMBER)) {
        if (!date_parse_jv(jv_get(k, "CreateDate"), &created)) return false;
        if ((double)x->p->created_at - created < age->u.num * 86400) return false;
    }
    return true;
}

static int key_step(act_ctx *x, const char *user, const jv *k)
{
    arena *a = x->p->a;
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    st->kind = RM_IAM_KEY;
    st->service = "iam";
    st->operation = "UpdateAccessKey";
    st->key = user;
    const jv *id = jv_get(k, "AccessKeyId");
    st->before = rm_key_state(a, id->u.str, jv_get(k, "Status"));
    jv inactive = jv_cstr(a, "Inactive");
    st->after = rm_key_state(a, id->u.str, &inactive);
    jv_builder pb;
    jvb_object(&pb, a);
    jvb_set(&pb, "UserName", 8, jv_cstr(a, user));
    jvb_set(&pb, "AccessKeyId", 11, *id);
    jvb_set(&pb, "Status", 6, inactive);
    st->params = jvb_done(&pb);
    finish(x, st);
    return 0;
}

static int remove_keys(act_ctx *x)
{
    if (!jv_is(jv_get(x->action, "disable"), JV_TRUE))
        return note(x, "remove-keys: only `disable: true` (deactivation) is supported; custos "
                       "fix never deletes a key");
    const char *user = x->f->resource_name ? x->f->resource_name : x->f->resource_id;
    rm_step probe = {.account_id = x->f->account_id, .region = x->f->region, .key = user};
    jv keys;
    buf err = BUF_INIT;
    int rc = rm_read_keys(x->s, &probe, x->p->a, &keys, &err);
    if (rc != 0) note(x, arena_sprintf(x->p->a, "cannot read the user's keys: %s", err.data));
    buf_free(&err);
    if (rc != 0) return 0;
    size_t before = x->p->n;
    for (uint32_t i = 0; i < keys.len; i++)
        if (key_selected(x, &keys.u.items[i])) key_step(x, user, &keys.u.items[i]);
    if (x->p->n == before) note(x, "no active key of the user is selected now");
    return 0;
}

/* ---- set-permissions (snapshots, AMIs) ---- */

/* createVolumePermission / launchPermission items into GroupNames and
 * UserIds (snapshots) or LaunchPermission.Remove (AMIs). */
static jv perm_params(arena *a, const act_ctx *x, const jv *perms)
{
    jv_builder pb, groups, users;
    jvb_object(&pb, a);
    jvb_array(&groups, a);
    jvb_array(&users, a);
    for (uint32_t i = 0; i < perms->len; i++) {
        const jv *g = jv_get(&perms->u.items[i], "Group"),
                 *u = jv_get(&perms->u.items[i], "UserId");
        if (g) jvb_push(&groups, *g);
        if (u) jvb_push(&users, *u);
    }
    const char *rt = x->f->resource_type;
    if (!strcmp(rt, "aws.ebs-snapshot")) {
        jvb_set(&pb, "SnapshotId", 10, jv_cstr(a, x->f->resource_id));
        jvb_set(&pb, "Attribute", 9, jv_cstr(a, "createVolumePermission"));
        jvb_set(&pb, "OperationType", 13, jv_cstr(a, "remove"));
        jv gv = jvb_done(&groups), uv = jvb_done(&users);
        if (gv.len) jvb_set(&pb, "GroupNames", 10, gv);
        if (uv.len) jvb_set(&pb, "UserIds", 7, uv);
    } else if (!strcmp(rt, "aws.ami")) {
        jvb_set(&pb, "ImageId", 7, jv_cstr(a, x->f->resource_id));
        jv_builder lp;
        jvb_object(&lp, a);
        jvb_set(&lp, "Remove", 6, *perms);
        jvb_set(&pb, "LaunchPermission", 16, jvb_done(&lp));
    } else {
        jvb_set(&pb, "DBSnapshotIdentifier", 20, jv_cstr(a, x->f->resource_id));
        jvb_set(&pb, "AttributeName", 13, jv_cstr(a, "restore"));
        jvb_set(&pb, "ValuesToRemove", 14, *perms);
    }
    return jvb_done(&pb);
}

/* The permission names an account of ids (UserId, or an RDS value), or
 * "all" when ids lists it (Group all, the RDS value all). */
static bool perm_listed(const jv *perm, const jv *ids)
{
    const jv *who = jv_is(perm, JV_STRING) ? perm : jv_get(perm, "UserId");
    if (!who) who = jv_get(perm, "Group");
    for (uint32_t i = 0; who && i < ids->len; i++)
        if (jv_equal(who, &ids->u.items[i])) return true;
    return false;
}

static int set_permissions(act_ctx *x)
{
    const jv *rm = jv_get(x->action, "remove");
    if (!strcmp(x->type, "remove-launch-permissions")) {
        const jv *acc = jv_get(x->action, "accounts");
        rm = acc && !jv_str_eq(acc, "all") ? acc : NULL;
    }
    bool all = jv_str_eq(rm, "all") || (!strcmp(x->type, "remove-launch-permissions") && !rm);
    bool ids_ok = jv_is(rm, JV_ARRAY);
    for (uint32_t i = 0; ids_ok && i < rm->len; i++)
        ids_ok = jv_is(&rm->u.items[i], JV_STRING);
    if ((!all && !ids_ok) || jv_get(x->action, "add"))
        return note(x, "set-permissions: only `remove: all` or `remove: [account ids]` is "
                       "supported");
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    const char *rt = x->f->resource_type;
    bool ebs = !strcmp(rt, "aws.ebs-snapshot"), ami = !strcmp(rt, "aws.ami");
    st->kind = ebs ? RM_SNAP_PERMS : ami ? RM_AMI_PERMS : RM_RDS_PERMS;
    st->service = ebs || ami ? "ec2" : "rds";
    st->operation = ebs   ? "ModifySnapshotAttribute"
                    : ami ? "ModifyImageAttribute"
                          : "ModifyDBSnapshotAttribute";
    if (!read_before(x, st)) return drop_last(x->p), 0;
    if (jv_is(&st->before, JV_NULL))
        return drop_last(x->p), note(x, "the resource no longer exists");
    if (st->before.len == 0) return drop_last(x->p), note(x, "it is shared with nobody now");
    jv selected = st->before;
    if (!all) {
        jv_builder b;
        jvb_array(&b, x->p->a);
        for (uint32_t i = 0; i < st->before.len; i++)
            if (perm_listed(&st->before.u.items[i], rm)) jvb_push(&b, st->before.u.items[i]);
        selected = jvb_done(&b);
        if (!selected.len)
            return drop_last(x->p), note(x, "it is not shared with those accounts now");
    }
    st->after = rm_without(x->p->a, &st->before, &selected);
    st->params = perm_params(x->p->a, x, &selected);
    finish(x, st);
    return 0;
}

/* ---- delete (security group) ---- */

static int delete_group(act_ctx *x)
{
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    st->kind = RM_SG_EXISTS;
    st->service = "ec2";
    st->operation = "DeleteSecurityGroup";
    if (!read_before(x, st)) return drop_last(x->p), 0;
    if (jv_is(&st->before, JV_NULL)) return drop_last(x->p), note(x, "the group no longer exists");
    st->after = jv_null();
    jv_builder pb;
    jvb_object(&pb, x->p->a);
    jvb_set(&pb, "GroupId", 7, jv_cstr(x->p->a, x->f->resource_id));
    st->params = jvb_done(&pb);
    finish(x, st);
    return 0;
}

/* ---- tag, mark-for-op, unmark ---- */

/* Custodian's mark-for-op value: msg with {op} and {action_date}
 * (YYYY/MM/DD, `days` after the plan, default 4). */
static const char *mark_value(act_ctx *x, const char **op_out)
{
    const jv *op = jv_get(x->action, "op"), *days = jv_get(x->action, "days"),
             *msg = jv_get(x->action, "msg");
    const char *o = jv_is(op, JV_STRING) ? op->u.str : "stop";
    double d = jv_is(days, JV_NUMBER) ? days->u.num : 4;
    time_t when = (time_t)(x->p->created_at + (int64_t)(d * 86400));
    struct tm tm;
    gmtime_r(&when, &tm);
    char date[16];
    strftime(date, sizeof date, "%Y/%m/%d", &tm);
    const char *m =
        jv_is(msg, JV_STRING) ? msg->u.str : "Resource does not meet policy: {op}@{action_date}";
    buf b = BUF_INIT;
    for (const char *p = m; *p; p++) {
        if (!strncmp(p, "{op}", 4)) {
            buf_puts(&b, o);
            p += 3;
        } else if (!strncmp(p, "{action_date}", 13)) {
            buf_puts(&b, date);
            p += 12;
        } else {
            buf_putc(&b, *p);
        }
    }
    const char *out = arena_strdup(x->p->a, b.data ? b.data : "");
    buf_free(&b);
    *op_out = o;
    return out;
}

/* The tags to set (tag, mark-for-op) as [{Key, Value}], or to remove
 * (unmark) as [{Key}]; an empty array when the action names none. */
static jv tags_of(act_ctx *x, bool remove)
{
    arena *a = x->p->a;
    jv_builder b;
    jvb_array(&b, a);
    const jv *key = jv_get(x->action, "key"), *tag = jv_get(x->action, "tag"),
             *tags = jv_get(x->action, "tags");
    if (!strcmp(x->type, "mark-for-op") || !strcmp(x->type, "mark")) {
        const char *op;
        const char *value = mark_value(x, &op);
        jv_builder t;
        jvb_object(&t, a);
        jvb_set(&t, "Key", 3, jv_is(tag, JV_STRING) ? *tag : jv_cstr(a, "maid_status"));
        jvb_set(&t, "Value", 5, jv_cstr(a, value));
        jvb_push(&b, jvb_done(&t));
        return jvb_done(&b);
    }
    for (uint32_t i = 0; jv_is(tags, JV_OBJECT) && !remove && i < tags->len; i++) {
        jv_builder t;
        jvb_object(&t, a);
        jvb_set(&t, "Key", 3, jv_str(a, tags->u.members[i].key, tags->u.members[i].klen));
        jvb_set(&t, "Value", 5, tags->u.members[i].val);
        jvb_push(&b, jvb_done(&t));
    }
    const jv *one = jv_is(key, JV_STRING) ? key : jv_is(tag, JV_STRING) ? tag : NULL;
    if (one) {
        jv_builder t;
        jvb_object(&t, a);
        jvb_set(&t, "Key", 3, *one);
        const jv *v = jv_get(x->action, "value");
        if (!remove) jvb_set(&t, "Value", 5, jv_is(v, JV_STRING) ? *v : jv_cstr(a, ""));
        jvb_push(&b, jvb_done(&t));
    }
    for (uint32_t i = 0; jv_is(tags, JV_ARRAY) && remove && i < tags->len; i++) {
        jv_builder t;
        jvb_object(&t, a);
        jvb_set(&t, "Key", 3, tags->u.items[i]);
        jvb_push(&b, jvb_done(&t));
    }
    jv out = jvb_done(&b);
    if (remove && out.len == 0) { /* unmark's default */
        jv_builder t;
        jvb_object(&t, a);
        jvb_set(&t, "Key", 3, jv_cstr(a, "maid_status"));
        out = jv_array(a, 1);
        out.u.items[0] = jvb_done(&t);
    }
    return out;
}

static int tag_action(act_ctx *x)
{
    arena *a = x->p->a;
    bool remove =
        !strcmp(x->type, "unmark") || !strcmp(x->type, "untag") || !strcmp(x->type, "remove-tag");
    jv tags = tags_of(x, remove);
    for (uint32_t i = 0; i < tags.len; i++)
        if (!jv_is(jv_get(&tags.u.items[i], "Key"), JV_STRING) ||
            (!remove && !jv_is(jv_get(&tags.u.items[i], "Value"), JV_STRING)))
            return note(x, "tag keys and values must be strings");
    if (!tags.len) return note(x, "no tag given (key/value or tags)");
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    jv_builder pb;
    jvb_object(&pb, a);
    if (!strcmp(x->f->resource_type, "aws.iam-user")) {
        st->kind = RM_IAM_TAGS;
        st->service = "iam";
        st->operation = remove ? "UntagUser" : "TagUser";
        const char *user = x->f->resource_name ? x->f->resource_name : x->f->resource_id;
        jvb_set(&pb, "UserName", 8, jv_cstr(a, user));
        jv keys = jv_array(a, tags.len);
        for (uint32_t i = 0; i < tags.len; i++)
            keys.u.items[i] = *jv_get(&tags.u.items[i], "Key");
        if (remove)
            jvb_set(&pb, "TagKeys", 7, keys);
        else
            jvb_set(&pb, "Tags", 4, tags);
    } else {
        st->kind = RM_EC2_TAGS;
        st->service = "ec2";
        st->operation = remove ? "DeleteTags" : "CreateTags";
        jv res = jv_array(a, 1);
        res.u.items[0] = jv_cstr(a, x->f->resource_id);
        jvb_set(&pb, "Resources", 9, res);
        jvb_set(&pb, "Tags", 4, tags);
    }
    st->params = jvb_done(&pb);
    if (!read_before(x, st)) return drop_last(x->p), 0;
    jv_builder after;
    jvb_object(&after, a);
    for (uint32_t i = 0; i < tags.len; i++) {
        const jv *k = jv_get(&tags.u.items[i], "Key"), *v = jv_get(&tags.u.items[i], "Value");
        jvb_set(&after, k->u.str, k->len, remove ? jv_null() : *v);
    }
    st->after = jvb_done(&after);
    if (jv_equal(&st->before, &st->after))
        return drop_last(x->p), note(x, "the tags are already so");
    finish(x, st);
    return 0;
}

static bool ec2_taggable(const char *rtype)
{
    static const char *const T[] = {"aws.security-group", "aws.ec2",         "aws.ebs",
                                    "aws.ebs-snapshot",   "aws.ami",         "aws.vpc",
                                    "aws.subnet",         "aws.eni",         "aws.internet-gateway",
                                    "aws.nat-gateway",    "aws.network-acl", "aws.route-table",
                                    "aws.network-addr"};
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++)
        if (!strcmp(T[i], rtype)) return true;
    return false;
}

/* ---- dispatch ---- */

static const struct {
    const char *rtype, *type;
    int (*fn)(act_ctx *x);
} ACTIONS[] = {
    {"aws.security-group", "remove-permissions", remove_permissions},
    {"aws.s3", "set-public-block", set_public_block},
    {"aws.s3", "remove-statements", remove_statements},
    {"aws.sns", "remove-statements", remove_statements},
    {"aws.ecr", "remove-statements", remove_statements},
    {"aws.kms-key", "remove-statements", remove_statements},
    {"aws.lambda", "remove-statements", remove_statements},
    {"aws.iam-user", "remove-keys", remove_keys},
    {"aws.ebs-snapshot", "set-permissions", set_permissions},
    {"aws.ami", "set-permissions", set_permissions},
    {"aws.ami", "remove-launch-permissions", set_permissions},
    {"aws.rds-snapshot", "set-permissions", set_permissions},
    {"aws.security-group", "delete", delete_group},
};

static const char *const TAG_ACTIONS[] = {"tag",    "mark-for-op", "mark",
                                          "unmark", "untag",       "remove-tag"};

int rm_plan_action(rm_plan *p, rm_session *s, const stored_finding *f, const jv *action, buf *err)
{
    (void)err;
    /* The plan outlives the policies: every value it takes from the
     * action is the plan's own copy. */
    jv *own = arena_alloc(p->a, sizeof *own);
    *own = jv_is(action, JV_OBJECT) ? jv_copy(p->a, action) : jv_object(p->a, 0);
    act_ctx x = {p, s, f, own, NULL, jv_null()};
    const jv *t = jv_is(action, JV_STRING) ? action : jv_get(action, "type");
    x.type = jv_is(t, JV_STRING) ? arena_strdup(p->a, t->u.str) : "?";
    if (f->evidence) {
        json_error je;
        if (json_parse(p->a, f->evidence, strlen(f->evidence), &x.evidence, &je) != 0)
            x.evidence = jv_null();
    }
    for (size_t i = 0; i < sizeof ACTIONS / sizeof ACTIONS[0]; i++)
        if (!strcmp(ACTIONS[i].rtype, f->resource_type) && !strcmp(ACTIONS[i].type, x.type))
            return ACTIONS[i].fn(&x);
    for (size_t i = 0; i < sizeof TAG_ACTIONS / sizeof TAG_ACTIONS[0]; i++)
        if (!strcmp(TAG_ACTIONS[i], x.type) &&
            (ec2_taggable(f->resource_type) || !strcmp(f->resource_type, "aws.iam-user")))
            return tag_action(&x);
    return note(&x, arena_sprintf(p->a, "action %s on %s is not supported by custos fix yet",
                                  x.type, f->resource_type));
}
