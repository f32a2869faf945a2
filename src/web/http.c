/* http.c - libmicrohttpd glue; see http.h.
 *
 * Why libmicrohttpd: a small, long-maintained C library (GNU, in Debian)
 * that does the HTTP/1.1 framing, keep-alive, chunked bodies and timeouts
 * with a built-in thread pool, and nothing more; routing, parsing of
 * targets and forms, and page rendering stay in code we test and fuzz.
 *
 * We create the listening socket ourselves (then hand it to the daemon) so
 * that "address in use" and similar come back as a precise message, and
 * so port 0 works: getsockname says which port we got.
 *
 * Per-request state: the URI log callback (called once per request, before
 * headers) allocates a small record with the raw target; the access
 * handler accumulates the body into it; the completion callback frees it.
 * The handler runs on the final access call, with a fresh arena.
 */
#include "web/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

const char *const WEB_SECURITY_HEADERS[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
};
const size_t WEB_NSECURITY_HEADERS = sizeof WEB_SECURITY_HEADERS / sizeof WEB_SECURITY_HEADERS[0];

struct web_server {
    struct MHD_Daemon *d;
    int fd;
    int port;
    size_t max_body;
    web_handler h;
    void *app;
};

typedef struct conn_state {
    char *target;
    buf body;
    bool started, too_big;
} conn_state;

void web_resp_header(web_resp *rs, const char *name, const char *value)
{
    if (rs->nheaders == WEB_MAX_HEADERS) return;
    rs->hname[rs->nheaders] = name;
    rs->hval[rs->nheaders] = value;
    rs->nheaders++;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls, (void)c;
    conn_state *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->target = strdup(uri ? uri : "");
    return k;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    conn_state *k = *con_cls;
    if (!k) return;
    free(k->target);
    buf_free(&k->body);
    free(k);
    *con_cls = NULL;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, web_resp *rs)
{
    size_t len = rs->body.len;
    struct MHD_Response *r =
        len ? MHD_create_response_from_buffer(len, buf_steal(&rs->body), MHD_RESPMEM_MUST_FREE)
            : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    bool has_cache = false;
    for (size_t i = 0; i < WEB_NSECURITY_HEADERS; i++)
        MHD_add_response_header(r, WEB_SECURITY_HEADERS[i][0], WEB_SECURITY_HEADERS[i][1]);
    for (size_t i = 0; i < rs->nheaders; i++) {
        has_cache |= !strcasecmp(rs->hname[i], "Cache-Control");
        MHD_add_response_header(r, rs->hname[i], rs->hval[i]);
    }
    if (!has_cache) MHD_add_response_header(r, "Cache-Control", "no-store");
    if (rs->content_type) MHD_add_response_header(r, "Content-Type", rs->content_type);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static bool is_form(const char *ct)
{
    return ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33) &&
           (ct[33] == '\0' || ct[33] == ';' || ct[33] == ' ');
}

static void fill_request(web_req *rq, struct MHD_Connection *c, conn_state *k, const char *method)
{
    rq->method = method;
    rq->target = k->target;
    rq->content_type = header(c, "Content-Type");
    rq->accept = header(c, "Accept");
    rq->authorization = header(c, "Authorization");
    rq->host = header(c, "Host");
    rq->origin = header(c, "Origin");
    rq->if_none_match = header(c, "If-None-Match");
    rq->body = k->body.data ? k->body.data : "";
    rq->body_len = k->body.len;
    const char *query = "";
    if (web_split_target(rq->a, k->target, strlen(k->target), &rq->seg, &rq->nseg, &query) < 0 ||
        web_parse_form(rq->a, query, strlen(query), &rq->query) < 0)
        rq->bad = true;
    const char *cookie = header(c, "Cookie");
    if (cookie && web_parse_cookies(rq->a, cookie, strlen(cookie), &rq->cookies) < 0)
        rq->bad = true;
    if (is_form(rq->content_type) && web_parse_form(rq->a, rq->body, rq->body_len, &rq->form) < 0)
        rq->bad = true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)url, (void)version;
    web_server *s = cls;
    conn_state *k = *con_cls;
    if (!k) return MHD_NO; /* out of memory in on_uri */
    if (!k->started) {
        k->started = true;
        return MHD_YES;
    }
    if (*upload_size) {
        if (k->body.len + *upload_size > s->max_body)
            k->too_big = true;
        else
            buf_append(&k->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    web_resp rs = {.status = 200};
    if (k->too_big) {
        rs.status = 413;
        rs.content_type = "text/plain; charset=utf-8";
        buf_puts(&rs.body, "Request body too large.\n");
        return send_resp(c, &rs);
    }
    web_req rq = {.a = arena_new(0)};
    fill_request(&rq, c, k, method);
    s->h(s->app, &rq, &rs);
    enum MHD_Result ret = send_resp(c, &rs);
    buf_free(&rs.body);
    arena_free(rq.a);
    return ret;
}

static int listen_socket(const web_server_opts *o, int *fd_out, int *port_out, char **err)
{
    struct sockaddr_storage ss = {0};
    socklen_t sl;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, o->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)o->port);
        sl = sizeof *v4;
    } else if (inet_pton(AF_INET6, o->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)o->port);
        sl = sizeof *v6;
    } else {
        if (asprintf(err, "'%s' is not a numeric IPv4 or IPv6 address", o->host) < 0) *err = NULL;
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 128) < 0) {
        int e = errno;
        if (asprintf(err, "cannot listen on %s port %d: %s", o->host, o->port, strerror(e)) < 0)
            *err = NULL;
        if (fd >= 0) close(fd);
        return -1;
    }
    struct sockaddr_in6 got = {0}; /* large enough for either family */
    socklen_t gl = sizeof got;
    if (getsockname(fd, (struct sockaddr *)&got, &gl) < 0) got.sin6_port = htons((uint16_t)o->port);
    uint16_t port = got.sin6_port;
    if (got.sin6_family == AF_INET) memcpy(&port, &((struct sockaddr_in *)&got)->sin_port, 2);
    *port_out = ntohs(port);
    *fd_out = fd;
    return 0;
}

int web_server_start(const web_server_opts *o, web_handler h, void *app, web_server **out,
                     char **err)
{
    *out = NULL;
    *err = NULL;
    web_server *s = calloc(1, sizeof *s);
    if (!s) return -1;
    s->h = h;
    s->app = app;
    s->max_body = o->max_body;
    if (listen_socket(o, &s->fd, &s->port, err) < 0) {
        free(s);
        return -1;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC;
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET,
                            (MHD_socket)s->fd, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)(o->threads > 1 ? o->threads : 1),
                            MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                            MHD_OPTION_CONNECTION_LIMIT, (unsigned)512, MHD_OPTION_END);
    if (!s->d) {
        if (asprintf(err, "cannot start the HTTP server on %s port %d", o->host, s->port) < 0)
            *err = NULL;
        close(s->fd);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

int web_server_port(const web_server *s)
{
    return s->port;
}

void web_server_stop(web_server *s)
{
    if (!s) return;
    /* Quiescing hands the listening socket back to us, so it is closed
     * exactly once whatever the library version does on stop. */
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    MHD_stop_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    free(s);
}
