/* report.c - table, JSON and CSV output; see report.h.
 *
 * Output is built in a buffer and written with one fwrite per few hundred
 * findings: a scan with 100k findings must not spend its time in stdio.
 */
#include "output/report.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "engine/priority.h"

int report_format_parse(const char *s, report_format *out)
{
    if (!strcmp(s, "table"))
        *out = REPORT_TABLE;
    else if (!strcmp(s, "json"))
        *out = REPORT_JSON;
    else if (!strcmp(s, "csv"))
        *out = REPORT_CSV;
    else
        return -1;
    return 0;
}

static void write_summary(buf *out, const scan_result *r)
{
    size_t sev[SEV_CRITICAL + 1] = {0};
    for (size_t i = 0; i < r->n; i++)
        sev[r->items[i].pol->sev]++;
    buf_printf(out,
               "\"summary\":{\"findings\":%zu,\"resources\":%zu,\"policies\":%zu,"
               "\"scopes\":%zu,\"by_severity\":{",
               r->n, r->stats.resources, r->stats.policies, r->stats.scopes);
    for (int s = SEV_CRITICAL; s >= SEV_INFO; s--)
        buf_printf(out, "\"%s\":%zu%s", severity_name((severity)s), sev[s], s ? "," : "");
    buf_puts(out, "}}");
}

static void flush_if_big(FILE *f, buf *b)
{
    if (b->len < (1 << 20)) return;
    fwrite(b->data, 1, b->len, f);
    buf_reset(b);
}

/* "missing_data": what the policies needed and the inventory lacks, per
 * account/region (engine.h), so zero findings is never read as "all
 * clear" when nothing was seen. */
static void write_missing_json(buf *b, const scan_result *r)
{
    buf_puts(b, ",\"missing_data\":[");
    for (size_t i = 0; i < r->missing.n; i++) {
        const diag *d = &r->missing.items[i];
        const char *tab = strchr(d->msg, '\t');
        const char *acct = d->pos.file ? d->pos.file : "";
        buf_puts(b, i ? ",{\"account\":" : "{\"account\":");
        json_write_string(b, acct, strlen(acct));
        buf_puts(b, ",\"region\":");
        json_write_string(b, d->msg, tab ? (size_t)(tab - d->msg) : 0);
        buf_puts(b, ",\"what\":");
        const char *what = tab ? tab + 1 : d->msg;
        json_write_string(b, what, strlen(what));
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
}

/* "not_collected": what the collector could not collect (collection.json),
 * per account, region and call, with the error code and message. */
static void write_gaps_json(buf *b, const scan_result *r)
{
    static const char *const keys[] = {"account",   "account_name", "region", "service",
                                       "operation", "code",         "message"};
    buf_puts(b, ",\"not_collected\":[");
    for (size_t i = 0; i < r->n_gaps; i++) {
        const collect_gap *g = &r->gaps[i];
        const char *v[] = {g->account_id, g->account_name, g->region, g->service,
                           g->operation,  g->code,         g->message};
        buf_putc(b, i ? ',' : '\n');
        buf_putc(b, '{');
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            if (k) buf_putc(b, ',');
            json_write_string(b, keys[k], strlen(keys[k]));
            buf_putc(b, ':');
            if (v[k])
                json_write_string(b, v[k], strlen(v[k]));
            else
                buf_puts(b, "null");
        }
        buf_puts(b, "}\n");
    }
    buf_putc(b, ']');
}

/* Text that came from AWS (an error message) or from accounts.yaml, on a
 * terminal: control characters are shown as '?'. */
static void put_plain(buf *b, const char *s)
{
    for (; s && *s; s++)
        buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

/* The table's closing lines: each call not collected, as
 * "not collected: payments-prod eu-west-1 rds DescribeDBInstances: AccessDenied (...)". */
static void write_gaps_text(buf *b, const scan_result *r)
{
    if (!r->n_gaps) return;
    buf_printf(b, "\n%zu calls not collected (their findings are not resolved):\n", r->n_gaps);
    for (size_t i = 0; i < r->n_gaps; i++) {
        const collect_gap *g = &r->gaps[i];
        buf_puts(b, "  not collected: ");
        put_plain(b, g->account_name ? g->account_name : g->account_id);
        if (g->region && !strcmp(g->region, "*")) {
            buf_puts(b, " (all of it)");
        } else {
            buf_putc(b, ' ');
            put_plain(b, g->region);
            buf_putc(b, ' ');
            put_plain(b, g->service);
            buf_putc(b, ' ');
            put_plain(b, g->operation);
        }
        buf_puts(b, ": ");
        put_plain(b, g->code);
        if (g->message && *g->message) {
            buf_puts(b, " (");
            put_plain(b, g->message);
            buf_putc(b, ')');
        }
        buf_putc(b, '\n');
    }
}

/* Text formats: the same gaps on stderr, one line each. */
static void warn_missing(const scan_result *r)
{
    for (size_t i = 0; i < r->missing.n; i++) {
        const diag *d = &r->missing.items[i];
        const char *tab = strchr(d->msg, '\t');
        fprintf(stderr,
                "warning: %s %.*s: %s (no data: the answer for it is not \"no findings\")\n",
                d->pos.file ? d->pos.file : "", tab ? (int)(tab - d->msg) : 0, d->msg,
                tab ? tab + 1 : d->msg);
    }
}

static void write_json(FILE *f, const scan_result *r)
{
    buf b = BUF_INIT;
    buf_puts(&b, "{\"findings\":[");
    for (size_t i = 0; i < r->n; i++) {
        if (i) buf_putc(&b, ',');
        buf_putc(&b, '\n');
        const finding *x = &r->items[i];
        if (x->json)
            buf_append(&b, x->json, x->json_len);
        else
            finding_write_json(&b, x);
        flush_if_big(f, &b);
    }
    buf_puts(&b, r->n ? "\n]," : "],");
    write_summary(&b, r);
    if (r->missing.n) write_missing_json(&b, r);
    if (r->n_gaps) write_gaps_json(&b, r);
    buf_puts(&b, "}\n");
    fwrite(b.data, 1, b.len, f);
    buf_free(&b);
}

/* "-12", "-0.5", "-1e-3": a negative number is data, not a formula. */
static bool is_negative_number(const char *s)
{
    const char *p = s + 1;
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        if (!isdigit((unsigned char)*++p)) return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

static bool csv_formula(const char *s)
{
    switch (s[0]) {
    case '=':
    case '+':
    case '@':
    case '\t':
    case '\r':
        return true;
    case '-':
        return !is_negative_number(s);
    default:
        return false;
    }
}

void csv_field(buf *b, const char *s)
{
    if (!s) s = "";
    bool formula = csv_formula(s);
    if (!strpbrk(s, ",\"\r\n")) {
        if (formula) buf_putc(b, '\'');
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    if (formula) buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '"') buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static void join_reasons(buf *b, const finding *x)
{
    for (size_t i = 0; i < x->nreasons; i++) {
        if (i) buf_puts(b, "; ");
        buf_puts(b, x->reasons[i]);
    }
    if (!b->data) buf_puts(b, "");
}

static void write_csv(FILE *f, const scan_result *r)
{
    buf b = BUF_INIT, ev = BUF_INIT;
    buf_puts(&b, "severity,policy,resource,id,name,account,team,environment,region,evidence,"
                 "priority,fingerprint,reasons,fix\r\n");
    for (size_t i = 0; i < r->n; i++) {
        const finding *x = &r->items[i];
        const char *cols[9] = {severity_name(x->pol->sev),
                               x->pol->name,
                               x->rtype ? x->rtype->name : "",
                               x->id,
                               x->name,
                               x->account_id,
                               x->account ? x->account->team : NULL,
                               x->account ? x->account->environment : NULL,
                               x->region};
        for (int c = 0; c < 9; c++) {
            csv_field(&b, cols[c]);
            buf_putc(&b, ',');
        }
        buf_reset(&ev);
        if (x->evidence.kind != JV_NULL) json_write(&ev, &x->evidence);
        csv_field(&b, ev.data);
        char fp[17];
        fingerprint_hex(x->fingerprint, fp);
        buf_printf(&b, ",%d,%s,", x->priority, fp);
        buf_reset(&ev);
        join_reasons(&ev, x);
        csv_field(&b, ev.data);
        buf_putc(&b, ',');
        csv_field(&b, x->fix);
        buf_puts(&b, "\r\n");
        flush_if_big(f, &b);
    }
    fwrite(b.data, 1, b.len, f);
    buf_free(&b);
    buf_free(&ev);
}

/* A table of up to this many findings shows each one's reasons and fix
 * line under it; longer ones stay one line per finding. */
#define TABLE_DETAIL_MAX 500

static void write_table(FILE *f, const scan_result *r, bool verbose)
{
    if (r->n == 0) {
        fprintf(f, "No findings (%zu resources, %zu policies, %zu account/region scopes).\n",
                r->stats.resources, r->stats.policies, r->stats.scopes);
        buf g = BUF_INIT;
        write_gaps_text(&g, r);
        if (g.len) fwrite(g.data, 1, g.len, f);
        buf_free(&g);
        return;
    }
    size_t wpol = 6, wacc = 7, wreg = 6, wres = 8;
    for (size_t i = 0; i < r->n; i++) {
        const finding *x = &r->items[i];
        size_t l;
        if ((l = strlen(x->pol->name)) > wpol) wpol = l;
        const char *acc = x->account && x->account->name ? x->account->name : x->account_id;
        if (acc && (l = strlen(acc)) > wacc) wacc = l;
        if (x->region && (l = strlen(x->region)) > wreg) wreg = l;
        if ((l = strlen(x->rtype ? x->rtype->name : "")) > wres) wres = l;
    }
    buf b = BUF_INIT, why = BUF_INIT;
    buf_printf(&b, "%4s  %-8s  %-*s  %-*s  %-*s  %-*s  %s\n", "PRIO", "SEVERITY", (int)wpol,
               "POLICY", (int)wacc, "ACCOUNT", (int)wreg, "REGION", (int)wres, "RESOURCE", "ID");
    for (size_t i = 0; i < r->n; i++) {
        const finding *x = &r->items[i];
        const char *acc = x->account && x->account->name ? x->account->name : x->account_id;
        bool named = x->name && *x->name && strcmp(x->name, x->id);
        buf_printf(&b, "%4d  %-8s  %-*s  %-*s  %-*s  %-*s  %s%s%s%s\n", x->priority,
                   severity_name(x->pol->sev), (int)wpol, x->pol->name, (int)wacc, acc ? acc : "-",
                   (int)wreg, x->region ? x->region : "-", (int)wres,
                   x->rtype ? x->rtype->name : "", x->id, named ? " (" : "", named ? x->name : "",
                   named ? ")" : "");
        if (verbose) {
            buf_reset(&why);
            join_reasons(&why, x);
            char fp[17];
            fingerprint_hex(x->fingerprint, fp);
            buf_printf(&b, "      why: %s\n", why.data);
            if (x->fix) buf_printf(&b, "      fix: %s  (custos explain %s)\n", x->fix, fp);
        }
        flush_if_big(f, &b);
    }
    buf_free(&why);
    size_t sev[SEV_CRITICAL + 1] = {0};
    for (size_t i = 0; i < r->n; i++)
        sev[r->items[i].pol->sev]++;
    buf_printf(&b,
               "\n%zu findings (critical %zu, high %zu, medium %zu, low %zu, info %zu) over "
               "%zu resources, %zu policies, %zu account/region scopes.\n",
               r->n, sev[SEV_CRITICAL], sev[SEV_HIGH], sev[SEV_MEDIUM], sev[SEV_LOW], sev[SEV_INFO],
               r->stats.resources, r->stats.policies, r->stats.scopes);
    write_gaps_text(&b, r);
    fwrite(b.data, 1, b.len, f);
    buf_free(&b);
}

void report_write(FILE *out, report_format fmt, const scan_result *r)
{
    warn_missing(r);
    switch (fmt) {
    case REPORT_TABLE:
        write_table(out, r, r->n <= TABLE_DETAIL_MAX);
        break;
    case REPORT_JSON:
        write_json(out, r);
        break;
    case REPORT_CSV:
        write_csv(out, r);
        break;
    }
}
