/* notify.h - telling teams about change: the outbox over the findings store.
 *
 * notify_run does one notification run (`custos notify`, `custos scan
 * --notify`):
 *  1. Change mode (default): for each team (route.h) and each of its
 *     contacts, the lifecycle events after that contact's mark
 *     (notify_marks.last_event) whose status is new or regressed, at or
 *     above the severity threshold, of findings still active (not resolved
 *     or suppressed since), become ONE message, highest priority first.
 *     The delivery row and the advanced mark are written in one
 *     transaction, so a change is never lost (crash before: the next run
 *     finds it again) and never queued twice (the mark moved with it).
 *     Digest mode (--digest): one summary of the open findings per team and
 *     contact per day (deliveries.dedupe "digest:TEAM:CONTACT:DAY"; the day
 *     is that of `now`, default the latest scan's time).
 *  2. Every undelivered row of the outbox (this run's and earlier failures)
 *     is sent; success sets sent_at at once, failure counts the attempt and
 *     keeps last_error for the next run.  Each message carries its delivery
 *     id (X-Custos-Delivery header, mail Message-ID) so a receiver can drop
 *     a duplicate after a crash between sending and recording.
 * A dry run prints what would be queued and retried and writes nothing.
 * Email contacts are skipped (and said so) when no SMTP URL is configured.
 * Returns 0 when the run completed (rep->pending says whether something is
 * still undelivered: the CLI then exits 4), -1 on a configuration or
 * database error (*err, malloc'd).
 */
#ifndef CUSTOS_NOTIFY_H
#define CUSTOS_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "inventory/inventory.h"
#include "store/store.h"

#define NOTIFY_EXIT_UNDELIVERED 4

typedef struct notify_options {
    bool digest;
    bool dry_run;
    /* NULL: accounts.yaml `notifications:`, then the defaults (high, none,
     * none, custos@localhost). */
    const char *min_severity, *dashboard_url, *smtp_url, *mail_from;
    /* Zero means the default for each of these, so {0} is a usable set. */
    double timeout;     /* seconds per try; 0: 10 */
    int retries;        /* extra tries per message within the run; 0: 2; < 0: none */
    double retry_delay; /* seconds before the first retry, doubling; 0: 1; < 0: none */
    int64_t now;        /* digest day; 0: the latest scan's time */
    FILE *out;          /* dry run output; NULL: stdout */
} notify_options;

typedef struct notify_line {
    bool problem; /* a failure or a configuration note */
    char *text;   /* malloc'd, no newline */
} notify_line;

typedef struct notify_report {
    size_t queued;      /* messages added to the outbox by this run */
    size_t sent;        /* delivered by this run */
    size_t failed;      /* tried and failed this run (kept for the next) */
    size_t pending;     /* undelivered after this run */
    notify_line *lines; /* what happened, one line per message or problem */
    size_t nlines, cap;
} notify_report;

int notify_run(store *s, inventory *inv, const notify_options *o, notify_report *rep, char **err);
void notify_report_free(notify_report *rep);
/* For the commands: the report's lines (problems on stderr as "custos CMD:
 * ...", the rest on stdout unless quiet) and a summary line. */
void notify_report_print(const notify_report *rep, const char *cmd, bool quiet, bool dry_run);
/* 0, or NOTIFY_EXIT_UNDELIVERED when a message is still undelivered. */
int notify_exit_status(const notify_report *rep, const notify_options *o);

#endif
