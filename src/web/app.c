/* app.c - request dispatch and the rules around every page; see app.h.
 *
 * Access rules live here, in one place, before any page runs, so a page
 * cannot forget them: a page handler for a POST is only reached with
 * writes enabled and a valid session + CSRF token or Bearer token.
 *
 * Store handles: a pool with one handle per worker thread, opened at
 * start (so a bad --db fails `serve` at once, not at the first request).
 * A request borrows one under a mutex; with as many handles as workers
 * the wait never happens, but the pool stays correct if the HTTP library
 * ever runs more handlers at once than it was told.
 */
#include "web/app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/assets.h"
#include "web/auth.h"
#include "web/page.h"
#include "web/parse.h"
#include "web/router.h"

struct web_app {
    char *title;
    char *url; /* redacted, for the footer */
    bool writes;
    int64_t as_of, stale_after;
    FILE *log;
    web_auth *auth;
    store **pool;
    bool *busy;
    size_t npool;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

enum {
    R_OVERVIEW,
    R_TEAM,
    R_ACCOUNT,
    R_FINDINGS,
    R_FINDING,
    R_FINDING_ALIAS,
    R_SUPPRESS,
    R_UNSUPPRESS,
    R_TRENDS,
    R_AUDIT,
    R_HEALTHZ,
    R_STATIC,
    R_FAVICON,
    R_LOGIN_FORM,
    R_LOGIN,
    R_LOGOUT,
};

static const web_route ROUTES[] = {
    {"GET", "/", R_OVERVIEW},
    {"GET", "/team/*", R_TEAM},
    {"GET", "/account/*", R_ACCOUNT},
    {"GET", "/findings", R_FINDINGS},
    {"GET", "/findings/*", R_FINDING_ALIAS}, /* the links notifications carry */
    {"GET", "/finding/*", R_FINDING},
    {"POST", "/finding/*/suppress", R_SUPPRESS},
    {"POST", "/finding/*/unsuppress", R_UNSUPPRESS},
    {"GET", "/trends", R_TRENDS},
    {"GET", "/audit", R_AUDIT},
    {"GET", "/healthz", R_HEALTHZ},
    {"GET", "/static/*", R_STATIC},
    {"GET", "/favicon.ico", R_FAVICON},
    {"GET", "/login", R_LOGIN_FORM},
    {"POST", "/login", R_LOGIN},
    {"POST", "/logout", R_LOGOUT},
};
#define NROUTES (sizeof ROUTES / sizeof ROUTES[0])

static int fail(char **err, const char *msg, const char *detail)
{
    if (asprintf(err, "%s%s%s", msg, detail ? ": " : "", detail ? detail : "") < 0) *err = NULL;
    return -1;
}

int web_app_new(const web_app_opts *o, web_app **out, char **err)
{
    *out = NULL;
    *err = NULL;
    web_app *app = calloc(1, sizeof *app);
    if (!app) return fail(err, "out of memory", NULL);
    app->title = strdup(o->title && *o->title ? o->title : "custos");
    app->writes = o->allow_writes;
    app->as_of = o->as_of;
    app->stale_after = o->stale_after;
    app->log = o->log;
    pthread_mutex_init(&app->mu, NULL);
    pthread_cond_init(&app->cv, NULL);
    app->npool = (size_t)(o->threads > 0 ? o->threads : 1);
    app->pool = calloc(app->npool, sizeof *app->pool);
    app->busy = calloc(app->npool, sizeof *app->busy);
    *out = app;
    if (o->allow_writes) {
        if (!o->token_file) return fail(err, "--allow-writes needs --token-file FILE", NULL);
        if (web_auth_new(o->token_file, &app->auth, err) < 0) return -1;
    }
    /* The first open creates and migrates the store; the others find it
     * ready, so they never race on the schema. */
    for (size_t i = 0; i < app->npool; i++)
        if (store_open(o->db_url, &app->pool[i], err) < 0) return -1;
    app->url = strdup(store_url(app->pool[0]));
    return 0;
}

void web_app_free(web_app *app)
{
    if (!app) return;
    for (size_t i = 0; i < app->npool; i++)
        store_close(app->pool[i]);
    free(app->pool);
    free(app->busy);
    web_auth_free(app->auth);
    pthread_mutex_destroy(&app->mu);
    pthread_cond_destroy(&app->cv);
    free(app->title);
    free(app->url);
    free(app);
}

const char *web_app_store_url(const web_app *app)
{
    return app->url;
}

static size_t borrow(web_app *app)
{
    pthread_mutex_lock(&app->mu);
    for (;;) {
        for (size_t i = 0; i < app->npool; i++)
            if (!app->busy[i]) {
                app->busy[i] = true;
                pthread_mutex_unlock(&app->mu);
                return i;
            }
        pthread_cond_wait(&app->cv, &app->mu);
    }
}

static void give_back(web_app *app, size_t i)
{
    pthread_mutex_lock(&app->mu);
    app->busy[i] = false;
    pthread_cond_signal(&app->cv);
    pthread_mutex_unlock(&app->mu);
}

/* ---- static files and health --------------------------------------- */

static void serve_static(page_ctx *c)
{
    const web_asset *as = web_asset_find(c->arg[0]);
    if (!as) {
        page_error(c, 404, "Not found", "There is no such file.");
        return;
    }
    web_resp_header(c->rs, "ETag", arena_strdup(c->a, as->etag));
    web_resp_header(c->rs, "Cache-Control", "no-cache");
    if (c->rq->if_none_match && !strcmp(c->rq->if_none_match, as->etag)) {
        c->rs->status = 304;
        return;
    }
    c->rs->content_type = as->type;
    buf_append(c->out, as->body, as->len);
}

static void healthz(page_ctx *c)
{
    stored_scan *scans;
    size_t n;
    bool ok = store_scans(c->st, 1, c->a, &scans, &n) == 0;
    c->rs->status = ok ? 200 : 503;
    if (c->json) {
        jw w;
        page_json_begin(c, &w);
        jw_obj(&w);
        jw_key(&w, "ok");
        jw_bool(&w, ok);
        jw_kstr(&w, "store", c->store_url);
        jw_key(&w, "last_scan");
        jw_time(&w, ok && n ? scans[0].at : 0);
        if (!ok) jw_kstr(&w, "error", store_error(c->st));
        jw_end(&w);
        return;
    }
    c->rs->content_type = "text/plain; charset=utf-8";
    buf_puts(c->out, ok ? "ok\n" : "store unavailable\n");
}

/* ---- access rules ---------------------------------------------------- */

static void load_session(web_app *app, page_ctx *c, char *csrf, char *name)
{
    if (!app->auth) return;
    const char *sid = web_kv_get(&c->rq->cookies, "custos_session");
    if (sid && web_auth_session(app->auth, sid, (int64_t)time(NULL), csrf, name)) {
        c->logged_in = true;
        c->csrf = csrf;
        c->user = name;
    }
}

/* A POST's Origin, when the browser names one, must be this server.
 * "null" names none: browsers send it for same-origin form posts under
 * our Referrer-Policy: no-referrer, so it cannot be refused; the CSRF token
 * and the SameSite=Strict cookie are what protect those. */
static bool same_origin(const web_req *rq)
{
    if (!rq->origin || !strcmp(rq->origin, "null")) return true;
    if (!rq->host) return false;
    size_t n = strlen(rq->host);
    return !strncmp(rq->origin, "http://", 7) && !strncmp(rq->origin + 7, rq->host, n) &&
           rq->origin[7 + n] == '\0';
}

/* Whether a POST may run; answers 401/403 itself when not. */
static bool may_post(web_app *app, page_ctx *c, int route)
{
    if (!same_origin(c->rq)) {
        page_error(c, 403, "Forbidden", "This request came from another site.");
        return false;
    }
    if (!app->writes) {
        page_error(c, 403, "Read-only dashboard",
                   "This dashboard is read-only. Start it with --allow-writes --token-file FILE "
                   "to suppress findings from the browser, or use `custos suppress`.");
        return false;
    }
    if (route == R_LOGIN) return true;
    if (c->rq->authorization) {
        const char *tok = web_bearer_token(c->a, c->rq->authorization);
        if (tok && web_auth_token_ok(app->auth, tok)) {
            c->bearer = true;
            return true;
        }
        web_resp_header(c->rs, "WWW-Authenticate", "Bearer realm=\"custos\"");
        page_error(c, 401, "Not authorised", "The Bearer token is not the dashboard's token.");
        return false;
    }
    if (!c->logged_in) {
        page_error(c, 403, "Log in first", "Log in with the dashboard's token to change findings.");
        return false;
    }
    const char *given = web_kv_get(&c->rq->form, "csrf");
    if (!given || !web_ct_equal(given, c->csrf)) {
        page_error(c, 403, "Form expired",
                   "The form's security token is missing or wrong. Reload the page and try again.");
        return false;
    }
    return true;
}

/* ---- dispatch -------------------------------------------------------- */

static void finding_alias(page_ctx *c)
{
    const char *fp = c->arg[0];
    buf loc = BUF_INIT;
    html_printf(&loc, "%r/finding/%u", c->json ? "/api" : "", fp);
    page_redirect(c, arena_strdup(c->a, loc.data));
    c->rs->status = 301;
    buf_free(&loc);
}

static void run_page(page_ctx *c, int route)
{
    switch (route) {
    case R_OVERVIEW:
        page_overview(c);
        break;
    case R_TEAM:
        page_team(c);
        break;
    case R_ACCOUNT:
        page_account(c);
        break;
    case R_FINDINGS:
        page_findings(c);
        break;
    case R_FINDING:
        page_finding(c);
        break;
    case R_FINDING_ALIAS:
        finding_alias(c);
        break;
    case R_SUPPRESS:
        page_suppress(c);
        break;
    case R_UNSUPPRESS:
        page_unsuppress(c);
        break;
    case R_TRENDS:
        page_trends(c);
        break;
    case R_AUDIT:
        page_audit(c);
        break;
    case R_HEALTHZ:
        healthz(c);
        break;
    case R_LOGIN_FORM:
        page_login_form(c);
        break;
    case R_LOGIN:
        page_login(c);
        break;
    case R_LOGOUT:
        page_logout(c);
        break;
    default:
        page_error(c, 404, "Page not found", "There is no page at this address.");
    }
}

static bool needs_store(int route)
{
    return route != R_STATIC && route != R_FAVICON && route != R_FINDING_ALIAS &&
           route != R_LOGIN_FORM && route != R_LOGIN && route != R_LOGOUT;
}

static void route_request(web_app *app, page_ctx *c)
{
    web_req *rq = c->rq;
    char **seg = rq->seg;
    size_t nseg = rq->nseg;
    bool api = nseg > 0 && !strcmp(seg[0], "api");
    if (api) seg++, nseg--;
    c->json = api || web_accept_json(rq->accept);
    if (!api) web_resp_header(c->rs, "Vary", "Accept");
    route_match m;
    route_result r = web_route_find(ROUTES, NROUTES, rq->method, seg, nseg, &m);
    if (r == ROUTE_FOUND && api &&
        (m.route->id == R_STATIC || m.route->id == R_FAVICON || m.route->id == R_LOGIN_FORM))
        r = ROUTE_NOT_FOUND;
    if (r == ROUTE_NOT_FOUND) {
        page_error(c, 404, "Page not found",
                   "There is no page at this address. The overview lists every team and account.");
        return;
    }
    if (r == ROUTE_BAD_METHOD) {
        web_resp_header(c->rs, "Allow", arena_strdup(c->a, m.allow));
        page_error(c, 405, "Method not allowed",
                   arena_sprintf(c->a, "This address answers %s only.", m.allow));
        return;
    }
    /* m is ours; the page gets its own copy of the parameters. */
    const char **args = arena_alloc(c->a, (m.nparam + 1) * sizeof *args);
    memcpy(args, m.param, m.nparam * sizeof *args);
    c->arg = args;
    c->narg = m.nparam;
    int route = m.route->id;
    if (!strcmp(m.route->method, "POST") && !may_post(app, c, route)) return;
    if (route == R_STATIC) {
        serve_static(c);
        return;
    }
    if (route == R_FAVICON) {
        page_redirect(c, "/static/favicon.svg");
        c->rs->status = 301;
        return;
    }
    if (!needs_store(route)) {
        run_page(c, route);
        return;
    }
    size_t slot = borrow(app);
    c->st = app->pool[slot];
    run_page(c, route);
    c->st = NULL;
    give_back(app, slot);
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One access-log line; bytes that could forge lines or terminal escapes
 * are written as \xHH. */
static void log_line(FILE *f, const web_req *rq, const web_resp *rs, double ms)
{
    buf b = BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)rq->target; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '\\')
            buf_printf(&b, "\\x%02x", *p);
        else
            buf_putc(&b, (char)*p);
    }
    flockfile(f);
    fprintf(f, "%s %s %d %zu %.2fms\n", rq->method, b.data ? b.data : "", rs->status, rs->body.len,
            ms);
    funlockfile(f);
    buf_free(&b);
}

void web_app_handle(void *ptr, web_req *rq, web_resp *rs)
{
    web_app *app = ptr;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char csrf[WEB_SECRET_HEX], name[WEB_NAME_MAX];
    page_ctx c = {
        .title = app->title,
        .store_url = app->url,
        .rq = rq,
        .rs = rs,
        .out = &rs->body,
        .a = rq->a,
        .now = app->as_of ? app->as_of : (int64_t)time(NULL),
        .writes = app->writes,
        .auth = app->auth,
        .stale_after = app->stale_after,
    };
    if (rq->bad) {
        c.json = rq->nseg > 0 && !strcmp(rq->seg[0], "api");
        page_error(&c, 400, "Bad request",
                   "The address or form could not be read (a malformed %-escape, a control "
                   "character, or too many parameters).");
    } else {
        load_session(app, &c, csrf, name);
        route_request(app, &c);
    }
    double ms = elapsed_ms(&t0);
    web_resp_header(rs, "Server-Timing", arena_sprintf(rq->a, "app;dur=%.2f", ms));
    if (app->log) log_line(app->log, rq, rs, ms);
}
