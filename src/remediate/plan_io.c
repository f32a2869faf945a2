/* plan_io.c - plan.json: writing, loading (hash-checked), the table.
 *
 *   {"custos_fix_plan": 1, "created_at": 1765152000, "hash": "<sha256>",
 *    "steps": [{"step": 1, "fingerprint": ..., "policy": ..., "action": ...,
 *               "account_id": ..., "account_name": ..., "environment": ...,
 *               "region": ..., "resource_type": ..., "resource_id": ...,
 *               "resource_name": ..., "service": "ec2",
 *               "operation": "RevokeSecurityGroupIngress", "params": {...},
 *               "state": "sg-ingress", "user": null, "before": ..., "after": ...,
 *               "cli": "aws ec2 ..."}],
 *    "notes": [{"fingerprint", "policy", "action", "resource_id", "reason"}]}
 *
 * The hash is the SHA-256 of the steps array written compactly by this
 * file; a loaded plan's steps are written again the same way and must give
 * the same hash, so a plan changed after review is refused, whatever its
 * whitespace.  The table escapes control characters in names (they come
 * from the resources); the CLI lines are already shell-quoted.
 */
#include <string.h>

#include "remediate/rm_internal.h"

/* Every kind has its name: the plan is written and read by these. */
static const char *const KIND_NAMES[] = {"sg-ingress",
                                         "sg-egress",
                                         "s3-public-access-block",
                                         "s3-bucket-policy",
                                         "iam-access-key",
                                         "ebs-snapshot-permissions",
                                         "ami-launch-permissions",
                                         "rds-snapshot-restore",
                                         "sg-exists",
                                         "ec2-tags",
                                         "resource-policy",
                                         "iam-user-tags"};

_Static_assert(sizeof KIND_NAMES / sizeof KIND_NAMES[0] == RM_NKINDS, "a name per state kind");

static jv str_or_null(arena *a, const char *s)
{
    return s ? jv_cstr(a, s) : jv_null();
}

static jv step_jv(arena *a, const rm_step *st, size_t i)
{
    jv_builder b;
    jvb_object(&b, a);
    jvb_set(&b, "step", 4, jv_int((int64_t)i + 1));
    const char *names[] = {"fingerprint",  "policy",        "action",  "account_id",
                           "account_name", "environment",   "region",  "resource_type",
                           "resource_id",  "resource_name", "service", "operation"};
    const char *vals[] = {st->fingerprint,  st->policy,        st->action,  st->account_id,
                          st->account_name, st->environment,   st->region,  st->resource_type,
                          st->resource_id,  st->resource_name, st->service, st->operation};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        jvb_set(&b, names[k], strlen(names[k]), str_or_null(a, vals[k]));
    jvb_set(&b, "params", 6, st->params);
    jvb_set(&b, "state", 5, jv_cstr(a, KIND_NAMES[st->kind]));
    jvb_set(&b, "user", 4, str_or_null(a, st->key));
    jvb_set(&b, "before", 6, st->before);
    jvb_set(&b, "after", 5, st->after);
    jvb_set(&b, "cli", 3, str_or_null(a, st->cli));
    return jvb_done(&b);
}

static jv steps_jv(arena *a, const rm_plan *p)
{
    jv out = jv_array(a, p->n);
    for (size_t i = 0; i < p->n; i++)
        out.u.items[i] = step_jv(a, &p->steps[i], i);
    return out;
}

static void hash_of(const rm_plan *p, char out[65])
{
    arena *a = arena_new(0);
    jv steps = steps_jv(a, p);
    buf b = BUF_INIT;
    json_write(&b, &steps);
    aws_sha256_hex(b.data ? b.data : "", b.len, out);
    buf_free(&b);
    arena_free(a);
}

void rm_plan_hash(rm_plan *p)
{
    hash_of(p, p->hash);
}

void rm_plan_write_json(const rm_plan *p, buf *out)
{
    arena *a = arena_new(0);
    jv_builder b;
    jvb_object(&b, a);
    jvb_set(&b, "custos_fix_plan", 15, jv_int(1));
    jvb_set(&b, "created_at", 10, jv_int(p->created_at));
    jvb_set(&b, "hash", 4, jv_cstr(a, p->hash));
    jvb_set(&b, "steps", 5, steps_jv(a, p));
    jv notes = jv_array(a, p->nnotes);
    for (size_t i = 0; i < p->nnotes; i++) {
        const rm_note *n = &p->notes[i];
        jv_builder nb;
        jvb_object(&nb, a);
        jvb_set(&nb, "fingerprint", 11, str_or_null(a, n->fingerprint));
        jvb_set(&nb, "policy", 6, str_or_null(a, n->policy));
        jvb_set(&nb, "action", 6, str_or_null(a, n->action));
        jvb_set(&nb, "resource_id", 11, str_or_null(a, n->resource_id));
        jvb_set(&nb, "reason", 6, str_or_null(a, n->reason));
        notes.u.items[i] = jvb_done(&nb);
    }
    jvb_set(&b, "notes", 5, notes);
    jv doc = jvb_done(&b);
    json_write_pretty(out, &doc, 2);
    buf_putc(out, '\n');
    arena_free(a);
}

/* ---- loading ---- */

static const char *req_str(const jv *o, const char *key, bool nullable, size_t i, buf *err)
{
    const jv *v = jv_get(o, key);
    if (jv_is(v, JV_STRING)) return v->u.str;
    if (nullable && (!v || jv_is(v, JV_NULL))) return NULL;
    if (!err->len) buf_printf(err, "step %zu: `%s` must be a string", i + 1, key);
    return NULL;
}

static int load_step(rm_plan *p, const jv *o, size_t i, buf *err)
{
    if (!jv_is(o, JV_OBJECT)) {
        buf_printf(err, "step %zu is not an object", i + 1);
        return -1;
    }
    rm_step *st = &p->steps[i];
    memset(st, 0, sizeof *st);
    st->fingerprint = req_str(o, "fingerprint", false, i, err);
    st->policy = req_str(o, "policy", false, i, err);
    st->action = req_str(o, "action", false, i, err);
    st->account_id = req_str(o, "account_id", false, i, err);
    st->account_name = req_str(o, "account_name", true, i, err);
    st->environment = req_str(o, "environment", true, i, err);
    st->region = req_str(o, "region", false, i, err);
    st->resource_type = req_str(o, "resource_type", false, i, err);
    st->resource_id = req_str(o, "resource_id", false, i, err);
    st->resource_name = req_str(o, "resource_name", true, i, err);
    st->service = req_str(o, "service", false, i, err);
    st->operation = req_str(o, "operation", false, i, err);
    st->key = req_str(o, "user", true, i, err);
    st->cli = req_str(o, "cli", true, i, err);
    const char *kind = req_str(o, "state", false, i, err);
    if (err->len) return -1;
    size_t k = 0;
    while (k < RM_NKINDS && strcmp(KIND_NAMES[k], kind) != 0)
        k++;
    if (k == RM_NKINDS || (k == RM_IAM_KEY && !st->key)) {
        buf_printf(err, "step %zu: unknown `state` %s", i + 1, kind);
        return -1;
    }
    st->kind = (rm_state_kind)k;
    const jv *params = jv_get(o, "params"), *before = jv_get(o, "before"),
             *after = jv_get(o, "after");
    if (!jv_is(params, JV_OBJECT) || !before || !after) {
        buf_printf(err, "step %zu: `params`, `before` and `after` are required", i + 1);
        return -1;
    }
    st->params = *params;
    st->before = *before;
    st->after = *after;
    return 0;
}

int rm_plan_load(rm_plan *p, const char *text, size_t len, buf *err)
{
    jv doc;
    json_error je;
    if (json_parse(p->a, text, len, &doc, &je) != 0) {
        buf_printf(err, "not JSON (line %d, column %d): %s", je.line, je.col, je.msg);
        return -1;
    }
    const jv *ver = jv_get(&doc, "custos_fix_plan"), *hash = jv_get(&doc, "hash"),
             *steps = jv_get(&doc, "steps"), *at = jv_get(&doc, "created_at");
    if (!jv_is(ver, JV_NUMBER) || ver->u.num != 1 || !jv_is(hash, JV_STRING) ||
        !jv_is(steps, JV_ARRAY)) {
        buf_puts(err, "not a custos fix plan (custos_fix_plan: 1, hash and steps expected)");
        return -1;
    }
    p->created_at = jv_is(at, JV_NUMBER) ? (int64_t)at->u.num : 0;
    p->steps = arena_calloc(p->a, (steps->len ? steps->len : 1) * sizeof *p->steps);
    p->n = p->cap = steps->len;
    for (uint32_t i = 0; i < steps->len; i++)
        if (load_step(p, &steps->u.items[i], i, err) != 0) return -1;
    rm_plan_hash(p);
    if (strcmp(p->hash, hash->u.str) != 0) {
        buf_printf(err,
                   "the plan's steps do not match its hash (%.12s...): it was changed after "
                   "it was made; make a new plan",
                   hash->u.str);
        return -1;
    }
    return 0;
}

/* ---- the table ---- */

static void safe(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void state_line(FILE *out, const char *label, const jv *v)
{
    buf b = BUF_INIT;
    json_write(&b, v);
    fprintf(out, "     %-7s", label);
    if (b.len > 400) {
        b.data[400] = 0;
        safe(out, b.data);
        fputs("...", out);
    } else {
        safe(out, b.data);
    }
    fputc('\n', out);
    buf_free(&b);
}

void rm_plan_print(const rm_plan *p, FILE *out)
{
    fprintf(out, "custos fix plan %.12s: %zu step%s\n", p->hash, p->n, p->n == 1 ? "" : "s");
    for (size_t i = 0; i < p->n; i++) {
        const rm_step *st = &p->steps[i];
        fprintf(out, "\n%3zu  ", i + 1);
        safe(out, st->account_name ? st->account_name : st->account_id);
        fprintf(out, " (%s) %s  %s ", st->account_id, st->region, st->resource_type);
        safe(out, st->resource_id);
        if (st->resource_name && strcmp(st->resource_name, st->resource_id)) {
            fputs(" (", out);
            safe(out, st->resource_name);
            fputc(')', out);
        }
        fprintf(out, "\n     %s (policy ", st->action);
        safe(out, st->policy);
        fprintf(out, ")  %s %s\n", st->service, st->operation);
        state_line(out, "now:", &st->before);
        state_line(out, "after:", &st->after);
        fputs("     ", out);
        safe(out, st->cli);
        fputc('\n', out);
    }
    if (p->nnotes)
        fprintf(out, "\nNo step for %zu finding action%s:\n", p->nnotes, p->nnotes == 1 ? "" : "s");
    for (size_t i = 0; i < p->nnotes; i++) {
        fputs("  ", out);
        safe(out, p->notes[i].policy);
        fputc(' ', out);
        safe(out, p->notes[i].resource_id);
        fputs(": ", out);
        safe(out, p->notes[i].reason);
        fputc('\n', out);
    }
    if (p->n) fputs("\nNothing was changed.  To apply: custos fix apply PLAN.json (see -o)\n", out);
}
