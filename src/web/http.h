/* http.h - the HTTP server: libmicrohttpd behind a small request/response API.
 *
 * web_server_start listens on one address with a pool of worker threads and
 * calls the handler once per complete request (headers and body read), on
 * a worker thread: handlers must be thread-safe.  The request arrives
 * parsed (parse.h): path segments, query, urlencoded form body, cookies,
 * the headers the dashboard reads.  A request whose target or body is
 * malformed still reaches the handler, with `bad` set, so that the 400
 * page is the application's like every other page; a body over max_body
 * is answered 413 here.
 *
 * Every response gets the security headers (CSP, nosniff, frame DENY,
 * no-referrer) and Cache-Control: no-store unless the handler set its
 * own, so no page can forget them.  Nothing is printed; start errors come
 * back as a malloc'd message.
 */
#ifndef CUSTOS_WEB_HTTP_H
#define CUSTOS_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"
#include "web/parse.h"

typedef struct web_req {
    arena *a;           /* lives as long as the request */
    const char *method; /* "GET", "HEAD", "POST", ... */
    const char *target; /* raw request target */
    char **seg;         /* decoded path segments */
    size_t nseg;
    web_kvlist query, form, cookies;
    const char *body; /* raw body (NUL-terminated), "" when none */
    size_t body_len;
    /* Headers (NULL when absent). */
    const char *content_type, *accept, *authorization, *host, *origin, *if_none_match;
    bool bad; /* target, query, cookies or form malformed: answer 400 */
} web_req;

#define WEB_MAX_HEADERS 8

typedef struct web_resp {
    int status;               /* 200 unless set */
    const char *content_type; /* required when body is not empty */
    buf body;
    const char *hname[WEB_MAX_HEADERS], *hval[WEB_MAX_HEADERS]; /* extra headers */
    size_t nheaders;
} web_resp;

/* Adds a header (name and value must outlive the handler call: literals or
 * the request arena).  Extra headers beyond WEB_MAX_HEADERS are dropped. */
void web_resp_header(web_resp *rs, const char *name, const char *value);

typedef void (*web_handler)(void *app, web_req *rq, web_resp *rs);

typedef struct web_server_opts {
    const char *host; /* numeric IPv4 or IPv6 address */
    int port;         /* 0 = any free port (see web_server_port) */
    int threads;      /* worker threads, >= 1 */
    size_t max_body;  /* bytes; larger bodies get 413 */
} web_server_opts;

typedef struct web_server web_server;

int web_server_start(const web_server_opts *o, web_handler h, void *app, web_server **out,
                     char **err);
int web_server_port(const web_server *s); /* the port actually bound */
void web_server_stop(web_server *s);      /* waits for requests in flight; NULL ok */

/* The headers every response carries, for tests and documentation. */
extern const char *const WEB_SECURITY_HEADERS[][2];
extern const size_t WEB_NSECURITY_HEADERS;

#endif
