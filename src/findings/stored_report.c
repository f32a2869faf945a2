/* stored_report.c - table, JSON and CSV of stored findings; see
 * stored_report.h.  reasons and evidence are stored as JSON text and are
 * copied into JSON output as they are, not re-parsed. */
#include "findings/stored_report.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "findings/ocsf.h"
#include "findings/report.h"
#include "findings/sarif.h"
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

static void write_csv(buf *b, const stored_finding *f, size_t n)
{
    buf_puts(b, "fingerprint,status,priority,severity,policy,resource,id,name,account,"
                "account_name,team,environment,region,first_seen,last_seen,resolved_at,fix,"
                "reasons,evidence\r\n");
    for (size_t i = 0; i < n; i++) {
        const stored_finding *x = &f[i];
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
}

static size_t width(const stored_finding *f, size_t n, size_t off, size_t min)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = *(const char *const *)((const char *)&f[i] + off);
        if (s && strlen(s) > min) min = strlen(s);
    }
    return min;
}
#define WIDTH(f, n, field, min) width(f, n, offsetof(stored_finding, field), min)

static void write_table(buf *b, const stored_finding *f, size_t n, int64_t now)
{
    if (n == 0) {
        buf_puts(b, "No findings match.\n");
        return;
    }
    int wp = (int)WIDTH(f, n, policy, 6), wa = (int)WIDTH(f, n, account_name, 7),
        wr = (int)WIDTH(f, n, region, 6);
    buf_printf(b, "%4s  %-8s  %-10s  %4s  %-*s  %-*s  %-*s  %s\n", "PRIO", "SEVERITY", "STATUS",
               "AGE", wp, "POLICY", wa, "ACCOUNT", wr, "REGION", "RESOURCE");
    for (size_t i = 0; i < n; i++) {
        const stored_finding *x = &f[i];
        char age[24];
        short_age(now - x->first_seen, age);
        const char *acc = x->account_name ? x->account_name : x->account_id;
        bool named = x->resource_name && *x->resource_name;
        buf_printf(b, "%4d  %-8s  %-10s  %4s  %-*s  %-*s  %-*s  %s %s%s%s%s\n", x->priority,
                   x->severity, x->status, age, wp, x->policy, wa, acc ? acc : "-", wr,
                   x->region ? x->region : "-", x->resource_type, x->resource_id, named ? " (" : "",
                   named ? x->resource_name : "", named ? ")" : "");
        if (x->fix) buf_printf(b, "      fix: %s  (custos explain %.8s)\n", x->fix, x->fingerprint);
        if (x->suppression_id) {
            char until[21];
            iso_time(x->suppressed_until, until);
            buf_printf(b, "      suppressed by %s until %.10s: %s\n",
                       x->suppression_author ? x->suppression_author : "?", until,
                       x->suppression_reason ? x->suppression_reason : "");
        }
    }
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
