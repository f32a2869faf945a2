/* page.h - what every dashboard page shares: its request context, the
 * layout (header, navigation, footer), the error page, and the pieces more
 * than one page shows (a finding line, severity badges, ages, pagination,
 * a finding as JSON).
 *
 * A page handler reads c->rq, queries c->st and writes either HTML
 * (page_begin ... page_end) or JSON (page_json_begin ... jw_end), as
 * c->json says.  Status codes and headers go through c->rs.  Text is
 * always written with html_printf (html.h), which escapes by default.
 */
#ifndef CUSTOS_WEB_PAGE_H
#define CUSTOS_WEB_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"
#include "web/auth.h"
#include "web/html.h"
#include "web/http.h"
#include "web/jsonw.h"

/* Tile colours, by the account's highest open priority (README). */
#define WEB_RED_AT 70
#define WEB_AMBER_AT 40
#define WEB_PAGE_SIZE 50
/* Lists count matches only this far past the page shown: "10000+" reads as
 * well as an exact figure, and an exact count reads every match (seconds on
 * a store of millions), far more than the page itself. */
#define WEB_COUNT_AHEAD 10000
#define WEB_TREND_DAYS 30

typedef struct page_ctx {
    const char *title; /* dashboard title */
    const char *store_url;
    web_req *rq;
    web_resp *rs;
    buf *out; /* = &rs->body */
    store *st;
    arena *a;
    int64_t now;
    bool json;              /* answer with JSON */
    bool writes;            /* --allow-writes */
    bool logged_in;         /* a live session */
    bool bearer;            /* a valid Bearer token came with the request */
    const char *csrf;       /* the session's CSRF token, when logged in */
    const char *user;       /* the session's name, when logged in */
    web_auth *auth;         /* NULL when read-only */
    const char *const *arg; /* route parameters (decoded) */
    size_t narg;
    int64_t stale_after; /* seconds; page_begin warns when the last scan is older; 0 = never */
} page_ctx;

typedef enum { NAV_NONE, NAV_OVERVIEW, NAV_FINDINGS, NAV_TRENDS } page_nav;

/* Pages (one file each, page_*.c). */
void page_overview(page_ctx *c);
void page_team(page_ctx *c);    /* arg[0] = team */
void page_account(page_ctx *c); /* arg[0] = account id or name */
void page_findings(page_ctx *c);
void page_finding(page_ctx *c); /* arg[0] = fingerprint */
void page_suppress(page_ctx *c);
void page_unsuppress(page_ctx *c);
void page_trends(page_ctx *c);
void page_audit(page_ctx *c); /* the remediation audit log */
void page_login_form(page_ctx *c);
void page_login(page_ctx *c);
void page_logout(page_ctx *c);

/* ---- layout (layout.c) ---- */
void page_begin(page_ctx *c, const char *title, page_nav nav);
void page_end(page_ctx *c);
/* An error page (HTML or JSON) with status; detail is plain text. */
void page_error(page_ctx *c, int status, const char *title, const char *detail);
/* 303 See Other to a local path (already encoded). */
void page_redirect(page_ctx *c, const char *location);
/* Sets the JSON content type and starts a writer on c->out. */
void page_json_begin(page_ctx *c, jw *w);
/* A store error: 500 with the store's message. */
void page_store_error(page_ctx *c);

/* ---- shared pieces ---- */
const char *web_status_colour(int64_t max_priority, int64_t open); /* "red" ... */
/* "3 days", "5 hours", "12 minutes", "just now" */
const char *web_age(arena *a, int64_t seconds);
/* "2h ago" style with the date: "2 hours ago (2026-11-01 14:00 UTC)". */
const char *web_when(arena *a, int64_t at, int64_t now);
const char *web_date(arena *a, int64_t at); /* "2026-11-01" */
void web_sev_badge(buf *b, const char *severity);
/* "Fix: <prose>" with a button that copies the runbook's fix command
 * (markdown.h web_fix_command); no button when the runbook has none. */
void web_fix_line(page_ctx *c, const stored_finding *f);
/* When the colour (by priority) and the severity badge disagree (a
 * critical finding in amber), one sentence saying why; else nothing. */
void web_colour_why(page_ctx *c, const stored_finding *f);
/* One finding in a list (data-testid=finding-row). */
void web_finding_row(page_ctx *c, const stored_finding *f);
/* The reasons JSON array as strings (NULL-terminated list in the arena). */
const char **web_reasons(arena *a, const char *reasons_json, size_t *n);
/* A finding as a JSON object (the fields of `custos findings -f json` plus
 * url and age_seconds); with detail, also runbook and evidence. */
void web_finding_json(page_ctx *c, jw *w, const stored_finding *f, bool detail);
/* "Page 2 of 7" with previous/next links; base is the path plus query
 * without page (already encoded, ends with '?' or '&').  more: total is a
 * lower bound ("Page 2 of 200+"). */
void web_pager(page_ctx *c, const char *base, int64_t page, int64_t total, bool more);
/* The page number from ?page= (1 when absent); -1 when malformed. */
int64_t web_page_param(page_ctx *c);
/* The last scan's time over all accounts, 0 when none. */
int64_t web_last_scan(const stored_account *acc, size_t n);

#endif
