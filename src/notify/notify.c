/* notify.c - the notification outbox over the findings store (notify.h).
 *
 * Design.  Notification is a transactional outbox: deciding what to say and
 * saying it are separate steps with the database in between.
 *  - Deciding: per (team, contact) a mark records the last lifecycle event
 *    already turned into a message.  The message row and the new mark are
 *    committed together, and the mark is moved with a compare-and-set
 *    (UPDATE ... WHERE last_event = old, or INSERT ... ON CONFLICT DO
 *    NOTHING for a first mark), so two runs at once cannot both queue the
 *    same change: the loser rolls back.  Events below the threshold also
 *    move the mark (they will never qualify), so each run reads only new
 *    events.  Per contact, not per team: a contact added later, or whose
 *    mail server was unconfigured, catches up on its own.
 *  - Saying: every row without sent_at is sent, oldest first.  A row is
 *    claimed before the network call by a compare-and-set on `attempts`
 *    that also marks it as being sent (a claim left by a run that died
 *    expires after CLAIM_LEASE), and sent_at is written right after a
 *    success, so two runs at once never send the same row, and a
 *    message is sent once unless the process dies between the receiver's
 *    200 and our UPDATE; the delivery id in the message lets the receiver
 *    drop that duplicate.  Failures stay queued with their error and are
 *    retried by the next run: never lost, and reported until delivered.
 * Webhook URLs are never stored: rows name the contact by its label and
 * the URL is looked up in accounts.yaml when sending (route.h).
 *
 * A finding listed in a change message is deduplicated by fingerprint
 * (new, then resolved, then regressed between two runs is one line, with
 * its latest status) and must still be active: something fixed or
 * suppressed before anyone was told is not worth waking someone for.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "notify/deliver.h"
#include "notify/message.h"
#include "notify/notify.h"
#include "notify/route.h"
#include "policy/policy.h"
#include "util/strmap.h"

typedef struct run {
    store *s;
    db *d;
    const notify_options *o;
    notify_report *rep;
    arena *a;
    route_table rt;
    int min_sev;
    const char *dashboard, *smtp_url, *mail_from_hdr;
    char *mail_from; /* bare address (malloc'd) */
    int64_t clock;   /* wall clock, for the outbox's bookkeeping */
    FILE *out;
    char *err;
} run;

/* ---- report ---- */

static void rep_line(notify_report *rep, bool problem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void rep_line(notify_report *rep, bool problem, const char *fmt, ...)
{
    if (rep->nlines == rep->cap) {
        rep->cap = rep->cap ? rep->cap * 2 : 16;
        rep->lines = realloc(rep->lines, rep->cap * sizeof *rep->lines);
        if (!rep->lines) abort();
    }
    va_list ap;
    va_start(ap, fmt);
    char *text = NULL;
    if (vasprintf(&text, fmt, ap) < 0) abort();
    va_end(ap);
    rep->lines[rep->nlines++] = (notify_line){problem, text};
}

void notify_report_free(notify_report *rep)
{
    for (size_t i = 0; i < rep->nlines; i++)
        free(rep->lines[i].text);
    free(rep->lines);
    rep->lines = NULL;
    rep->nlines = rep->cap = 0;
}

void notify_report_print(const notify_report *rep, const char *cmd, bool quiet, bool dry_run)
{
    for (size_t i = 0; i < rep->nlines; i++) {
        if (rep->lines[i].problem)
            fprintf(stderr, "custos %s: %s\n", cmd, rep->lines[i].text);
        else if (!quiet)
            printf("%s\n", rep->lines[i].text);
    }
    if (dry_run)
        printf("custos %s: dry run, nothing sent or recorded (%zu already queued)\n", cmd,
               rep->pending);
    else if (!quiet || rep->pending)
        fprintf(rep->pending ? stderr : stdout,
                "custos %s: %zu queued, %zu sent, %zu failed, %zu undelivered\n", cmd, rep->queued,
                rep->sent, rep->failed, rep->pending);
}

int notify_exit_status(const notify_report *rep, const notify_options *o)
{
    return rep->pending && !o->dry_run ? NOTIFY_EXIT_UNDELIVERED : 0;
}

static int fail(run *r, const char *what)
{
    if (!r->err && asprintf(&r->err, "%s: %s", what, db_errmsg(r->d)) < 0) abort();
    return -1;
}

/* ---- settings ---- */

static int resolve_settings(run *r)
{
    const notify_settings *st = &r->rt.settings;
    const notify_options *o = r->o;
    const char *sev = o->min_severity    ? o->min_severity
                      : st->min_severity ? st->min_severity
                                         : "high";
    severity s;
    if (severity_parse(sev, &s) != 0) {
        if (asprintf(&r->err,
                     "unknown minimum severity '%s' (expected info, low, medium, high, critical)",
                     sev) < 0)
            abort();
        return -1;
    }
    r->min_sev = (int)s;
    r->dashboard = o->dashboard_url ? o->dashboard_url : st->dashboard_url;
    if (r->dashboard && !*r->dashboard) r->dashboard = NULL;
    r->smtp_url = o->smtp_url ? o->smtp_url : st->smtp_url;
    if (r->smtp_url && !*r->smtp_url) r->smtp_url = NULL;
    r->mail_from_hdr = o->mail_from    ? o->mail_from
                       : st->mail_from ? st->mail_from
                                       : "custos@localhost";
    r->mail_from = mail_addr_spec(r->mail_from_hdr);
    if (!r->mail_from) {
        if (asprintf(&r->err, "mail_from '%s' is not an e-mail address", r->mail_from_hdr) < 0)
            abort();
        return -1;
    }
    if (r->smtp_url && strncmp(r->smtp_url, "smtp://", 7) && strncmp(r->smtp_url, "smtps://", 8)) {
        if (asprintf(&r->err, "the SMTP URL must start with smtp:// or smtps://") < 0) abort();
        return -1;
    }
    return 0;
}

static bool contact_enabled(const run *r, const contact *c)
{
    return c->kind != CONTACT_EMAIL || r->smtp_url;
}

/* "webhook (https://hooks.example.com/...)", "email:a@b" */
static char *contact_desc(const run *r, const contact *c)
{
    if (c->kind == CONTACT_EMAIL) return arena_strdup(r->a, c->label);
    buf b = BUF_INIT;
    url_redact(&b, c->target);
    char *s = arena_sprintf(r->a, "%s (%s)", c->label, b.data);
    buf_free(&b);
    return s;
}

/* ---- reading events ---- */

typedef struct event_row {
    int64_t id;
    const char *status, *current; /* event status; the finding's status now */
    notify_item it;
} event_row;

static const char *col(run *r, db_stmt *st, size_t i)
{
    const char *s = db_col_text(st, i);
    return s ? arena_strdup(r->a, s) : NULL;
}

/* Events of group g after `after`, oldest first, with their findings. */
static int load_events(run *r, const route_group *g, int64_t after, event_row **out, size_t *n)
{
    static const char *cols =
        "SELECT e.id, e.status, e.priority, e.severity_rank, e.fingerprint, f.policy, "
        "d.description, f.resource_type, f.resource_id, f.resource_name, f.account_id, "
        "f.account_name, f.region, d.fix, f.status "
        "FROM finding_events e JOIN findings f ON f.fingerprint = e.fingerprint "
        "LEFT JOIN finding_details d ON d.fingerprint = e.fingerprint WHERE e.id > ? ";
    const char *sql = g->team ? arena_sprintf(r->a, "%s AND e.team = ? ORDER BY e.id", cols)
                              : arena_sprintf(r->a,
                                              "%s AND (e.team IS NULL OR e.team = '') AND "
                                              "e.account_id = ? ORDER BY e.id",
                                              cols);
    db_val p[2] = {DB_I(after), DB_S(g->team ? g->team : g->account_id)};
    db_stmt *st = db_query(r->d, sql, p, 2);
    if (!st) return fail(r, "reading finding events");
    size_t cap = 64, k = 0;
    event_row *v = malloc(cap * sizeof *v);
    if (!v) abort();
    int rc;
    while ((rc = db_step(st)) == 1) {
        if (k == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            if (!v) abort();
        }
        event_row *e = &v[k++];
        memset(e, 0, sizeof *e);
        e->id = db_col_int(st, 0);
        e->status = col(r, st, 1);
        e->it.priority = (int)db_col_int(st, 2);
        e->it.severity_rank = (int)db_col_int(st, 3);
        const char *fp = db_col_text(st, 4);
        snprintf(e->it.fingerprint, sizeof e->it.fingerprint, "%s", fp ? fp : "");
        e->it.policy = col(r, st, 5);
        e->it.description = col(r, st, 6);
        e->it.resource_type = col(r, st, 7);
        e->it.resource_id = col(r, st, 8);
        e->it.resource_name = col(r, st, 9);
        e->it.account_id = col(r, st, 10);
        e->it.account_name = col(r, st, 11);
        e->it.region = col(r, st, 12);
        e->it.fix = col(r, st, 13);
        e->current = col(r, st, 14);
        e->it.status = e->status;
    }
    db_finish(st);
    if (rc < 0) {
        free(v);
        return fail(r, "reading finding events");
    }
    event_row *copy = arena_alloc(r->a, (k ? k : 1) * sizeof *copy);
    if (k) memcpy(copy, v, k * sizeof *copy);
    free(v);
    *out = copy;
    *n = k;
    return 0;
}

static bool qualifies(const run *r, const event_row *e)
{
    if (!e->status || (strcmp(e->status, "new") && strcmp(e->status, "regressed"))) return false;
    if (e->it.severity_rank < r->min_sev) return false;
    return !e->current || (strcmp(e->current, "resolved") && strcmp(e->current, "suppressed"));
}

/* The items of events after `mark` (one per finding, latest status);
 * *last = the highest event id after mark (0 when none). */
static notify_item *change_items(run *r, const event_row *ev, size_t nev, int64_t mark, size_t *n,
                                 int64_t *last)
{
    notify_item *items = arena_alloc(r->a, (nev ? nev : 1) * sizeof *items);
    strmap seen;
    strmap_init(&seen, r->a, nev);
    *n = 0;
    *last = 0;
    for (size_t i = 0; i < nev; i++) {
        const event_row *e = &ev[i];
        if (e->id <= mark) continue;
        *last = e->id;
        if (!qualifies(r, e)) continue;
        int *slot = strmap_slot(&seen, e->it.fingerprint, -1);
        if (*slot < 0) *slot = (int)(*n)++;
        items[*slot] = e->it;
    }
    notify_sort(items, *n);
    return items;
}

/* ---- marks and the outbox ---- */

/* 0 and *mark (0, *had false, when absent), or -1. */
static int read_mark(run *r, const char *team, const char *label, int64_t *mark, bool *had)
{
    db_val p[2] = {DB_S(team), DB_S(label)};
    *mark = 0;
    int rc = db_query_int(
        r->d, "SELECT last_event FROM notify_marks WHERE team = ? AND contact = ?", p, 2, mark);
    if (rc < 0) return fail(r, "reading notification marks");
    *had = rc == 0;
    return 0;
}

typedef struct pending_msg {
    const route_group *g;
    const contact *c;
    notify_kind kind;
    const char *dedupe;
    char *subject; /* malloc'd */
    buf body;
    size_t items;
} pending_msg;

static void render(run *r, pending_msg *pm, const notify_item *items, size_t n, const char *day)
{
    notify_message m = {.kind = pm->kind,
                        .team = pm->g->key,
                        .title = pm->g->title,
                        .dashboard = r->dashboard,
                        .min_severity = r->min_sev,
                        .day = day,
                        .items = items,
                        .n = n};
    pm->subject = notify_subject(&m);
    buf_reset(&pm->body);
    notify_render(&pm->body, &m, pm->c->kind);
    pm->items = n;
}

static void print_dry(run *r, const pending_msg *pm)
{
    const char *body = pm->body.data ? pm->body.data : "";
    size_t len = strlen(body);
    fprintf(r->out, "== would send to %s -> %s: %s, %zu finding%s\nSubject: %s\n\n%s%s\n",
            pm->g->title, contact_desc(r, pm->c), pm->kind == NOTIFY_DIGEST ? "digest" : "change",
            pm->items, pm->items == 1 ? "" : "s", pm->subject, body,
            len && body[len - 1] == '\n' ? "" : "\n");
}

static int insert_delivery(run *r, const pending_msg *pm, int64_t *id)
{
    db_val p[7] = {
        DB_S(pm->g->key), DB_S(pm->c->label), DB_S(pm->kind == NOTIFY_DIGEST ? "digest" : "change"),
        DB_S(pm->dedupe), DB_S(pm->subject),  DB_S(pm->body.data ? pm->body.data : ""),
        DB_I(r->clock)};
    int64_t rows = db_run(r->d,
                          "INSERT INTO deliveries (team, contact, kind, dedupe, subject, body, "
                          "created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0) "
                          "ON CONFLICT DO NOTHING",
                          p, 7);
    if (rows < 0) return fail(r, "queueing a notification");
    if (rows == 0) return 1; /* already queued (same dedupe key) */
    db_val q[1] = {DB_S(pm->dedupe)};
    if (db_query_int(r->d, "SELECT id FROM deliveries WHERE dedupe = ?", q, 1, id) != 0)
        return fail(r, "queueing a notification");
    return 0;
}

/* Moves the mark from `old` (had: it existed) to `last`; 1 when another
 * run moved it first. */
static int move_mark(run *r, const char *team, const char *label, int64_t old, bool had,
                     int64_t last)
{
    int64_t rows;
    if (had) {
        db_val p[4] = {DB_I(last), DB_S(team), DB_S(label), DB_I(old)};
        rows = db_run(r->d,
                      "UPDATE notify_marks SET last_event = ? WHERE team = ? AND contact = ? "
                      "AND last_event = ?",
                      p, 4);
    } else {
        db_val p[3] = {DB_S(team), DB_S(label), DB_I(last)};
        rows = db_run(r->d,
                      "INSERT INTO notify_marks (team, contact, last_event) VALUES (?, ?, ?) "
                      "ON CONFLICT DO NOTHING",
                      p, 3);
    }
    if (rows < 0) return fail(r, "moving a notification mark");
    return rows == 1 ? 0 : 1;
}

/* Queues pm (when it has items) and moves the mark, in one transaction. */
static int commit_change(run *r, pending_msg *pm, int64_t old, bool had, int64_t last)
{
    if (db_begin(r->d) != 0) return fail(r, "starting a transaction");
    int rc = move_mark(r, pm->g->key, pm->c->label, old, had, last);
    int64_t id = 0;
    if (rc == 0 && pm->items) rc = insert_delivery(r, pm, &id);
    if (rc != 0) {
        db_rollback(r->d);
        if (rc < 0) return -1;
        rep_line(r->rep, false, "skipped %s -> %s: another notify run handled these changes",
                 pm->g->title, pm->c->label);
        return 0;
    }
    if (db_commit(r->d) != 0) {
        fail(r, "committing a notification");
        db_rollback(r->d);
        return -1;
    }
    if (pm->items) {
        r->rep->queued++;
        rep_line(r->rep, false, "queued #%lld %s -> %s: %s", (long long)id, pm->g->title,
                 pm->c->label, pm->subject);
    }
    return 0;
}

/* ---- change mode ---- */

static int change_group(run *r, const route_group *g)
{
    int64_t *marks = arena_calloc(r->a, g->n * sizeof *marks);
    bool *had = arena_calloc(r->a, g->n * sizeof *had);
    int64_t lowest = -1;
    for (size_t i = 0; i < g->n; i++) {
        if (!contact_enabled(r, &g->contacts[i])) continue;
        if (read_mark(r, g->key, g->contacts[i].label, &marks[i], &had[i]) < 0) return -1;
        if (lowest < 0 || marks[i] < lowest) lowest = marks[i];
    }
    if (lowest < 0) return 0; /* no usable contact */
    event_row *ev;
    size_t nev;
    if (load_events(r, g, lowest, &ev, &nev) < 0) return -1;
    for (size_t i = 0; i < g->n; i++) {
        const contact *c = &g->contacts[i];
        if (!contact_enabled(r, c)) continue;
        size_t n;
        int64_t last;
        notify_item *items = change_items(r, ev, nev, marks[i], &n, &last);
        if (!last) continue; /* nothing happened since this contact's mark */
        pending_msg pm = {.g = g, .c = c, .kind = NOTIFY_CHANGE, .body = BUF_INIT};
        pm.dedupe = arena_sprintf(r->a, "change:%s:%s:%lld", g->key, c->label, (long long)last);
        int rc = 0;
        if (n) render(r, &pm, items, n, NULL);
        if (r->o->dry_run) {
            if (n) print_dry(r, &pm);
        } else {
            rc = commit_change(r, &pm, marks[i], had[i], last);
        }
        free(pm.subject);
        buf_free(&pm.body);
        if (rc < 0) return -1;
    }
    return 0;
}

/* Teams whose findings go nowhere: said when they have qualifying events
 * newer than every mark as the run began (so each such change is said by
 * the run that first sees it). */
static int note_unrouted(run *r, const route_group *g, int64_t since)
{
    event_row *ev;
    size_t nev, n;
    int64_t last;
    if (load_events(r, g, since, &ev, &nev) < 0) return -1;
    change_items(r, ev, nev, since, &n, &last);
    if (n)
        rep_line(r->rep, true, "%s has %zu new finding%s at or above %s but no usable contacts",
                 g->title, n, n == 1 ? "" : "s", severity_name((severity)r->min_sev));
    return 0;
}

static int change_mode(run *r)
{
    size_t skipped_email = 0;
    int64_t since = 0;
    if (db_query_int(r->d, "SELECT COALESCE(MAX(last_event), 0) FROM notify_marks", NULL, 0,
                     &since) < 0)
        return fail(r, "reading notification marks");
    for (size_t i = 0; i < r->rt.n; i++) {
        const route_group *g = &r->rt.groups[i];
        size_t usable = 0;
        for (size_t k = 0; k < g->n; k++) {
            if (contact_enabled(r, &g->contacts[k]))
                usable++;
            else
                skipped_email++;
        }
        int rc = usable ? change_group(r, g) : note_unrouted(r, g, since);
        if (rc < 0) return -1;
    }
    if (skipped_email)
        rep_line(r->rep, true,
                 "%zu e-mail contact%s skipped: no SMTP server (notifications.smtp_url or "
                 "--smtp-url)",
                 skipped_email, skipped_email == 1 ? "" : "s");
    return 0;
}

/* ---- digest mode ---- */

static int digest_group(run *r, const route_group *g, const char *day, int64_t now)
{
    notify_item *items = NULL;
    size_t n = 0;
    bool loaded = false;
    for (size_t i = 0; i < g->n; i++) {
        const contact *c = &g->contacts[i];
        if (!contact_enabled(r, c)) continue;
        pending_msg pm = {.g = g, .c = c, .kind = NOTIFY_DIGEST, .body = BUF_INIT};
        pm.dedupe = arena_sprintf(r->a, "digest:%s:%s:%s", g->key, c->label, day);
        db_val p[1] = {DB_S(pm.dedupe)};
        int64_t exists = 0;
        if (db_query_int(r->d, "SELECT COUNT(*) FROM deliveries WHERE dedupe = ?", p, 1, &exists) <
            0)
            return fail(r, "reading the outbox");
        if (exists) continue; /* today's digest is queued or sent already */
        if (!loaded) {
            const char *key = g->team ? g->team : g->account_id;
            finding_query q = {.min_severity = r->min_sev, .now = now};
            if (g->team) {
                q.teams = &key;
                q.n_teams = 1;
            } else {
                q.accounts = &key;
                q.n_accounts = 1;
            }
            stored_finding *f;
            if (store_findings(r->s, &q, r->a, &f, &n) != 0) {
                if (asprintf(&r->err, "reading findings: %s", store_error(r->s)) < 0) abort();
                return -1;
            }
            items = arena_alloc(r->a, (n ? n : 1) * sizeof *items);
            for (size_t k = 0; k < n; k++)
                items[k] = (notify_item){.priority = f[k].priority,
                                         .severity_rank = f[k].severity_rank,
                                         .policy = f[k].policy,
                                         .description = f[k].description,
                                         .resource_type = f[k].resource_type,
                                         .resource_id = f[k].resource_id,
                                         .resource_name = f[k].resource_name,
                                         .account_id = f[k].account_id,
                                         .account_name = f[k].account_name,
                                         .region = f[k].region,
                                         .status = f[k].status,
                                         .fix = f[k].fix};
            for (size_t k = 0; k < n; k++)
                memcpy(items[k].fingerprint, f[k].fingerprint, sizeof items[k].fingerprint);
            notify_sort(items, n);
            loaded = true;
        }
        render(r, &pm, items, n, day);
        int rc = 0;
        if (r->o->dry_run) {
            print_dry(r, &pm);
        } else {
            int64_t id = 0;
            rc = insert_delivery(r, &pm, &id);
            if (rc == 0) {
                r->rep->queued++;
                rep_line(r->rep, false, "queued #%lld %s -> %s: %s", (long long)id, g->title,
                         c->label, pm.subject);
            }
        }
        free(pm.subject);
        buf_free(&pm.body);
        if (rc < 0) return -1;
    }
    return 0;
}

static int digest_mode(run *r)
{
    int64_t now = r->o->now;
    if (!now && db_query_int(r->d, "SELECT COALESCE(MAX(at), 0) FROM scans", NULL, 0, &now) < 0)
        return fail(r, "reading scans");
    if (!now) {
        rep_line(r->rep, true, "no scan in the store yet: nothing to summarise");
        return 0;
    }
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    char day[40];
    snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    for (size_t i = 0; i < r->rt.n; i++)
        if (digest_group(r, &r->rt.groups[i], day, now) < 0) return -1;
    return 0;
}

/* ---- sending ---- */

typedef struct outbox_row {
    int64_t id, created_at, attempts;
    const char *team, *label, *kind, *subject, *body, *last_error;
} outbox_row;

static int load_outbox(run *r, outbox_row **out, size_t *n)
{
    db_stmt *st = db_query(r->d,
                           "SELECT id, team, contact, kind, subject, body, created_at, attempts, "
                           "last_error FROM deliveries WHERE sent_at IS NULL ORDER BY id",
                           NULL, 0);
    if (!st) return fail(r, "reading the outbox");
    size_t cap = 0, k = 0;
    outbox_row *v = arena_grow(r->a, NULL, &cap, 16, sizeof *v);
    int rc;
    while ((rc = db_step(st)) == 1) {
        v = arena_grow(r->a, v, &cap, k + 1, sizeof *v);
        v[k++] = (outbox_row){.id = db_col_int(st, 0),
                              .team = col(r, st, 1),
                              .label = col(r, st, 2),
                              .kind = col(r, st, 3),
                              .subject = col(r, st, 4),
                              .body = col(r, st, 5),
                              .created_at = db_col_int(st, 6),
                              .attempts = db_col_int(st, 7),
                              .last_error = col(r, st, 8)};
    }
    db_finish(st);
    if (rc < 0) return fail(r, "reading the outbox");
    *out = v;
    *n = k;
    return 0;
}

/* A claimed row says so in last_error until its outcome is recorded; a
 * claim older than this is from a run that died, and is taken over. */
#define CLAIM_MARK "sending (claimed by a notify run)"
#define CLAIM_LEASE 600

/* The attempt is ours when attempts still has the value we read and no
 * other live run holds the row: a compare-and-set, so two runs at once
 * never send the same message. */
static int claim(run *r, const outbox_row *row)
{
    db_val p[6] = {DB_I(r->clock),      DB_S(CLAIM_MARK), DB_I(row->id),
                   DB_I(row->attempts), DB_S(CLAIM_MARK), DB_I(r->clock - CLAIM_LEASE)};
    int64_t rows = db_run(r->d,
                          "UPDATE deliveries SET attempts = attempts + 1, last_attempt = ?, "
                          "last_error = ? WHERE id = ? AND sent_at IS NULL AND attempts = ? "
                          "AND (last_error IS NULL OR last_error <> ? OR last_attempt < ?)",
                          p, 6);
    if (rows < 0) return fail(r, "claiming a delivery");
    return rows == 1 ? 0 : 1;
}

static int record(run *r, const outbox_row *row, bool ok, int extra_tries, const char *error)
{
    int64_t rows;
    if (ok) {
        db_val p[3] = {DB_I(extra_tries), DB_I((int64_t)time(NULL)), DB_I(row->id)};
        rows = db_run(r->d,
                      "UPDATE deliveries SET attempts = attempts + ?, sent_at = ?, "
                      "last_error = NULL WHERE id = ?",
                      p, 3);
    } else {
        db_val p[3] = {DB_I(extra_tries), DB_S(error), DB_I(row->id)};
        rows = db_run(r->d,
                      "UPDATE deliveries SET attempts = attempts + ?, last_error = ? WHERE id = ?",
                      p, 3);
    }
    return rows < 0 ? fail(r, "recording a delivery") : 0;
}

/* Sends one row; fills res (res->error set when it did not go out). */
static int send_row(run *r, const outbox_row *row, const contact *c, deliver_result *res)
{
    const notify_options *o = r->o;
    deliver_opts dopt = {.timeout_ms = o->timeout > 0 ? (long)(o->timeout * 1000) : 10000,
                         .retries = o->retries == 0  ? 2
                                    : o->retries < 0 ? 0
                                                     : o->retries,
                         .retry_delay_ms = o->retry_delay == 0  ? 1000
                                           : o->retry_delay < 0 ? 0
                                                                : (long)(o->retry_delay * 1000)};
    deliver_request rq = {.id = row->id, .url = c->target};
    if (c->kind != CONTACT_EMAIL) {
        rq.payload = row->body ? row->body : "";
        rq.len = strlen(rq.payload);
        return deliver_http(&rq, &dopt, res);
    }
    buf msg = BUF_INIT;
    mail_header h = {.from = r->mail_from_hdr,
                     .to = c->target,
                     .subject = row->subject,
                     .date = row->created_at,
                     .delivery_id = row->id};
    if (mail_compose(&msg, &h, row->body) != 0) {
        buf_free(&msg);
        memset(res, 0, sizeof *res);
        snprintf(res->error, sizeof res->error, "cannot compose the mail (bad address)");
        return -1;
    }
    rq.url = r->smtp_url;
    rq.mail_from = r->mail_from;
    rq.rcpt = c->target;
    rq.payload = msg.data;
    rq.len = msg.len;
    int rc = deliver_smtp(&rq, &dopt, res);
    buf_free(&msg);
    return rc;
}

/* Why a row cannot be sent with the current configuration, or NULL. */
static const char *unsendable(run *r, const outbox_row *row, const contact **c)
{
    const route_group *g = route_group_find(&r->rt, row->team);
    *c = route_contact_find(g, row->label);
    if (!*c)
        return arena_sprintf(r->a, "contact %s of %s is no longer in accounts.yaml", row->label,
                             g ? g->title : row->team);
    if (!contact_enabled(r, *c)) return "no SMTP server configured";
    return NULL;
}

static int send_pending(run *r)
{
    outbox_row *rows;
    size_t n;
    if (load_outbox(r, &rows, &n) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        const outbox_row *row = &rows[i];
        const contact *c = NULL;
        const char *why = unsendable(r, row, &c);
        const char *who = c ? contact_desc(r, c) : row->label;
        if (r->o->dry_run) {
            fprintf(r->out, "== would %s #%lld (%s) to %s -> %s: %s%s%s\n",
                    row->attempts ? "retry" : "send", (long long)row->id, row->kind, row->team, who,
                    row->subject ? row->subject : "", row->last_error ? "; last error: " : "",
                    row->last_error ? row->last_error : "");
            r->rep->pending++;
            continue;
        }
        int rc = claim(r, row);
        if (rc < 0) return -1;
        if (rc > 0) { /* another run has it */
            rep_line(r->rep, false, "#%lld is being sent by another notify run",
                     (long long)row->id);
            continue;
        }
        deliver_result res = {0};
        bool ok = false;
        if (why)
            snprintf(res.error, sizeof res.error, "%s", why);
        else
            ok = send_row(r, row, c, &res) == 0;
        int extra = res.tries > 1 ? res.tries - 1 : 0;
        if (record(r, row, ok, extra, ok ? NULL : res.error) < 0) return -1;
        if (ok) {
            r->rep->sent++;
            rep_line(r->rep, false, "sent #%lld to %s -> %s (%d %s)", (long long)row->id, row->team,
                     who, res.tries, res.tries == 1 ? "try" : "tries");
        } else {
            long long attempt = (long long)row->attempts + 1 + extra;
            r->rep->failed++;
            r->rep->pending++;
            rep_line(r->rep, true,
                     "FAILED #%lld to %s -> %s: %s (attempt %lld; kept for the next run)",
                     (long long)row->id, row->team, who, res.error, attempt);
        }
    }
    return 0;
}

/* ---- the run ---- */

int notify_run(store *s, inventory *inv, const notify_options *o, notify_report *rep, char **err)
{
    run r = {.s = s, .d = store_db(s), .o = o, .rep = rep, .clock = (int64_t)time(NULL)};
    r.out = o->out ? o->out : stdout;
    r.a = arena_new(0);
    diag_list diags = DIAG_LIST_INIT;
    int rc = -1;
    if (route_build(inv, r.a, &r.rt, &diags) != 0) {
        buf b = BUF_INIT;
        for (size_t i = 0; i < diags.n; i++)
            buf_printf(&b, "%s%s", i ? "\n" : "", diags.items[i].msg);
        r.err = buf_steal(&b);
        goto out;
    }
    if (resolve_settings(&r) < 0) goto out;
    if ((o->digest ? digest_mode(&r) : change_mode(&r)) < 0) goto out;
    if (!o->dry_run && deliver_global_init() != 0) {
        r.err = strdup("cannot initialise libcurl");
        goto out;
    }
    rc = send_pending(&r);
    if (!o->dry_run) deliver_global_cleanup();
out:
    if (rc < 0 && err && !r.err) r.err = strdup("notification failed");
    if (rc < 0 && err)
        *err = r.err;
    else
        free(r.err);
    free(r.mail_from);
    diag_free(&diags);
    arena_free(r.a);
    return rc;
}
