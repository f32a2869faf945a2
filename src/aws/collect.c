/* collect.c - `custos collect`: every account and region, at once.
 *
 * For each account of accounts.yaml (collect_config.c): the credentials
 * (STS AssumeRole into its role with the base credentials of the chain, or
 * the base credentials themselves), then its regions (listed, or
 * DescribeRegions), then every operation of plan.c: regional ones per
 * region, global ones once (in us-east-1, files under global/), and
 * per-resource ones per item of their parent's answer.  All calls of all
 * accounts go through one aws_loop, so the number in flight is bounded
 * overall and retries of one account never hold up another.  A shard
 * (collect_options.keep_account) enters only its own accounts, and its
 * inventory's accounts.yaml and collection.json list only those.
 * custos fix's re-read of what it changed (collect_options.regions and
 * keep_op) collects only some regions and operations the same way.
 *
 * Files are written as each call completes, into a directory beside the
 * target (".<name>.collect-<pid>"), which replaces the target only when
 * everything has finished (an atomic exchange of the two directories), so a
 * killed collection leaves the previous inventory as it was.  What each
 * call answered is counted per account, region and operation and written
 * to collection.json:
 *
 *   {"collected_at": "...", "complete": false,
 *    "summary": {"accounts", "scopes", "operations", "collected",
 *                "not_collected", "requests", "retries", "seconds"},
 *    "accounts": [{"id", "name", "status": "collected"|"partial"|"not_collected",
 *                  "regions": [...], "code", "message"}],
 *    "not_collected": [{"account", "region", "service", "operation", "code",
 *                       "message", "resources": [...]}],
 *    "operations": [{"account", "region", "service", "operation", "calls",
 *                    "collected", "not_found", "failed"}]}
 *
 * "region" is "global" for global operations and "*" for an account that
 * could not be entered at all.  A "not found" answer (NoSuchBucketPolicy,
 * NoSuchEntity, ...) counts as collected: it is the answer.  A failed
 * per-resource call leaves {"Error": {"Code", "Message"}} in the resource's
 * file (the inventory reads AccessDenied as Custodian does); a failed
 * listing leaves no file and is a gap.  Nothing written contains a secret.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "aws/aws_internal.h"
#include "aws/collect_config.h"
#include "aws/plan.h"
#include "util/strmap.h"

const char *aws_profile_value(const char *profile, const char *key); /* creds.c */

/* snprintf that may truncate (messages, paths in messages). */
static void fmt(char *dst, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void fmt(char *dst, size_t n, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(dst, n, f, ap);
    va_end(ap);
}

typedef struct collector collector;

typedef struct acct_state {
    const collect_account *cfg;
    collector *c;
    aws_cred_source cs;
    unsigned base_gen; /* no role: the generation of base its creds copy */
    const char **regions;
    size_t nregions;
    bool failed;
    size_t pending; /* its jobs in the loop: 0 again = the account is done */
    char code[128], message[512];
} acct_state;

typedef struct op_stat {
    size_t acct;
    const char *region; /* "global" for global operations */
    const plan_op *op;
    size_t calls, ok, not_found, failed;
    /* The first failure's (arena): one stat per account, region and
     * operation, so no fixed buffers in each (they were most of the
     * collector's memory at 44 accounts). */
    const char *code, *message;
    buf resources; /* JSON strings, comma-separated: the failed items */
    size_t nres;
} op_stat;

struct collector {
    const collect_options *opt;
    collect_config cfg;
    arena *a;
    aws_loop *loop;
    aws_creds base;
    unsigned base_gen; /* bumped when base is refreshed */
    time_t base_tried; /* when base was last fetched */
    const char *home_region;
    acct_state *accts;
    size_t next_acct, active, window; /* accounts started, in progress, at most at once */
    op_stat *stats;
    size_t nstats, capstats;
    strmap stat_index;
    char tmp[4096];
    size_t failures, write_errors;
    char write_error[512];
    double started;
};

typedef struct call_ctx {
    collector *c;
    acct_state *acct;
    const plan_op *op;
    char region[32];
    const jv *item; /* the resource this call is about, or NULL */
    const char *key;
} call_ctx;

static double now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

/* ---- files ---- */

static int mkdirs(const char *path)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int write_text(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    size_t w = fwrite(data, 1, len, f);
    int rc = (w == len && fputc('\n', f) != EOF) ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    return rc;
}

static void write_json(collector *c, const char *dir, const char *name, const jv *v)
{
    char path[4096];
    fmt(path, sizeof path, "%s/%s", dir, name);
    buf b = BUF_INIT;
    json_write_pretty(&b, v, 4);
    if (mkdirs(dir) != 0 || write_text(path, b.data ? b.data : "{}", b.len) != 0) {
        if (!c->write_errors++)
            fmt(c->write_error, sizeof c->write_error, "%s: %s", path, strerror(errno));
    }
    buf_free(&b);
}

/* A value usable in a file name (the layout cannot read names with '/'). */
static bool file_safe(const char *s)
{
    return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* ---- outcomes ---- */

/* An error answer that says "none" for this operation (written as such
 * with PLAN_ERROR_FILE, counted as not found, never a gap). */
static bool op_not_found(const plan_op *op, const char *code)
{
    return aws_code_not_found(code) ||
           ((op->flags & PLAN_OFF_IF_NO_ACCESS) && strcmp(code, "InvalidAccessException") == 0);
}

static op_stat *stat_for(collector *c, const acct_state *as, const char *region, const plan_op *op)
{
    const char *key = arena_sprintf(c->a, "%zu|%s|%s|%s", (size_t)(as - c->accts), region,
                                    op->client, op->operation);
    int *slot = strmap_slot(&c->stat_index, key, -1);
    if (*slot >= 0) return &c->stats[*slot];
    if (c->nstats == c->capstats) {
        c->capstats = c->capstats ? c->capstats * 2 : 256;
        c->stats = realloc(c->stats, c->capstats * sizeof *c->stats);
        if (!c->stats) abort();
    }
    *slot = (int)c->nstats;
    op_stat *s = &c->stats[c->nstats++];
    memset(s, 0, sizeof *s);
    s->acct = (size_t)(as - c->accts);
    s->region = arena_strdup(c->a, region);
    s->op = op;
    return s;
}

static void record(collector *c, call_ctx *x, const aws_result *r)
{
    const char *region = x->op->scope == PLAN_GLOBAL ? "global" : x->region;
    op_stat *s = stat_for(c, x->acct, region, x->op);
    s->calls++;
    if (!r->code[0]) {
        s->ok++;
    } else if (op_not_found(x->op, r->code)) {
        s->not_found++;
    } else {
        s->failed++;
        c->failures++;
        if (!s->code) {
            s->code = arena_strdup(c->a, r->code);
            s->message = arena_strdup(c->a, r->message);
        }
        if (x->key && s->nres < 50) {
            if (s->nres++) buf_putc(&s->resources, ',');
            json_write_string(&s->resources, x->key, strlen(x->key));
        }
    }
}

/* ---- the account window ----
 *
 * Accounts are collected a few at a time (window, from the concurrency),
 * not all at once: every started account queues its listing calls and
 * then its per-resource ones, and with all of them started the queue and
 * its answers grow with the organisation (RSS 32 MB at 11 accounts, 80 MB
 * at 44 before this).  A window of concurrency / 8 accounts still keeps
 * every request slot busy (an account has tens of independent calls per
 * region), and the next account starts the moment one finishes. */

static void start_account(collector *c, acct_state *as);

static void start_next_accounts(collector *c)
{
    while (c->active < c->window && c->next_acct < c->cfg.naccounts) {
        size_t i = c->next_acct++;
        acct_state *as = &c->accts[i];
        as->cfg = &c->cfg.accounts[i];
        as->c = c;
        c->active++;
        start_account(c, as);
        if (!as->pending) c->active--; /* failed before any call */
    }
}

static void add_job(collector *c, acct_state *as, aws_job *j)
{
    as->pending++;
    aws_loop_add(c->loop, j);
}

/* Called last by every job's done callback, after it added its children. */
static void job_finished(collector *c, acct_state *as)
{
    if (--as->pending) return;
    c->active--;
    start_next_accounts(c);
}

/* ---- calls ---- */

static void spawn(collector *c, acct_state *as, const plan_op *op, const char *region,
                  const jv *item);

/* The item's member name; "." is the item itself, for lists of ids
 * (guardduty ListDetectors' DetectorIds). */
static const char *item_field(const jv *item, const char *name)
{
    const jv *v = strcmp(name, ".") == 0 ? item : jv_get(item, name);
    return jv_is(v, JV_STRING) ? v->u.str : NULL;
}

/* "A={X}&B=lit" with the item's members -> job params; false when the
 * item lacks a member. */
static bool fill_params(aws_job *j, const char *tmpl, const jv *item)
{
    if (!tmpl) return true;
    char *copy = arena_strdup(j->a, tmpl);
    for (char *save = NULL, *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) continue;
        *eq = 0;
        const char *v = eq + 1;
        if (v[0] == '{') {
            char name[128];
            fmt(name, sizeof name, "%.*s", (int)strcspn(v + 1, "}"), v + 1);
            v = item_field(item, name);
            if (!v) return false;
        }
        aws_job_param(j, kv, v);
    }
    return true;
}

static void write_result(collector *c, call_ctx *x, const aws_result *r)
{
    const plan_op *op = x->op;
    if (op->flags & PLAN_NO_FILE) return;
    bool nf = r->code[0] && op_not_found(op, r->code);
    bool error_file = r->code[0] && ((nf && (op->flags & PLAN_ERROR_FILE)) || (!nf && x->key));
    if (r->code[0] && !error_file) return;
    char dir[4096], name[1024];
    fmt(dir, sizeof dir, "%s/%s/%s", c->tmp, x->acct->cfg->id,
        op->scope == PLAN_GLOBAL ? "global" : x->region);
    if (x->key)
        fmt(name, sizeof name, "%s.%s.%s.json", op->client, op->operation, x->key);
    else
        fmt(name, sizeof name, "%s.%s.json", op->client, op->operation);
    if (!error_file) {
        write_json(c, dir, name, &r->data);
        return;
    }
    arena *a = arena_new(1024);
    jv_builder e, b;
    jvb_object(&e, a);
    jvb_set(&e, "Code", 4, jv_cstr(a, r->code));
    jvb_set(&e, "Message", 7, jv_cstr(a, r->message));
    jvb_object(&b, a);
    jvb_set(&b, "Error", 5, jvb_done(&e));
    jv doc = jvb_done(&b);
    write_json(c, dir, name, &doc);
    arena_free(a);
}

/* The region of an S3 GetBucketLocation answer. */
static const char *bucket_region(const aws_result *r, const char *dflt)
{
    if (r->code[0]) return dflt;
    const jv *lc = jv_get(&r->data, "LocationConstraint");
    if (!jv_is(lc, JV_STRING) || !lc->len) return "us-east-1";
    if (strcmp(lc->u.str, "EU") == 0) return "eu-west-1";
    return lc->u.str;
}

static const jv *items_at(const jv *data, const char *path)
{
    char part[128];
    const jv *v = data;
    while (v && *path) {
        size_t l = strcspn(path, ".");
        snprintf(part, sizeof part, "%.*s", (int)l, path);
        v = jv_get(v, part);
        path += l + (path[l] == '.');
    }
    return jv_is(v, JV_ARRAY) ? v : NULL;
}

static bool op_kept(const collector *c, const plan_op *op)
{
    return !c->opt->keep_op || c->opt->keep_op(op->client, op->operation, c->opt->keep_op_arg);
}

static void spawn_children(collector *c, call_ctx *x, const aws_result *r)
{
    size_t n;
    const plan_op *ops = plan_ops(&n);
    for (size_t i = 0; i < n; i++) {
        const plan_op *ch = &ops[i];
        if (!ch->parent || strcmp(ch->parent, x->op->operation) != 0 ||
            strcmp(ch->client, x->op->client) != 0 || !op_kept(c, ch))
            continue;
        if (!ch->items) { /* follows the same item */
            const char *reg =
                (ch->flags & PLAN_BUCKET_REGION) ? bucket_region(r, x->region) : x->region;
            spawn(c, x->acct, ch, reg, x->item);
            continue;
        }
        const jv *list = r->code[0] ? NULL : items_at(&r->data, ch->items);
        for (uint32_t k = 0; list && k < list->len; k++)
            spawn(c, x->acct, ch, x->region, &list->u.items[k]);
    }
}

static void on_call_done(aws_job *j, void *ctx)
{
    call_ctx *x = ctx;
    collector *c = x->c;
    acct_state *as = x->acct;
    record(c, x, &j->res);
    write_result(c, x, &j->res);
    spawn_children(c, x, &j->res);
    aws_job_free(j);
    job_finished(c, as);
}

static void spawn(collector *c, acct_state *as, const plan_op *op, const char *region,
                  const jv *item)
{
    buf err = BUF_INIT;
    aws_job *j = aws_job_new(op->client, op->operation, region, c->opt->profile, &as->cs, &err);
    if (!j) {
        call_ctx x = {c, as, op, "", NULL, NULL};
        snprintf(x.region, sizeof x.region, "%s", region);
        aws_result r = {0};
        snprintf(r.code, sizeof r.code, "InvalidConfiguration");
        snprintf(r.message, sizeof r.message, "%s", err.data ? err.data : "");
        record(c, &x, &r);
        buf_free(&err);
        return;
    }
    buf_free(&err);
    call_ctx *x = arena_calloc(j->a, sizeof *x);
    x->c = c;
    x->acct = as;
    x->op = op;
    snprintf(x->region, sizeof x->region, "%s", region);
    if (item) {
        jv *copy = arena_alloc(j->a, sizeof *copy);
        *copy = jv_copy(j->a, item);
        x->item = copy;
        const char *key = op->file_key ? item_field(copy, op->file_key) : NULL;
        if (op->file_key && !file_safe(key)) {
            aws_job_free(j);
            return;
        }
        x->key = key;
    } else if (op->file_key) {
        x->key = op->file_key; /* a fixed call of its own (plan.c: file_key, no parent) */
    }
    if (!fill_params(j, op->params, x->item)) {
        aws_job_free(j);
        return;
    }
    snprintf(j->quota_key, sizeof j->quota_key, "%s/%s/%s", as->cfg->id, region, op->client);
    j->done = on_call_done;
    j->ctx = x;
    add_job(c, as, j);
}

/* ---- accounts ---- */

static void start_account_regions(collector *c, acct_state *as)
{
    size_t n;
    const plan_op *ops = plan_ops(&n);
    for (size_t i = 0; i < n; i++) {
        const plan_op *op = &ops[i];
        if (op->parent || op->scope == PLAN_NONE || !op_kept(c, op)) continue;
        if (op->scope == PLAN_GLOBAL)
            spawn(c, as, op, "us-east-1", NULL);
        else
            for (size_t r = 0; r < as->nregions; r++)
                spawn(c, as, op, as->regions[r], NULL);
    }
}

static void account_failed(acct_state *as, const char *code, const char *msg)
{
    as->failed = true;
    as->c->failures++;
    snprintf(as->code, sizeof as->code, "%s", code);
    fmt(as->message, sizeof as->message, "%s", msg);
}

static void on_regions(aws_job *j, void *ctx)
{
    acct_state *as = ctx;
    collector *c = as->c;
    const jv *list = j->res.code[0] ? NULL : jv_get(&j->res.data, "Regions");
    if (!jv_is(list, JV_ARRAY)) {
        account_failed(as, j->res.code[0] ? j->res.code : "InvalidResponse",
                       j->res.code[0] ? j->res.message : "DescribeRegions gave no Regions");
    } else {
        as->regions = arena_alloc(c->a, (list->len ? list->len : 1) * sizeof(char *));
        as->nregions = 0;
        for (uint32_t i = 0; i < list->len; i++) {
            const char *r = item_field(&list->u.items[i], "RegionName");
            const char *opt = item_field(&list->u.items[i], "OptInStatus");
            if (r && !(opt && strcmp(opt, "not-opted-in") == 0))
                as->regions[as->nregions++] = arena_strdup(c->a, r);
        }
        start_account_regions(c, as);
    }
    aws_job_free(j);
    job_finished(c, as);
}

static void account_ready(collector *c, acct_state *as)
{
    if (c->opt->regions) {
        as->regions = (const char **)c->opt->regions;
        as->nregions = c->opt->n_regions;
        start_account_regions(c, as);
        return;
    }
    if (!as->cfg->all_enabled) {
        as->regions = as->cfg->regions;
        as->nregions = as->cfg->nregions;
        start_account_regions(c, as);
        return;
    }
    buf err = BUF_INIT;
    aws_job *j =
        aws_job_new("ec2", "DescribeRegions", c->home_region, c->opt->profile, &as->cs, &err);
    if (!j) {
        account_failed(as, "InvalidConfiguration", err.data ? err.data : "");
        buf_free(&err);
        return;
    }
    buf_free(&err);
    snprintf(j->quota_key, sizeof j->quota_key, "%s/ec2", as->cfg->id);
    j->done = on_regions;
    j->ctx = as;
    add_job(c, as, j);
}

/* The base credentials again from the chain when they expire within 5
 * minutes (IMDS, ECS, web identity and credential_process ones expire),
 * at most every 10 s: a source that only ever gives credentials that close
 * to expiry is used as it is rather than asked before every request. */
static int refresh_base(collector *c, buf *err)
{
    time_t now = time(NULL);
    if (!c->base.expires || c->base.expires - now >= 300 || now - c->base_tried < 10) return 0;
    c->base_tried = now;
    aws_creds fresh;
    if (aws_default_creds(c->opt->profile, &fresh, err) != 0) return -1;
    aws_creds_clear(&c->base);
    c->base = fresh;
    c->base_gen++;
    return 0;
}

/* An account read with the base credentials as they are. */
static int refresh_plain(aws_cred_source *cs, buf *err)
{
    acct_state *as = cs->ctx;
    collector *c = as->c;
    if (refresh_base(c, err) != 0) return -1;
    if (as->base_gen == c->base_gen) return 0;
    aws_creds_clear(&cs->creds);
    aws_creds_copy(&cs->creds, &c->base);
    as->base_gen = c->base_gen;
    return 0;
}

static int refresh_assumed(aws_cred_source *cs, buf *err)
{
    acct_state *as = cs->ctx;
    collector *c = as->c;
    aws_creds fresh;
    if (refresh_base(c, err) != 0) return -1;
    if (aws_assume_role(&c->base, as->cfg->role_arn, c->cfg.external_id, c->cfg.session_name,
                        c->cfg.duration, c->home_region, &fresh, err) != 0)
        return -1;
    aws_creds_clear(&cs->creds);
    cs->creds = fresh;
    return 0;
}

static void on_assumed(aws_job *j, void *ctx)
{
    acct_state *as = ctx;
    buf err = BUF_INIT;
    aws_creds fresh;
    if (j->res.code[0]) {
        char msg[700];
        fmt(msg, sizeof msg, "AssumeRole %s: %s", as->cfg->role_arn, j->res.message);
        account_failed(as, j->res.code, msg);
    } else if (aws_creds_from_sts(&j->res.data, &fresh, "assumed role", &err) != 0) {
        account_failed(as, "InvalidResponse", err.data ? err.data : "");
    } else {
        aws_creds_clear(&as->cs.creds);
        as->cs.creds = fresh;
        as->cs.refresh = refresh_assumed;
        as->cs.ctx = as;
        account_ready(as->c, as);
    }
    buf_free(&err);
    aws_job_free(j);
    job_finished(as->c, as);
}

static void start_account(collector *c, acct_state *as)
{
    if (!as->cfg->role_arn) {
        aws_creds_copy(&as->cs.creds, &c->base);
        as->base_gen = c->base_gen;
        as->cs.refresh = refresh_plain;
        as->cs.ctx = as;
        account_ready(c, as);
        return;
    }
    buf err = BUF_INIT;
    aws_job *j = aws_job_new("sts", "AssumeRole", c->home_region, c->opt->profile, &as->cs, &err);
    if (!j) {
        account_failed(as, "InvalidConfiguration", err.data ? err.data : "");
        buf_free(&err);
        return;
    }
    buf_free(&err);
    aws_creds_copy(&as->cs.creds, &c->base); /* AssumeRole signs with the base */
    char dur[16];
    snprintf(dur, sizeof dur, "%d", c->cfg.duration);
    aws_job_param(j, "RoleArn", as->cfg->role_arn);
    aws_job_param(j, "RoleSessionName", c->cfg.session_name ? c->cfg.session_name : "custos");
    aws_job_param(j, "DurationSeconds", dur);
    if (c->cfg.external_id) aws_job_param(j, "ExternalId", c->cfg.external_id);
    j->done = on_assumed;
    j->ctx = as;
    add_job(c, as, j);
}

/* ---- output ---- */

static void iso_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void write_accounts_yaml(collector *c, const char *when)
{
    arena *a = c->a;
    jv_builder b;
    jvb_object(&b, a);
    jvb_set(&b, "collected_at", 12, jv_cstr(a, when));
    if (jv_is(&c->cfg.doc, JV_OBJECT)) {
        for (uint32_t i = 0; i < c->cfg.doc.len; i++) {
            const jv_member *m = &c->cfg.doc.u.members[i];
            if (strcmp(m->key, "collected_at") != 0) jvb_set(&b, m->key, m->klen, m->val);
        }
    } else {
        jvb_set(&b, "accounts", 8, c->cfg.doc);
    }
    jv doc = jvb_done(&b);
    buf out = BUF_INIT;
    buf_puts(&out,
             "# Written by custos collect (JSON is YAML); the input's comments are not kept.\n");
    json_write_pretty(&out, &doc, 2);
    char path[4200];
    fmt(path, sizeof path, "%s/accounts.yaml", c->tmp);
    if (write_text(path, out.data, out.len) != 0 && !c->write_errors++)
        fmt(c->write_error, sizeof c->write_error, "%s: %s", path, strerror(errno));
    buf_free(&out);
}

static void put_kv(buf *b, const char *k, const char *v, bool comma)
{
    if (comma) buf_puts(b, ", ");
    json_write_string(b, k, strlen(k));
    buf_puts(b, ": ");
    json_write_string(b, v, strlen(v));
}

static void write_accounts_json(collector *c, buf *b)
{
    buf_puts(b, "  \"accounts\": [");
    for (size_t i = 0; i < c->cfg.naccounts; i++) {
        acct_state *as = &c->accts[i];
        bool partial = false;
        for (size_t k = 0; k < c->nstats; k++)
            partial |= c->stats[k].acct == i && c->stats[k].failed;
        buf_puts(b, i ? ",\n    {" : "\n    {");
        put_kv(b, "id", as->cfg->id, false);
        put_kv(b, "name", as->cfg->name, true);
        put_kv(b, "status", as->failed ? "not_collected" : partial ? "partial" : "collected", true);
        buf_puts(b, ", \"regions\": [");
        for (size_t r = 0; r < as->nregions; r++) {
            if (r) buf_puts(b, ", ");
            json_write_string(b, as->regions[r], strlen(as->regions[r]));
        }
        buf_putc(b, ']');
        if (as->failed) {
            put_kv(b, "code", as->code, true);
            put_kv(b, "message", as->message, true);
        }
        buf_putc(b, '}');
    }
    buf_puts(b, "],\n");
}

static void write_gaps_json(collector *c, buf *b)
{
    buf_puts(b, "  \"not_collected\": [");
    bool first = true;
    for (size_t i = 0; i < c->cfg.naccounts; i++) {
        acct_state *as = &c->accts[i];
        if (!as->failed) continue;
        buf_puts(b, first ? "\n    {" : ",\n    {");
        first = false;
        put_kv(b, "account", as->cfg->id, false);
        put_kv(b, "region", "*", true);
        put_kv(b, "service", "*", true);
        put_kv(b, "operation", "*", true);
        put_kv(b, "code", as->code, true);
        put_kv(b, "message", as->message, true);
        buf_puts(b, ", \"resources\": []}");
    }
    for (size_t k = 0; k < c->nstats; k++) {
        op_stat *s = &c->stats[k];
        if (!s->failed) continue;
        buf_puts(b, first ? "\n    {" : ",\n    {");
        first = false;
        put_kv(b, "account", c->accts[s->acct].cfg->id, false);
        put_kv(b, "region", s->region, true);
        put_kv(b, "service", s->op->client, true);
        put_kv(b, "operation", s->op->operation, true);
        put_kv(b, "code", s->code, true);
        put_kv(b, "message", s->message, true);
        buf_printf(b, ", \"resources\": [%s]}", s->resources.data ? s->resources.data : "");
    }
    buf_puts(b, "],\n");
}

static void write_collection_json(collector *c, const char *when, const collect_summary *sum)
{
    buf b = BUF_INIT;
    buf_puts(&b, "{\n  ");
    put_kv(&b, "collected_at", when, false);
    buf_printf(&b, ",\n  \"complete\": %s,\n", sum->not_collected ? "false" : "true");
    buf_printf(&b,
               "  \"summary\": {\"accounts\": %zu, \"scopes\": %zu, \"operations\": %zu, "
               "\"collected\": %zu, \"not_collected\": %zu, \"requests\": %zu, \"retries\": %zu, "
               "\"seconds\": %.3f},\n",
               sum->accounts, sum->scopes, sum->operations, sum->collected, sum->not_collected,
               sum->requests, sum->retries, sum->seconds);
    write_accounts_json(c, &b);
    write_gaps_json(c, &b);
    buf_puts(&b, "  \"operations\": [");
    for (size_t k = 0; k < c->nstats; k++) {
        op_stat *s = &c->stats[k];
        buf_puts(&b, k ? ",\n    {" : "\n    {");
        put_kv(&b, "account", c->accts[s->acct].cfg->id, false);
        put_kv(&b, "region", s->region, true);
        put_kv(&b, "service", s->op->client, true);
        put_kv(&b, "operation", s->op->operation, true);
        buf_printf(&b, ", \"calls\": %zu, \"collected\": %zu, \"not_found\": %zu, \"failed\": %zu}",
                   s->calls, s->ok, s->not_found, s->failed);
    }
    buf_puts(&b, "]\n}");
    char path[4200];
    fmt(path, sizeof path, "%s/collection.json", c->tmp);
    if (write_text(path, b.data, b.len) != 0 && !c->write_errors++)
        fmt(c->write_error, sizeof c->write_error, "%s: %s", path, strerror(errno));
    buf_free(&b);
}

static void summarize(collector *c, collect_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    sum->accounts = c->cfg.naccounts;
    strmap scopes;
    strmap_init(&scopes, c->a, 64);
    for (size_t k = 0; k < c->nstats; k++) {
        op_stat *s = &c->stats[k];
        strmap_slot(&scopes, arena_sprintf(c->a, "%zu|%s", s->acct, s->region), 0);
        sum->operations++;
        if (s->failed)
            sum->not_collected++;
        else
            sum->collected++;
    }
    for (size_t i = 0; i < c->cfg.naccounts; i++)
        sum->not_collected += c->accts[i].failed;
    sum->scopes = scopes.n;
    aws_loop_stats(c->loop, &sum->requests, &sum->retries, NULL, NULL);
    sum->seconds = now_s() - c->started;
}

/* ---- the directory swap ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void rm_rf(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_tmp(collector *c, diag_list *d)
{
    char copy[4096], copy2[4096];
    snprintf(copy, sizeof copy, "%s", c->opt->out_dir);
    snprintf(copy2, sizeof copy2, "%s", c->opt->out_dir);
    fmt(c->tmp, sizeof c->tmp, "%s/.%s.collect-%ld", dirname(copy), basename(copy2),
        (long)getpid());
    rm_rf(c->tmp);
    if (mkdirs(c->tmp) != 0) {
        diag_add(d, (srcpos){c->opt->out_dir, 0, 0}, "cannot create %s: %s", c->tmp,
                 strerror(errno));
        return -1;
    }
    return 0;
}

static int swap_in(collector *c, diag_list *d)
{
    const char *out = c->opt->out_dir;
    if (rename(c->tmp, out) == 0) return 0;
    if (errno != EEXIST && errno != ENOTEMPTY) {
        diag_add(d, (srcpos){out, 0, 0}, "cannot move the inventory into place: %s",
                 strerror(errno));
        return -1;
    }
    if (renameat2(AT_FDCWD, c->tmp, AT_FDCWD, out, RENAME_EXCHANGE) != 0) {
        diag_add(d, (srcpos){out, 0, 0}, "cannot replace the previous inventory: %s",
                 strerror(errno));
        return -1;
    }
    rm_rf(c->tmp); /* now the previous inventory */
    return 0;
}

/* ---- progress ---- */

static void tick(void *ctx)
{
    collector *c = ctx;
    size_t req, ret, inflight, queued;
    aws_loop_stats(c->loop, &req, &ret, &inflight, &queued);
    fprintf(stderr,
            "\rcollect: %zu accounts, %zu requests (%zu in flight, %zu queued), %zu retries, %zu "
            "errors   ",
            c->cfg.naccounts, req, inflight, queued, ret, c->failures);
    fflush(stderr);
}

/* ---- entry ---- */

static const char *home_region(const collect_options *opt)
{
    const char *r = getenv("AWS_REGION");
    if (!r || !*r) r = getenv("AWS_DEFAULT_REGION");
    if (!r || !*r) r = aws_profile_value(opt->profile, "region");
    return r && *r ? r : "us-east-1";
}

/* No accounts listed: the caller's own account (GetCallerIdentity). */
static int own_account(collector *c, diag_list *d)
{
    aws_result r;
    if (aws_call(c->a, &c->base, "sts", "GetCallerIdentity", c->home_region, c->opt->profile, NULL,
                 0, &r) != 0) {
        diag_add(d, (srcpos){c->cfg.path, 0, 0},
                 "no accounts listed and GetCallerIdentity failed: %s: %s", r.code, r.message);
        return -1;
    }
    const jv *id = jv_get(&r.data, "Account");
    if (!jv_is(id, JV_STRING)) {
        diag_add(d, (srcpos){c->cfg.path, 0, 0}, "GetCallerIdentity gave no Account");
        return -1;
    }
    collect_account *ca = arena_calloc(c->a, sizeof *ca);
    ca->id = ca->name = id->u.str;
    ca->all_enabled = c->cfg.all_enabled;
    ca->regions = c->cfg.regions;
    ca->nregions = c->cfg.nregions;
    c->cfg.accounts = ca;
    c->cfg.naccounts = 1;
    return 0;
}

static void collector_free(collector *c)
{
    for (size_t i = 0; c->accts && i < c->cfg.naccounts; i++)
        aws_creds_clear(&c->accts[i].cs.creds);
    for (size_t k = 0; k < c->nstats; k++)
        buf_free(&c->stats[k].resources);
    free(c->stats);
    free(c->accts);
    aws_creds_clear(&c->base);
    aws_loop_free(c->loop);
    arena_free(c->a);
}

static int setup(collector *c, const collect_options *opt, diag_list *d)
{
    if (collect_config_load(c->a, opt->accounts_path, &c->cfg, d) != 0) return -1;
    c->home_region = home_region(opt);
    buf err = BUF_INIT;
    c->base_tried = time(NULL);
    if (aws_default_creds(opt->profile, &c->base, &err) != 0) {
        diag_add(d, (srcpos){NULL, 0, 0}, "credentials: %s", err.data ? err.data : "none found");
        buf_free(&err);
        return -1;
    }
    buf_free(&err);
    if (!c->cfg.naccounts && own_account(c, d) != 0) return -1;
    if (opt->keep_account) collect_config_keep(&c->cfg, opt->keep_account, opt->keep_arg);
    return make_tmp(c, d);
}

int aws_collect(const collect_options *opt, collect_summary *sum, diag_list *d)
{
    collector c = {0};
    c.opt = opt;
    c.a = arena_new(0);
    c.started = now_s();
    strmap_init(&c.stat_index, c.a, 1024);
    int max_attempts = opt->max_attempts;
    const char *env = getenv("AWS_MAX_ATTEMPTS");
    if (!max_attempts && env) max_attempts = atoi(env);
    c.loop = aws_loop_new(opt->concurrency, max_attempts);
    aws_loop_set_timeout(c.loop, opt->timeout_ms);
    aws_loop_set_retry_time(c.loop, opt->retry_s);
    if (setup(&c, opt, d) != 0) {
        /* positions name the file by a copy in the arena freed below */
        for (size_t i = 0; i < d->n; i++)
            if (d->items[i].pos.file && strcmp(d->items[i].pos.file, opt->accounts_path) == 0)
                d->items[i].pos.file = opt->accounts_path;
        collector_free(&c);
        return COLLECT_ERROR;
    }
    if (opt->progress) aws_loop_on_tick(c.loop, tick, &c);
    c.accts = calloc(c.cfg.naccounts ? c.cfg.naccounts : 1, sizeof *c.accts);
    if (!c.accts) abort();
    for (size_t i = 0; i < c.cfg.naccounts; i++) { /* the output lists them all */
        c.accts[i].cfg = &c.cfg.accounts[i];
        c.accts[i].c = &c;
    }
    int conc = opt->concurrency > 0 ? opt->concurrency : 64;
    c.window = conc / 8 > 2 ? (size_t)conc / 8 : 2;
    start_next_accounts(&c);
    aws_loop_run(c.loop);
    if (opt->progress) fputc('\n', stderr);
    char when[32];
    iso_now(when);
    summarize(&c, sum);
    write_accounts_yaml(&c, when);
    write_collection_json(&c, when, sum);
    int rc = sum->not_collected ? COLLECT_PARTIAL : COLLECT_OK;
    if (c.write_errors) {
        diag_add(d, (srcpos){opt->out_dir, 0, 0}, "cannot write the inventory: %s", c.write_error);
        rm_rf(c.tmp);
        rc = COLLECT_ERROR;
    } else if (swap_in(&c, d) != 0) {
        rm_rf(c.tmp);
        rc = COLLECT_ERROR;
    }
    collector_free(&c);
    return rc;
}
