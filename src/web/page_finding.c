/* page_finding.c - /finding/FP: one finding, everything needed to fix it;
 * and the two writes, suppress and unsuppress.
 *
 * Order of the page follows the reader's questions: what is it and how bad
 * (heading, status, severity, priority), what do I do (the fix line with a
 * copy button, right under the heading), where and why (facts), how (the
 * runbook, commands ready to copy), the proof (evidence) and the story
 * (history).  Suppression comes last: it is the exception.
 *
 * Writes answer 303 See Other back to the finding (post/redirect/get, so
 * a reload does not post twice), or JSON for the API.  The rule written
 * is exact (this fingerprint only) with the session's name as author.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "util/date.h"
#include "web/markdown.h"
#include "web/page.h"

static const char *const ALL_STATUSES[] = {"new", "open", "regressed", "resolved", "suppressed"};

#define REASON_MAX 500
#define MAX_SUPPRESS_DAYS 731

static bool hex_prefix(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 16) return false;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i])) return false;
    return true;
}

/* Finds the finding named by arg[0] (a fingerprint or a unique prefix);
 * answers 404 itself and returns NULL when there is none. */
static stored_finding *find(page_ctx *c)
{
    const char *fp = c->arg[0];
    if (!hex_prefix(fp)) {
        page_error(c, 404, "No such finding",
                   "A finding's address ends in its fingerprint: 16 hexadecimal digits.");
        return NULL;
    }
    char *lower = arena_strdup(c->a, fp);
    for (char *p = lower; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    finding_query q = {.statuses = ALL_STATUSES,
                       .n_statuses = 5,
                       .fingerprint = lower,
                       .min_severity = -1,
                       .now = c->now,
                       .limit = 2};
    stored_finding *f;
    size_t n;
    if (store_findings(c->st, &q, c->a, &f, &n) < 0) {
        page_store_error(c);
        return NULL;
    }
    if (n == 1 || (n > 1 && !strcmp(f[0].fingerprint, lower))) return &f[0];
    if (n > 1 && !strcmp(f[1].fingerprint, lower)) return &f[1];
    page_error(c, 404, n ? "Ambiguous fingerprint" : "No such finding",
               n ? "More than one finding starts with these digits; use all 16."
                 : "No finding with this fingerprint is in the store. It may belong to another "
                   "store, or the address was cut short.");
    return NULL;
}

/* ---- the page ---------------------------------------------------------- */

static void html_facts(page_ctx *c, const stored_finding *f)
{
    buf *b = c->out;
    html_printf(b,
                "<dl class=\"facts\">\n<dt>What</dt><dd>%s <span class=\"meta\">(check "
                "<a href=\"/findings?policy=%u&amp;status=all\">%s</a>%r%s)</span></dd>\n",
                f->description ? f->description : f->policy, f->policy, f->policy,
                f->category ? ", category " : "", f->category);
    html_printf(b, "<dt>Where</dt><dd>%s <code>%s</code>", f->resource_type, f->resource_id);
    if (f->resource_name && *f->resource_name && strcmp(f->resource_name, f->resource_id))
        html_printf(b, " (%s)", f->resource_name);
    html_printf(b, " in account <a href=\"/account/%u\">%s</a> (%s), region %s</dd>\n",
                f->account_id, f->account_name ? f->account_name : f->account_id, f->account_id,
                f->region);
    if (f->team || f->environment)
        html_printf(b, "<dt>Owner</dt><dd>%r%s%r%s</dd>\n", f->team ? "team " : "", f->team,
                    f->environment ? (f->team ? ", environment " : "environment ") : "",
                    f->environment);
    html_printf(b, "<dt>How bad</dt><dd>");
    web_sev_badge(b, f->severity);
    html_printf(b,
                " priority <span class=\"prio\">%d</span> of 100</dd>\n<dt>Why this priority</dt>"
                "<dd>",
                f->priority);
    size_t nr;
    const char **why = web_reasons(c->a, f->reasons, &nr);
    if (nr) {
        buf_puts(b, "<ul class=\"why\">");
        for (size_t i = 0; i < nr; i++)
            html_printf(b, "<li>%s</li>", why[i]);
        buf_puts(b, "</ul>");
    } else {
        buf_puts(b, "No reasons recorded.");
    }
    buf_puts(b, "</dd>\n");
    html_printf(b, "<dt>Open for</dt><dd>%s (first seen %s, last seen %s)</dd>\n",
                web_age(c->a, (f->resolved_at ? f->resolved_at : c->now) - f->first_seen),
                web_when(c->a, f->first_seen, c->now), web_when(c->a, f->last_seen, c->now));
    if (f->resolved_at)
        html_printf(b, "<dt>Resolved</dt><dd>%s</dd>\n", web_when(c->a, f->resolved_at, c->now));
    html_printf(b, "<dt>Fingerprint</dt><dd><code>%s</code></dd>\n</dl>\n", f->fingerprint);
}

static void html_evidence(page_ctx *c, const stored_finding *f)
{
    if (!f->evidence || !*f->evidence) return;
    buf pretty = BUF_INIT;
    jv v;
    json_error e;
    if (json_parse(c->a, f->evidence, strlen(f->evidence), &v, &e) == 0)
        json_write_pretty(&pretty, &v, 2);
    else
        buf_puts(&pretty, f->evidence);
    html_printf(c->out,
                "<section aria-labelledby=\"ev-h\"><h2 id=\"ev-h\">Evidence</h2>\n<p>The part of "
                "the resource that matched the check, as collected.</p>\n<div class=\"code\">"
                "<button type=\"button\" class=\"copy\" hidden>Copy</button><pre><code>%s</code>"
                "</pre></div></section>\n",
                pretty.data ? pretty.data : "");
    buf_free(&pretty);
}

static void html_history(page_ctx *c, const finding_event *ev, size_t n)
{
    buf *b = c->out;
    buf_puts(b, "<section aria-labelledby=\"hist-h\"><h2 id=\"hist-h\">History</h2>\n");
    if (!n) {
        buf_puts(b, "<p class=\"empty\">No recorded changes.</p></section>\n");
        return;
    }
    buf_puts(b, "<table>\n<thead><tr><th scope=\"col\">When</th><th scope=\"col\">Change</th>"
                "<th scope=\"col\">Scan</th></tr></thead>\n<tbody>\n");
    for (size_t i = n; i-- > 0;)
        html_printf(b, "<tr><td>%s</td><td>%s%r%s</td><td>%l</td></tr>\n",
                    web_when(c->a, ev[i].at, c->now), ev[i].previous ? ev[i].previous : "",
                    ev[i].previous ? " &rarr; " : "", ev[i].status, ev[i].scan_id);
    buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

static void html_suppression(page_ctx *c, const stored_finding *f)
{
    buf *b = c->out;
    bool suppressed = f->suppression_id && !strcmp(f->status, "suppressed");
    buf_puts(b, "<section aria-labelledby=\"sup-h\"><h2 id=\"sup-h\">Suppression</h2>\n");
    if (suppressed)
        html_printf(b,
                    "<p>Suppressed by %s until %s: &ldquo;%s&rdquo;. It stops counting as open "
                    "and reopens when the suppression ends.</p>\n",
                    f->suppression_author ? f->suppression_author : "someone",
                    web_date(c->a, f->suppressed_until), f->suppression_reason);
    else if (f->suppression_id)
        html_printf(b, "<p>A suppression ended on %s (&ldquo;%s&rdquo;).</p>\n",
                    web_date(c->a, f->suppressed_until), f->suppression_reason);
    else
        buf_puts(b, "<p>Not suppressed. Suppress only an accepted risk or a false positive, with "
                    "a reason and an end date.</p>\n");
    if (!c->writes) {
        html_printf(
            b,
            "<p>This dashboard is read-only. To %s from a terminal:</p>\n<div "
            "class=\"code\"><button type=\"button\" class=\"copy\" hidden>Copy</button>"
            "<pre><code>%s</code></pre></div>\n",
            suppressed ? "remove the suppression" : "suppress it",
            suppressed
                ? arena_sprintf(c->a, "custos unsuppress %s --db %s", f->fingerprint, c->store_url)
                : arena_sprintf(c->a,
                                "custos suppress %s --reason \"WHY\" --author \"YOUR NAME\" "
                                "--for 30d "
                                "--db %s",
                                f->fingerprint, c->store_url));
    } else if (!c->logged_in) {
        html_printf(b, "<p><a href=\"/login?next=/finding/%u\">Log in</a> to change it.</p>\n",
                    f->fingerprint);
    } else if (suppressed) {
        html_printf(b,
                    "<form method=\"post\" action=\"/finding/%u/unsuppress\" "
                    "data-testid=\"unsuppress-form\"><input type=\"hidden\" name=\"csrf\" "
                    "value=\"%s\"><button type=\"submit\">Remove the suppression</button></form>\n",
                    f->fingerprint, c->csrf);
    } else {
        html_printf(b,
                    "<form method=\"post\" action=\"/finding/%u/suppress\" class=\"stack\" "
                    "data-testid=\"suppress-form\"><input type=\"hidden\" name=\"csrf\" "
                    "value=\"%s\">\n<div><label for=\"reason\">Reason (who accepted the risk, "
                    "or why it is a false positive)</label><input id=\"reason\" name=\"reason\" "
                    "required maxlength=\"%d\" size=\"60\"></div>\n<div><label for=\"expires\">"
                    "Until (the finding reopens on this date)</label><input id=\"expires\" "
                    "name=\"expires\" type=\"date\" required min=\"%s\" max=\"%s\" "
                    "value=\"%s\"></div>\n<div><button type=\"submit\">Suppress</button></div>"
                    "</form>\n",
                    f->fingerprint, c->csrf, REASON_MAX, web_date(c->a, c->now + 86400),
                    web_date(c->a, c->now + (int64_t)MAX_SUPPRESS_DAYS * 86400),
                    web_date(c->a, c->now + (int64_t)30 * 86400));
    }
    buf_puts(b, "</section>\n");
}

static void html_finding(page_ctx *c, const stored_finding *f, const finding_event *ev, size_t n)
{
    buf *b = c->out;
    const char *what = f->description && *f->description ? f->description : f->policy;
    const char *acc = f->account_name && *f->account_name ? f->account_name : f->account_id;
    page_begin(c, what, NAV_NONE);
    buf_puts(b, "<p class=\"crumbs\"><a href=\"/\">Overview</a> &rsaquo; ");
    if (f->team) html_printf(b, "<a href=\"/team/%u\">Team %s</a> &rsaquo; ", f->team, f->team);
    html_printf(b, "<a href=\"/account/%u\">%s</a> &rsaquo; Finding %s</p>\n", f->account_id, acc,
                f->fingerprint);
    const char *done = web_kv_get(&c->rq->query, "done");
    if (done && !strcmp(done, "suppressed"))
        buf_puts(b, "<p class=\"notice\" role=\"status\">Suppressed.</p>\n");
    else if (done && !strcmp(done, "unsuppressed"))
        buf_puts(b, "<p class=\"notice\" role=\"status\">The suppression was removed.</p>\n");
    html_printf(b,
                "<h1>%s</h1>\n<p class=\"lead\">Status <strong data-testid=\"status\">%s"
                "</strong> &middot; ",
                what, f->status);
    web_sev_badge(b, f->severity);
    html_printf(b,
                " &middot; priority <span class=\"prio\">%d</span> &middot; %s <code>%s</code> "
                "in %s, %s</p>\n",
                f->priority, f->resource_type, f->resource_id, acc, f->region);
    web_colour_why(c, f);
    web_fix_line(c, f);
    html_facts(c, f);
    buf_puts(b, "<section aria-labelledby=\"rb-h\"><h2 id=\"rb-h\">How to fix it</h2>\n");
    if (f->runbook && *f->runbook) {
        buf_puts(b, "<div class=\"runbook\">\n");
        web_markdown(b, f->runbook, strlen(f->runbook));
        buf_puts(b, "</div>\n");
    } else {
        buf_puts(b, "<p class=\"empty\">This check has no runbook; the fix line above is the "
                    "whole advice.</p>\n");
    }
    buf_puts(b, "</section>\n");
    html_evidence(c, f);
    html_history(c, ev, n);
    html_suppression(c, f);
    page_end(c);
}

static void json_finding(page_ctx *c, const stored_finding *f, const finding_event *ev, size_t n)
{
    jw w;
    page_json_begin(c, &w);
    jw_obj(&w);
    jw_key(&w, "finding");
    web_finding_json(c, &w, f, true);
    jw_key(&w, "history");
    jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        jw_obj(&w);
        jw_key(&w, "at");
        jw_time(&w, ev[i].at);
        jw_kint(&w, "scan", ev[i].scan_id);
        jw_kstr(&w, "status", ev[i].status);
        jw_kstr(&w, "previous", ev[i].previous);
        jw_end(&w);
    }
    jw_end(&w);
    jw_key(&w, "can_suppress");
    jw_bool(&w, c->writes);
    jw_end(&w);
    buf_putc(c->out, '\n');
}

void page_finding(page_ctx *c)
{
    stored_finding *f = find(c);
    if (!f) return;
    finding_event *ev;
    size_t n;
    if (store_events(c->st, 0, 0, f->fingerprint, c->a, &ev, &n) < 0) {
        page_store_error(c);
        return;
    }
    if (c->json)
        json_finding(c, f, ev, n);
    else
        html_finding(c, f, ev, n);
}

/* ---- writes ------------------------------------------------------------- */

/* A field of the request: the urlencoded form, or a JSON object body. */
static const char *field(page_ctx *c, const char *key)
{
    const char *v = web_kv_get(&c->rq->form, key);
    if (v) return v;
    const char *ct = c->rq->content_type;
    if (!ct || strncmp(ct, "application/json", 16)) return NULL;
    jv body;
    json_error e;
    if (json_parse(c->a, c->rq->body, c->rq->body_len, &body, &e) < 0) return NULL;
    const jv *x = jv_get(&body, key);
    return jv_is(x, JV_STRING) && strlen(x->u.str) == x->len ? x->u.str : NULL;
}

static char *trim(arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return arena_strndup(a, s, n);
}

static void after_write(page_ctx *c, const stored_finding *f, const char *done, jw *w)
{
    if (c->json) return; /* the caller wrote the JSON */
    (void)w;
    buf loc = BUF_INIT;
    html_printf(&loc, "/finding/%u?done=%r", f->fingerprint, done);
    page_redirect(c, arena_strdup(c->a, loc.data));
    buf_free(&loc);
}

void page_suppress(page_ctx *c)
{
    stored_finding *f = find(c);
    if (!f) return;
    const char *reason = field(c, "reason"), *expires = field(c, "expires");
    reason = reason ? trim(c->a, reason) : "";
    if (!*reason || strlen(reason) > REASON_MAX) {
        page_error(c, 400, "A reason is needed",
                   "Say why this finding is accepted (at most 500 characters); the reason is "
                   "shown to everyone who looks at it.");
        return;
    }
    double at;
    if (!expires || !date_parse(expires, strlen(expires), &at) || (int64_t)at <= c->now ||
        (int64_t)at > c->now + (int64_t)MAX_SUPPRESS_DAYS * 86400) {
        page_error(c, 400, "An end date is needed",
                   "expires must be a date (YYYY-MM-DD) after today and within two years: "
                   "suppressions end so that accepted risks are looked at again.");
        return;
    }
    const char *author = c->bearer ? field(c, "author") : c->user;
    if (!author || !*author) author = c->bearer ? "api" : "dashboard";
    suppression rule = {.fingerprint = f->fingerprint,
                        .reason = reason,
                        .author = author,
                        .created_at = c->now,
                        .expires_at = (int64_t)at,
                        .source = "dashboard"};
    int64_t id = 0;
    size_t matched = 0;
    if (store_suppress(c->st, &rule, c->now, &id, &matched) < 0) {
        page_store_error(c);
        return;
    }
    if (c->json) {
        jw w;
        page_json_begin(c, &w);
        jw_obj(&w);
        jw_kstr(&w, "fingerprint", f->fingerprint);
        jw_kint(&w, "suppression_id", id);
        jw_kint(&w, "matched", (int64_t)matched);
        jw_key(&w, "expires");
        jw_time(&w, (int64_t)at);
        jw_end(&w);
        buf_putc(c->out, '\n');
        return;
    }
    after_write(c, f, "suppressed", NULL);
}

void page_unsuppress(page_ctx *c)
{
    stored_finding *f = find(c);
    if (!f) return;
    size_t removed = 0;
    if (store_unsuppress(c->st, 0, f->fingerprint, c->now, &removed) < 0) {
        page_store_error(c);
        return;
    }
    if (c->json) {
        jw w;
        page_json_begin(c, &w);
        jw_obj(&w);
        jw_kstr(&w, "fingerprint", f->fingerprint);
        jw_kint(&w, "removed", (int64_t)removed);
        jw_end(&w);
        buf_putc(c->out, '\n');
        return;
    }
    after_write(c, f, "unsuppressed", NULL);
}
