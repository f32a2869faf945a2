/* page_overview.c - "/": every account as a tile, grouped by team, and each
 * team's worst open finding.
 *
 * Cost does not grow with the number of findings: tiles come from the
 * accounts table and the daily counts (counts.h: each account's open
 * counts by severity, its highest open priority and a 30-day series), and
 * the worst finding of a team is one `ORDER BY priority DESC LIMIT 1`
 * query per team.  Teams and accounts are ordered by need: the highest
 * open priority first, so the top of the page is where help is needed.
 */
#include <stdlib.h>
#include <string.h>

#include "output/run_status.h"
#include "web/counts.h"
#include "web/page.h"
#include "web/svg.h"

typedef acc_counts acc_state;

typedef struct team_group {
    const char *team; /* NULL: accounts without a team */
    acc_state **acc;
    size_t nacc;
    int64_t open, max_priority;
    stored_finding *worst; /* NULL when nothing is open */
    const char *colour;
} team_group;

typedef struct overview {
    web_counts counts;
    team_group *teams;
    size_t nteams;
    int64_t open;
    stored_gap *gaps; /* what the latest scans could not collect */
    size_t ngaps;
    stored_run *runs; /* the newest runs of shards */
    size_t nruns;
    run_view run;
} overview;

static const char *const *const SEV_NAMES = WEB_SEV_NAMES;

static int by_need(const void *x, const void *y)
{
    const acc_state *a = *(acc_state *const *)x, *b = *(acc_state *const *)y;
    if (a->max_priority != b->max_priority) return a->max_priority > b->max_priority ? -1 : 1;
    if (a->open != b->open) return a->open > b->open ? -1 : 1;
    const char *na = a->acc->name ? a->acc->name : a->acc->account_id;
    const char *nb = b->acc->name ? b->acc->name : b->acc->account_id;
    return strcmp(na, nb);
}

static int team_by_need(const void *x, const void *y)
{
    const team_group *a = x, *b = y;
    if (a->max_priority != b->max_priority) return a->max_priority > b->max_priority ? -1 : 1;
    if (!a->team || !b->team) return a->team ? -1 : b->team ? 1 : 0;
    return strcmp(a->team, b->team);
}

static bool same_team(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The worst open finding of a team (or of the team-less accounts). */
static int load_worst(page_ctx *c, team_group *t)
{
    finding_query q = {.min_severity = -1, .now = c->now, .limit = 1};
    const char **ids = NULL;
    if (t->team) {
        q.teams = &t->team;
        q.n_teams = 1;
    } else {
        ids = arena_alloc(c->a, t->nacc * sizeof *ids);
        for (size_t i = 0; i < t->nacc; i++)
            ids[i] = t->acc[i]->acc->account_id;
        q.accounts = ids;
        q.n_accounts = t->nacc;
    }
    stored_finding *f;
    size_t n;
    if (store_findings(c->st, &q, c->a, &f, &n) < 0) return -1;
    t->worst = n ? f : NULL;
    return 0;
}

static int build(page_ctx *c, overview *ov)
{
    if (web_counts_load(c->st, c->a, c->now, WEB_TREND_DAYS, &ov->counts) < 0 ||
        store_gaps(c->st, c->a, &ov->gaps, &ov->ngaps) < 0 ||
        store_runs(c->st, 20, c->a, &ov->runs, &ov->nruns) < 0)
        return -1;
    run_view_pick(ov->runs, ov->nruns, &ov->run);
    size_t nacc = ov->counts.nacc;
    /* store_accounts orders by team: groups are runs. */
    team_group *teams = arena_calloc(c->a, (nacc ? nacc : 1) * sizeof *teams);
    ov->teams = teams;
    for (size_t i = 0; i < nacc; i++) {
        acc_state *s = &ov->counts.acc[i];
        team_group *t = &teams[ov->nteams ? ov->nteams - 1 : 0];
        if (!ov->nteams || !same_team(t->team, s->acc->team)) {
            t = &teams[ov->nteams++];
            t->team = s->acc->team;
            t->acc = arena_alloc(c->a, nacc * sizeof *t->acc);
        }
        t->acc[t->nacc++] = s;
        t->open += s->open;
        if (s->open && s->max_priority > t->max_priority) t->max_priority = s->max_priority;
        ov->open += s->open;
    }
    for (size_t i = 0; i < ov->nteams; i++) {
        team_group *t = &ov->teams[i];
        qsort(t->acc, t->nacc, sizeof *t->acc, by_need);
        t->colour = web_status_colour(t->max_priority, t->open);
        if (load_worst(c, t) < 0) return -1;
    }
    qsort(ov->teams, ov->nteams, sizeof *ov->teams, team_by_need);
    return 0;
}

/* Open findings per day over every severity. */
static int64_t *open_series(page_ctx *c, const acc_state *s, int days)
{
    int64_t *v = arena_calloc(c->a, (size_t)days * sizeof *v);
    for (int k = 0; k < days; k++)
        for (int i = 0; i < WEB_NSEV; i++)
            v[k] += s->open_sev[k * WEB_NSEV + i];
    return v;
}

/* ---- JSON ------------------------------------------------------------ */

static void json_account(page_ctx *c, jw *w, const overview *ov, const acc_state *s)
{
    jw_obj(w);
    jw_kstr(w, "account", s->acc->account_id);
    jw_kstr(w, "name", s->acc->name);
    jw_kstr(w, "team", s->acc->team);
    jw_kstr(w, "environment", s->acc->environment);
    jw_kstr(w, "url", arena_sprintf(c->a, "/account/%s", s->acc->account_id));
    jw_kstr(w, "status", s->colour);
    jw_kint(w, "open", s->open);
    jw_kint(w, "max_priority", s->max_priority);
    jw_key(w, "by_severity");
    jw_obj(w);
    for (int k = 4; k >= 0; k--)
        jw_kint(w, SEV_NAMES[k], s->sev[k]);
    jw_end(w);
    jw_key(w, "last_scan");
    jw_time(w, s->acc->last_scan_at);
    jw_key(w, "trend");
    jw_arr(w);
    const int64_t *series = open_series(c, s, ov->counts.days);
    for (int k = 0; k < ov->counts.days; k++) {
        jw_obj(w);
        jw_kstr(w, "day", web_date(c->a, (ov->counts.start_day + k) * 86400));
        jw_kint(w, "open", series[k]);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

/* A run of shards for /api: null when there is none. */
static void json_run(jw *w, const char *key, const stored_run *r)
{
    jw_key(w, key);
    if (!r) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    jw_kstr(w, "id", r->id);
    jw_kint(w, "shards", r->shards);
    jw_kint(w, "recorded", r->recorded);
    jw_kint(w, "failed", r->failed);
    jw_key(w, "complete");
    jw_bool(w, r->completed_at != 0);
    jw_key(w, "started_at");
    jw_time(w, r->started_at);
    jw_key(w, "completed_at");
    if (r->completed_at)
        jw_time(w, r->completed_at);
    else
        jw_null(w);
    jw_key(w, "shard_states");
    jw_arr(w);
    for (int i = 0; i < r->shards; i++) {
        jw_obj(w);
        jw_kint(w, "shard", i);
        jw_kstr(w, "state", store_run_shard_state_name(r->shard[i].state));
        if (r->shard[i].message) jw_kstr(w, "message", r->shard[i].message);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

static void json_overview(page_ctx *c, const overview *ov)
{
    jw w;
    page_json_begin(c, &w);
    jw_obj(&w);
    jw_kstr(&w, "title", c->title);
    jw_key(&w, "now");
    jw_time(&w, c->now);
    jw_key(&w, "last_scan");
    jw_time(&w, ov->counts.last_scan);
    jw_kint(&w, "open", ov->open);
    jw_kint(&w, "accounts", (int64_t)ov->counts.nacc);
    jw_key(&w, "thresholds");
    jw_obj(&w);
    jw_kint(&w, "red", WEB_RED_AT);
    jw_kint(&w, "amber", WEB_AMBER_AT);
    jw_end(&w);
    jw_key(&w, "not_collected");
    jw_arr(&w);
    for (size_t i = 0; i < ov->ngaps; i++) {
        const scan_gap_row *g = &ov->gaps[i].g;
        jw_obj(&w);
        jw_kstr(&w, "account", g->account_id);
        jw_kstr(&w, "account_name", g->account_name);
        jw_kstr(&w, "region", g->region);
        jw_kstr(&w, "service", g->service);
        jw_kstr(&w, "operation", g->operation);
        jw_kstr(&w, "code", g->code);
        jw_kstr(&w, "message", g->message);
        jw_kint(&w, "scan", ov->gaps[i].scan_id);
        jw_end(&w);
    }
    jw_end(&w);
    json_run(&w, "run", ov->run.current);
    json_run(&w, "last_complete_run", ov->run.last_complete);
    jw_key(&w, "teams");
    jw_arr(&w);
    for (size_t i = 0; i < ov->nteams; i++) {
        const team_group *t = &ov->teams[i];
        jw_obj(&w);
        jw_kstr(&w, "team", t->team);
        jw_kstr(&w, "url", t->team ? arena_sprintf(c->a, "/team/%s", t->team) : NULL);
        jw_kstr(&w, "status", t->colour);
        jw_kint(&w, "open", t->open);
        jw_kint(&w, "max_priority", t->max_priority);
        jw_key(&w, "worst");
        if (t->worst)
            web_finding_json(c, &w, t->worst, false);
        else
            jw_null(&w);
        jw_key(&w, "accounts");
        jw_arr(&w);
        for (size_t k = 0; k < t->nacc; k++)
            json_account(c, &w, ov, t->acc[k]);
        jw_end(&w);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    buf_putc(c->out, '\n');
}

/* ---- HTML ------------------------------------------------------------ */

static const char *state_words(arena *a, const char *colour, int64_t open, int64_t prio)
{
    if (open <= 0) return "All clear: nothing open";
    if (!strcmp(colour, "red")) return arena_sprintf(a, "Act now: priority %lld", (long long)prio);
    if (!strcmp(colour, "amber"))
        return arena_sprintf(a, "Plan a fix: priority %lld", (long long)prio);
    return arena_sprintf(a, "OK: nothing above priority %lld", (long long)prio);
}

static void html_worst(page_ctx *c, const overview *ov)
{
    buf *b = c->out;
    buf_puts(b, "<section aria-labelledby=\"worst-h\">\n<h2 id=\"worst-h\">Worst open finding of "
                "each team</h2>\n<ol class=\"worst\">\n");
    size_t shown = 0;
    for (size_t i = 0; i < ov->nteams; i++) {
        const team_group *t = &ov->teams[i];
        if (!t->worst) continue;
        const stored_finding *f = t->worst;
        shown++;
        html_printf(b, "<li class=\"%s\"><strong>", t->colour);
        if (t->team)
            html_printf(b, "<a href=\"/team/%u\">%s</a>", t->team, t->team);
        else
            buf_puts(b, "No team");
        html_printf(b,
                    "</strong>: <a href=\"/finding/%u\">%s</a> <span class=\"prio\">priority "
                    "%d</span> ",
                    f->fingerprint, f->description && *f->description ? f->description : f->policy,
                    f->priority);
        web_sev_badge(b, f->severity);
        html_printf(b,
                    "<br><span class=\"meta\">%s <code>%s</code> in %s, %s &middot; open for "
                    "%s</span>",
                    f->resource_type, f->resource_id,
                    f->account_name && *f->account_name ? f->account_name : f->account_id,
                    f->region, web_age(c->a, c->now - f->first_seen));
        web_colour_why(c, f);
        web_fix_line(c, f);
        buf_puts(b, "</li>\n");
    }
    buf_puts(b, "</ol>\n");
    if (!shown)
        buf_puts(b,
                 "<p class=\"empty\">No open findings anywhere. Nothing to fix right now.</p>\n");
    buf_puts(b, "</section>\n");
}

static void html_tile(page_ctx *c, const acc_state *s)
{
    buf *b = c->out;
    const char *name = s->acc->name && *s->acc->name ? s->acc->name : s->acc->account_id;
    html_printf(b,
                "<li><a class=\"tile %s\" data-testid=\"tile\" data-status=\"%s\" "
                "href=\"/account/%u\"><span class=\"name\">%s</span><br>"
                "<span class=\"meta\">%s%r%s</span><br><span class=\"state\">%s</span>",
                s->colour, s->colour, s->acc->account_id, name, s->acc->account_id,
                s->acc->environment ? " &middot; " : "", s->acc->environment,
                state_words(c->a, s->colour, s->open, s->max_priority));
    buf_puts(b, "<span class=\"counts\">");
    if (!s->open) buf_puts(b, "0 open");
    for (int k = 4; k >= 0; k--)
        if (s->sev[k]) html_printf(b, "<span>%l %s</span> ", s->sev[k], SEV_NAMES[k]);
    buf_puts(b, "</span>");
    svg_sparkline(b, open_series(c, s, WEB_TREND_DAYS), WEB_TREND_DAYS, 240, 36,
                  arena_sprintf(c->a, "Open findings in %s, last %d days", name, WEB_TREND_DAYS));
    buf_puts(b, "</a></li>\n");
}

/* What the latest scans could not collect, said plainly: the tiles of
 * those accounts are only as complete as their data. */
static void html_gaps(page_ctx *c, const overview *ov)
{
    if (!ov->ngaps) return;
    buf *b = c->out;
    html_printf(b,
                "<section class=\"gaps\" role=\"status\" aria-labelledby=\"gaps-h\">\n<h2 "
                "id=\"gaps-h\">Not collected (%l)</h2>\n<p>custos could not read this data in "
                "the latest scan of these accounts; findings that depend on it are neither "
                "shown as fixed nor resolved.</p>\n<ul>\n",
                (int64_t)ov->ngaps);
    for (size_t i = 0; i < ov->ngaps; i++) {
        const scan_gap_row *g = &ov->gaps[i].g;
        const char *name = g->account_name && *g->account_name ? g->account_name : g->account_id;
        if (g->region && !strcmp(g->region, "*"))
            html_printf(b,
                        "<li data-testid=\"gap\">not collected: <a href=\"/account/%u\">%s</a> "
                        "(all of it): <strong>%s</strong>",
                        g->account_id, name, g->code);
        else
            html_printf(b,
                        "<li data-testid=\"gap\">not collected: <a href=\"/account/%u\">%s</a> %s "
                        "%s: <strong>%s</strong> <span class=\"meta\">(%s)</span>",
                        g->account_id, name, g->region, g->service, g->code, g->operation);
        if (g->message && *g->message)
            html_printf(b, "<br><span class=\"meta\">%s</span>", g->message);
        buf_puts(b, "</li>\n");
    }
    buf_puts(b, "</ul>\n</section>\n");
}

/* The newest run of shards when it is not complete: which shards to
 * rerun, and which run the missing shards' accounts still show. */
static void html_run(page_ctx *c, const overview *ov)
{
    const stored_run *r = ov->run.current;
    if (!r || r->completed_at) return;
    buf *b = c->out, t = BUF_INIT;
    run_status_text(r, &t);
    html_printf(b,
                "<section class=\"gaps\" role=\"status\" aria-labelledby=\"run-h\">\n<h2 "
                "id=\"run-h\">Scan in progress</h2>\n<p data-testid=\"run\">Run <strong>%s"
                "</strong>: %s.</p>\n",
                r->id, t.data);
    buf_free(&t);
    if (ov->run.last_complete) {
        char when[32];
        run_time_text(ov->run.last_complete->completed_at, when);
        html_printf(b,
                    "<p class=\"meta\">The accounts of the shards not recorded yet show the "
                    "last complete run, %s (%s).</p>\n",
                    ov->run.last_complete->id, when);
    }
    buf_puts(b, "</section>\n");
}

static void html_overview(page_ctx *c, const overview *ov)
{
    buf *b = c->out;
    page_begin(c, "Overview", NAV_OVERVIEW);
    buf_puts(b, "<h1>Security overview</h1>\n");
    html_run(c, ov);
    html_gaps(c, ov);
    if (!ov->counts.nacc) {
        html_printf(b,
                    "<div class=\"empty\"><p>No scans yet, so there is nothing to show.</p>"
                    "<p>Record one into this store with:</p><div class=\"code\"><button "
                    "type=\"button\" class=\"copy\" hidden>Copy</button><pre><code>custos scan "
                    "--inventory DIR --db %s</code></pre></div></div>\n",
                    c->store_url);
        page_end(c);
        return;
    }
    size_t nteams = 0;
    for (size_t i = 0; i < ov->nteams; i++)
        nteams += ov->teams[i].team != NULL;
    html_printf(b,
                "<p class=\"lead\">%l open findings in %l accounts of %l teams &middot; last scan "
                "%s.</p>\n<p>Colours: <strong>red</strong> means an open finding with priority %d "
                "or more (act now), <strong>amber</strong> %d to %d (plan a fix), "
                "<strong>green</strong> below %d or nothing open. Priority (0-100) weighs "
                "severity, environment and exposure: the badge (CRITICAL, HIGH...) says how bad "
                "the problem is anywhere, the colour how urgent it is here, so a critical check "
                "in a dev account can be amber; a line under such a finding says why.</p>\n",
                ov->open, (int64_t)ov->counts.nacc, (int64_t)nteams,
                web_when(c->a, ov->counts.last_scan, c->now), WEB_RED_AT, WEB_AMBER_AT,
                WEB_RED_AT - 1, WEB_AMBER_AT);
    html_worst(c, ov);
    buf_puts(b, "<section aria-labelledby=\"acc-h\">\n<h2 id=\"acc-h\">Accounts by team</h2>\n");
    for (size_t i = 0; i < ov->nteams; i++) {
        const team_group *t = &ov->teams[i];
        buf_puts(b, "<section class=\"team\">\n<h3>");
        if (t->team)
            html_printf(b, "<a href=\"/team/%u\">Team %s</a>", t->team, t->team);
        else
            buf_puts(b, "Accounts without a team");
        html_printf(b, "</h3>\n<p class=\"meta\">%l open%r</p>\n<ul class=\"tiles\">\n", t->open,
                    t->open
                        ? arena_sprintf(c->a, ", highest priority %lld", (long long)t->max_priority)
                        : "");
        for (size_t k = 0; k < t->nacc; k++)
            html_tile(c, t->acc[k]);
        buf_puts(b, "</ul>\n</section>\n");
    }
    buf_puts(b, "</section>\n");
    page_end(c);
}

void page_overview(page_ctx *c)
{
    overview ov = {0};
    if (build(c, &ov) < 0) {
        page_store_error(c);
        return;
    }
    if (c->json)
        json_overview(c, &ov);
    else
        html_overview(c, &ov);
}
