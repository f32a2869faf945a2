/* test_custodian_placebo_sec.c - Custodian's recorded S3 and security-group
 * policy runs, replayed straight into the filters.
 *
 * For each case of $SHARED/conformance/custodian/cases-placebo.json whose
 * resource is s3 or security-group, this rebuilds the resources the way
 * Custodian did from the placebo recordings (README.md there explains the
 * numbering) and runs the policy's filters over them, then compares the
 * matched ids with expected_ids:
 *  - security-group: DescribeSecurityGroups_1's SecurityGroups; the same
 *    list is the related set for SGReferences.
 *  - s3: ListBuckets_1's Buckets, then per bucket, in order, the s3_augment
 *    calls (file _N for the N-th call of that operation, restarting at _1
 *    when _N is missing).  NoSuch... and ...NotFound errors give Custodian's default,
 *    AccessDenied leaves the key out.  check-public-block reads
 *    GetPublicAccessBlock lazily, for buckets that reach that filter, into
 *    c7n:PublicAccessBlock (null when not configured or denied).
 * This pins the bucket-document contract the inventory must produce.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "inventory/inventory.h"
#include "resources/resource.h"
#include "util/buf.h"

static int failed;

typedef struct replay {
    arena *a;
    char dir[4096];
    struct {
        char op[96];
        int n;
    } counters[32];
    int ncounters;
} replay;

static bool load_json(arena *a, const char *path, jv *out)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) return false;
    json_error err;
    int rc = json_parse(a, text, len, out, &err);
    free(text);
    return rc == 0;
}

/* The next recorded response of service.op, or false when there is none. */
static bool replay_next(replay *r, const char *op, jv *out)
{
    int *n = NULL;
    for (int i = 0; i < r->ncounters; i++)
        if (strcmp(r->counters[i].op, op) == 0) n = &r->counters[i].n;
    if (!n && r->ncounters < 32) {
        snprintf(r->counters[r->ncounters].op, sizeof r->counters[0].op, "%s", op);
        r->counters[r->ncounters].n = 0;
        n = &r->counters[r->ncounters++].n;
    }
    if (!n) return false;
    char path[4300];
    snprintf(path, sizeof path, "%s/%s_%d.json", r->dir, op, ++*n);
    if (load_json(r->a, path, out)) return true;
    *n = 1;
    snprintf(path, sizeof path, "%s/%s_1.json", r->dir, op);
    return load_json(r->a, path, out);
}

typedef struct augment {
    const char *method, *op, *key, *select;
    const char *dflt; /* JSON */
} augment;

static const augment AUGMENTS[] = {
    {"get_bucket_location", "s3.GetBucketLocation", "Location", NULL, "{}"},
    {"get_bucket_tagging", "s3.GetBucketTagging", "Tags", "TagSet", "[]"},
    {"get_bucket_policy", "s3.GetBucketPolicy", "Policy", "Policy", "null"},
    {"get_bucket_acl", "s3.GetBucketAcl", "Acl", NULL, "null"},
    {"get_bucket_replication", "s3.GetBucketReplication", "Replication", NULL, "null"},
    {"get_bucket_versioning", "s3.GetBucketVersioning", "Versioning", NULL, "null"},
    {"get_bucket_website", "s3.GetBucketWebsite", "Website", NULL, "null"},
    {"get_bucket_logging", "s3.GetBucketLogging", "Logging", "LoggingEnabled", "null"},
    {"get_bucket_notification_configuration", "s3.GetBucketNotificationConfiguration",
     "Notification", NULL, "null"},
    {"get_bucket_lifecycle_configuration", "s3.GetBucketLifecycleConfiguration", "Lifecycle", NULL,
     "null"},
};

static const augment *find_augment(const char *method)
{
    for (size_t i = 0; i < sizeof AUGMENTS / sizeof AUGMENTS[0]; i++)
        if (strcmp(AUGMENTS[i].method, method) == 0) return &AUGMENTS[i];
    return NULL;
}

/* Response data without ResponseMetadata. */
static jv strip_metadata(arena *a, const jv *data)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; jv_is(data, JV_OBJECT) && i < data->len; i++)
        if (strcmp(data->u.members[i].key, "ResponseMetadata") != 0)
            jvb_set(&b, data->u.members[i].key, data->u.members[i].klen, data->u.members[i].val);
    return jvb_done(&b);
}

static const char *error_code(const jv *resp)
{
    const jv *sc = jv_get(resp, "status_code");
    if (!jv_is(sc, JV_NUMBER) || sc->u.num < 400) return NULL;
    const jv *code = jv_get(jv_get(jv_get(resp, "data"), "Error"), "Code");
    return jv_is(code, JV_STRING) ? code->u.str : "unknown";
}

/* Adds one augment key to bucket builder b; false on a replay problem. */
static bool add_augment(replay *r, jv_builder *b, const augment *au, char *why, size_t whysz)
{
    jv resp;
    if (!replay_next(r, au->op, &resp)) {
        snprintf(why, whysz, "no recording for %s", au->op);
        return false;
    }
    const char *code = error_code(&resp);
    jv value;
    if (code) {
        if (strncmp(code, "NoSuch", 6) == 0 || strstr(code, "NotFound")) {
            json_error err;
            json_parse(r->a, au->dflt, strlen(au->dflt), &value, &err);
        } else if (strcmp(code, "AccessDenied") == 0) {
            return true;
        } else {
            snprintf(why, whysz, "%s failed with %s", au->op, code);
            return false;
        }
    } else {
        value = strip_metadata(r->a, jv_get(&resp, "data"));
        const jv *sel = au->select ? jv_get(&value, au->select) : NULL;
        if (sel) value = *sel;
    }
    jvb_set(b, au->key, strlen(au->key), value);
    return true;
}

static bool build_buckets(replay *r, const jv *c, jv *out, char *why, size_t whysz)
{
    jv lb;
    if (!replay_next(r, "s3.ListBuckets", &lb)) {
        snprintf(why, whysz, "no ListBuckets recording");
        return false;
    }
    const jv *buckets = jv_get(jv_get(&lb, "data"), "Buckets");
    const jv *aug = jv_get(c, "s3_augment");
    *out = jv_array(r->a, jv_is(buckets, JV_ARRAY) ? buckets->len : 0);
    for (uint32_t i = 0; i < out->len; i++) {
        jv_builder b;
        jvb_object(&b, r->a);
        const jv *src = &buckets->u.items[i];
        for (uint32_t k = 0; k < src->len; k++)
            jvb_set(&b, src->u.members[k].key, src->u.members[k].klen, src->u.members[k].val);
        for (uint32_t k = 0; jv_is(aug, JV_ARRAY) && k < aug->len; k++) {
            const jv *method = &aug->u.items[k].u.items[0];
            const augment *au = find_augment(method->u.str);
            if (!au) {
                snprintf(why, whysz, "unknown augment %s", method->u.str);
                return false;
            }
            if (!add_augment(r, &b, au, why, whysz)) return false;
        }
        out->u.items[i] = jvb_done(&b);
    }
    return true;
}

/* check-public-block's lazy GetPublicAccessBlock, as Custodian makes it. */
static void attach_public_block(replay *r, jv *bucket)
{
    if (jv_get(bucket, "c7n:PublicAccessBlock")) return;
    jv resp, cfg = jv_null();
    if (replay_next(r, "s3.GetPublicAccessBlock", &resp) && !error_code(&resp)) {
        const jv *c = jv_get(jv_get(&resp, "data"), "PublicAccessBlockConfiguration");
        if (c) cfg = *c;
    }
    jv_builder b;
    jvb_object(&b, r->a);
    for (uint32_t k = 0; k < bucket->len; k++)
        jvb_set(&b, bucket->u.members[k].key, bucket->u.members[k].klen, bucket->u.members[k].val);
    jvb_set(&b, "c7n:PublicAccessBlock", 21, cfg);
    *bucket = jvb_done(&b);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Runs the policy's filters over items; replay (may be NULL) feeds
 * check-public-block's lazy call.  Prints PASS/FAIL as `name`. */
static void eval_case(arena *a, const char *name, const jv *c, const resource_type *rt, jv items,
                      const resource_set *related, replay *r)
{
    const jv *pol = jv_get(c, "policy");
    /* Compile each filter on its own so check-public-block's lazy call can
     * be replayed just before it runs. */
    const jv *filters = jv_get(pol, "filters");
    size_t nf = jv_is(filters, JV_ARRAY) ? filters->len : 0;
    filter **fs = arena_calloc(a, (nf + 1) * sizeof *fs);
    diag_list d = DIAG_LIST_INIT;
    filter_compiler fc = {.a = a, .diags = &d, .rtype = rt};
    for (size_t i = 0; i < nf; i++) {
        fs[i] = filter_compile(&fc, &filters->u.items[i]);
        if (!fs[i]) {
            printf("FAIL %s: filter %zu does not compile: %s\n", name, i,
                   d.n ? d.items[0].msg : "?");
            diag_free(&d);
            failed++;
            return;
        }
    }
    diag_free(&d);
    const jv *cfg = jv_get(c, "config");
    eval_ctx ctx = {0};
    ctx.scratch = a;
    ctx.account_id = jv_get(cfg, "account_id")->u.str;
    ctx.region = jv_get(cfg, "region")->u.str;
    ctx.now = time(NULL);
    ctx.rtype = rt;
    ctx.related = related;
    const char **got = arena_calloc(a, (items.len + 1) * sizeof(char *));
    size_t ngot = 0;
    for (uint32_t i = 0; i < items.len; i++) {
        jv *res = &items.u.items[i];
        bool ok = true;
        for (size_t k = 0; ok && k < nf; k++) {
            if (r && strcmp(fs[k]->type->name, "check-public-block") == 0)
                attach_public_block(r, res);
            ok = filter_match(fs[k], res, &ctx);
        }
        const jv *id = jv_get(res, jv_get(c, "id_field")->u.str);
        if (ok) got[ngot++] = jv_is(id, JV_STRING) ? id->u.str : "?";
    }
    qsort(got, ngot, sizeof *got, cmp_str);
    const jv *want = jv_get(c, "expected_ids");
    bool same = jv_is(want, JV_ARRAY) && want->len == ngot;
    for (size_t i = 0; same && i < ngot; i++)
        same = jv_str_eq(&want->u.items[i], got[i]);
    if (same) {
        printf("PASS %s\n", name);
        return;
    }
    buf msg = BUF_INIT;
    for (size_t i = 0; i < ngot; i++)
        buf_printf(&msg, "%s%s", i ? "," : "", got[i]);
    buf b2 = BUF_INIT;
    json_write(&b2, want);
    printf("FAIL %s: got [%s], want %s\n", name, msg.data ? msg.data : "", b2.data);
    buf_free(&msg);
    buf_free(&b2);
    failed++;
}

static bool case_kind(const jv *c, bool *is_s3)
{
    const jv *rname = jv_get(jv_get(c, "policy"), "resource");
    *is_s3 = jv_str_eq(rname, "s3") || jv_str_eq(rname, "aws.s3");
    return *is_s3 || jv_str_eq(rname, "security-group") || jv_str_eq(rname, "aws.security-group");
}

/* Mode 1: resources rebuilt here from the recordings (pins the contract). */
static void run_case(arena *a, const char *shared, const jv *c)
{
    bool is_s3;
    if (!case_kind(c, &is_s3)) return;
    const char *name = jv_get(c, "id")->u.str;
    const resource_type *rt = resource_type_find(jv_get(jv_get(c, "policy"), "resource")->u.str);
    replay r = {.a = a};
    snprintf(r.dir, sizeof r.dir, "%s/conformance/custodian/placebo/%s", shared,
             jv_get(c, "placebo")->u.str);
    char why[512] = "";
    jv items = jv_array(a, 0);
    if (is_s3 && !build_buckets(&r, c, &items, why, sizeof why)) {
        printf("FAIL %s: %s\n", name, why);
        failed++;
        return;
    }
    if (!is_s3) {
        jv resp;
        const jv *g = replay_next(&r, "ec2.DescribeSecurityGroups", &resp)
                          ? jv_get(jv_get(&resp, "data"), "SecurityGroups")
                          : NULL;
        if (jv_is(g, JV_ARRAY)) items = *g;
    }
    resource_set related = {.type = rt, .items = items.u.items, .n = items.len};
    eval_case(a, name, c, rt, items, &related, is_s3 ? &r : NULL);
}

/* Mode 2: the same cases through the inventory's placebo reader, checking
 * that what it builds is what these filters read. */
static void run_case_inventory(arena *a, const char *shared, const jv *c)
{
    bool is_s3;
    if (!case_kind(c, &is_s3)) return;
    char name[512];
    snprintf(name, sizeof name, "inventory:%s", jv_get(c, "id")->u.str);
    const resource_type *rt = resource_type_find(jv_get(jv_get(c, "policy"), "resource")->u.str);
    char spec[4300];
    snprintf(spec, sizeof spec, "placebo:%s/conformance/custodian/placebo/%s", shared,
             jv_get(c, "placebo")->u.str);
    const jv *cfg = jv_get(c, "config");
    inventory_options opt = {.account_id = jv_get(cfg, "account_id")->u.str,
                             .region = jv_get(cfg, "region")->u.str,
                             .threads = 1};
    inventory *inv = NULL;
    diag_list d = DIAG_LIST_INIT;
    const inv_scope *scopes = NULL;
    resource_set rs = {0};
    if (inventory_open(spec, &opt, &inv, &d) != 0 || inventory_scopes(inv, &scopes) == 0 ||
        inventory_load(inv, rt, &scopes[0], &rs, &d) != 0) {
        printf("FAIL %s: inventory: %s\n", name, d.n ? d.items[0].msg : "no scope");
        failed++;
    } else {
        jv items = jv_array(a, rs.n);
        for (size_t i = 0; i < rs.n; i++)
            items.u.items[i] = rs.items[i];
        eval_case(a, name, c, rt, items, &rs, NULL);
    }
    diag_free(&d);
    if (inv) inventory_close(inv);
}

int main(void)
{
    const char *shared = getenv("SHARED");
    if (!shared || !*shared) shared = "../shared";
    char path[4096];
    snprintf(path, sizeof path, "%s/conformance/custodian/cases-placebo.json", shared);
    arena *a = arena_new(0);
    jv doc;
    if (!load_json(a, path, &doc)) {
        printf("FAIL load: cannot read or parse %s\n", path);
        arena_free(a);
        return 1;
    }
    const jv *cases = jv_get(&doc, "cases");
    for (uint32_t i = 0; jv_is(cases, JV_ARRAY) && i < cases->len; i++)
        run_case(a, shared, &cases->u.items[i]);
    for (uint32_t i = 0; jv_is(cases, JV_ARRAY) && i < cases->len; i++)
        run_case_inventory(a, shared, &cases->u.items[i]);
    arena_free(a);
    return failed ? 1 : 0;
}
