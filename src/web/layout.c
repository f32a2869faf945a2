/* layout.c - the page frame and the pieces pages share; see page.h.
 *
 * The frame is the accessibility skeleton every page gets for free: lang,
 * a skip link to <main>, a <header> with the navigation as a labelled
 * <nav> (the current page marked aria-current), one <h1> per page (the
 * page writes it), a <footer>, and a polite live region the script uses
 * to announce "Copied".  Words over colour: a status colour always comes
 * with its meaning in text.
 */
#include "web/page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "version.h"
#include "json/json.h"
#include "web/markdown.h"

static const char *const NAV_ITEMS[][2] = {
    {"/", "Overview"},
    {"/findings", "Findings"},
    {"/trends", "Trends"},
};

/* Old data must never look like good news: when the latest scan is older
 * than --stale-after (or there is none), every page says so first.  One
 * indexed read of the newest scan row per page. */
static void stale_warning(page_ctx *c)
{
    if (c->stale_after <= 0 || !c->st) return;
    stored_scan *s = NULL;
    size_t n = 0;
    if (store_scans(c->st, 1, c->a, &s, &n) < 0) return; /* the page reports store errors */
    if (n == 0) {
        buf_puts(c->out, "<p class=\"stale\" role=\"alert\" data-testid=\"stale\"><strong>No "
                         "scan recorded yet.</strong> Run <code>custos scan</code> into this "
                         "store; until then every page is empty, not clean.</p>\n");
        return;
    }
    if (c->now - s[0].at <= c->stale_after) return;
    html_printf(c->out,
                "<p class=\"stale\" role=\"alert\" data-testid=\"stale\"><strong>The data is "
                "old: the last scan was %s.</strong> Nothing newer has been recorded, so what "
                "these pages show may have changed since (fixed or new). Check the scheduled "
                "scan (cron, CronJob) and its logs. (Warning shown when the last scan is older "
                "than %s: <code>custos serve --stale-after</code>.)</p>\n",
                web_when(c->a, s[0].at, c->now), web_age(c->a, c->stale_after));
}

void page_begin(page_ctx *c, const char *title, page_nav nav)
{
    c->rs->content_type = "text/html; charset=utf-8";
    buf *b = c->out;
    html_printf(b,
                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>%s - %s</title>\n"
                "<link rel=\"stylesheet\" href=\"/static/app.css\">\n"
                "<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n"
                "<script src=\"/static/app.js\" defer></script>\n</head>\n<body>\n"
                "<a class=\"skip\" href=\"#main\">Skip to main content</a>\n"
                "<header class=\"top\">\n<a class=\"brand\" href=\"/\">%s</a>\n"
                "<nav aria-label=\"Main\"><ul>",
                title, c->title, c->title);
    for (size_t i = 0; i < sizeof NAV_ITEMS / sizeof NAV_ITEMS[0]; i++)
        html_printf(b, "<li><a href=\"%s\"%r>%s</a></li>", NAV_ITEMS[i][0],
                    (int)nav == (int)i + 1 ? " aria-current=\"page\"" : "", NAV_ITEMS[i][1]);
    buf_puts(b, "</ul></nav>\n<div class=\"who\">");
    if (!c->writes)
        buf_puts(b, "Read-only");
    else if (c->logged_in)
        html_printf(b,
                    "Signed in as %s <form method=\"post\" action=\"/logout\">"
                    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
                    "<button type=\"submit\">Log out</button></form>",
                    c->user && *c->user ? c->user : "(no name)", c->csrf);
    else
        buf_puts(b, "<a href=\"/login\">Log in to make changes</a>");
    buf_puts(b, "</div>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
    stale_warning(c);
}

void page_end(page_ctx *c)
{
    html_printf(c->out,
                "</main>\n<footer>custos %s &middot; findings store %s &middot; %s &middot; "
                "times in UTC &middot; <a href=\"/api%s\">this page as JSON</a> (or ask for "
                "<code>Accept: application/json</code>)"
                "<div id=\"live\" class=\"visually-hidden\" aria-live=\"polite\"></div>"
                "</footer>\n</body>\n</html>\n",
                CUSTOS_VERSION, c->store_url,
                c->writes ? "writes enabled (token required)" : "read-only",
                c->rq->target && strcmp(c->rq->target, "/") ? c->rq->target : "/");
}

void page_json_begin(page_ctx *c, jw *w)
{
    c->rs->content_type = "application/json";
    jw_init(w, c->out, c->a);
}

void page_error(page_ctx *c, int status, const char *title, const char *detail)
{
    c->rs->status = status;
    buf_reset(c->out);
    if (c->json) {
        jw w;
        page_json_begin(c, &w);
        jw_obj(&w);
        jw_key(&w, "error");
        jw_obj(&w);
        jw_kint(&w, "status", status);
        jw_kstr(&w, "title", title);
        jw_kstr(&w, "message", detail);
        jw_end(&w);
        jw_end(&w);
        buf_putc(c->out, '\n');
        return;
    }
    page_begin(c, title, NAV_NONE);
    html_printf(c->out,
                "<h1>%s</h1>\n<div class=\"error-box\" role=\"alert\"><p>%s</p></div>\n"
                "<p><a href=\"/\">Go to the overview</a> &middot; <a href=\"/findings\">Search "
                "all findings</a></p>\n",
                title, detail);
    page_end(c);
}

void page_redirect(page_ctx *c, const char *location)
{
    c->rs->status = 303;
    web_resp_header(c->rs, "Location", location);
    if (c->json) {
        jw w;
        page_json_begin(c, &w);
        jw_obj(&w);
        jw_kstr(&w, "location", location);
        jw_end(&w);
    }
}

void page_store_error(page_ctx *c)
{
    page_error(c, 500, "The findings store could not be read",
               arena_sprintf(c->a, "%s (store %s). Try again; if it persists, check the server.",
                             store_error(c->st), c->store_url));
}

/* ---- shared pieces --------------------------------------------------- */

const char *web_status_colour(int64_t max_priority, int64_t open)
{
    if (open <= 0) return "green";
    if (max_priority >= WEB_RED_AT) return "red";
    if (max_priority >= WEB_AMBER_AT) return "amber";
    return "green";
}

void web_fix_line(page_ctx *c, const stored_finding *f)
{
    if (!f->fix || !*f->fix) return;
    const char *cmd = web_fix_command(c->a, f->runbook);
    html_printf(c->out, "<div class=\"fix\" data-testid=\"fix\"><span>Fix:</span> %s", f->fix);
    if (cmd)
        html_printf(c->out,
                    " <button type=\"button\" class=\"copy\" data-testid=\"copy-fix\" "
                    "data-copy=\"%s\" title=\"%s\" hidden>Copy fix command</button>",
                    cmd, cmd);
    buf_puts(c->out, "</div>\n");
}

/* The colour a severity would have without the facts of this finding. */
static const char *severity_colour(const char *sev)
{
    if (!sev) return "green";
    if (!strcmp(sev, "critical") || !strcmp(sev, "high")) return "red";
    if (!strcmp(sev, "medium")) return "amber";
    return "green";
}

void web_colour_why(page_ctx *c, const stored_finding *f)
{
    const char *by_prio = web_status_colour(f->priority, 1), *by_sev = severity_colour(f->severity);
    if (!strcmp(by_prio, by_sev)) return;
    size_t n;
    const char **why = web_reasons(c->a, f->reasons, &n);
    html_printf(c->out,
                "<div class=\"colour-why\" data-testid=\"colour-why\">%s, not %s: a %s check, "
                "ranked %d here",
                by_prio, by_sev, f->severity ? f->severity : "unrated", f->priority);
    /* reasons[0] is the severity itself; the rest is what moved it. */
    for (size_t i = 1; i < n; i++)
        html_printf(c->out, "%r%s", i == 1 ? " because: " : "; ", why[i]);
    buf_puts(c->out, ".</div>");
}

const char *web_age(arena *a, int64_t s)
{
    if (s < 60) return "just now";
    struct {
        int64_t secs;
        const char *unit;
    } units[] = {{86400, "day"}, {3600, "hour"}, {60, "minute"}};
    for (size_t i = 0; i < 3; i++)
        if (s >= units[i].secs) {
            int64_t n = s / units[i].secs;
            return arena_sprintf(a, "%lld %s%s", (long long)n, units[i].unit, n == 1 ? "" : "s");
        }
    return "just now";
}

const char *web_date(arena *a, int64_t at)
{
    time_t t = (time_t)at;
    struct tm tm;
    gmtime_r(&t, &tm);
    char d[16];
    strftime(d, sizeof d, "%Y-%m-%d", &tm);
    return arena_strdup(a, d);
}

const char *web_when(arena *a, int64_t at, int64_t now)
{
    if (!at) return "never";
    time_t t = (time_t)at;
    struct tm tm;
    gmtime_r(&t, &tm);
    char d[32];
    strftime(d, sizeof d, "%Y-%m-%d %H:%M UTC", &tm);
    if (at > now) return arena_strdup(a, d);
    const char *age = web_age(a, now - at);
    return arena_sprintf(a, "%s%s (%s)", age, strcmp(age, "just now") ? " ago" : "", d);
}

void web_sev_badge(buf *b, const char *sev)
{
    static const char *const known[] = {"critical", "high", "medium", "low", "info"};
    const char *cls = "info";
    for (size_t i = 0; i < 5; i++)
        if (sev && !strcmp(sev, known[i])) cls = known[i];
    html_printf(b, "<span class=\"sev sev-%r\">%s</span>", cls, sev ? sev : "unknown");
}

const char **web_reasons(arena *a, const char *json_text, size_t *n)
{
    *n = 0;
    jv v;
    json_error e;
    if (!json_text || json_parse(a, json_text, strlen(json_text), &v, &e) < 0 ||
        v.kind != JV_ARRAY) {
        const char **none = arena_alloc(a, sizeof *none);
        none[0] = NULL;
        return none;
    }
    const char **out = arena_alloc(a, (v.len + 1) * sizeof *out);
    for (uint32_t i = 0; i < v.len; i++)
        if (v.u.items[i].kind == JV_STRING) out[(*n)++] = v.u.items[i].u.str;
    out[*n] = NULL;
    return out;
}

void web_finding_row(page_ctx *c, const stored_finding *f)
{
    buf *b = c->out;
    const char *what = f->description && *f->description ? f->description : f->policy;
    html_printf(b,
                "<li data-testid=\"finding-row\" data-team=\"%s\" data-fingerprint=\"%s\" "
                "data-priority=\"%d\">\n<div class=\"what\"><span class=\"prio\" "
                "title=\"priority, 0 to 100\">%d</span> ",
                f->team ? f->team : "", f->fingerprint, f->priority, f->priority);
    web_sev_badge(b, f->severity);
    html_printf(b, " <a data-testid=\"finding-link\" href=\"/finding/%u\">%s</a></div>\n",
                f->fingerprint, what);
    html_printf(b, "<div class=\"line2\">Where: %s <code>%s</code>", f->resource_type,
                f->resource_id);
    if (f->resource_name && *f->resource_name && strcmp(f->resource_name, f->resource_id))
        html_printf(b, " (%s)", f->resource_name);
    html_printf(b, " in account <a href=\"/account/%u\">%s</a>, %s", f->account_id,
                f->account_name && *f->account_name ? f->account_name : f->account_id, f->region);
    if (f->team) html_printf(b, " &middot; team <a href=\"/team/%u\">%s</a>", f->team, f->team);
    html_printf(b, "</div>\n<div class=\"line3\">Open for %s (since %s) &middot; status %s",
                web_age(c->a, c->now - f->first_seen), web_date(c->a, f->first_seen), f->status);
    size_t nr;
    const char **why = web_reasons(c->a, f->reasons, &nr);
    if (nr) {
        buf_puts(b, " &middot; Why: ");
        for (size_t i = 0; i < nr; i++)
            html_printf(b, "%r%s", i ? "; " : "", why[i]);
    }
    buf_puts(b, "</div>\n");
    web_fix_line(c, f);
    buf_puts(b, "</li>\n");
}

static void put_time(jw *w, const char *key, int64_t t)
{
    jw_key(w, key);
    jw_time(w, t);
}

void web_finding_json(page_ctx *c, jw *w, const stored_finding *f, bool detail)
{
    jw_obj(w);
    jw_kstr(w, "fingerprint", f->fingerprint);
    jw_kstr(w, "url", arena_sprintf(c->a, "/finding/%s", f->fingerprint));
    jw_kstr(w, "status", f->status);
    jw_kint(w, "priority", f->priority);
    jw_kstr(w, "severity", f->severity);
    jw_kstr(w, "policy", f->policy);
    jw_kstr(w, "description", f->description);
    jw_kstr(w, "category", f->category);
    jw_kstr(w, "resource", f->resource_type);
    jw_kstr(w, "id", f->resource_id);
    jw_kstr(w, "name", f->resource_name);
    jw_kstr(w, "account", f->account_id);
    jw_kstr(w, "account_name", f->account_name);
    jw_kstr(w, "team", f->team);
    jw_kstr(w, "environment", f->environment);
    jw_kstr(w, "region", f->region);
    jw_key(w, "reasons");
    jw_json(w, f->reasons && *f->reasons ? f->reasons : "[]");
    jw_kstr(w, "fix", f->fix);
    put_time(w, "first_seen", f->first_seen);
    put_time(w, "last_seen", f->last_seen);
    put_time(w, "resolved_at", f->resolved_at);
    jw_kint(w, "age_seconds", c->now - f->first_seen);
    if (f->suppression_id) {
        jw_key(w, "suppression");
        jw_obj(w);
        jw_kint(w, "id", f->suppression_id);
        jw_kstr(w, "reason", f->suppression_reason);
        jw_kstr(w, "author", f->suppression_author);
        put_time(w, "expires", f->suppressed_until);
        jw_end(w);
    }
    if (detail) {
        jw_kstr(w, "runbook", f->runbook);
        jw_key(w, "evidence");
        jw_json(w, f->evidence);
    }
    jw_end(w);
}

int64_t web_page_param(page_ctx *c)
{
    const char *p = web_kv_get(&c->rq->query, "page");
    if (!p || !*p) return 1;
    char *end;
    long long v = strtoll(p, &end, 10);
    if (*end || v < 1 || v > 1000000) return -1;
    return v;
}

void web_pager(page_ctx *c, const char *base, int64_t page, int64_t total, bool more)
{
    int64_t pages = total ? (total + WEB_PAGE_SIZE - 1) / WEB_PAGE_SIZE : 1;
    if (pages <= 1 && !more) return;
    buf *b = c->out;
    buf_puts(b, "<nav class=\"pager\" aria-label=\"Pages\">");
    if (page > 1)
        html_printf(b, "<a href=\"%spage=%l\" rel=\"prev\">&larr; Previous %d</a>", base, page - 1,
                    WEB_PAGE_SIZE);
    html_printf(b, "<span>Page %l of %l%s</span>", page, pages, more ? "+" : "");
    if (page < pages || more)
        html_printf(b, "<a href=\"%spage=%l\" rel=\"next\">Next %d &rarr;</a>", base, page + 1,
                    WEB_PAGE_SIZE);
    buf_puts(b, "</nav>\n");
}

int64_t web_last_scan(const stored_account *acc, size_t n)
{
    int64_t last = 0;
    for (size_t i = 0; i < n; i++)
        if (acc[i].last_scan_at > last) last = acc[i].last_scan_at;
    return last;
}
