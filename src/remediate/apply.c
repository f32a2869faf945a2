/* apply.c - running a plan: checks, the call, the audit log, the re-read.
 *
 * Per step, in order:
 *   1. the account must say `remediate: true` in accounts.yaml, and a
 *      prod account (environment: prod, from accounts.yaml or the
 *      finding) needs allow_prod; otherwise the step is skipped;
 *   2. the state is read again: equal to the plan's `after` -> nothing to
 *      do (already-applied: a plan applied twice changes nothing); not
 *      equal to its `before` -> changed-since-plan, skipped;
 *   3. at most max_changes calls per run: later steps are skipped;
 *   4. the audit log gets a "before" row (who, the call, the state), the
 *      call is made once (the client's standard retry mode, no more), the
 *      log gets an "after" row (request id, result, the state read again)
 *      and the step is fixed when that state equals `after`.
 * Skipped steps are logged too (one row, phase "skip").  If a row cannot
 * be written the run stops before its next call: nothing is changed
 * without its record.
 */
#include <string.h>
#include <time.h>

#include "remediate/rm_internal.h"
#include "store/audit.h"

typedef struct run {
    const rm_plan *p;
    rm_session *s;
    store *st;
    const rm_apply_options *o;
    rm_report *r;
    buf *err;
    arena *a;
} run;

static const char *json_text(arena *a, const jv *v)
{
    buf b = BUF_INIT;
    json_write(&b, v);
    const char *t = arena_strdup(a, b.data ? b.data : "null");
    buf_free(&b);
    return t;
}

static int64_t now_of(const run *x)
{
    return x->o->now ? x->o->now : (int64_t)time(NULL);
}

static int log_row(run *x, size_t i, const char *phase, const char *who, const rm_outcome *oc,
                   const jv *before, const jv *after)
{
    const rm_step *st = &x->p->steps[i];
    audit_entry e = {.at = now_of(x),
                     .phase = phase,
                     .plan_hash = x->p->hash,
                     .step = (int64_t)i + 1,
                     .who = who,
                     .fingerprint = st->fingerprint,
                     .policy = st->policy,
                     .action = st->action,
                     .account_id = st->account_id,
                     .region = st->region,
                     .resource_type = st->resource_type,
                     .resource_id = st->resource_id,
                     .service = st->service,
                     .operation = st->operation,
                     .params = json_text(x->a, &st->params),
                     .request_id = oc->request_id,
                     .result = oc->result,
                     .message = oc->message,
                     .state_before = before ? json_text(x->a, before) : NULL,
                     .state_after = after ? json_text(x->a, after) : NULL};
    if (store_audit_append(x->st, &e, NULL) == 0) return 0;
    buf_printf(x->err, "step %zu: %s (stopped before any further call)", i + 1, store_error(x->st));
    return -1;
}

static bool is_prod(const rm_step *st, const collect_account *ca)
{
    const char *env = ca && ca->environment ? ca->environment : st->environment;
    return env && (!strcmp(env, "prod") || !strcmp(env, "production"));
}

/* Why the step may not run at all, or NULL. */
static const char *not_allowed(run *x, const rm_step *st, const char **msg)
{
    const collect_account *ca = rm_session_account(x->s, st->account_id);
    if (!ca || !ca->remediate) {
        *msg = "the account does not say `remediate: true` in accounts.yaml";
        return "not-enabled";
    }
    if (is_prod(st, ca) && !x->o->allow_prod) {
        *msg = "a prod account: give --allow-prod to change it";
        return "prod-needs-allow-prod";
    }
    return NULL;
}

static int skip(run *x, size_t i, const char *who, const char *result, const char *msg,
                const jv *now)
{
    rm_outcome *oc = &x->r->o[i];
    oc->result = result;
    oc->message = msg ? arena_strdup(x->a, msg) : NULL;
    x->r->skipped++;
    return log_row(x, i, "skip", who, oc, now, NULL);
}

static int call_step(run *x, size_t i, const char *who, const jv *now)
{
    const rm_step *st = &x->p->steps[i];
    rm_outcome *oc = &x->r->o[i];
    rm_outcome started = {"started", NULL, NULL};
    if (log_row(x, i, "before", who, &started, now, NULL) != 0) return -1;
    buf err = BUF_INIT;
    const aws_creds *c = rm_session_creds(x->s, st->account_id, &err);
    aws_result res = {0};
    int rc = c ? aws_call_input(x->a, c, st->service, st->operation, rm_region(st),
                                rm_session_profile(x->s), &st->params, &res)
               : -1;
    x->r->calls++;
    oc->request_id = res.request_id[0] ? arena_strdup(x->a, res.request_id) : NULL;
    jv after = jv_null();
    bool have_after = rm_read_state(x->s, st, x->a, &after, &err) == 0;
    if (rc != 0) {
        oc->result = "error";
        oc->message = c ? arena_sprintf(x->a, "%s: %s", res.code, res.message)
                        : arena_strdup(x->a, err.data ? err.data : "no credentials");
        x->r->failed++;
    } else if (have_after && jv_equal(&after, &st->after)) {
        oc->result = "fixed";
        x->r->fixed++;
    } else {
        oc->result = "not-fixed";
        oc->message = have_after ? "the resource does not read as the plan expected after the call"
                                 : arena_strdup(x->a, err.data ? err.data : "");
        x->r->failed++;
    }
    buf_free(&err);
    return log_row(x, i, "after", who, oc, now, have_after ? &after : NULL);
}

static int one_step(run *x, size_t i)
{
    const rm_step *st = &x->p->steps[i];
    const char *msg = NULL, *why = not_allowed(x, st, &msg);
    if (why) return skip(x, i, NULL, why, msg, NULL);
    buf err = BUF_INIT;
    const char *who = rm_session_who(x->s, st->account_id, &err);
    jv now;
    int rc = 0;
    if (!who) {
        rc = skip(x, i, NULL, "error", err.data ? err.data : "no credentials", NULL);
    } else if (rm_read_state(x->s, st, x->a, &now, &err) != 0) {
        rc = skip(x, i, who, "error", err.data, NULL);
    } else if (jv_equal(&now, &st->after)) {
        x->r->o[i].result = "already-applied";
        rc = log_row(x, i, "skip", who, &x->r->o[i], &now, NULL);
    } else if (!jv_equal(&now, &st->before)) {
        rc = skip(x, i, who, "changed-since-plan",
                  "the resource is not as the plan saw it: make a new plan", &now);
    } else if ((long)x->r->calls >= x->o->max_changes) {
        rc = skip(x, i, who, "max-changes", "--max-changes reached", &now);
    } else {
        rc = call_step(x, i, who, &now);
    }
    buf_free(&err);
    return rc;
}

int rm_apply(const rm_plan *p, rm_session *s, store *st, const rm_apply_options *o, rm_report *r,
             buf *err)
{
    memset(r, 0, sizeof *r);
    r->n = p->n;
    r->o = arena_calloc(p->a, (p->n ? p->n : 1) * sizeof *r->o);
    run x = {p, s, st, o, r, err, p->a};
    for (size_t i = 0; i < p->n; i++)
        if (one_step(&x, i) != 0) return -1;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(r->o[i].result, "fixed") && strcmp(r->o[i].result, "already-applied")) return 1;
    return 0;
}

void rm_report_print(const rm_plan *p, const rm_report *r, FILE *out)
{
    for (size_t i = 0; i < p->n; i++) {
        const rm_step *st = &p->steps[i];
        const rm_outcome *oc = &r->o[i];
        fprintf(out, "%3zu  %-20s %s %s %s", i + 1, oc->result, st->account_id, st->operation,
                st->resource_id);
        if (oc->request_id) fprintf(out, "  request %s", oc->request_id);
        if (oc->message) fprintf(out, "  (%s)", oc->message);
        fputc('\n', out);
    }
    for (size_t i = 0; i < r->nchecks; i++) {
        const rm_recheck *c = &r->checks[i];
        fprintf(out, "read again  %-12s %s %s %s", c->result, c->fingerprint, c->policy,
                c->resource_id);
        if (c->message) fprintf(out, "  (%s)", c->message);
        fputc('\n', out);
    }
    fprintf(out, "%zu call%s made: %zu fixed, %zu failed, %zu skipped; %zu finding%s resolved\n",
            r->calls, r->calls == 1 ? "" : "s", r->fixed, r->failed, r->skipped, r->resolved,
            r->resolved == 1 ? "" : "s");
}

void rm_report_json(const rm_plan *p, const rm_report *r, buf *out)
{
    arena *a = arena_new(0);
    jv_builder b, steps;
    jvb_object(&b, a);
    jvb_set(&b, "plan_hash", 9, jv_cstr(a, p->hash));
    jvb_array(&steps, a);
    for (size_t i = 0; i < p->n; i++) {
        jv_builder sb;
        jvb_object(&sb, a);
        jvb_set(&sb, "step", 4, jv_int((int64_t)i + 1));
        jvb_set(&sb, "fingerprint", 11, jv_cstr(a, p->steps[i].fingerprint));
        jvb_set(&sb, "operation", 9, jv_cstr(a, p->steps[i].operation));
        jvb_set(&sb, "resource_id", 11, jv_cstr(a, p->steps[i].resource_id));
        jvb_set(&sb, "result", 6, jv_cstr(a, r->o[i].result));
        const char *m = r->o[i].message, *rid = r->o[i].request_id;
        jvb_set(&sb, "message", 7, m ? jv_cstr(a, m) : jv_null());
        jvb_set(&sb, "request_id", 10, rid ? jv_cstr(a, rid) : jv_null());
        jvb_push(&steps, jvb_done(&sb));
    }
    jvb_set(&b, "steps", 5, jvb_done(&steps));
    jv_builder checks;
    jvb_array(&checks, a);
    for (size_t i = 0; i < r->nchecks; i++) {
        const rm_recheck *c = &r->checks[i];
        jv_builder cb;
        jvb_object(&cb, a);
        jvb_set(&cb, "fingerprint", 11, jv_cstr(a, c->fingerprint));
        jvb_set(&cb, "policy", 6, jv_cstr(a, c->policy));
        jvb_set(&cb, "resource_id", 11, jv_cstr(a, c->resource_id));
        jvb_set(&cb, "result", 6, jv_cstr(a, c->result));
        jvb_set(&cb, "message", 7, c->message ? jv_cstr(a, c->message) : jv_null());
        jvb_push(&checks, jvb_done(&cb));
    }
    jvb_set(&b, "rechecks", 8, jvb_done(&checks));
    jvb_set(&b, "resolved", 8, jv_int((int64_t)r->resolved));
    jvb_set(&b, "calls", 5, jv_int((int64_t)r->calls));
    jvb_set(&b, "fixed", 5, jv_int((int64_t)r->fixed));
    jvb_set(&b, "failed", 6, jv_int((int64_t)r->failed));
    jvb_set(&b, "skipped", 7, jv_int((int64_t)r->skipped));
    jv doc = jvb_done(&b);
    json_write_pretty(out, &doc, 2);
    buf_putc(out, '\n');
    arena_free(a);
}
