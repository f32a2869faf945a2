/* cmd_notify.c - `custos notify`: tell each team what changed.
 *
 * A thin shell over notify_run (notify/notify.h): options in, report
 * lines out.  What was sent goes to stdout, what failed (and config notes)
 * to stderr, so cron mails only the problems when stdout is discarded.
 * Exit 4 (not 1) when some message is still undelivered, so a wrapper can
 * tell "the receiver is down, it will be retried" from "the command is
 * wrong".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "notify/notify.h"
#include "util/date.h"

/* Seconds (0 to 3600) from a string. */
static bool parse_seconds(const char *s, double *out)
{
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end || d < 0 || d > 3600) return false;
    *out = d;
    return true;
}

/* What the table cannot check itself: the numbers in seconds, the date. */
static int check_values(notify_options *o, const char *as_of, const char *timeout,
                        const char *retry_delay, long retries)
{
    double d;
    if (as_of) {
        if (!date_parse(as_of, strlen(as_of), &d)) {
            fprintf(stderr, "custos notify: --as-of '%s' is not a date\n", as_of);
            return -1;
        }
        o->now = (int64_t)d;
    }
    if (timeout && (!parse_seconds(timeout, &o->timeout) || o->timeout == 0)) {
        fprintf(stderr, "custos notify: --timeout wants seconds (e.g. 10 or 0.5)\n");
        return -1;
    }
    if (retry_delay) {
        if (!parse_seconds(retry_delay, &o->retry_delay)) {
            fprintf(stderr, "custos notify: --retry-delay wants seconds (e.g. 1 or 0.2)\n");
            return -1;
        }
        if (o->retry_delay == 0) o->retry_delay = -1; /* 0 means "no wait" here */
    }
    if (retries != -2) {
        if (retries < 0 || retries > 20) {
            fprintf(stderr, "custos notify: --retries wants a number from 0 to 20\n");
            return -1;
        }
        o->retries = retries ? (int)retries : -1; /* 0 means "none" here */
    }
    return 0;
}

/* Parses argv into o and the command's own settings: -1 to go on, else
 * the exit status. */
static int parse_args(int argc, char **argv, notify_options *o, const char **db_url,
                      const char **inv_spec, const char **run, bool *quiet)
{
    const char *as_of = NULL, *timeout = NULL, *retry_delay = NULL;
    long retries = -2; /* not given */
    const cli_opt opts[] = {
        {"inventory", 'i', CLI_STR, inv_spec, "DIR",
         "inventory whose accounts.yaml routes the findings"},
        CLI_OPT_DB(db_url),
        {"min-severity", 0, CLI_STR, &o->min_severity, "SEV",
         "only findings of severity SEV or higher (info, low,\nmedium, high, critical); default "
         "notifications.min_severity,\nelse high"},
        {"digest", 0, CLI_FLAG, &o->digest, NULL,
         "send the daily digest instead: one summary of the open\nfindings per team and contact "
         "per day"},
        {"as-of", 0, CLI_STR, &as_of, "DATE",
         "digest: the day to summarise (default: the latest scan's)"},
        {"dashboard-url", 0, CLI_STR, &o->dashboard_url, "URL",
         "base of finding links (URL/findings/FINGERPRINT);\ndefault notifications.dashboard_url"},
        {"smtp-url", 0, CLI_STR, &o->smtp_url, "URL",
         "mail server, smtp://host[:port] or smtps://...;\ndefault notifications.smtp_url (no "
         "server: e-mail\ncontacts are skipped)"},
        {"mail-from", 0, CLI_STR, &o->mail_from, "ADDR",
         "sender address (default notifications.mail_from, else\ncustos@localhost)"},
        {"timeout", 0, CLI_STR, &timeout, "S", "seconds per delivery try (default 10)"},
        {"retries", 0, CLI_NUM, &retries, "N", "extra tries per message in this run (default 2)"},
        {"retry-delay", 0, CLI_STR, &retry_delay, "S",
         "seconds before the first retry, doubling (default 1)"},
        {"dry-run", 0, CLI_FLAG, &o->dry_run, NULL,
         "print what would be sent and retried; send and record nothing"},
        {"run", 0, CLI_STR, run, "ID|latest",
         "notify for a run of shards (custos scan --run) once: only\nwhen the run is complete and "
         "nobody notified it yet; latest\nis the newest complete run.  Otherwise nothing is sent"},
        {"quiet", 'q', CLI_FLAG, quiet, NULL, "print only problems"},
        {0},
    };
    const cli_command cmd = {
        "notify",
        "usage: custos notify --inventory DIR [--db URL] [options]\n"
        "\n"
        "Tells each team about its new and regressed findings since the last notification:\n"
        "one message per team and contact (webhook, Slack-style webhook, e-mail), highest\n"
        "priority first, each finding with its one-line fix and a link to the dashboard.\n"
        "Nothing is sent when nothing changed.  Contacts and settings come from the\n"
        "inventory's accounts.yaml (`teams:`, per-account `contacts:`, `notifications:`).\n"
        "Messages are queued in the store before they are sent: a failed delivery is\n"
        "reported and retried by the next run, never lost, never sent twice.\n",
        opts,
        0,
        NULL,
        "Exit status: 0 everything delivered (or nothing to send), 4 some message is\n"
        "still undelivered (kept for the next run), 1 error.\n"};
    int rc = cli_args(&cmd, argc, argv, NULL, NULL);
    if (rc >= 0) return rc;
    if (check_values(o, as_of, timeout, retry_delay, retries) < 0) return 1;
    if (!*inv_spec) {
        fprintf(stderr,
                "custos notify: --inventory is required (its accounts.yaml says who to tell)\n");
        return 1;
    }
    return -1;
}

/* --run: true when this call is the one to notify for the run (or, with
 * --dry-run, would be); says why not otherwise. */
static bool notify_claim_run(store *s, const char *run, const notify_options *o)
{
    arena *a = arena_new(0);
    bool go = false;
    const char *want = strcmp(run, "latest") ? run : NULL, *id = NULL;
    stored_run *runs;
    size_t n;
    if (o->dry_run) {
        /* Look, do not claim: the run the claim would take (the named one,
         * or the complete one that completed last). */
        const stored_run *r = NULL;
        if (store_runs(s, 50, a, &runs, &n) == 0)
            for (size_t i = 0; i < n; i++) {
                const stored_run *c = &runs[i];
                if (want ? !strcmp(c->id, want)
                         : c->completed_at && (!r || c->completed_at > r->completed_at))
                    r = c;
            }
        id = r ? r->id : NULL;
        go = r && r->completed_at && !r->notified_at;
    } else if (store_run_claim_notify(s, want, (int64_t)time(NULL), a, &id, &go) < 0) {
        fprintf(stderr, "custos notify: %s\n", store_error(s));
        arena_free(a);
        return false;
    }
    if (!go && !id)
        fprintf(stderr, "custos notify: %s: no complete run in %s%s; nothing sent\n",
                want ? want : "latest", store_url(s), want ? " by that id" : "");
    else if (!go)
        fprintf(stderr, "custos notify: run %s: not complete or already notified; nothing sent\n",
                id);
    arena_free(a);
    return go;
}

int cmd_notify(int argc, char **argv)
{
    notify_options o = {0};
    const char *db_url = NULL, *inv_spec = NULL, *run = NULL;
    bool quiet = false;
    int prc = parse_args(argc, argv, &o, &db_url, &inv_spec, &run, &quiet);
    if (prc >= 0) return prc;
    diag_list diags = DIAG_LIST_INIT;
    inventory *inv = NULL;
    if (inventory_open(inv_spec, NULL, &inv, &diags) != 0) {
        diag_print(&diags, stderr);
        diag_free(&diags);
        inventory_close(inv);
        return 1;
    }
    diag_free(&diags);
    store *s = cli_store_open("notify", db_url);
    if (!s) {
        inventory_close(inv);
        return 1;
    }
    if (run && !notify_claim_run(s, run, &o)) {
        store_close(s);
        inventory_close(inv);
        return 0;
    }
    char *err = NULL;
    notify_report rep = {0};
    int rc = notify_run(s, inv, &o, &rep, &err);
    notify_report_print(&rep, "notify", quiet, o.dry_run);
    if (rc != 0) {
        fprintf(stderr, "custos notify: %s\n", err ? err : "failed");
        free(err);
    }
    int status = rc != 0 ? 1 : notify_exit_status(&rep, &o);
    notify_report_free(&rep);
    store_close(s);
    inventory_close(inv);
    return status;
}
