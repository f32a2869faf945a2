/* cmd_diff.c - `custos diff`: what changed between two scans, per team.
 *
 * The changes are the lifecycle events recorded by the scans in
 * (from, to].  Over several scans a finding keeps only its last change,
 * and one that ends the window in the state it started in (new then
 * resolved; resolved then regressed) is not a change at all.  The store
 * nets them out (store_changes_each) and the rows are written as they
 * come, so memory stays flat whatever the window (issue 17).
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

/* The writer: rows go into b, written out every 64 KiB, so memory stays
 * flat whatever the number of changes (issue 17: a first scan's diff is
 * every finding of the store). */
typedef struct diff_out {
    buf b;
    FILE *out;
    bool json, werr;
    size_t n;
    change_count *cc; /* per team and change: the table's team lines */
    size_t ncc;
    char *team; /* the team whose rows are being written (table) */
} diff_out;

static void drain(diff_out *o, bool all)
{
    if (o->b.len < (all ? 1 : 65536)) return;
    if (fwrite(o->b.data, 1, o->b.len, o->out) != o->b.len) o->werr = true;
    buf_reset(&o->b);
}

static const char *team_label(const char *team)
{
    return team ? team : "(no team)";
}

/* "team T: N new, ..." from the counts of that team. */
static void team_line(diff_out *o, const char *team)
{
    static const char *const kinds[] = {"new", "regressed", "resolved", "suppressed"};
    int64_t counts[4] = {0};
    for (size_t i = 0; i < o->ncc; i++) {
        const char *t = o->cc[i].team;
        if ((t == NULL) != (team == NULL) || (t && strcmp(t, team))) continue;
        for (int j = 0; j < 4; j++)
            if (!strcmp(o->cc[i].change, kinds[j])) counts[j] += o->cc[i].n;
    }
    buf_printf(&o->b, "\nteam %s: %lld new, %lld regressed, %lld resolved, %lld suppressed\n",
               team_label(team), (long long)counts[0], (long long)counts[1], (long long)counts[2],
               (long long)counts[3]);
}

static void table_row(diff_out *o, const finding_change *c)
{
    const stored_finding *f = &c->f;
    if (!o->n || strcmp(o->team, team_label(f->team))) {
        free(o->team);
        o->team = strdup(team_label(f->team));
        team_line(o, f->team);
    }
    const char *label = !strcmp(c->change, "open") ? "reopened" : c->change;
    buf_printf(&o->b, "  %-10s %3d %-8s %s  %s/%s  %s %s  (%.8s)\n", label, f->priority,
               f->severity, f->policy, f->account_name ? f->account_name : f->account_id, f->region,
               f->resource_type, f->resource_id, f->fingerprint);
}

static void json_row(diff_out *o, const finding_change *c)
{
    const stored_finding *f = &c->f;
    buf *b = &o->b;
    buf_puts(b, o->n ? ",\n" : "\n");
    buf_printf(b, "{\"change\":\"%s\",\"fingerprint\":\"%s\",\"scan\":%lld,\"priority\":%d",
               !strcmp(c->change, "open") ? "reopened" : c->change, f->fingerprint,
               (long long)c->scan_id, f->priority);
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

static int diff_row(void *ctx, const finding_change *c)
{
    diff_out *o = ctx;
    if (o->json)
        json_row(o, c);
    else
        table_row(o, c);
    o->n++;
    drain(o, false);
    return o->werr ? -2 : 0;
}

/* Streams the changes in (from, to] of teams to o->out; 0, -1 on a store
 * error, -2 when writing failed.  Counts and rows read one snapshot. */
static int write_diff(store *st, diff_out *o, int64_t from, int64_t to, const strlist *teams)
{
    const char *const *tv = (const char *const *)teams->items;
    arena *a = arena_new(0);
    int rc = store_read_begin(st);
    if (rc == 0 && !o->json)
        rc = store_change_counts(st, from, to, tv, teams->n, a, &o->cc, &o->ncc);
    if (o->json)
        buf_printf(&o->b, "{\"from\":%lld,\"to\":%lld,\"changes\":[", (long long)from,
                   (long long)to);
    else
        buf_printf(&o->b, "Changes from scan %lld to scan %lld:\n", (long long)from, (long long)to);
    if (rc == 0) rc = store_changes_each(st, from, to, tv, teams->n, diff_row, o);
    store_read_end(st);
    if (o->json)
        buf_puts(&o->b, "\n]}\n");
    else if (!o->n)
        buf_puts(&o->b, "  nothing changed.\n");
    drain(o, true);
    free(o->team);
    arena_free(a);
    if (rc == 0 && o->werr) rc = -2;
    return rc;
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
    FILE *fo = cli_output_open("diff", output);
    if (!fo) goto done;
    diff_out o = {.b = BUF_INIT, .out = fo, .json = json};
    int drc = write_diff(st, &o, from, to, &teams);
    buf_free(&o.b);
    if (drc == -1) fprintf(stderr, "custos diff: %s\n", store_error(st));
    int werr = cli_output_close("diff", output, fo);
    if (drc == -2 && !werr) fprintf(stderr, "custos diff: error writing output\n");
    rc = drc == 0 && !werr ? 0 : 1;
done:
    store_close(st);
    arena_free(a);
    strlist_free(&teams);
    return rc;
}
