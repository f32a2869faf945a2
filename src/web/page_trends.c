/* page_trends.c - /trends?team=T&days=N: "know your normal".
 *
 * Open findings per day by severity (stacked bars), new versus resolved per
 * day (paired bars), and a per-team table comparing today with a week ago,
 * so a team sees whether it is keeping up.  All from the daily counts
 * (counts.h); the findings table is never read.  The numbers behind the
 * charts are also in a table, for screen readers and for copying.
 */
#include <stdlib.h>
#include <string.h>

#include "web/counts.h"
#include "web/page.h"
#include "web/svg.h"

static bool in_team(const acc_counts *a, const void *team)
{
    return a->acc->team && !strcmp(a->acc->team, team);
}

static int64_t total_on(const counts_sum *s, int k)
{
    int64_t t = 0;
    for (int sev = 0; sev < WEB_NSEV; sev++)
        t += s->open_sev[k * WEB_NSEV + sev];
    return t;
}

static int64_t sum_last(const int64_t *v, int days, int last)
{
    int64_t t = 0;
    for (int k = days - last; k < days; k++)
        if (k >= 0) t += v[k];
    return t;
}

typedef struct team_row {
    const char *team;
    int64_t open, week_ago, new7, resolved7;
} team_row;

static team_row *team_rows(page_ctx *c, const web_counts *wc, size_t *n)
{
    team_row *rows = arena_calloc(c->a, (wc->nacc ? wc->nacc : 1) * sizeof *rows);
    *n = 0;
    for (size_t i = 0; i < wc->nacc; i++) {
        const char *t = wc->acc[i].acc->team;
        if (!t || (*n && !strcmp(rows[*n - 1].team, t))) continue;
        bool seen = false;
        for (size_t k = 0; k < *n && !seen; k++)
            seen = !strcmp(rows[k].team, t);
        if (seen) continue;
        counts_sum s;
        web_counts_sum(wc, c->a, in_team, t, &s);
        team_row *r = &rows[(*n)++];
        r->team = t;
        r->open = total_on(&s, wc->days - 1);
        r->week_ago = wc->days > 7 ? total_on(&s, wc->days - 8) : 0;
        r->new7 = sum_last(s.new_, wc->days, 7);
        r->resolved7 = sum_last(s.resolved, wc->days, 7);
    }
    return rows;
}

static void html_charts(page_ctx *c, const web_counts *wc, const counts_sum *s, const char *who)
{
    int days = wc->days;
    const char **labels = web_day_labels(wc, c->a);
    svg_series sev[WEB_NSEV];
    web_sev_series(wc, s, c->a, sev);
    buf *b = c->out;
    html_printf(b, "<section aria-labelledby=\"open-h\"><h2 id=\"open-h\">Open findings per day, "
                   "by severity</h2>\n<div class=\"chart\">");
    svg_stacked(b, sev, WEB_NSEV, (size_t)days, labels, 960, 300,
                arena_sprintf(c->a, "Open findings per day by severity, %s", who), "open findings");
    buf_puts(b, "</div></section>\n");
    int64_t *fresh_v = arena_alloc(c->a, (size_t)days * sizeof *fresh_v);
    int64_t *gone_v = arena_alloc(c->a, (size_t)days * sizeof *gone_v);
    for (int k = 0; k < days; k++) {
        bool has = web_counts_has_day(wc, k);
        fresh_v[k] = has ? s->new_[k] : SVG_NO_DATA;
        gone_v[k] = has ? s->resolved[k] : SVG_NO_DATA;
    }
    svg_series fresh = {"new", "svg-new", fresh_v}, gone = {"resolved", "svg-resolved", gone_v};
    html_printf(b, "<section aria-labelledby=\"nr-h\"><h2 id=\"nr-h\">New versus resolved per "
                   "day</h2>\n<p>Resolving at least as many as arrive keeps the backlog from "
                   "growing.</p>\n<div class=\"chart\">");
    svg_bars_pair(b, &fresh, &gone, (size_t)days, labels, 960, 260,
                  arena_sprintf(c->a, "New versus resolved findings per day, %s", who),
                  "findings per day");
    buf_puts(b, "</div></section>\n");
}

static void html_numbers(page_ctx *c, const web_counts *wc, const counts_sum *s)
{
    buf *b = c->out;
    buf_puts(b, "<details><summary>The numbers behind the charts</summary>\n<table>\n<thead><tr>"
                "<th scope=\"col\">Day</th>");
    for (int v = WEB_NSEV - 1; v >= 0; v--)
        html_printf(b, "<th scope=\"col\" class=\"num\">%s</th>", WEB_SEV_NAMES[v]);
    buf_puts(b, "<th scope=\"col\" class=\"num\">open</th><th scope=\"col\" class=\"num\">new</th>"
                "<th scope=\"col\" class=\"num\">resolved</th></tr></thead>\n<tbody>\n");
    for (int k = wc->days - 1; k >= 0; k--) {
        html_printf(b, "<tr><th scope=\"row\">%s</th>",
                    web_date(c->a, (wc->start_day + k) * 86400));
        if (!web_counts_has_day(wc, k)) {
            html_printf(b, "<td colspan=\"%d\">no scan</td></tr>\n", WEB_NSEV + 3);
            continue;
        }
        for (int v = WEB_NSEV - 1; v >= 0; v--)
            html_printf(b, "<td class=\"num\">%l</td>", s->open_sev[k * WEB_NSEV + v]);
        html_printf(b,
                    "<td class=\"num\">%l</td><td class=\"num\">%l</td><td class=\"num\">%l</td>"
                    "</tr>\n",
                    total_on(s, k), s->new_[k], s->resolved[k]);
    }
    buf_puts(b, "</tbody>\n</table>\n</details>\n");
}

static void html_teams(page_ctx *c, const web_counts *wc, const team_row *rows, size_t n)
{
    buf *b = c->out;
    buf_puts(b, "<section aria-labelledby=\"teams-h\"><h2 id=\"teams-h\">Teams this week</h2>\n"
                "<table>\n<thead><tr><th scope=\"col\">Team</th><th scope=\"col\" "
                "class=\"num\">Open now</th><th scope=\"col\" class=\"num\">A week ago</th>"
                "<th scope=\"col\" class=\"num\">New (7 days)</th><th scope=\"col\" "
                "class=\"num\">Resolved (7 days)</th><th scope=\"col\">Trend</th></tr></thead>\n"
                "<tbody>\n");
    /* "steady" means nothing when nobody looked this week. */
    bool recent = wc->last_scan && c->now - wc->last_scan <= (int64_t)7 * 86400;
    for (size_t i = 0; i < n; i++) {
        const team_row *r = &rows[i];
        const char *word = !recent                 ? "no scan this week"
                           : r->open > r->week_ago ? "growing"
                           : r->open < r->week_ago ? "shrinking"
                                                   : "steady";
        html_printf(b,
                    "<tr><th scope=\"row\"><a href=\"/trends?team=%u\">%s</a></th><td "
                    "class=\"num\">%l</td><td class=\"num\">%l</td><td class=\"num\">%l</td><td "
                    "class=\"num\">%l</td><td>%s</td></tr>\n",
                    r->team, r->team, r->open, r->week_ago, r->new7, r->resolved7, word);
    }
    buf_puts(b, "</tbody>\n</table>\n</section>\n");
}

static void html_form(page_ctx *c, const web_counts *wc, const char *team, int days)
{
    buf *b = c->out;
    buf_puts(b, "<form class=\"filters\" method=\"get\" action=\"/trends\" aria-label=\"Choose "
                "trends\">\n<div><label for=\"t-team\">Team</label><select id=\"t-team\" "
                "name=\"team\"><option value=\"\">All teams</option>");
    const char *prev = NULL;
    for (size_t i = 0; i < wc->nacc; i++) {
        const char *t = wc->acc[i].acc->team;
        if (!t || (prev && !strcmp(prev, t))) continue;
        prev = t;
        html_printf(b, "<option value=\"%s\"%r>%s</option>", t,
                    team && !strcmp(team, t) ? " selected" : "", t);
    }
    buf_puts(b, "</select></div>\n<div><label for=\"t-days\">Days</label><select id=\"t-days\" "
                "name=\"days\">");
    static const int choices[] = {7, 14, 30, 60, 90};
    for (size_t i = 0; i < 5; i++)
        html_printf(b, "<option value=\"%d\"%r>%d</option>", choices[i],
                    choices[i] == days ? " selected" : "", choices[i]);
    buf_puts(b, "</select></div>\n<div><button type=\"submit\">Show trends</button></div>\n"
                "</form>\n");
}

static void json_trends(page_ctx *c, const web_counts *wc, const counts_sum *s, const char *team,
                        const team_row *rows, size_t nrows)
{
    jw w;
    page_json_begin(c, &w);
    jw_obj(&w);
    jw_kstr(&w, "team", team);
    jw_kint(&w, "days", wc->days);
    jw_key(&w, "series");
    jw_arr(&w);
    for (int k = 0; k < wc->days; k++) {
        jw_obj(&w);
        jw_kstr(&w, "day", web_date(c->a, (wc->start_day + k) * 86400));
        jw_key(&w, "scanned"); /* false: no data that day (after the last scan) */
        jw_bool(&w, web_counts_has_day(wc, k));
        jw_key(&w, "open");
        jw_obj(&w);
        for (int v = WEB_NSEV - 1; v >= 0; v--)
            jw_kint(&w, WEB_SEV_NAMES[v], s->open_sev[k * WEB_NSEV + v]);
        jw_end(&w);
        jw_kint(&w, "open_total", total_on(s, k));
        jw_kint(&w, "new", s->new_[k]);
        jw_kint(&w, "resolved", s->resolved[k]);
        jw_kint(&w, "regressed", s->regressed[k]);
        jw_end(&w);
    }
    jw_end(&w);
    jw_key(&w, "teams");
    jw_arr(&w);
    for (size_t i = 0; i < nrows; i++) {
        jw_obj(&w);
        jw_kstr(&w, "team", rows[i].team);
        jw_kint(&w, "open", rows[i].open);
        jw_kint(&w, "open_week_ago", rows[i].week_ago);
        jw_kint(&w, "new_7d", rows[i].new7);
        jw_kint(&w, "resolved_7d", rows[i].resolved7);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    buf_putc(c->out, '\n');
}

void page_trends(page_ctx *c)
{
    const char *team = web_kv_get(&c->rq->query, "team");
    if (team && !*team) team = NULL;
    const char *ds = web_kv_get(&c->rq->query, "days");
    int days = WEB_TREND_DAYS;
    if (ds && *ds) {
        char *end;
        long v = strtol(ds, &end, 10);
        if (*end || v < 7 || v > 90) {
            page_error(c, 400, "Bad number of days", "days must be a whole number from 7 to 90.");
            return;
        }
        days = (int)v;
    }
    web_counts wc;
    if (web_counts_load(c->st, c->a, c->now, days, &wc) < 0) {
        page_store_error(c);
        return;
    }
    counts_sum s;
    web_counts_sum(&wc, c->a, team ? in_team : NULL, team, &s);
    if (team && !s.naccounts) {
        page_error(
            c, 404, "No such team",
            arena_sprintf(c->a, "No scanned account belongs to a team called \"%s\".", team));
        return;
    }
    size_t nrows = 0;
    team_row *rows = team ? NULL : team_rows(c, &wc, &nrows);
    if (c->json) {
        json_trends(c, &wc, &s, team, rows, nrows);
        return;
    }
    const char *who = team ? arena_sprintf(c->a, "team %s", team) : "all teams";
    page_begin(c, team ? arena_sprintf(c->a, "Trends for team %s", team) : "Trends", NAV_TRENDS);
    html_printf(c->out, "<h1>Trends%r%s</h1>\n", team ? " for team " : "", team);
    int64_t now_open = total_on(&s, days - 1), before = days > 7 ? total_on(&s, days - 8) : 0;
    html_printf(c->out,
                "<p class=\"lead\">%l open now, %l a week ago. In the last 7 days: %l new, %l "
                "resolved (%s).</p>\n",
                now_open, before, sum_last(s.new_, days, 7), sum_last(s.resolved, days, 7), who);
    html_form(c, &wc, team, days);
    if (!wc.nacc) {
        buf_puts(c->out, "<p class=\"empty\">No scans yet, so there are no trends.</p>\n");
        page_end(c);
        return;
    }
    html_charts(c, &wc, &s, who);
    html_numbers(c, &wc, &s);
    if (!team) html_teams(c, &wc, rows, nrows);
    page_end(c);
}
