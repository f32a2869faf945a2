/* stored_report.c - table, JSON and CSV of stored findings; see
 * stored_report.h.  reasons and evidence are stored as JSON text and are
 * copied into JSON output as they are, not re-parsed. */
#include "output/stored_report.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output/ocsf.h"
#include "output/report.h"
#include "output/sarif.h"
#include "json/json.h"
#include "version.h"

int stored_format_parse(const char *s, stored_format *out)
{
    static const char *const names[] = {"table", "json", "csv", "sarif", "ocsf"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i])) {
            *out = (stored_format)i;
            return 0;
        }
    return -1;
}

void iso_time(int64_t t, char out[21])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void short_age(int64_t secs, char out[24])
{
    if (secs < 0) secs = 0;
    if (secs >= 86400)
        snprintf(out, 24, "%lldd", (long long)(secs / 86400));
    else if (secs >= 3600)
        snprintf(out, 24, "%lldh", (long long)(secs / 3600));
    else
        snprintf(out, 24, "%lldm", (long long)(secs / 60));
}

static void put_str(buf *b, const char *key, const char *v)
{
    if (!v) return;
    buf_printf(b, ",\"%s\":", key);
    json_write_string(b, v, strlen(v));
}

static void put_time(buf *b, const char *key, int64_t t)
{
    if (!t) return;
    char iso[21];
    iso_time(t, iso);
    buf_printf(b, ",\"%s\":\"%s\"", key, iso);
}

static void write_json_one(buf *b, const stored_finding *f)
{
    buf_printf(b, "{\"fingerprint\":\"%s\"", f->fingerprint);
    put_str(b, "status", f->status);
    buf_printf(b, ",\"priority\":%d", f->priority);
    put_str(b, "severity", f->severity);
    put_str(b, "policy", f->policy);
    put_str(b, "description", f->description);
    put_str(b, "category", f->category);
    put_str(b, "resource", f->resource_type);
    put_str(b, "id", f->resource_id);
    put_str(b, "name", f->resource_name);
    put_str(b, "account", f->account_id);
    put_str(b, "account_name", f->account_name);
    put_str(b, "team", f->team);
    put_str(b, "environment", f->environment);
    put_str(b, "region", f->region);
    buf_printf(b, ",\"reasons\":%s", f->reasons && *f->reasons ? f->reasons : "[]");
    put_str(b, "fix", f->fix);
    put_str(b, "runbook", f->runbook);
    if (f->evidence && *f->evidence) buf_printf(b, ",\"evidence\":%s", f->evidence);
    put_time(b, "first_seen", f->first_seen);
    put_time(b, "last_seen", f->last_seen);
    put_time(b, "resolved_at", f->resolved_at);
    if (f->suppression_id) {
        buf_printf(b, ",\"suppression\":{\"id\":%lld", (long long)f->suppression_id);
        put_str(b, "reason", f->suppression_reason);
        put_str(b, "author", f->suppression_author);
        put_time(b, "expires", f->suppressed_until);
        buf_putc(b, '}');
    }
    buf_putc(b, '}');
}

static void write_json(buf *b, const stored_finding *f, size_t n)
{
    buf_puts(b, "{\"findings\":[");
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? ",\n" : "\n");
        write_json_one(b, &f[i]);
    }
    buf_printf(b, "\n],\"count\":%zu}\n", n);
}

static const char CSV_HEADER[] =
    "fingerprint,status,priority,severity,policy,resource,id,name,account,account_name,team,"
    "environment,region,first_seen,last_seen,resolved_at,fix,reasons,evidence\r\n";

static void write_csv_row(buf *b, const stored_finding *x)
{
    char prio[16], t1[21] = "", t2[21] = "", t3[21] = "";
    snprintf(prio, sizeof prio, "%d", x->priority);
    if (x->first_seen) iso_time(x->first_seen, t1);
    if (x->last_seen) iso_time(x->last_seen, t2);
    if (x->resolved_at) iso_time(x->resolved_at, t3);
    const char *cols[] = {x->fingerprint,
                          x->status,
                          prio,
                          x->severity,
                          x->policy,
                          x->resource_type,
                          x->resource_id,
                          x->resource_name,
                          x->account_id,
                          x->account_name,
                          x->team,
                          x->environment,
                          x->region,
                          t1,
                          t2,
                          t3,
                          x->fix,
                          x->reasons,
                          x->evidence};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        if (c) buf_putc(b, ',');
        csv_field(b, cols[c]);
    }
    buf_puts(b, "\r\n");
}

static void write_csv(buf *b, const stored_finding *f, size_t n)
{
    buf_puts(b, CSV_HEADER);
    for (size_t i = 0; i < n; i++)
        write_csv_row(b, &f[i]);
}

typedef struct table_widths {
    int policy, account, region;
} table_widths;

static void widen(table_widths *w, const stored_finding *x)
{
    const char *acc = x->account_name ? x->account_name : x->account_id;
    size_t p = x->policy ? strlen(x->policy) : 0, a = acc ? strlen(acc) : 1,
           r = x->region ? strlen(x->region) : 1;
    if ((int)p > w->policy) w->policy = (int)p;
    if ((int)a > w->account) w->account = (int)a;
    if ((int)r > w->region) w->region = (int)r;
}

static void write_table_head(buf *b, const table_widths *w)
{
    buf_printf(b, "%4s  %-8s  %-10s  %4s  %-*s  %-*s  %-*s  %s\n", "PRIO", "SEVERITY", "STATUS",
               "AGE", w->policy, "POLICY", w->account, "ACCOUNT", w->region, "REGION", "RESOURCE");
}

static void write_table_row(buf *b, const table_widths *w, const stored_finding *x, int64_t now)
{
    char age[24];
    short_age(now - x->first_seen, age);
    const char *acc = x->account_name ? x->account_name : x->account_id;
    bool named = x->resource_name && *x->resource_name;
    buf_printf(b, "%4d  %-8s  %-10s  %4s  %-*s  %-*s  %-*s  %s %s%s%s%s\n", x->priority,
               x->severity, x->status, age, w->policy, x->policy, w->account, acc ? acc : "-",
               w->region, x->region ? x->region : "-", x->resource_type, x->resource_id,
               named ? " (" : "", named ? x->resource_name : "", named ? ")" : "");
    if (x->fix) buf_printf(b, "      fix: %s  (custos explain %.8s)\n", x->fix, x->fingerprint);
    if (x->suppression_id) {
        char until[21];
        iso_time(x->suppressed_until, until);
        buf_printf(b, "      suppressed by %s until %.10s: %s\n",
                   x->suppression_author ? x->suppression_author : "?", until,
                   x->suppression_reason ? x->suppression_reason : "");
    }
}

static const table_widths TABLE_MIN = {6, 7, 6};

static void write_table(buf *b, const stored_finding *f, size_t n, int64_t now)
{
    if (n == 0) {
        buf_puts(b, "No findings match.\n");
        return;
    }
    table_widths w = TABLE_MIN;
    for (size_t i = 0; i < n; i++)
        widen(&w, &f[i]);
    write_table_head(b, &w);
    for (size_t i = 0; i < n; i++)
        write_table_row(b, &w, &f[i], now);
    buf_printf(b, "\n%zu findings.\n", n);
}

void stored_report_write(buf *b, stored_format fmt, const stored_finding *f, size_t n, int64_t now)
{
    switch (fmt) {
    case SR_TABLE:
        write_table(b, f, n, now);
        break;
    case SR_JSON:
        write_json(b, f, n);
        break;
    case SR_CSV:
        write_csv(b, f, n);
        break;
    case SR_SARIF:
        sarif_write(b, f, n, CUSTOS_VERSION);
        break;
    case SR_OCSF:
        ocsf_write(b, f, n, CUSTOS_VERSION);
        break;
    }
}

/* ---- streaming from the store ---- */

/* The output side: rows go into b, which is written out every 64 KiB, so
 * memory stays flat whatever the store's size. */
typedef struct streamer {
    buf b;
    FILE *out;
    bool werr;
    stored_format fmt;
    int64_t now;
    size_t n;
    arena *a; /* scratch for one row's JSON */
    table_widths w;
    /* sarif: the rules, sorted by policy name, each rule's JSON text */
    struct rule_text {
        const char *policy, *json;
    } * rules;
    size_t nrules, rcap;
    arena *rules_a;
} streamer;

static void drain(streamer *s, bool all)
{
    if (s->b.len < (all ? 1 : 65536)) return;
    if (fwrite(s->b.data, 1, s->b.len, s->out) != s->b.len) s->werr = true;
    buf_reset(&s->b);
}

static int stream_row(void *ctx, const stored_finding *f)
{
    streamer *s = ctx;
    arena_reset(s->a);
    switch (s->fmt) {
    case SR_TABLE:
        write_table_row(&s->b, &s->w, f, s->now);
        break;
    case SR_JSON:
        buf_puts(&s->b, s->n ? ",\n" : "\n");
        write_json_one(&s->b, f);
        break;
    case SR_CSV:
        write_csv_row(&s->b, f);
        break;
    case SR_SARIF: {
        size_t lo = 0, hi = s->nrules;
        const char *pol = f->policy ? f->policy : "unknown";
        while (lo < hi) { /* its rule: binary search of the sorted names */
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(s->rules[mid].policy, pol) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        sarif_result(&s->b, s->a, f, lo, s->n == 0);
        break;
    }
    case SR_OCSF:
        ocsf_event(&s->b, s->a, f, CUSTOS_VERSION, s->n == 0);
        break;
    }
    s->n++;
    drain(s, false);
    return s->werr ? -2 : 0;
}

static int widths_row(void *ctx, const stored_finding *f)
{
    streamer *s = ctx;
    widen(&s->w, f);
    s->n++;
    return 0;
}

/* A policy's rule from its first finding (pass 1 walks in list order). */
static int rules_row(void *ctx, const stored_finding *f)
{
    streamer *s = ctx;
    const char *pol = f->policy ? f->policy : "unknown";
    size_t lo = 0, hi = s->nrules;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->rules[mid].policy, pol);
        if (c == 0) return 0;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    s->rules = arena_grow(s->rules_a, s->rules, &s->rcap, s->nrules + 1, sizeof *s->rules);
    memmove(&s->rules[lo + 1], &s->rules[lo], (s->nrules - lo) * sizeof *s->rules);
    buf r = BUF_INIT;
    arena_reset(s->a);
    sarif_rule(&r, s->a, f, true);
    s->rules[lo].policy = arena_strdup(s->rules_a, pol);
    s->rules[lo].json = arena_strdup(s->rules_a, r.data + 1); /* without its "\n" */
    buf_free(&r);
    s->nrules++;
    return 0;
}

int stored_report_stream(store *st, const finding_query *q, stored_format fmt, int64_t now,
                         FILE *out)
{
    streamer s = {.b = BUF_INIT,
                  .out = out,
                  .fmt = fmt,
                  .now = now,
                  .a = arena_new(0),
                  .w = TABLE_MIN,
                  .rules_a = arena_new(0)};
    int rc = store_read_begin(st);
    /* Pass 1 where the head depends on every row: the table's column
     * widths, SARIF's rules (sorted, before the results). */
    if (rc == 0 && fmt == SR_TABLE) rc = store_findings_each(st, q, widths_row, &s);
    if (rc == 0 && fmt == SR_SARIF) rc = store_findings_each(st, q, rules_row, &s);
    if (rc == 0) {
        switch (fmt) {
        case SR_TABLE:
            if (s.n) write_table_head(&s.b, &s.w);
            break;
        case SR_JSON:
            buf_puts(&s.b, "{\"findings\":[");
            break;
        case SR_CSV:
            buf_puts(&s.b, CSV_HEADER);
            break;
        case SR_SARIF:
            sarif_begin(&s.b, CUSTOS_VERSION);
            for (size_t i = 0; i < s.nrules; i++) {
                buf_puts(&s.b, i ? ",\n" : "\n");
                buf_puts(&s.b, s.rules[i].json);
            }
            sarif_results_begin(&s.b);
            break;
        case SR_OCSF:
            buf_putc(&s.b, '[');
            break;
        }
        s.n = 0;
        rc = store_findings_each(st, q, stream_row, &s);
    }
    if (rc == 0) {
        switch (fmt) {
        case SR_TABLE:
            if (s.n)
                buf_printf(&s.b, "\n%zu findings.\n", s.n);
            else
                buf_puts(&s.b, "No findings match.\n");
            break;
        case SR_JSON:
            buf_printf(&s.b, "\n],\"count\":%zu}\n", s.n);
            break;
        case SR_CSV:
            break;
        case SR_SARIF:
            sarif_end(&s.b);
            break;
        case SR_OCSF:
            buf_puts(&s.b, s.n ? "\n]\n" : "]\n");
            break;
        }
    }
    store_read_end(st);
    drain(&s, true);
    buf_free(&s.b);
    arena_free(s.a);
    arena_free(s.rules_a);
    if (s.werr) return -2;
    return rc < 0 ? -1 : 0;
}
