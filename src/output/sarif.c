/* sarif.c - stored findings as a SARIF 2.1.0 log; see sarif.h.
 *
 * The log is written as a skeleton with one rule and one result per line,
 * each built as a jv in an arena that is reset after it is written: memory
 * stays flat for 100k findings and the output diffs line by line.  Rules
 * are sorted by policy name (not by first appearance, which follows
 * priority and changes from scan to scan) so that ruleIndex is stable for
 * a given set of policies.  A policy's rule text comes from its first
 * finding in input order; every finding of a policy carries the same
 * description and severity, so which one does not matter.
 */
#include "output/sarif.h"

#include <stdlib.h>
#include <string.h>

#include "output/export_util.h"

const char *sarif_security_severity(int rank)
{
    /* GitHub's bands: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
     * 0.1-3.9 low.  Values sit inside the bands, not on their edges. */
    static const char *const s[] = {"1.0", "3.0", "5.5", "8.0", "9.5"};
    return s[rank < 0 || rank > 4 ? 0 : rank];
}

const char *sarif_level(int rank)
{
    return rank >= 3 ? "error" : rank == 2 ? "warning" : "note";
}

/* ---- rules ---- */

typedef struct rule_ref {
    const char *policy;
    size_t first; /* index of the policy's first finding */
} rule_ref;

static int cmp_rule(const void *a, const void *b)
{
    const rule_ref *x = a, *y = b;
    int c = strcmp(x->policy, y->policy);
    if (c) return c;
    return x->first < y->first ? -1 : x->first > y->first;
}

static const char *policy_of(const stored_finding *f)
{
    return f->policy ? f->policy : "unknown";
}

/* Distinct policies sorted by name, each with its first finding. */
static rule_ref *collect_rules(const stored_finding *f, size_t n, size_t *nr)
{
    rule_ref *r = malloc((n ? n : 1) * sizeof *r);
    if (!r) abort();
    for (size_t i = 0; i < n; i++)
        r[i] = (rule_ref){policy_of(&f[i]), i};
    qsort(r, n, sizeof *r, cmp_rule);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || strcmp(r[k - 1].policy, r[i].policy)) r[k++] = r[i];
    *nr = k;
    return r;
}

static size_t rule_index(const rule_ref *r, size_t nr, const char *policy)
{
    size_t lo = 0, hi = nr;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(r[mid].policy, policy);
        if (c == 0) return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0; /* not reached: every policy has a rule */
}

static jv message(arena *a, jv text)
{
    jv_builder b;
    jvb_object(&b, a);
    ex_set(&b, "text", text);
    return jvb_done(&b);
}

/* The description's first sentence (the whole of it when it has one). */
static jv first_sentence(arena *a, const char *d)
{
    const char *end = strstr(d, ". ");
    const char *nl = strchr(d, '\n');
    if (nl && (!end || nl < end)) end = nl - 1;
    if (!end) return ex_str(a, d);
    return ex_str(a, arena_strndup(a, d, (size_t)(end - d) + 1));
}

static jv rule_help(arena *a, const stored_finding *f, const char *desc, int sev)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    const char *cat = f->category ? f->category : "uncategorised";
    jv_builder b;
    jvb_object(&b, a);
    ex_set(&b, "text",
           ex_fmt(a,
                  "%s\n\nSeverity: %s. Category: %s.\nEach result gives the fix for its resource "
                  "in its message and a step-by-step runbook in properties.runbook.",
                  desc, names[sev], cat));
    ex_set(&b, "markdown",
           ex_fmt(a,
                  "%s\n\n**Severity:** %s  \n**Category:** %s\n\nEach result gives the fix for "
                  "its resource in its message and a step-by-step runbook in "
                  "`properties.runbook`.",
                  desc, names[sev], cat));
    return jvb_done(&b);
}

static jv rule_json(arena *a, const stored_finding *f)
{
    int sev = ex_severity_rank(f->severity_rank, f->severity);
    const char *desc = f->description && *f->description ? f->description : policy_of(f);
    jv_builder r, cfg, props, tags;
    jvb_object(&r, a);
    ex_set(&r, "id", ex_str(a, policy_of(f)));
    ex_set(&r, "shortDescription", message(a, first_sentence(a, desc)));
    ex_set(&r, "fullDescription", message(a, ex_str(a, desc)));
    ex_set(&r, "help", rule_help(a, f, desc, sev));
    jvb_object(&cfg, a);
    ex_set(&cfg, "level", jv_cstr(a, sarif_level(sev)));
    ex_set(&r, "defaultConfiguration", jvb_done(&cfg));
    jvb_array(&tags, a);
    jvb_push(&tags, jv_cstr(a, "security"));
    /* tags must be distinct (the schema says uniqueItems) */
    if (f->category && *f->category && strcmp(f->category, "security"))
        jvb_push(&tags, ex_str(a, f->category));
    jvb_object(&props, a);
    ex_set(&props, "severity", ex_str(a, f->severity));
    ex_set(&props, "category", ex_str(a, f->category));
    ex_set(&props, "tags", jvb_done(&tags));
    ex_set(&props, "security-severity", jv_cstr(a, sarif_security_severity(sev)));
    ex_set(&r, "properties", jvb_done(&props));
    return jvb_done(&r);
}

/* ---- locations ---- */

/* Appends s as one path segment: unreserved characters as they are,
 * every other byte percent-encoded, and "." / ".." (which a URI resolver
 * would collapse) encoded too. */
static void put_segment(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s || !*s) s = "_";
    bool dots = !strcmp(s, ".") || !strcmp(s, "..");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '~' ||
                     (*p == '.' && !dots);
        if (plain) {
            buf_putc(b, (char)*p);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*p >> 4]);
            buf_putc(b, hex[*p & 15]);
        }
    }
}

static const char *region_of(const stored_finding *f)
{
    return f->region && *f->region ? f->region : "global";
}

static jv resource_uri(arena *a, const stored_finding *f)
{
    buf b = BUF_INIT;
    buf_puts(&b, "aws/");
    put_segment(&b, f->account_id);
    buf_putc(&b, '/');
    put_segment(&b, region_of(f));
    buf_putc(&b, '/');
    put_segment(&b, ex_type_short(f->resource_type));
    buf_putc(&b, '/');
    put_segment(&b, f->resource_id);
    jv v = jv_str(a, b.data, b.len);
    buf_free(&b);
    return v;
}

static jv location(arena *a, const stored_finding *f)
{
    jv_builder loc, phys, art, reg, logs, lg;
    jvb_object(&art, a);
    ex_set(&art, "uri", resource_uri(a, f));
    jvb_object(&reg, a);
    ex_set(&reg, "startLine", jv_int(1));
    jvb_object(&phys, a);
    ex_set(&phys, "artifactLocation", jvb_done(&art));
    ex_set(&phys, "region", jvb_done(&reg));
    jvb_object(&lg, a);
    ex_set(&lg, "name", ex_str(a, f->resource_id));
    ex_set(&lg, "fullyQualifiedName",
           ex_fmt(a, "aws/%s/%s/%s/%s", f->account_id ? f->account_id : "_", region_of(f),
                  ex_type_short(f->resource_type), f->resource_id ? f->resource_id : "_"));
    ex_set(&lg, "kind", jv_cstr(a, "resource"));
    jvb_array(&logs, a);
    jvb_push(&logs, jvb_done(&lg));
    jvb_object(&loc, a);
    ex_set(&loc, "physicalLocation", jvb_done(&phys));
    ex_set(&loc, "logicalLocations", jvb_done(&logs));
    jv_builder arr;
    jvb_array(&arr, a);
    jvb_push(&arr, jvb_done(&loc));
    return jvb_done(&arr);
}

/* ---- results ---- */

/* "What. Resource: where. Fix: how" - the line a code-scanning list shows. */
static jv result_text(arena *a, const stored_finding *f)
{
    const char *what = f->description && *f->description ? f->description : policy_of(f);
    size_t wl = strlen(what);
    while (wl && (what[wl - 1] == ' ' || what[wl - 1] == '\n'))
        wl--;
    buf b = BUF_INIT;
    buf_append(&b, what, wl);
    if (wl && what[wl - 1] != '.') buf_putc(&b, '.');
    buf_printf(&b, " Resource: %s %s", f->resource_type ? f->resource_type : "resource",
               f->resource_id ? f->resource_id : "?");
    if (f->resource_name && *f->resource_name &&
        (!f->resource_id || strcmp(f->resource_name, f->resource_id)))
        buf_printf(&b, " (%s)", f->resource_name);
    buf_printf(&b, ", account %s", f->account_name && *f->account_name ? f->account_name : "?");
    if (f->account_id && (!f->account_name || strcmp(f->account_name, f->account_id)))
        buf_printf(&b, " (%s)", f->account_id);
    buf_printf(&b, ", %s.", region_of(f));
    if (f->fix && *f->fix) buf_printf(&b, " Fix: %s", f->fix);
    jv v = ex_str(a, arena_strndup(a, b.data, b.len));
    buf_free(&b);
    return v;
}

static const char *baseline_state(const char *status)
{
    if (!status) return "unchanged";
    if (!strcmp(status, "new") || !strcmp(status, "regressed")) return "new";
    if (!strcmp(status, "resolved")) return "absent";
    return "unchanged";
}

static bool is_suppressed(const stored_finding *f)
{
    return f->status && !strcmp(f->status, "suppressed");
}

static jv suppressions(arena *a, const stored_finding *f)
{
    jv_builder s, arr;
    jvb_object(&s, a);
    ex_set(&s, "kind", jv_cstr(a, "external"));
    ex_set(&s, "status", jv_cstr(a, "accepted"));
    ex_set(&s, "justification", ex_str(a, f->suppression_reason));
    jvb_array(&arr, a);
    jvb_push(&arr, jvb_done(&s));
    return jvb_done(&arr);
}

static jv result_props(arena *a, const stored_finding *f)
{
    jv_builder p;
    jvb_object(&p, a);
    ex_set(&p, "priority", jv_int(f->priority));
    ex_set(&p, "reasons", ex_json(a, f->reasons));
    ex_set(&p, "status", ex_str(a, f->status));
    ex_set(&p, "severity", ex_str(a, f->severity));
    ex_set(&p, "category", ex_str(a, f->category));
    ex_set(&p, "first_seen", ex_time(a, f->first_seen));
    ex_set(&p, "last_seen", ex_time(a, f->last_seen));
    if (f->resolved_at) ex_set(&p, "resolved_at", ex_time(a, f->resolved_at));
    ex_set(&p, "account_id", ex_str(a, f->account_id));
    ex_set(&p, "account_name", ex_str(a, f->account_name));
    ex_set(&p, "team", ex_str(a, f->team));
    ex_set(&p, "environment", ex_str(a, f->environment));
    ex_set(&p, "region", ex_str(a, f->region));
    ex_set(&p, "resource_type", ex_str(a, f->resource_type));
    ex_set(&p, "resource_id", ex_str(a, f->resource_id));
    ex_set(&p, "resource_name", ex_str(a, f->resource_name));
    ex_set(&p, "fix", ex_str(a, f->fix));
    ex_set(&p, "runbook", ex_str(a, f->runbook));
    ex_set(&p, "evidence", ex_json(a, f->evidence));
    ex_set(&p, "suppression", ex_suppression(a, f));
    return jvb_done(&p);
}

static jv result_json(arena *a, const stored_finding *f, size_t rule_idx)
{
    int sev = ex_severity_rank(f->severity_rank, f->severity);
    jv_builder r, fp;
    jvb_object(&r, a);
    ex_set(&r, "ruleId", ex_str(a, policy_of(f)));
    ex_set(&r, "ruleIndex", jv_int((int64_t)rule_idx));
    ex_set(&r, "level", jv_cstr(a, sarif_level(sev)));
    ex_set(&r, "message", message(a, result_text(a, f)));
    ex_set(&r, "locations", location(a, f));
    jvb_object(&fp, a);
    ex_set(&fp, "custos/v1", jv_str(a, f->fingerprint, strnlen(f->fingerprint, 16)));
    ex_set(&r, "partialFingerprints", jvb_done(&fp));
    ex_set(&r, "baselineState", jv_cstr(a, baseline_state(f->status)));
    /* SARIF's rank is "the priority or importance of the result", 0..100:
     * exactly what custos's priority is. */
    ex_set(&r, "rank", jv_int(f->priority < 0 ? 0 : f->priority > 100 ? 100 : f->priority));
    if (is_suppressed(f)) ex_set(&r, "suppressions", suppressions(a, f));
    ex_set(&r, "properties", result_props(a, f));
    return jvb_done(&r);
}

/* The driver's own fields, written by hand: its "rules" follow, one per
 * line. */
static void write_driver(buf *b, arena *a, const char *tool_version)
{
    buf_puts(b, "{\"name\":\"custos\",\"fullName\":\"custos cloud security monitor\"");
    if (CUSTOS_HOMEPAGE[0]) buf_puts(b, ",\"informationUri\":\"" CUSTOS_HOMEPAGE "\"");
    if (tool_version) {
        jv v = ex_str(a, tool_version);
        buf_puts(b, ",\"version\":");
        json_write(b, &v);
        buf_puts(b, ",\"semanticVersion\":");
        json_write(b, &v);
    }
}

void sarif_begin(buf *b, const char *tool_version)
{
    arena *a = arena_new(0);
    buf_puts(b, "{\"$schema\":\"" SARIF_SCHEMA_URI "\",\"version\":\"2.1.0\",\"runs\":[\n"
                "{\"tool\":{\"driver\":");
    write_driver(b, a, tool_version);
    buf_puts(b, ",\"rules\":[");
    arena_free(a);
}

void sarif_rule(buf *b, arena *a, const stored_finding *f, bool first)
{
    jv r = rule_json(a, f);
    buf_puts(b, first ? "\n" : ",\n");
    json_write(b, &r);
}

void sarif_results_begin(buf *b)
{
    buf_puts(b, "]}},\n\"results\":[");
}

void sarif_result(buf *b, arena *a, const stored_finding *f, size_t rule_idx, bool first)
{
    jv r = result_json(a, f, rule_idx);
    buf_puts(b, first ? "\n" : ",\n");
    json_write(b, &r);
}

void sarif_end(buf *b)
{
    buf_puts(b, "]}\n]}\n");
}

void sarif_write(buf *b, const stored_finding *f, size_t n, const char *tool_version)
{
    arena *a = arena_new(0);
    size_t nr;
    rule_ref *rules = collect_rules(f, n, &nr);
    sarif_begin(b, tool_version);
    for (size_t i = 0; i < nr; i++) {
        arena_reset(a);
        sarif_rule(b, a, &f[rules[i].first], i == 0);
    }
    sarif_results_begin(b);
    for (size_t i = 0; i < n; i++) {
        arena_reset(a);
        sarif_result(b, a, &f[i], rule_index(rules, nr, policy_of(&f[i])), i == 0);
    }
    sarif_end(b);
    free(rules);
    arena_free(a);
}
