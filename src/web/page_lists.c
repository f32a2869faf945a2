/* page_lists.c - lists of findings: /team/T, /account/ID and /findings.
 *
 * All three are the same list (highest priority first, 50 a page, each
 * line saying what, where, how bad, why, how long and the fix) under a
 * different heading; team and account pages add their accounts or facts
 * and a 30-day trend, /findings adds the filter form.  Filters live in the
 * URL so a view can be shared as a link; the form is a plain GET form
 * that works without JavaScript.
 *
 * Cost: one indexed query for the page of findings, one capped COUNT for
 * the pager, and the daily counts for the chart.  Pages are chosen by key
 * (issue 17): the pager's links carry the fingerprint of the last (next)
 * or first (previous) finding shown, `after=` / `before=`, and the store
 * seeks to it, so page 8,000 costs what page 2 does; the count is of what
 * follows the page (at most WEB_COUNT_AHEAD), added to the rows before
 * it.  A bare `page=N` (a typed URL, an old link) still works, by offset,
 * at a cost that grows with N.
 */
#include <stdlib.h>
#include <string.h>

#include "web/counts.h"
#include "web/page.h"
#include "web/svg.h"

static const char *const STATUSES[] = {"new", "open", "regressed", "resolved", "suppressed"};

/* ---- filters from the URL --------------------------------------------- */

typedef struct filters {
    const char *team, *account, *env, *policy, *severity, *status; /* raw, for the form */
    finding_query q;
    int64_t page;
} filters;

/* after= / before= (a full fingerprint) into q; on a bad value answers
 * 400 and returns -1. */
static int read_cursor(page_ctx *c, finding_query *q)
{
    const char *names[] = {"after", "before"};
    const char **dst[] = {&q->after, &q->before};
    for (size_t i = 0; i < 2; i++) {
        const char *v = web_kv_get(&c->rq->query, names[i]);
        if (!v || !*v) continue;
        bool ok = strlen(v) == 16;
        for (size_t k = 0; ok && k < 16; k++)
            ok = (v[k] >= '0' && v[k] <= '9') || (v[k] >= 'a' && v[k] <= 'f');
        if (!ok) {
            page_error(c, 400, "Bad page link",
                       arena_sprintf(c->a, "%s must be a finding's fingerprint (16 hex digits).",
                                     names[i]));
            return -1;
        }
        *dst[i] = v;
    }
    return 0;
}

/* "a,b" -> list (in the arena); NULL or "" -> none. */
static const char *const *split_list(arena *a, const char *s, size_t *n)
{
    *n = 0;
    if (!s || !*s) return NULL;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    const char **out = arena_alloc(a, cap * sizeof *out);
    const char *p = s;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len) out[(*n)++] = arena_strndup(a, p, len);
        if (!comma) break;
        p = comma + 1;
    }
    return *n ? out : NULL;
}

static bool known_status(const char *s)
{
    for (size_t i = 0; i < 5; i++)
        if (!strcmp(s, STATUSES[i])) return true;
    return false;
}

/* Reads the filters; on a bad value answers 400 and returns -1. */
static int read_filters(page_ctx *c, filters *f)
{
    const web_kvlist *qs = &c->rq->query;
    memset(f, 0, sizeof *f);
    f->q.min_severity = -1;
    f->q.now = c->now;
    f->team = web_kv_get(qs, "team");
    f->account = web_kv_get(qs, "account");
    f->env = web_kv_get(qs, "env");
    f->policy = web_kv_get(qs, "policy");
    f->severity = web_kv_get(qs, "severity");
    f->status = web_kv_get(qs, "status");
    f->q.teams = split_list(c->a, f->team, &f->q.n_teams);
    f->q.accounts = split_list(c->a, f->account, &f->q.n_accounts);
    f->q.environments = split_list(c->a, f->env, &f->q.n_environments);
    f->q.policies = split_list(c->a, f->policy, &f->q.n_policies);
    if (f->severity && *f->severity) {
        f->q.min_severity = web_sev_rank(f->severity);
        if (f->q.min_severity < 0) {
            page_error(c, 400, "Unknown severity",
                       "severity must be one of info, low, medium, high or critical.");
            return -1;
        }
    }
    if (f->status && *f->status && strcmp(f->status, "all")) {
        f->q.statuses = split_list(c->a, f->status, &f->q.n_statuses);
        for (size_t i = 0; i < f->q.n_statuses; i++)
            if (!known_status(f->q.statuses[i])) {
                page_error(c, 400, "Unknown status",
                           "status must be new, open, regressed, resolved, suppressed or all "
                           "(several separated by commas).");
                return -1;
            }
    } else if (f->status && !strcmp(f->status, "all")) {
        f->q.statuses = STATUSES;
        f->q.n_statuses = 5;
    }
    f->page = web_page_param(c);
    if (f->page < 0) {
        page_error(c, 400, "Bad page number", "page must be a whole number from 1.");
        return -1;
    }
    f->q.limit = WEB_PAGE_SIZE;
    f->q.offset = (size_t)(f->page - 1) * WEB_PAGE_SIZE;
    return read_cursor(c, &f->q);
}

/* The filters as a query string prefix for the pager: "/findings?a=b&". */
static const char *filters_base(page_ctx *c, const char *path, const filters *f)
{
    buf b = BUF_INIT;
    buf_puts(&b, path);
    buf_putc(&b, '?');
    const char *const pairs[][2] = {
        {"team", f->team},     {"account", f->account},   {"env", f->env},
        {"policy", f->policy}, {"severity", f->severity}, {"status", f->status},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (pairs[i][1] && *pairs[i][1]) html_printf(&b, "%r=%u&", pairs[i][0], pairs[i][1]);
    const char *out = arena_strdup(c->a, b.data);
    buf_free(&b);
    return out;
}

/* ---- the list ---------------------------------------------------------- */

typedef struct list_result {
    stored_finding *f;
    size_t n;
    int64_t total;
    bool more; /* total is a lower bound: counting stopped there */
} list_result;

static int load_list(page_ctx *c, const finding_query *q, list_result *r)
{
    if (store_findings(c->st, q, c->a, &r->f, &r->n) < 0) return -1;
    r->more = false;
    bool keyed = q->after || q->before;
    /* A first page that is not full is the whole count. */
    if (q->offset == 0 && !keyed && r->n < q->limit) {
        r->total = (int64_t)r->n;
        return 0;
    }
    if (!r->n) { /* past the end: how far the list goes (a key's depth is unknown) */
        int64_t max = (keyed ? 0 : (int64_t)q->offset) + WEB_PAGE_SIZE + WEB_COUNT_AHEAD;
        finding_query all = *q;
        all.after = all.before = NULL;
        if (store_count_findings(c->st, &all, max, &r->total) < 0) return -1;
        r->more = r->total == max;
        return 0;
    }
    /* Near the start, the matches from the first one (a covering walk of
     * at most offset + page + WEB_COUNT_AHEAD entries, whatever the filter
     * leads with); deeper, what follows the page, counted from its last row
     * by key: as cheap on page 8,000 as on page 2. */
    if (q->offset <= WEB_COUNT_AHEAD) {
        int64_t max = (int64_t)q->offset + (int64_t)r->n + WEB_COUNT_AHEAD;
        finding_query all = *q;
        all.after = all.before = NULL;
        if (store_count_findings(c->st, &all, max, &r->total) < 0) return -1;
        r->more = r->total == max;
        return 0;
    }
    finding_query rest = *q;
    rest.after = r->f[r->n - 1].fingerprint;
    rest.before = NULL;
    int64_t after;
    if (store_count_findings(c->st, &rest, WEB_COUNT_AHEAD, &after) < 0) return -1;
    r->total = (int64_t)q->offset + (int64_t)r->n + after;
    r->more = after == WEB_COUNT_AHEAD;
    return 0;
}

/* The total as shown: "10050+" when counting stopped early. */
static const char *total_text(page_ctx *c, const list_result *r)
{
    return arena_sprintf(c->a, "%lld%s", (long long)r->total, r->more ? "+" : "");
}

/* Previous / next by key (read_cursor): "base" ends in '?' or '&'. */
static void list_pager(page_ctx *c, const char *base, int64_t page, const list_result *r)
{
    int64_t pages = r->total ? (r->total + WEB_PAGE_SIZE - 1) / WEB_PAGE_SIZE : 1;
    if (pages <= 1 && !r->more) return;
    buf *b = c->out;
    buf_puts(b, "<nav class=\"pager\" aria-label=\"Pages\">");
    if (page == 2)
        html_printf(b, "<a href=\"%spage=1\" rel=\"prev\">&larr; Previous %d</a>", base,
                    WEB_PAGE_SIZE);
    else if (page > 2)
        html_printf(b, "<a href=\"%spage=%l&amp;before=%s\" rel=\"prev\">&larr; Previous %d</a>",
                    base, page - 1, r->f[0].fingerprint, WEB_PAGE_SIZE);
    html_printf(b, "<span>Page %l of %l%s</span>", page, pages, r->more ? "+" : "");
    if (page < pages || r->more)
        html_printf(b, "<a href=\"%spage=%l&amp;after=%s\" rel=\"next\">Next %d &rarr;</a>", base,
                    page + 1, r->f[r->n - 1].fingerprint, WEB_PAGE_SIZE);
    buf_puts(b, "</nav>\n");
}

static void html_list(page_ctx *c, const list_result *r, int64_t page, const char *base,
                      const char *empty)
{
    buf *b = c->out;
    if (!r->n) {
        html_printf(b, "<p class=\"empty\" data-testid=\"empty\">%s</p>\n",
                    page > 1 ? "There are no findings on this page; go back to page 1." : empty);
        return;
    }
    int64_t from = (page - 1) * WEB_PAGE_SIZE + 1;
    html_printf(b, "<p class=\"meta\">Showing %l to %l of %s, highest priority first.</p>\n", from,
                from + (int64_t)r->n - 1, total_text(c, r));
    buf_puts(b, "<ol class=\"findings\">\n");
    for (size_t i = 0; i < r->n; i++)
        web_finding_row(c, &r->f[i]);
    buf_puts(b, "</ol>\n");
    list_pager(c, base, page, r);
}

/* base as html_list's; the links point at the JSON API. */
static void json_list(page_ctx *c, jw *w, const list_result *r, int64_t page, const char *base)
{
    jw_kint(w, "total", r->total);
    jw_key(w, "total_exact");
    jw_bool(w, !r->more);
    jw_kint(w, "page", page);
    jw_kint(w, "page_size", WEB_PAGE_SIZE);
    int64_t pages = r->total ? (r->total + WEB_PAGE_SIZE - 1) / WEB_PAGE_SIZE : 1;
    jw_kint(w, "pages", pages);
    /* The pager's links: by key, so a client walking every page pays the
     * same for each (a page= loop walks every row before its page). */
    jw_kstr(w, "next",
            r->n && (page < pages || r->more)
                ? arena_sprintf(c->a, "/api%spage=%lld&after=%s", base, (long long)page + 1,
                                r->f[r->n - 1].fingerprint)
                : NULL);
    jw_kstr(w, "prev",
            r->n && page > 1 ? arena_sprintf(c->a, "/api%spage=%lld&before=%s", base,
                                             (long long)page - 1, r->f[0].fingerprint)
                             : NULL);
    jw_key(w, "findings");
    jw_arr(w);
    for (size_t i = 0; i < r->n; i++)
        web_finding_json(c, w, &r->f[i], false);
    jw_end(w);
}

/* "/team/NAME?" with NAME URL-encoded (the JSON links; raw text). */
static const char *url_base(page_ctx *c, const char *prefix, const char *name)
{
    buf b = BUF_INIT;
    buf_puts(&b, prefix);
    html_printf(&b, "%u?", name);
    const char *out = arena_strdup(c->a, b.data);
    buf_free(&b);
    return out;
}

/* ---- trend ------------------------------------------------------------- */

static void html_trend(page_ctx *c, const web_counts *wc, const counts_sum *s, const char *who)
{
    int days = wc->days;
    const char **labels = web_day_labels(wc, c->a);
    svg_series series[WEB_NSEV];
    size_t ns = WEB_NSEV;
    web_sev_series(wc, s, c->a, series);
    html_printf(c->out,
                "<section aria-labelledby=\"trend-h\"><h2 id=\"trend-h\">Open findings, last %d "
                "days</h2>\n<div class=\"chart\">",
                days);
    svg_stacked(c->out, series, ns, (size_t)days, labels, 960, 260,
                arena_sprintf(c->a, "Open findings per day by severity, %s", who), "open findings");
    html_printf(c->out, "</div>\n<p><a href=\"/trends\">All trends, new versus resolved</a></p>"
                        "</section>\n");
}

static void json_trend(page_ctx *c, jw *w, const web_counts *wc, const counts_sum *s)
{
    jw_key(w, "trend");
    jw_arr(w);
    for (int k = 0; k < wc->days; k++) {
        jw_obj(w);
        jw_kstr(w, "day", web_date(c->a, (wc->start_day + k) * 86400));
        jw_key(w, "open");
        jw_obj(w);
        int64_t total = 0;
        for (int sev = WEB_NSEV - 1; sev >= 0; sev--) {
            jw_kint(w, WEB_SEV_NAMES[sev], s->open_sev[k * WEB_NSEV + sev]);
            total += s->open_sev[k * WEB_NSEV + sev];
        }
        jw_end(w);
        jw_kint(w, "open_total", total);
        jw_kint(w, "new", s->new_[k]);
        jw_kint(w, "resolved", s->resolved[k]);
        jw_kint(w, "regressed", s->regressed[k]);
        jw_end(w);
    }
    jw_end(w);
}

/* ---- /team/T ------------------------------------------------------------ */

static bool in_team(const acc_counts *a, const void *team)
{
    return a->acc->team && !strcmp(a->acc->team, team);
}

static void html_team_accounts(page_ctx *c, const web_counts *wc, const char *team)
{
    buf *b = c->out;
    buf_puts(b, "<section aria-labelledby=\"acc-h\"><h2 id=\"acc-h\">Accounts</h2>\n<table>\n"
                "<thead><tr><th scope=\"col\">Account</th><th scope=\"col\">Environment</th>"
                "<th scope=\"col\" class=\"num\">Open</th><th scope=\"col\">State</th>"
                "<th scope=\"col\">Last scan</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < wc->nacc; i++) {
        const acc_counts *a = &wc->acc[i];
        if (!in_team(a, team)) continue;
        html_printf(
            b,
            "<tr><td><a href=\"/account/%u\">%s</a> <span class=\"meta\">%s</span></td>"
            "<td>%s</td><td class=\"num\">%l</td><td><span class=\"status\">%s</span>%r"
            "</td><td>%s</td></tr>\n",
            a->acc->account_id, a->acc->name ? a->acc->name : a->acc->account_id,
            a->acc->account_id, a->acc->environment ? a->acc->environment : "-", a->open, a->colour,
            a->open ? arena_sprintf(c->a, ", highest priority %lld", (long long)a->max_priority)
                    : "",
            web_when(c->a, a->acc->last_scan_at, c->now));
    }
    buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

/* The page number and the counts a team or account page starts from; false
 * after answering with the error (a bad page number, the store failing). */
static bool group_page_start(page_ctx *c, int64_t *page, web_counts *wc)
{
    *page = web_page_param(c);
    if (*page < 0) {
        page_error(c, 400, "Bad page number", "page must be a whole number from 1.");
        return false;
    }
    if (web_counts_load(c->st, c->a, c->now, WEB_TREND_DAYS, wc) < 0) {
        page_store_error(c);
        return false;
    }
    return true;
}

void page_team(page_ctx *c)
{
    const char *team = c->arg[0];
    int64_t page;
    web_counts wc;
    if (!group_page_start(c, &page, &wc)) return;
    counts_sum s;
    web_counts_sum(&wc, c->a, in_team, team, &s);
    if (!s.naccounts) {
        page_error(c, 404, "No such team",
                   arena_sprintf(c->a,
                                 "No scanned account belongs to a team called \"%s\". The "
                                 "overview lists every team.",
                                 team));
        return;
    }
    int64_t last = 0;
    for (size_t i = 0; i < wc.nacc; i++)
        if (in_team(&wc.acc[i], team) && wc.acc[i].acc->last_scan_at > last)
            last = wc.acc[i].acc->last_scan_at;
    finding_query q = {.teams = &team,
                       .n_teams = 1,
                       .min_severity = -1,
                       .now = c->now,
                       .limit = WEB_PAGE_SIZE,
                       .offset = (size_t)(page - 1) * WEB_PAGE_SIZE};
    if (read_cursor(c, &q) < 0) return;
    list_result r;
    if (load_list(c, &q, &r) < 0) {
        page_store_error(c);
        return;
    }
    if (c->json) {
        jw w;
        page_json_begin(c, &w);
        jw_obj(&w);
        jw_kstr(&w, "team", team);
        jw_kstr(&w, "status", web_status_colour(s.max_priority, s.open));
        jw_kint(&w, "max_priority", s.max_priority);
        jw_key(&w, "last_scan");
        jw_time(&w, last);
        jw_key(&w, "accounts");
        jw_arr(&w);
        for (size_t i = 0; i < wc.nacc; i++) {
            const acc_counts *a = &wc.acc[i];
            if (!in_team(a, team)) continue;
            jw_obj(&w);
            jw_kstr(&w, "account", a->acc->account_id);
            jw_kstr(&w, "name", a->acc->name);
            jw_kstr(&w, "environment", a->acc->environment);
            jw_kstr(&w, "url", arena_sprintf(c->a, "/account/%s", a->acc->account_id));
            jw_kstr(&w, "status", a->colour);
            jw_kint(&w, "open", a->open);
            jw_kint(&w, "max_priority", a->max_priority);
            jw_end(&w);
        }
        jw_end(&w);
        json_list(c, &w, &r, page, url_base(c, "/team/", team));
        json_trend(c, &w, &wc, &s);
        jw_end(&w);
        buf_putc(c->out, '\n');
        return;
    }
    buf *b = c->out;
    page_begin(c, arena_sprintf(c->a, "Team %s", team), NAV_NONE);
    html_printf(b,
                "<p class=\"crumbs\"><a href=\"/\">Overview</a> &rsaquo; Team %s</p>\n"
                "<h1>Team %s</h1>\n<p class=\"lead\">%s open findings in %l accounts%r &middot; "
                "last scan %s.</p>\n",
                team, team, total_text(c, &r), (int64_t)s.naccounts,
                r.total ? arena_sprintf(c->a, " &middot; highest priority %d", r.f[0].priority)
                        : "",
                web_when(c->a, last, c->now));
    html_printf(b,
                "<section aria-labelledby=\"open-h\"><h2 id=\"open-h\">Open findings</h2>\n"
                "<p><a href=\"/findings?team=%u&amp;status=all\">Include resolved and suppressed "
                "findings</a> &middot; <a href=\"/trends?team=%u\">Trends for %s</a></p>\n",
                team, team, team);
    buf url = BUF_INIT;
    html_printf(&url, "/team/%u?", team);
    html_list(c, &r, page, arena_strdup(c->a, url.data),
              arena_sprintf(c->a, "No open findings for %s - last scan %s.", team,
                            web_when(c->a, last, c->now)));
    buf_free(&url);
    buf_puts(b, "</section>\n");
    html_team_accounts(c, &wc, team);
    html_trend(c, &wc, &s, arena_sprintf(c->a, "team %s", team));
    page_end(c);
}

/* ---- /account/ID -------------------------------------------------------- */

static bool is_account(const acc_counts *a, const void *id)
{
    return !strcmp(a->acc->account_id, id) || (a->acc->name && !strcmp(a->acc->name, id));
}

void page_account(page_ctx *c)
{
    const char *id = c->arg[0];
    int64_t page;
    web_counts wc;
    if (!group_page_start(c, &page, &wc)) return;
    const acc_counts *acc = NULL;
    for (size_t i = 0; i < wc.nacc && !acc; i++)
        if (is_account(&wc.acc[i], id)) acc = &wc.acc[i];
    if (!acc) {
        page_error(c, 404, "No such account",
                   arena_sprintf(c->a,
                                 "No account \"%s\" has been scanned into this store. The "
                                 "overview lists every account.",
                                 id));
        return;
    }
    const stored_account *sa = acc->acc;
    counts_sum s;
    web_counts_sum(&wc, c->a, is_account, sa->account_id, &s);
    const char *acc_id = sa->account_id;
    finding_query q = {.accounts = &acc_id,
                       .n_accounts = 1,
                       .min_severity = -1,
                       .now = c->now,
                       .limit = WEB_PAGE_SIZE,
                       .offset = (size_t)(page - 1) * WEB_PAGE_SIZE};
    if (read_cursor(c, &q) < 0) return;
    list_result r;
    if (load_list(c, &q, &r) < 0) {
        page_store_error(c);
        return;
    }
    const char *name = sa->name && *sa->name ? sa->name : sa->account_id;
    if (c->json) {
        jw w;
        page_json_begin(c, &w);
        jw_obj(&w);
        jw_kstr(&w, "account", sa->account_id);
        jw_kstr(&w, "name", sa->name);
        jw_kstr(&w, "team", sa->team);
        jw_kstr(&w, "environment", sa->environment);
        jw_kstr(&w, "status", acc->colour);
        jw_kint(&w, "max_priority", acc->max_priority);
        jw_key(&w, "last_scan");
        jw_time(&w, sa->last_scan_at);
        json_list(c, &w, &r, page, url_base(c, "/account/", sa->account_id));
        json_trend(c, &w, &wc, &s);
        jw_end(&w);
        buf_putc(c->out, '\n');
        return;
    }
    buf *b = c->out;
    page_begin(c, arena_sprintf(c->a, "Account %s", name), NAV_NONE);
    buf_puts(b, "<p class=\"crumbs\"><a href=\"/\">Overview</a> &rsaquo; ");
    if (sa->team) html_printf(b, "<a href=\"/team/%u\">Team %s</a> &rsaquo; ", sa->team, sa->team);
    html_printf(b, "%s</p>\n<h1>Account %s <span class=\"meta\">%s</span></h1>\n", name, name,
                sa->account_id);
    html_printf(b,
                "<p class=\"lead\">%s open findings &middot; <span class=\"status\">%s</span>%r "
                "&middot; last scan %s.</p>\n<dl class=\"facts\"><dt>Team</dt><dd>%s</dd>"
                "<dt>Environment</dt><dd>%s</dd></dl>\n",
                total_text(c, &r), acc->colour,
                acc->open
                    ? arena_sprintf(c->a, ", highest priority %lld", (long long)acc->max_priority)
                    : "",
                web_when(c->a, sa->last_scan_at, c->now), sa->team ? sa->team : "none",
                sa->environment ? sa->environment : "not set");
    html_printf(b,
                "<section aria-labelledby=\"open-h\"><h2 id=\"open-h\">Open findings</h2>\n"
                "<p><a href=\"/findings?account=%u&amp;status=all\">Include resolved and "
                "suppressed findings</a></p>\n",
                sa->account_id);
    buf url = BUF_INIT;
    html_printf(&url, "/account/%u?", sa->account_id);
    html_list(c, &r, page, arena_strdup(c->a, url.data),
              arena_sprintf(c->a, "No open findings for %s - last scan %s.", name,
                            web_when(c->a, sa->last_scan_at, c->now)));
    buf_free(&url);
    buf_puts(b, "</section>\n");
    html_trend(c, &wc, &s, arena_sprintf(c->a, "account %s", name));
    page_end(c);
}

/* ---- /findings ---------------------------------------------------------- */

static void html_select(buf *b, const char *name, const char *label, const char *cur,
                        const char *const *values, size_t n, const char *any)
{
    html_printf(b, "<div><label for=\"f-%r\">%s</label><select id=\"f-%r\" name=\"%r\">", name,
                label, name, name);
    html_printf(b, "<option value=\"\">%s</option>", any);
    for (size_t i = 0; i < n; i++)
        if (values[i])
            html_printf(b, "<option value=\"%s\"%r>%s</option>", values[i],
                        cur && !strcmp(cur, values[i]) ? " selected" : "", values[i]);
    buf_puts(b, "</select></div>\n");
}

static int cmpstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Distinct non-NULL values, sorted. */
static const char **distinct(arena *a, const char **v, size_t n, size_t *out_n)
{
    qsort(v, n, sizeof *v, cmpstr);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || strcmp(v[k - 1], v[i])) v[k++] = v[i];
    *out_n = k;
    (void)a;
    return v;
}

static void html_filter_form(page_ctx *c, const filters *f, const stored_account *acc, size_t nacc)
{
    buf *b = c->out;
    const char **teams = arena_alloc(c->a, (nacc + 1) * sizeof *teams);
    const char **envs = arena_alloc(c->a, (nacc + 1) * sizeof *envs);
    const char **ids = arena_alloc(c->a, (nacc + 1) * sizeof *ids);
    size_t nt = 0, ne = 0;
    for (size_t i = 0; i < nacc; i++) {
        if (acc[i].team) teams[nt++] = acc[i].team;
        if (acc[i].environment) envs[ne++] = acc[i].environment;
        ids[i] = acc[i].account_id;
    }
    teams = distinct(c->a, teams, nt, &nt);
    envs = distinct(c->a, envs, ne, &ne);
    buf_puts(b, "<form class=\"filters\" method=\"get\" action=\"/findings\" "
                "aria-label=\"Filter findings\">\n");
    html_select(b, "team", "Team", f->team, teams, nt, "Any team");
    html_printf(b, "<div><label for=\"f-account\">Account</label><select id=\"f-account\" "
                   "name=\"account\"><option value=\"\">Any account</option>");
    for (size_t i = 0; i < nacc; i++)
        html_printf(b, "<option value=\"%s\"%r>%s (%s)</option>", acc[i].account_id,
                    f->account && (!strcmp(f->account, acc[i].account_id) ||
                                   (acc[i].name && !strcmp(f->account, acc[i].name)))
                        ? " selected"
                        : "",
                    acc[i].name ? acc[i].name : acc[i].account_id, acc[i].account_id);
    buf_puts(b, "</select></div>\n");
    html_select(b, "env", "Environment", f->env, envs, ne, "Any environment");
    html_printf(b,
                "<div><label for=\"f-policy\">Policy (check name)</label><input id=\"f-policy\" "
                "name=\"policy\" value=\"%s\" size=\"24\" placeholder=\"e.g. "
                "sg-ssh-open-to-world\"></div>\n",
                f->policy ? f->policy : "");
    static const char *const sev_opts[] = {"critical", "high", "medium", "low", "info"};
    html_select(b, "severity", "Severity at least", f->severity, sev_opts, 5, "Any severity");
    static const char *const status_opts[] = {"new",      "open",       "regressed",
                                              "resolved", "suppressed", "all"};
    html_select(b, "status", "Status", f->status, status_opts, 6, "Open (new, open or regressed)");
    buf_puts(b, "<div><button type=\"submit\">Show findings</button> <a href=\"/findings\">Clear "
                "filters</a></div>\n</form>\n");
}

/* The filters in words, for the heading's lead. */
static const char *describe(page_ctx *c, const filters *f)
{
    buf b = BUF_INIT;
    buf_puts(&b, f->status && *f->status ? f->status : "open");
    buf_puts(&b, " findings");
    if (f->team && *f->team) buf_printf(&b, " of team %s", f->team);
    if (f->account && *f->account) buf_printf(&b, " in account %s", f->account);
    if (f->env && *f->env) buf_printf(&b, " in %s", f->env);
    if (f->policy && *f->policy) buf_printf(&b, " from check %s", f->policy);
    if (f->severity && *f->severity) buf_printf(&b, ", %s or worse", f->severity);
    const char *out = arena_strdup(c->a, b.data);
    buf_free(&b);
    return out;
}

void page_findings(page_ctx *c)
{
    filters f;
    if (read_filters(c, &f) < 0) return;
    stored_account *acc;
    size_t nacc;
    list_result r;
    if (store_accounts(c->st, c->a, &acc, &nacc) < 0 || load_list(c, &f.q, &r) < 0) {
        page_store_error(c);
        return;
    }
    if (c->json) {
        jw w;
        page_json_begin(c, &w);
        jw_obj(&w);
        jw_key(&w, "filters");
        jw_obj(&w);
        jw_kstr(&w, "team", f.team);
        jw_kstr(&w, "account", f.account);
        jw_kstr(&w, "env", f.env);
        jw_kstr(&w, "policy", f.policy);
        jw_kstr(&w, "severity", f.severity);
        jw_kstr(&w, "status", f.status);
        jw_end(&w);
        json_list(c, &w, &r, f.page, filters_base(c, "/findings", &f));
        jw_end(&w);
        buf_putc(c->out, '\n');
        return;
    }
    const char *words = describe(c, &f);
    page_begin(c, "Findings", NAV_FINDINGS);
    html_printf(c->out, "<h1>Findings</h1>\n<p class=\"lead\">%s %s.</p>\n", total_text(c, &r),
                words);
    html_filter_form(c, &f, acc, nacc);
    html_list(c, &r, f.page, filters_base(c, "/findings", &f),
              arena_sprintf(c->a, "No %s - last scan %s.", words,
                            web_when(c->a, web_last_scan(acc, nacc), c->now)));
    page_end(c);
}
