/* app.h - the dashboard application: routes, access rules, store handles.
 *
 * web_app_handle is the web_handler (http.h) for `custos serve`.  For each
 * request it: answers 400 for a malformed request; picks HTML or JSON
 * (the /api/ prefix, else the Accept header); routes (404, 405 with
 * Allow); enforces the write rules (auth.h: read-only -> 403 on every
 * POST; otherwise a session cookie plus its CSRF token, or a Bearer
 * token; a cross-origin Origin -> 403); borrows a store handle from a pool
 * of one per worker thread (db handles are not thread-safe) and runs the
 * page.  Pages are in page_*.c; every one has a JSON twin.
 */
#ifndef CUSTOS_WEB_APP_H
#define CUSTOS_WEB_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "web/http.h"

typedef struct web_app_opts {
    const char *db_url;
    const char *title;      /* page title; NULL = "custos" */
    bool allow_writes;      /* suppress/unsuppress from the dashboard */
    const char *token_file; /* required with allow_writes */
    int threads;            /* store handles to open (one per worker) */
    int64_t as_of;          /* the clock for ages and expiries; 0 = now */
    int64_t stale_after;    /* warn on every page when the last scan is older (s); 0 = never */
    FILE *log;              /* one line per request, or NULL */
} web_app_opts;

typedef struct web_app web_app;

/* Opens the store handles and reads the token.  Returns 0, or -1 with a
 * malloc'd message. */
int web_app_new(const web_app_opts *o, web_app **out, char **err);
void web_app_free(web_app *app);
const char *web_app_store_url(const web_app *app); /* redacted */

void web_app_handle(void *app, web_req *rq, web_resp *rs);

#endif
