/* cmd_audit.c - `custos audit`: the remediation audit log, read-only.
 *
 * Lists what `custos fix` did (store/audit.h), oldest first: when, the
 * step's phase, who, the plan's hash, the call, AWS's request id, the
 * result and the states.  There is no option to change or remove an
 * entry; the store refuses both.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "store/audit.h"

static jv entry_jv(arena *a, const audit_entry *e)
{
    jv_builder b;
    jvb_object(&b, a);
    jvb_set(&b, "id", 2, jv_int(e->id));
    jvb_set(&b, "at", 2, jv_int(e->at));
    jvb_set(&b, "step", 4, jv_int(e->step));
    const char *names[] = {"phase",   "plan_hash",  "who",        "fingerprint",   "policy",
                           "action",  "account_id", "region",     "resource_type", "resource_id",
                           "service", "operation",  "request_id", "result",        "message"};
    const char *vals[] = {e->phase,         e->plan_hash,   e->who,        e->fingerprint,
                          e->policy,        e->action,      e->account_id, e->region,
                          e->resource_type, e->resource_id, e->service,    e->operation,
                          e->request_id,    e->result,      e->message};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        jvb_set(&b, names[i], strlen(names[i]), vals[i] ? jv_cstr(a, vals[i]) : jv_null());
    const char *js[] = {"params", "state_before", "state_after"};
    const char *jt[] = {e->params, e->state_before, e->state_after};
    for (size_t i = 0; i < 3; i++) {
        jv v = jv_null();
        json_error je;
        if (jt[i] && json_parse(a, jt[i], strlen(jt[i]), &v, &je) != 0) v = jv_cstr(a, jt[i]);
        jvb_set(&b, js[i], strlen(js[i]), v);
    }
    return jvb_done(&b);
}

static void safe(FILE *o, const char *s)
{
    for (; s && *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, o);
}

static void print_table(FILE *o, const audit_entry *e, size_t n)
{
    fprintf(o, "%-20s %-6s %-12s %4s  %-18s %-28s %-20s %s\n", "WHEN (UTC)", "PHASE", "PLAN",
            "STEP", "RESULT", "CALL", "RESOURCE", "WHO / REQUEST");
    for (size_t i = 0; i < n; i++) {
        char when[32];
        time_t t = (time_t)e[i].at;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        char call[64];
        snprintf(call, sizeof call, "%s %s", e[i].service ? e[i].service : "",
                 e[i].operation ? e[i].operation : "");
        fprintf(o, "%-20s %-6s %-12.12s %4lld  %-18s %-28s ", when, e[i].phase, e[i].plan_hash,
                (long long)e[i].step, e[i].result, call);
        safe(o, e[i].resource_id);
        fputs("  ", o);
        safe(o, e[i].who ? e[i].who : "-");
        if (e[i].request_id) fprintf(o, " %s", e[i].request_id);
        if (e[i].message) {
            fputs(" (", o);
            safe(o, e[i].message);
            fputc(')', o);
        }
        fputc('\n', o);
    }
    if (!n) fputs("The audit log is empty: custos fix has changed nothing yet.\n", o);
}

int cmd_audit(int argc, char **argv)
{
    const char *db_url = NULL, *format = NULL, *output = NULL;
    long limit = 0;
    static const char *const FORMATS[] = {"table", "json", NULL};
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_url),
        {"limit", 0, CLI_NUM, &limit, "N", "only the newest N entries"},
        {"format", 'f', CLI_STR, &format, "FMT", "table (default on a terminal) or json"},
        CLI_OPT_OUTPUT(&output),
        {0},
    };
    const cli_command cmd = {"audit",
                             "usage: custos audit [--db URL] [--format table|json] [-o FILE]\n"
                             "\n"
                             "What custos fix changed: every step, before and after its call,\n"
                             "with who made it, the plan's hash, AWS's request id and the\n"
                             "resource's state.  The log is append-only.\n",
                             opts,
                             0,
                             NULL,
                             "Exit status: 0 ok, 1 error.\n"};
    int rc = cli_args(&cmd, argc, argv, NULL, NULL);
    if (rc >= 0) return rc;
    int fmt = cli_choice("audit", "format", format, FORMATS, cli_for_people(output) ? 0 : 1);
    if (fmt < 0 || limit < 0) return 1;
    store *st = cli_store_open_existing("audit", db_url);
    if (!st) return 1;
    arena *a = arena_new(0);
    audit_entry *e;
    size_t n;
    rc = 1;
    if (store_audit_list(st, (size_t)limit, a, &e, &n) != 0) {
        fprintf(stderr, "custos audit: %s\n", store_error(st));
    } else if (fmt == 0) {
        FILE *o = cli_output_open("audit", output);
        if (o) {
            print_table(o, e, n);
            rc = cli_output_close("audit", output, o);
        }
    } else {
        jv list = jv_array(a, n);
        for (size_t i = 0; i < n; i++)
            list.u.items[i] = entry_jv(a, &e[i]);
        buf b = BUF_INIT;
        json_write_pretty(&b, &list, 2);
        buf_putc(&b, '\n');
        rc = cli_write_buf("audit", output, &b);
        buf_free(&b);
    }
    arena_free(a);
    store_close(st);
    return rc;
}
