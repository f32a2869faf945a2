/* cmd_diff.c - `custos diff`: what changed between two scans, per team.
 *
 * The changes are the lifecycle events recorded by the scans in
 * (from, to].  Over several scans a finding keeps only its last change,
 * and one that ends the window in the state it started in (new then
 * resolved; resolved then regressed) is not a change at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "output/stored_report.h"
#include "json/json.h"
#include "util/strmap.h"

/* The net change of one finding over the window. */
typedef struct change {
    const finding_event *last;
    const char *first_prev; /* status before the window's first event */
} change;

static int by_team(const void *pa, const void *pb)
{
    const change *a = pa, *b = pb;
    const char *ta = a->last->f.team ? a->last->f.team : "",
               *tb = b->last->f.team ? b->last->f.team : "";
    int c = strcmp(ta, tb);
    if (c) return c;
    c = strcmp(a->last->status, b->last->status);
    if (c) return c;
    return b->last->f.priority - a->last->f.priority;
}

static bool wanted(const strlist *teams, const char *team)
{
    return !teams->n || strlist_has(teams, team);
}

/* What a status means for a diff: absent and resolved are the same state
 * (not a problem now), as are new, open and regressed (a problem now). */
static int state(const char *status)
{
    if (!status || !strcmp(status, "resolved")) return 0;
    if (!strcmp(status, "suppressed")) return 2;
    return 1;
}

/* Collapses the events to one change per finding (hashing the
 * fingerprints: a first scan of a large org is 100k+ events). */
static size_t net_changes(arena *a, const finding_event *e, size_t n, const strlist *teams,
                          change *out)
{
    strmap seen;
    strmap_init(&seen, a, n);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!wanted(teams, e[i].f.team)) continue;
        int *slot = strmap_slot(&seen, e[i].fingerprint, -1);
        if (*slot < 0) {
            *slot = (int)m;
            out[m++] = (change){&e[i], e[i].previous};
        } else {
            out[*slot].last = &e[i];
        }
    }
    size_t w = 0;
    for (size_t i = 0; i < m; i++)
        if (state(out[i].first_prev) != state(out[i].last->status)) out[w++] = out[i];
    return w;
}

static void write_table(buf *b, const change *c, size_t n, int64_t from, int64_t to)
{
    buf_printf(b, "Changes from scan %lld to scan %lld:\n", (long long)from, (long long)to);
    if (!n) {
        buf_puts(b, "  nothing changed.\n");
        return;
    }
    const char *team = NULL;
    for (size_t i = 0; i < n; i++) {
        const stored_finding *f = &c[i].last->f;
        const char *t = f->team ? f->team : "(no team)";
        if (!team || strcmp(team, t)) {
            team = t;
            size_t counts[4] = {0};
            static const char *const kinds[] = {"new", "regressed", "resolved", "suppressed"};
            for (size_t k = i; k < n; k++) {
                const char *tk = c[k].last->f.team ? c[k].last->f.team : "(no team)";
                if (strcmp(tk, t)) break;
                for (int j = 0; j < 4; j++)
                    if (!strcmp(c[k].last->status, kinds[j])) counts[j]++;
            }
            buf_printf(b, "\nteam %s: %zu new, %zu regressed, %zu resolved, %zu suppressed\n", t,
                       counts[0], counts[1], counts[2], counts[3]);
        }
        const char *label = !strcmp(c[i].last->status, "open") ? "reopened" : c[i].last->status;
        buf_printf(b, "  %-10s %3d %-8s %s  %s/%s  %s %s  (%.8s)\n", label, f->priority,
                   f->severity, f->policy, f->account_name ? f->account_name : f->account_id,
                   f->region, f->resource_type, f->resource_id, f->fingerprint);
    }
}

static void write_json(buf *b, const change *c, size_t n, int64_t from, int64_t to)
{
    buf_printf(b, "{\"from\":%lld,\"to\":%lld,\"changes\":[", (long long)from, (long long)to);
    for (size_t i = 0; i < n; i++) {
        const stored_finding *f = &c[i].last->f;
        buf_puts(b, i ? ",\n" : "\n");
        buf_printf(b, "{\"change\":\"%s\",\"fingerprint\":\"%s\",\"scan\":%lld,\"priority\":%d",
                   !strcmp(c[i].last->status, "open") ? "reopened" : c[i].last->status,
                   f->fingerprint, (long long)c[i].last->scan_id, f->priority);
        const char *kv[][2] = {{"team", f->team},
                               {"severity", f->severity},
                               {"policy", f->policy},
                               {"account", f->account_id},
                               {"account_name", f->account_name},
                               {"region", f->region},
                               {"resource", f->resource_type},
                               {"id", f->resource_id},
                               {"status", f->status},
                               {"fix", f->fix}};
        for (size_t k = 0; k < sizeof kv / sizeof kv[0]; k++) {
            if (!kv[k][1]) continue;
            buf_printf(b, ",\"%s\":", kv[k][0]);
            json_write_string(b, kv[k][1], strlen(kv[k][1]));
        }
        buf_putc(b, '}');
    }
    buf_puts(b, "\n]}\n");
}

int cmd_diff(int argc, char **argv)
{
    const char *db_url = NULL, *format = NULL, *output = NULL;
    long from = -1, to = 0;
    strlist teams = {0};
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_url),
        {"from", 0, CLI_NUM, &from, "SCAN",
         "the earlier scan id (custos history --scans lists them)"},
        {"to", 0, CLI_NUM, &to, "SCAN", "the later scan id (default: the latest)"},
        CLI_OPT_TEAM(&teams),
        {"format", 'f', CLI_STR, &format, "FMT", "table (default on a terminal) or json"},
        CLI_OPT_OUTPUT(&output),
        {0},
    };
    const cli_command cmd = {
        "diff",
        "usage: custos diff [--db URL] [--from SCAN] [--to SCAN] [--team TEAM] [--format FMT]\n"
        "\n"
        "Shows what changed between two scans, per team: new, regressed, resolved and\n"
        "suppressed findings.  Default: the latest scan against the one before it.\n",
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
    static const char *const formats[] = {"table", "json", NULL};
    int fi = cli_choice("diff", "format", format, formats, cli_for_people(output) ? 0 : 1);
    if (fi < 0) goto done;
    bool json = fi == 1;
    if (!(st = cli_store_open_existing("diff", db_url))) goto done;
    stored_scan *scans;
    size_t ns;
    if (store_scans(st, 0, a, &scans, &ns) < 0) {
        fprintf(stderr, "custos diff: %s\n", store_error(st));
        goto done;
    }
    if (ns == 0) {
        fprintf(stderr, "custos diff: %s holds no scans yet (run custos scan first)\n",
                store_url(st));
        goto done;
    }
    if (to <= 0) to = scans[0].id;
    if (from < 0) { /* the scan before `to` */
        from = 0;
        for (size_t i = 0; i < ns; i++)
            if (scans[i].id < to) {
                from = scans[i].id;
                break;
            }
    }
    if (from >= to) {
        fprintf(stderr, "custos diff: --from (%ld) must be an earlier scan than --to (%ld)\n", from,
                to);
        goto done;
    }
    finding_event *ev;
    size_t ne;
    if (store_events(st, from, to, NULL, a, &ev, &ne) < 0) {
        fprintf(stderr, "custos diff: %s\n", store_error(st));
        goto done;
    }
    change *ch = arena_alloc(a, (ne ? ne : 1) * sizeof *ch);
    size_t nc = net_changes(a, ev, ne, &teams, ch);
    qsort(ch, nc, sizeof *ch, by_team);
    if (json)
        write_json(&out, ch, nc, from, to);
    else
        write_table(&out, ch, nc, from, to);
    rc = cli_write_buf("diff", output, &out);
done:
    store_close(st);
    buf_free(&out);
    arena_free(a);
    strlist_free(&teams);
    return rc;
}
