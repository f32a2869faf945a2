/* cmd_notify.c - `custos notify`: tell each team what changed.
 *
 * A thin shell over notify_run (notify/notify.h): options in, report
 * lines out.  What was sent goes to stdout, what failed (and config notes)
 * to stderr, so cron mails only the problems when stdout is discarded.
 * Exit 4 (not 1) when some message is still undelivered, so a wrapper can
 * tell "the receiver is down, it will be retried" from "the command is
 * wrong".
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "notify/notify.h"
#include "util/date.h"

static const char usage_text[] =
    "usage: custos notify --inventory DIR [--db URL] [options]\n"
    "\n"
    "Tells each team about its new and regressed findings since the last notification:\n"
    "one message per team and contact (webhook, Slack-style webhook, e-mail), highest\n"
    "priority first, each finding with its one-line fix and a link to the dashboard.\n"
    "Nothing is sent when nothing changed.  Contacts and settings come from the\n"
    "inventory's accounts.yaml (`teams:`, per-account `contacts:`, `notifications:`).\n"
    "Messages are queued in the store before they are sent: a failed delivery is\n"
    "reported and retried by the next run, never lost, never sent twice.\n"
    "\n"
    "  -i, --inventory DIR    inventory whose accounts.yaml routes the findings\n"
    "      --db URL           findings store: sqlite:PATH or postgresql://...\n"
    "                         (default $CUSTOS_DB, else sqlite:custos.db)\n"
    "      --min-severity SEV only findings of severity SEV or higher (info, low,\n"
    "                         medium, high, critical); default notifications.min_severity,\n"
    "                         else high\n"
    "      --digest           send the daily digest instead: one summary of the open\n"
    "                         findings per team and contact per day\n"
    "      --as-of DATE       digest: the day to summarise (default: the latest scan's)\n"
    "      --dashboard-url URL  base of finding links (URL/findings/FINGERPRINT);\n"
    "                         default notifications.dashboard_url\n"
    "      --smtp-url URL     mail server, smtp://host[:port] or smtps://...;\n"
    "                         default notifications.smtp_url (no server: e-mail\n"
    "                         contacts are skipped)\n"
    "      --mail-from ADDR   sender address (default notifications.mail_from, else\n"
    "                         custos@localhost)\n"
    "      --timeout S        seconds per delivery try (default 10)\n"
    "      --retries N        extra tries per message in this run (default 2)\n"
    "      --retry-delay S    seconds before the first retry, doubling (default 1)\n"
    "      --dry-run          print what would be sent and retried; send and record nothing\n"
    "      --run ID|latest    notify for a run of shards (custos scan --run) once: only\n"
    "                         when the run is complete and nobody notified it yet; latest\n"
    "                         is the newest complete run.  Otherwise nothing is sent\n"
    "  -q, --quiet            print only problems\n"
    "  -h, --help             this text\n"
    "\n"
    "Exit status: 0 everything delivered (or nothing to send), 4 some message is\n"
    "still undelivered (kept for the next run), 1 error.\n";

/* Codes of notify's own options, clear of common.h's. */
enum {
    OPT_MIN_SEV = 400,
    OPT_DIGEST,
    OPT_DASHBOARD,
    OPT_SMTP,
    OPT_FROM,
    OPT_TIMEOUT,
    OPT_RETRIES,
    OPT_RETRY_DELAY,
    OPT_DRY_RUN,
    OPT_NOTIFY_AS_OF,
    OPT_RUN,
};

static bool parse_seconds(const char *s, double *out)
{
    char *end;
    double d = strtod(s, &end);
    if (end == s || *end || d < 0 || d > 3600) return false;
    *out = d;
    return true;
}

static int parse_args(int argc, char **argv, notify_options *o, const char **db_url,
                      const char **inv_spec, const char **run, bool *quiet, bool *help)
{
    static const struct option longopts[] = {
        {"inventory", required_argument, 0, 'i'},
        {"db", required_argument, 0, OPT_DB},
        {"min-severity", required_argument, 0, OPT_MIN_SEV},
        {"digest", no_argument, 0, OPT_DIGEST},
        {"as-of", required_argument, 0, OPT_NOTIFY_AS_OF},
        {"dashboard-url", required_argument, 0, OPT_DASHBOARD},
        {"smtp-url", required_argument, 0, OPT_SMTP},
        {"mail-from", required_argument, 0, OPT_FROM},
        {"timeout", required_argument, 0, OPT_TIMEOUT},
        {"retries", required_argument, 0, OPT_RETRIES},
        {"retry-delay", required_argument, 0, OPT_RETRY_DELAY},
        {"dry-run", no_argument, 0, OPT_DRY_RUN},
        {"run", required_argument, 0, OPT_RUN},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "i:qh", longopts)) != -1) {
        char *end;
        double d;
        switch (c) {
        case 'i':
            *inv_spec = optarg;
            break;
        case OPT_DB:
            *db_url = optarg;
            break;
        case OPT_MIN_SEV:
            o->min_severity = optarg;
            break;
        case OPT_DIGEST:
            o->digest = true;
            break;
        case OPT_DASHBOARD:
            o->dashboard_url = optarg;
            break;
        case OPT_SMTP:
            o->smtp_url = optarg;
            break;
        case OPT_FROM:
            o->mail_from = optarg;
            break;
        case OPT_DRY_RUN:
            o->dry_run = true;
            break;
        case OPT_RUN:
            *run = optarg;
            break;
        case 'q':
            *quiet = true;
            break;
        case 'h':
            *help = true;
            return 0;
        case OPT_NOTIFY_AS_OF:
            if (!date_parse(optarg, strlen(optarg), &d)) {
                fprintf(stderr, "custos notify: --as-of '%s' is not a date\n", optarg);
                return -1;
            }
            o->now = (int64_t)d;
            break;
        case OPT_TIMEOUT:
            if (!parse_seconds(optarg, &o->timeout) || o->timeout == 0) {
                fprintf(stderr, "custos notify: --timeout wants seconds (e.g. 10 or 0.5)\n");
                return -1;
            }
            break;
        case OPT_RETRY_DELAY:
            if (!parse_seconds(optarg, &o->retry_delay)) {
                fprintf(stderr, "custos notify: --retry-delay wants seconds (e.g. 1 or 0.2)\n");
                return -1;
            }
            if (o->retry_delay == 0) o->retry_delay = -1; /* 0 means "no wait" here */
            break;
        case OPT_RETRIES:
            o->retries = (int)strtol(optarg, &end, 10);
            if (end == optarg || *end || o->retries < 0 || o->retries > 20) {
                fprintf(stderr, "custos notify: --retries wants a number from 0 to 20\n");
                return -1;
            }
            if (o->retries == 0) o->retries = -1; /* 0 means "none" here */
            break;
        default:
            return -1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "custos notify: unexpected argument '%s'\n%s", argv[optind], usage_text);
        return -1;
    }
    if (!*inv_spec) {
        fprintf(stderr,
                "custos notify: --inventory is required (its accounts.yaml says who "
                "to tell)\n%s",
                usage_text);
        return -1;
    }
    return 0;
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
        /* Look, do not claim. */
        if (store_runs(s, 50, a, &runs, &n) == 0)
            for (size_t i = 0; i < n && !go; i++)
                if ((!want || !strcmp(runs[i].id, want)) && runs[i].completed_at) {
                    id = runs[i].id;
                    go = !runs[i].notified_at;
                    if (!want || go) break;
                }
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
    bool quiet = false, help = false;
    if (parse_args(argc, argv, &o, &db_url, &inv_spec, &run, &quiet, &help) < 0) return 1;
    if (help) {
        fputs(usage_text, stdout);
        return 0;
    }
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
