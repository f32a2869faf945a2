/* actions.c - Custodian's actions as steps: the exact calls custos fix makes.
 *
 *   aws.security-group  remove-permissions  ingress/egress: matched | all
 *       RevokeSecurityGroupIngress/Egress with exactly the grants selected
 *       (matched: those of the finding's evidence still in the group), so
 *       the other grants of the same rule and the other rules stay
 *   aws.s3  set-public-block  (BlockPublicAcls, IgnorePublicAcls,
 *       BlockPublicPolicy, RestrictPublicBuckets; state, default true)
 *       PutPublicAccessBlock
 *   aws.s3  remove-statements  statement_ids: matched | [Sid, ...]
 *       PutBucketPolicy with the other statements, DeleteBucketPolicy when
 *       none is left
 *   aws.iam-user  remove-keys  disable: true, age: DAYS, matched: true
 *       UpdateAccessKey Status=Inactive per active key selected (deleting
 *       keys is refused: deactivation can be undone, deletion cannot)
 *
 * An action that gives no step (nothing matched any more, already in the
 * desired state, not supported) is a note of the plan saying why.
 */
#include <math.h>
#include <string.h>

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

static int remove_statements(act_ctx *x)
{
    arena *a = x->p->a;
    const jv *ids = jv_get(x->action, "statement_ids");
    bool matched = jv_str_eq(ids, "matched");
    if (!matched && !jv_is(ids, JV_ARRAY))
        return note(x, "remove-statements: statement_ids must be `matched` or a list of Sids");
    rm_step *st = rm_step_new(x->p, x->f, x->type);
    st->kind = RM_S3_POLICY;
    st->service = "s3";
    if (!read_before(x, st)) return drop_last(x->p), 0;
    if (!jv_is(&st->before, JV_OBJECT))
        return drop_last(x->p), note(x, "the bucket has no policy now");
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
    jv_builder pb;
    jvb_object(&pb, a);
    jvb_set(&pb, "Bucket", 6, jv_cstr(a, x->f->resource_id));
    if (kept.len == 0) {
        st->operation = "DeleteBucketPolicy";
        st->after = jv_null();
    } else {
        st->operation = "PutBucketPolicy";
        st->after = with_statements(a, &st->before, kept);
        buf t = BUF_INIT;
        json_write(&t, &st->after);
        jvb_set(&pb, "Policy", 6, jv_str(a, t.data, t.len));
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

/* ---- dispatch ---- */

static const struct {
    const char *rtype, *type;
    int (*fn)(act_ctx *x);
} ACTIONS[] = {
    {"aws.security-group", "remove-permissions", remove_permissions},
    {"aws.s3", "set-public-block", set_public_block},
    {"aws.s3", "remove-statements", remove_statements},
    {"aws.iam-user", "remove-keys", remove_keys},
};

int rm_plan_action(rm_plan *p, rm_session *s, const stored_finding *f, const jv *action, buf *err)
{
    (void)err;
    jv empty = jv_object(p->a, 0);
    act_ctx x = {p, s, f, jv_is(action, JV_OBJECT) ? action : &empty, NULL, jv_null()};
    const jv *t = jv_is(action, JV_STRING) ? action : jv_get(action, "type");
    x.type = jv_is(t, JV_STRING) ? t->u.str : "?";
    if (f->evidence) {
        json_error je;
        if (json_parse(p->a, f->evidence, strlen(f->evidence), &x.evidence, &je) != 0)
            x.evidence = jv_null();
    }
    for (size_t i = 0; i < sizeof ACTIONS / sizeof ACTIONS[0]; i++)
        if (!strcmp(ACTIONS[i].rtype, f->resource_type) && !strcmp(ACTIONS[i].type, x.type))
            return ACTIONS[i].fn(&x);
    return note(&x, arena_sprintf(p->a, "action %s on %s is not supported by custos fix yet",
                                  x.type, f->resource_type));
}
