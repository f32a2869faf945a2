/* storage_filters.c - bucket-encryption, key-rotation-status, snapshot-age,
 * snapshot-shrink (semantics in storage_filters.h).
 *
 * Custodian calls GetBucketEncryption / GetKeyRotationStatus inside these
 * filters; custos reads the inventory's pre-merged keys instead, so the
 * filters are pure functions of the document (and, for the backup checks,
 * of the scope's snapshot sets).
 *
 * The backup checks join two resource types.  Rather than scanning every
 * snapshot of the region per volume, the first match in a scope builds a
 * sorted index (owner id, time) of both snapshot types through scope_memo;
 * it lives as long as the scope and is read-only afterwards, so workers
 * share it without locks.  One memo key serves both types, since the scope
 * has a small fixed number of memo slots.
 */
#include "filters/storage_filters.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
#include "filters/filter_opts.h"
#include "resources/resource.h"
#include "json/jv_date.h"
#include "util/date.h"

static srcpos spec_pos(filter_compiler *fc, const jv *spec)
{
    if (fc->map) return srcmap_get(fc->map, spec);
    return fc->where;
}

static void ev_put(jv_builder *b, const char *key, jv v)
{
    jvb_set(b, key, strlen(key), v);
}

static void set_evidence(eval_ctx *ctx, jv v)
{
    if (ctx->evidence) *ctx->evidence = v;
}

static bool opt_number(filter_compiler *fc, const jv *v, const char *name, double *out)
{
    if (!jv_is(v, JV_NUMBER) || !isfinite(v->u.num)) {
        fc_error(fc, v, "%s must be a number", name);
        return false;
    }
    *out = v->u.num;
    return true;
}

/* ================= bucket-encryption ================= */

typedef struct bucket_enc_filter {
    filter base;
    bool state;
    const char *crypto; /* NULL, "AES256" or "aws:kms" */
    const char *key;    /* NULL or the configured key */
} bucket_enc_filter;

static bool bucket_enc_option(filter_compiler *fc, bucket_enc_filter *f, const jv_member *m)
{
    if (strcmp(m->key, "state") == 0) return opt_bool(fc, &m->val, m->key, &f->state);
    if (strcmp(m->key, "crypto") == 0 || strcmp(m->key, "key") == 0) {
        if (!jv_is(&m->val, JV_STRING)) {
            fc_error(fc, &m->val, "%s must be a string", m->key);
            return false;
        }
        if (m->key[0] == 'c' && !jv_str_eq(&m->val, "AES256") && !jv_str_eq(&m->val, "aws:kms")) {
            fc_error(fc, &m->val, "crypto must be AES256 or aws:kms");
            return false;
        }
        const char *s = arena_strndup(fc->a, m->val.u.str, m->val.len);
        *(m->key[0] == 'c' ? &f->crypto : &f->key) = s;
        return true;
    }
    return opt_unknown(fc, m, "bucket-encryption");
}

static filter *bucket_enc_compile(filter_compiler *fc, const jv *spec)
{
    bucket_enc_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_bucket_encryption;
    f->base.pos = spec_pos(fc, spec);
    f->state = true;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") != 0 && !bucket_enc_option(fc, f, m)) return NULL;
    }
    return &f->base;
}

/* "arn:aws:kms:r:a:key/ID" -> "key/ID"; "alias/x" stays; a bare id -> its
 * "key/" form (written into buf). */
static const char *kms_ref(const char *s, char *buf, size_t n)
{
    const char *last = strrchr(s, ':');
    if (strncmp(s, "arn:", 4) == 0 && last) return last + 1;
    if (strchr(s, '/')) return s;
    snprintf(buf, n, "key/%s", s);
    return buf;
}

static bool kms_same(const char *a, const char *b)
{
    char ba[300], bb[300];
    return strcmp(a, b) == 0 || strcmp(kms_ref(a, ba, sizeof ba), kms_ref(b, bb, sizeof bb)) == 0;
}

/* Custodian's filter_bucket on one rule. */
static bool rule_passes(const bucket_enc_filter *f, const jv *rule)
{
    const jv *d = jv_get(rule, "ApplyServerSideEncryptionByDefault");
    const jv *algo = jv_get(d, "SSEAlgorithm");
    if (!f->crypto)
        return jv_str_eq(algo, "AES256") || jv_str_eq(algo, "aws:kms") ||
               jv_str_eq(algo, "aws:kms:dsse");
    if (!jv_str_eq(algo, f->crypto)) return false;
    if (strcmp(f->crypto, "aws:kms") != 0 || !f->key) return true;
    const jv *kid = jv_get(d, "KMSMasterKeyID");
    return jv_is(kid, JV_STRING) && kms_same(kid->u.str, f->key);
}

static bool bucket_enc_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const bucket_enc_filter *f = (const bucket_enc_filter *)base;
    const jv *enc = jv_get(r, "Encryption");
    if (!enc) return false; /* not collected */
    const jv *rules = jv_get(enc, "Rules");
    const jv *first = jv_is(rules, JV_ARRAY) && rules->len ? &rules->u.items[0] : NULL;
    bool hit = first ? rule_passes(f, first) == f->state : !f->state;
    if (hit) {
        jv_builder b;
        jvb_object(&b, ctx->scratch);
        ev_put(&b, "Encryption", first ? *first : jv_null());
        set_evidence(ctx, jvb_done(&b));
    }
    return hit;
}

static const char *const s3_only[] = {"aws.s3", NULL};
const filter_type filter_type_bucket_encryption = {"bucket-encryption", s3_only, bucket_enc_compile,
                                                   bucket_enc_match};

/* ================= key-rotation-status ================= */

typedef struct key_rotation_filter {
    filter base;
    value_filter *vf;
} key_rotation_filter;

static filter *key_rotation_compile(filter_compiler *fc, const jv *spec)
{
    key_rotation_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_key_rotation_status;
    f->base.pos = spec_pos(fc, spec);
    f->vf = value_filter_compile(fc, spec, true);
    return f->vf ? &f->base : NULL;
}

static bool key_rotation_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const key_rotation_filter *f = (const key_rotation_filter *)base;
    const jv *st = jv_get(r, "KeyRotationEnabled");
    jv empty = jv_object(ctx->scratch, 0);
    const jv *target = jv_is(st, JV_OBJECT) ? st : &empty;
    if (!value_filter_match(f->vf, target, ctx)) return false;
    set_evidence(ctx, *target);
    return true;
}

static const char *const kms_only[] = {"aws.kms-key", NULL};
const filter_type filter_type_key_rotation_status = {"key-rotation-status", kms_only,
                                                     key_rotation_compile, key_rotation_match};

/* ================= the snapshot index ================= */

typedef struct snap_entry {
    const char *owner; /* VolumeId / DBInstanceIdentifier */
    double t;          /* epoch seconds */
    const jv *snap;
} snap_entry;

typedef struct snap_list {
    snap_entry *v;
    size_t n;
} snap_list;

typedef struct snap_index {
    snap_list ebs, rds;
} snap_index;

static int cmp_entry(const void *pa, const void *pb)
{
    const snap_entry *a = pa, *b = pb;
    int c = strcmp(a->owner, b->owner);
    if (c) return c;
    return (a->t > b->t) - (a->t < b->t);
}

/* Usable snapshots of set s: status_key equal to ok (or absent), with an
 * owner and a parseable time. */
static snap_list index_set(arena *a, const resource_set *s, const char *owner_key,
                           const char *time_key, const char *status_key, const char *ok)
{
    snap_list l = {arena_alloc(a, (s->n ? s->n : 1) * sizeof(snap_entry)), 0};
    for (size_t i = 0; i < s->n; i++) {
        const jv *snap = &s->items[i];
        const jv *st = jv_get(snap, status_key);
        const jv *owner = jv_get(snap, owner_key);
        double t;
        if ((st && !jv_str_eq(st, ok)) || !jv_is(owner, JV_STRING)) continue;
        if (!date_parse_jv(jv_get(snap, time_key), &t)) continue;
        l.v[l.n++] = (snap_entry){owner->u.str, t, snap};
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_entry);
    return l;
}

static void *build_index(scope_ctx *sc, arena *a, void *arg)
{
    (void)arg;
    snap_index *ix = arena_calloc(a, sizeof *ix);
    const resource_set *ebs = scope_set_named(sc, "aws.ebs-snapshot");
    const resource_set *rds = scope_set_named(sc, "aws.rds-snapshot");
    if (ebs) ix->ebs = index_set(a, ebs, "VolumeId", "StartTime", "State", "completed");
    if (rds)
        ix->rds =
            index_set(a, rds, "DBInstanceIdentifier", "SnapshotCreateTime", "Status", "available");
    return ix;
}

static const char snap_memo_key = 0;

/* The snapshots of one volume / DB instance, oldest first (n may be 0). */
static snap_list snapshots_of(eval_ctx *ctx, bool rds, const char *owner)
{
    snap_list none = {NULL, 0};
    if (!ctx->scope || !owner) return none;
    const snap_index *ix = scope_memo(ctx->scope, &snap_memo_key, build_index, NULL);
    const snap_list *l = rds ? &ix->rds : &ix->ebs;
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(l->v[mid].owner, owner) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < l->n && strcmp(l->v[end].owner, owner) == 0)
        end++;
    return (snap_list){l->v + lo, end - lo};
}

static bool is_rds(const resource_type *t)
{
    return t && strcmp(t->name, "aws.rds") == 0;
}

/* The id snapshots name their owner by (not resource_id: tests and
 * `custos eval` may leave eval_ctx.rtype unset). */
static const char *owner_id(const jv *r, bool rds)
{
    const jv *id = jv_get(r, rds ? "DBInstanceIdentifier" : "VolumeId");
    return jv_is(id, JV_STRING) ? id->u.str : NULL;
}

static jv snap_id(const snap_entry *e, bool rds)
{
    const jv *id = jv_get(e->snap, rds ? "DBSnapshotIdentifier" : "SnapshotId");
    return id ? *id : jv_null();
}

/* ================= snapshot-age ================= */

enum { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE };
static const char *const AGE_OPS[][2] = {{"gt", "greater-than"}, {"ge", "gte"},
                                         {"lt", "less-than"},    {"le", "lte"},
                                         {"eq", "equal"},        {"ne", "not-equal"}};

typedef struct snapshot_age_filter {
    filter base;
    double days;
    int op;
    bool missing;
    bool rds;
} snapshot_age_filter;

static bool age_op_option(filter_compiler *fc, const jv *v, int *op)
{
    for (int i = 0; jv_is(v, JV_STRING) && i < 6; i++)
        if (jv_str_eq(v, AGE_OPS[i][0]) || jv_str_eq(v, AGE_OPS[i][1])) {
            *op = i;
            return true;
        }
    fc_error(fc, v, "op must be one of gt, ge, lt, le, eq, ne");
    return false;
}

static filter *snapshot_age_compile(filter_compiler *fc, const jv *spec)
{
    snapshot_age_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_snapshot_age;
    f->base.pos = spec_pos(fc, spec);
    f->rds = is_rds(fc->rtype);
    bool have_days = false, ok = true;
    for (uint32_t i = 0; ok && jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") == 0) continue;
        if (strcmp(m->key, "days") == 0)
            ok = have_days = opt_number(fc, &m->val, m->key, &f->days);
        else if (strcmp(m->key, "op") == 0)
            ok = age_op_option(fc, &m->val, &f->op);
        else if (strcmp(m->key, "missing") == 0)
            ok = opt_bool(fc, &m->val, m->key, &f->missing);
        else
            ok = opt_unknown(fc, m, "snapshot-age");
    }
    if (ok && !have_days) {
        fc_error(fc, spec, "snapshot-age needs days (a number)");
        ok = false;
    }
    return ok ? &f->base : NULL;
}

static bool age_cmp(int op, double age, double days)
{
    switch (op) {
    case OP_GT:
        return age > days;
    case OP_GE:
        return age >= days;
    case OP_LT:
        return age < days;
    case OP_LE:
        return age <= days;
    case OP_EQ:
        return age == days;
    default:
        return age != days;
    }
}

static bool snapshot_age_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const snapshot_age_filter *f = (const snapshot_age_filter *)base;
    snap_list l = snapshots_of(ctx, f->rds, owner_id(r, f->rds));
    jv_builder b;
    jvb_object(&b, ctx->scratch);
    if (l.n == 0) {
        if (!f->missing) return false;
        ev_put(&b, "latest snapshot", jv_null());
        ev_put(&b, "snapshots", jv_int(0));
        set_evidence(ctx, jvb_done(&b));
        return true;
    }
    const snap_entry *last = &l.v[l.n - 1];
    double age = ((double)ctx->now - last->t) / 86400.0;
    if (!age_cmp(f->op, age, f->days)) return false;
    const jv *when = jv_get(last->snap, f->rds ? "SnapshotCreateTime" : "StartTime");
    ev_put(&b, "latest snapshot", snap_id(last, f->rds));
    ev_put(&b, "snapshot time", when ? *when : jv_null());
    ev_put(&b, "age days", jv_int((int64_t)floor(age)));
    set_evidence(ctx, jvb_done(&b));
    return true;
}

static const char *const ebs_rds[] = {"aws.ebs", "aws.rds", NULL};
const filter_type filter_type_snapshot_age = {"snapshot-age", ebs_rds, snapshot_age_compile,
                                              snapshot_age_match};

/* ================= snapshot-shrink ================= */

typedef struct snapshot_shrink_filter {
    filter base;
    double ratio;
} snapshot_shrink_filter;

static filter *snapshot_shrink_compile(filter_compiler *fc, const jv *spec)
{
    snapshot_shrink_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_snapshot_shrink;
    f->base.pos = spec_pos(fc, spec);
    f->ratio = 0.5;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (strcmp(m->key, "type") == 0) continue;
        if (strcmp(m->key, "ratio") != 0) {
            opt_unknown(fc, m, "snapshot-shrink");
            return NULL;
        }
        if (!opt_number(fc, &m->val, m->key, &f->ratio)) return NULL;
        if (f->ratio <= 0) {
            fc_error(fc, &m->val, "ratio must be above 0");
            return NULL;
        }
    }
    return &f->base;
}

static bool snap_bytes(const snap_entry *e, double *out)
{
    const jv *v = jv_get(e->snap, "FullSnapshotSizeInBytes");
    if (!jv_is(v, JV_NUMBER)) return false;
    *out = v->u.num;
    return true;
}

static bool snapshot_shrink_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const snapshot_shrink_filter *f = (const snapshot_shrink_filter *)base;
    snap_list l = snapshots_of(ctx, false, owner_id(r, false));
    if (l.n < 2) return false;
    const snap_entry *last = &l.v[l.n - 1], *prev = &l.v[l.n - 2];
    double lb, pb;
    if (!snap_bytes(last, &lb) || !snap_bytes(prev, &pb) || pb <= 0) return false;
    if (!(lb < f->ratio * pb)) return false;
    jv_builder b;
    jvb_object(&b, ctx->scratch);
    ev_put(&b, "latest snapshot", snap_id(last, false));
    ev_put(&b, "latest bytes", jv_int((int64_t)lb));
    ev_put(&b, "previous snapshot", snap_id(prev, false));
    ev_put(&b, "previous bytes", jv_int((int64_t)pb));
    ev_put(&b, "ratio", jv_num(round(lb / pb * 100.0) / 100.0));
    set_evidence(ctx, jvb_done(&b));
    return true;
}

static const char *const ebs_only[] = {"aws.ebs", NULL};
const filter_type filter_type_snapshot_shrink = {"snapshot-shrink", ebs_only,
                                                 snapshot_shrink_compile, snapshot_shrink_match};
