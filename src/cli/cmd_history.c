/* cmd_history.c - `custos history`: counts per day, "know your normal".
 *
 * The counting (carrying an account's counts forward over days it was not
 * scanned) is store/trends.h's; this file parses options and formats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "output/report.h"
#include "output/stored_report.h"
#include "json/json.h"
#include "store/trends.h"

typedef enum { H_TABLE, H_JSON, H_CSV } hfmt;

static void day_name(int64_t day, char out[11])
{
    char iso[21];
    iso_time(day * 86400, iso);
    memcpy(out, iso, 10);
    out[10] = 0;
}

static void write_history(buf *b, hfmt fmt, const char *by, const trend_row *r, size_t n)
{
    if (fmt == H_TABLE)
        buf_printf(b, "%-10s  %-24s  %6s  %5s  %8s  %9s  %10s\n", "DAY", by, "OPEN", "NEW",
                   "RESOLVED", "REGRESSED", "SUPPRESSED");
    else if (fmt == H_CSV)
        buf_printf(b, "day,%s,open,new,resolved,regressed,suppressed\r\n", by);
    else
        buf_printf(b, "{\"by\":\"%s\",\"rows\":[", by);
    for (size_t i = 0; i < n; i++) {
        const trend_row *g = &r[i];
        char dn[11];
        day_name(g->day, dn);
        if (fmt == H_TABLE) {
            buf_printf(b, "%-10s  %-24s  %6lld  %5lld  %8lld  %9lld  %10lld\n", dn, g->key,
                       (long long)g->open, (long long)g->new_, (long long)g->resolved,
                       (long long)g->regressed, (long long)g->suppressed);
        } else if (fmt == H_CSV) {
            buf_printf(b, "%s,", dn);
            csv_field(b, g->key);
            buf_printf(b, ",%lld,%lld,%lld,%lld,%lld\r\n", (long long)g->open, (long long)g->new_,
                       (long long)g->resolved, (long long)g->regressed, (long long)g->suppressed);
        } else {
            buf_puts(b, i ? ",\n" : "\n");
            buf_printf(b, "{\"day\":\"%s\",\"%s\":", dn, by);
            json_write_string(b, g->key, strlen(g->key));
            buf_printf(b,
                       ",\"open\":%lld,\"new\":%lld,\"resolved\":%lld,\"regressed\":%lld,"
                       "\"suppressed\":%lld,\"max_priority\":%lld}",
                       (long long)g->open, (long long)g->new_, (long long)g->resolved,
                       (long long)g->regressed, (long long)g->suppressed,
                       (long long)g->max_priority);
        }
    }
    if (fmt == H_JSON)
        buf_puts(b, "\n]}\n");
    else if (fmt == H_TABLE && n == 0)
        buf_puts(b, "(no scans in this period)\n");
}

static void write_scans(buf *b, bool json, const stored_scan *s, size_t n)
{
    if (json)
        buf_puts(b, "{\"scans\":[");
    else
        buf_printf(b, "%5s  %-20s  %7s  %5s  %9s  %8s  %s\n", "SCAN", "AT", "FOUND", "NEW",
                   "REGRESSED", "RESOLVED", "ACCOUNTS");
    for (size_t i = 0; i < n; i++) {
        char at[21];
        iso_time(s[i].at, at);
        if (json) {
            buf_printf(b,
                       "%s{\"id\":%lld,\"at\":\"%s\",\"found\":%lld,\"new\":%lld,"
                       "\"regressed\":%lld,\"resolved\":%lld,\"accounts\":%s,\"regions\":%s,"
                       "\"policies\":%s}",
                       i ? ",\n" : "\n", (long long)s[i].id, at, (long long)s[i].found,
                       (long long)s[i].new_, (long long)s[i].regressed, (long long)s[i].resolved,
                       s[i].accounts ? s[i].accounts : "[]", s[i].regions ? s[i].regions : "null",
                       s[i].policies ? s[i].policies : "[]");
        } else {
            jv acc;
            json_error err;
            arena *a = arena_new(0);
            size_t na = 0;
            if (s[i].accounts &&
                json_parse(a, s[i].accounts, strlen(s[i].accounts), &acc, &err) == 0)
                na = acc.len;
            arena_free(a);
            buf_printf(b, "%5lld  %-20s  %7lld  %5lld  %9lld  %8lld  %zu%s\n", (long long)s[i].id,
                       at, (long long)s[i].found, (long long)s[i].new_, (long long)s[i].regressed,
                       (long long)s[i].resolved, na, s[i].regions ? " (some regions)" : "");
        }
    }
    if (json) buf_puts(b, "\n]}\n");
}

int cmd_history(int argc, char **argv)
{
    const char *db_url = NULL, *format = NULL, *output = NULL, *by = "team";
    long days = 30;
    bool scans = false;
    strlist teams = {0}, accounts = {0};
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_url),
        {"days", 0, CLI_NUM, &days, "N",
         "the last N days (default 30), counted back from the latest scan"},
        {"by", 0, CLI_STR, &by, "KEY", "team (default), account, environment, severity, or all"},
        CLI_OPT_TEAM(&teams),
        {"account", 0, CLI_LIST, &accounts, "ID", "only these accounts (id or name)"},
        {"scans", 0, CLI_FLAG, &scans, NULL, "list the scans instead (id, time, scope, counts)"},
        {"format", 'f', CLI_STR, &format, "FMT",
         "table (default on a terminal), json (default otherwise), csv"},
        CLI_OPT_OUTPUT(&output),
        {0},
    };
    const cli_command cmd = {
        "history",
        "usage: custos history [--db URL] [--days N] [--by KEY] [filters] [--format FMT]\n"
        "       custos history --scans [--db URL] [--format FMT]\n"
        "\n"
        "Counts of findings per day: open (as of that day's scans), new, resolved,\n"
        "regressed and suppressed, grouped by team, account, environment or severity.\n",
        opts,
        0,
        NULL,
        NULL};
    int rc = 1;
    store *st = NULL;
    arena *a = arena_new(0);
    buf out = BUF_INIT;
    if ((rc = cli_args(&cmd, argc, argv, NULL, NULL)) >= 0) goto done;
    rc = 1;
    trend_key key;
    if (trend_key_parse(by, &key) < 0) {
        fprintf(stderr,
                "custos history: unknown --by '%s' (expected team, account, environment, "
                "severity or all)\n",
                by);
        goto done;
    }
    if (days <= 0) {
        fprintf(stderr, "custos history: --days must be a positive number\n");
        goto done;
    }
    static const char *const formats[] = {"table", "json", "csv", NULL};
    static const char *const scan_formats[] = {"table", "json", NULL};
    int fi = cli_choice("history", "format", format, scans ? scan_formats : formats,
                        cli_for_people(output) ? H_TABLE : H_JSON);
    if (fi < 0) goto done;
    hfmt fmt = (hfmt)fi;
    if (!(st = cli_store_open_existing("history", db_url))) goto done;
    if (scans) {
        stored_scan *s;
        size_t n;
        if (store_scans(st, 0, a, &s, &n) < 0) {
            fprintf(stderr, "custos history: %s\n", store_error(st));
            goto done;
        }
        write_scans(&out, fmt == H_JSON, s, n);
    } else {
        day_count *d;
        size_t n;
        if (store_history(st, 0, a, &d, &n) < 0) {
            fprintf(stderr, "custos history: %s\n", store_error(st));
            goto done;
        }
        int64_t last = n ? d[n - 1].day : 0;
        trend_filter tf = {teams.n ? (const char *const *)teams.items : NULL, teams.n,
                           accounts.n ? (const char *const *)accounts.items : NULL, accounts.n};
        trend_row *rows;
        size_t nr = trends_compute(d, n, key, &tf, last - days + 1, a, &rows);
        write_history(&out, fmt, by, rows, nr);
    }
    rc = cli_write_buf("history", output, &out);
done:
    store_close(st);
    buf_free(&out);
    arena_free(a);
    strlist_free(&teams);
    strlist_free(&accounts);
    return rc;
}
