/* ocsf.c - stored findings as OCSF 1.3.0 Detection Finding events; see
 * ocsf.h.
 *
 * Each event is built as a jv in an arena that is reset after the event is
 * written, so memory stays flat however many findings there are.  What
 * OCSF has a place for goes there (finding_info, resources, cloud,
 * remediation, risk_score = priority, evidences[].data = the evidence as
 * JSON); what it has not (priority reasons, the runbook, team and
 * environment, suppression details) goes to unmapped.custos, where a SIEM
 * keeps it without guessing at its meaning.  Times are epoch milliseconds
 * (OCSF timestamp_t), UTC (timezone_offset 0).
 */
#include "output/ocsf.h"

#include <string.h>

#include "output/export_util.h"

typedef struct lifecycle {
    int activity_id;
    const char *activity;
    int status_id;
    const char *status;
} lifecycle;

static lifecycle lifecycle_of(const char *status)
{
    if (status && !strcmp(status, "new")) return (lifecycle){1, "Create", 1, "New"};
    if (status && !strcmp(status, "resolved")) return (lifecycle){3, "Close", 4, "Resolved"};
    if (status && !strcmp(status, "suppressed")) return (lifecycle){2, "Update", 3, "Suppressed"};
    return (lifecycle){2, "Update", 1, "New"}; /* open, regressed */
}

static const char *const severity_caption[] = {"Informational", "Low", "Medium", "High",
                                               "Critical"};

static jv ms(int64_t seconds)
{
    return jv_int(seconds * 1000);
}

static jv strings1(arena *a, const char *s)
{
    jv_builder b;
    jvb_array(&b, a);
    jvb_push(&b, ex_str(a, s));
    return jvb_done(&b);
}

/* The first sentence of the description, else the policy name. */
static jv title_of(arena *a, const stored_finding *f)
{
    const char *d = f->description && *f->description ? f->description : f->policy;
    if (!d) return jv_cstr(a, "custos finding");
    size_t n = strcspn(d, "\n");
    const char *stop = strstr(d, ". ");
    if (stop && (size_t)(stop - d) < n) n = (size_t)(stop - d) + 1;
    return ex_str(a, arena_strndup(a, d, n));
}

static jv analytic(arena *a, const stored_finding *f)
{
    jv_builder b;
    jvb_object(&b, a);
    ex_set(&b, "uid", ex_str(a, f->policy));
    ex_set(&b, "name", ex_str(a, f->policy));
    ex_set(&b, "type_id", jv_int(1));
    ex_set(&b, "type", jv_cstr(a, "Rule"));
    ex_set(&b, "category", ex_str(a, f->category));
    ex_set(&b, "desc", ex_str(a, f->description));
    return jvb_done(&b);
}

static jv finding_info(arena *a, const stored_finding *f)
{
    jv_builder b;
    jvb_object(&b, a);
    ex_set(&b, "uid", jv_str(a, f->fingerprint, strnlen(f->fingerprint, 16)));
    ex_set(&b, "title", title_of(a, f));
    ex_set(&b, "desc", ex_str(a, f->description));
    if (f->category && *f->category) ex_set(&b, "types", strings1(a, f->category));
    ex_set(&b, "created_time", ms(f->first_seen));
    ex_set(&b, "first_seen_time", ms(f->first_seen));
    ex_set(&b, "last_seen_time", ms(f->last_seen));
    ex_set(&b, "analytic", analytic(a, f));
    ex_set(&b, "data_sources", strings1(a, "custos inventory scan"));
    return jvb_done(&b);
}

/* "team:payments", "environment:prod": the account's labels. */
static jv account_labels(arena *a, const stored_finding *f)
{
    jv_builder b;
    jvb_array(&b, a);
    if (f->team) jvb_push(&b, ex_fmt(a, "team:%s", f->team));
    if (f->environment) jvb_push(&b, ex_fmt(a, "environment:%s", f->environment));
    return b.v.len ? jvb_done(&b) : jv_null();
}

static jv account(arena *a, const stored_finding *f)
{
    jv_builder b;
    jvb_object(&b, a);
    ex_set(&b, "uid", ex_str(a, f->account_id ? f->account_id : "unknown"));
    ex_set(&b, "name", ex_str(a, f->account_name));
    ex_set(&b, "type_id", jv_int(10));
    ex_set(&b, "type", jv_cstr(a, "AWS Account"));
    ex_set(&b, "labels", account_labels(a, f));
    return jvb_done(&b);
}

static jv cloud(arena *a, const stored_finding *f)
{
    jv_builder b;
    jvb_object(&b, a);
    ex_set(&b, "provider", jv_cstr(a, "AWS"));
    if (f->region && *f->region) ex_set(&b, "region", ex_str(a, f->region));
    ex_set(&b, "account", account(a, f));
    return jvb_done(&b);
}

static jv resources(arena *a, const stored_finding *f)
{
    jv_builder r, arr;
    jvb_object(&r, a);
    ex_set(&r, "uid", ex_str(a, f->resource_id ? f->resource_id : "unknown"));
    if (f->resource_name && *f->resource_name) ex_set(&r, "name", ex_str(a, f->resource_name));
    ex_set(&r, "type", ex_str(a, f->resource_type));
    if (f->region && *f->region) ex_set(&r, "region", ex_str(a, f->region));
    ex_set(&r, "cloud_partition", jv_cstr(a, "aws"));
    ex_set(&r, "labels", account_labels(a, f));
    jvb_array(&arr, a);
    jvb_push(&arr, jvb_done(&r));
    return jvb_done(&arr);
}

/* The one-line fix; without one, a pointer to the runbook; else nothing
 * (remediation.desc is required). */
static jv remediation(arena *a, const stored_finding *f)
{
    const char *desc = f->fix && *f->fix ? f->fix
                       : f->runbook      ? "See the runbook (unmapped.custos.runbook)."
                                         : NULL;
    if (!desc) return jv_null();
    jv_builder b;
    jvb_object(&b, a);
    ex_set(&b, "desc", ex_str(a, desc));
    return jvb_done(&b);
}

static jv evidences(arena *a, const stored_finding *f)
{
    if (!f->evidence) return jv_null();
    jv_builder e, arr;
    jvb_object(&e, a);
    ex_set(&e, "data", ex_json(a, f->evidence));
    jvb_array(&arr, a);
    jvb_push(&arr, jvb_done(&e));
    return jvb_done(&arr);
}

static jv metadata(arena *a, const stored_finding *f, const char *tool_version)
{
    jv_builder m, p;
    jvb_object(&p, a);
    ex_set(&p, "name", jv_cstr(a, "custos"));
    ex_set(&p, "vendor_name", jv_cstr(a, "custos"));
    ex_set(&p, "version", ex_str(a, tool_version));
    jvb_object(&m, a);
    ex_set(&m, "version", jv_cstr(a, OCSF_VERSION));
    ex_set(&m, "product", jvb_done(&p));
    ex_set(&m, "profiles", strings1(a, "cloud"));
    /* One event per finding state: the same finding after the same scan
     * is the same event. */
    ex_set(&m, "uid", ex_fmt(a, "%.16s:%lld", f->fingerprint, (long long)f->last_scan));
    ex_set(&m, "log_name", jv_cstr(a, "findings"));
    return jvb_done(&m);
}

static jv unmapped(arena *a, const stored_finding *f)
{
    jv_builder c, u;
    jvb_object(&c, a);
    ex_set(&c, "policy", ex_str(a, f->policy));
    ex_set(&c, "severity", ex_str(a, f->severity));
    ex_set(&c, "status", ex_str(a, f->status));
    ex_set(&c, "priority", jv_int(f->priority));
    ex_set(&c, "reasons", ex_json(a, f->reasons));
    ex_set(&c, "runbook", ex_str(a, f->runbook));
    ex_set(&c, "team", ex_str(a, f->team));
    ex_set(&c, "environment", ex_str(a, f->environment));
    ex_set(&c, "first_seen", ex_time(a, f->first_seen));
    ex_set(&c, "last_seen", ex_time(a, f->last_seen));
    if (f->resolved_at) ex_set(&c, "resolved_at", ex_time(a, f->resolved_at));
    ex_set(&c, "suppression", ex_suppression(a, f));
    jvb_object(&u, a);
    ex_set(&u, "custos", jvb_done(&c));
    return jvb_done(&u);
}

static jv event(arena *a, const stored_finding *f, const char *tool_version)
{
    lifecycle lc = lifecycle_of(f->status);
    int sev = ex_severity_rank(f->severity_rank, f->severity);
    int64_t when = lc.activity_id == 3 && f->resolved_at ? f->resolved_at : f->last_seen;
    jv_builder e;
    jvb_object(&e, a);
    ex_set(&e, "class_uid", jv_int(2004));
    ex_set(&e, "class_name", jv_cstr(a, "Detection Finding"));
    ex_set(&e, "category_uid", jv_int(2));
    ex_set(&e, "category_name", jv_cstr(a, "Findings"));
    ex_set(&e, "activity_id", jv_int(lc.activity_id));
    ex_set(&e, "activity_name", jv_cstr(a, lc.activity));
    ex_set(&e, "type_uid", jv_int(200400 + lc.activity_id));
    ex_set(&e, "type_name", ex_fmt(a, "Detection Finding: %s", lc.activity));
    ex_set(&e, "severity_id", jv_int(sev + 1));
    ex_set(&e, "severity", jv_cstr(a, severity_caption[sev]));
    ex_set(&e, "status_id", jv_int(lc.status_id));
    ex_set(&e, "status", jv_cstr(a, lc.status));
    ex_set(&e, "status_detail", ex_fmt(a, "custos: %s", f->status ? f->status : "open"));
    ex_set(&e, "time", ms(when));
    ex_set(&e, "timezone_offset", jv_int(0));
    ex_set(&e, "start_time", ms(f->first_seen));
    ex_set(&e, "end_time", ms(f->last_seen));
    ex_set(&e, "message", ex_str(a, f->description ? f->description : f->policy));
    ex_set(&e, "metadata", metadata(a, f, tool_version));
    ex_set(&e, "finding_info", finding_info(a, f));
    ex_set(&e, "resources", resources(a, f));
    ex_set(&e, "cloud", cloud(a, f));
    ex_set(&e, "remediation", remediation(a, f));
    ex_set(&e, "risk_score", jv_int(f->priority));
    ex_set(&e, "evidences", evidences(a, f));
    ex_set(&e, "unmapped", unmapped(a, f));
    return jvb_done(&e);
}

void ocsf_event(buf *b, arena *a, const stored_finding *f, const char *tool_version, bool first)
{
    jv e = event(a, f, tool_version);
    buf_puts(b, first ? "\n" : ",\n");
    json_write(b, &e);
}

void ocsf_write(buf *b, const stored_finding *f, size_t n, const char *tool_version)
{
    arena *a = arena_new(0);
    buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        arena_reset(a);
        ocsf_event(b, a, &f[i], tool_version, i == 0);
    }
    buf_puts(b, n ? "\n]\n" : "]\n");
    arena_free(a);
}
