/* cmd_serve.c - `custos serve`: the dashboard over the findings store.
 *
 * Safe by default: loopback only (another address needs --allow-remote),
 * read-only (writes need --allow-writes and a --token-file).  SIGINT and
 * SIGTERM are blocked in every thread and taken synchronously here with
 * sigwait, so shutdown runs in plain code (stop the server, which waits
 * for requests in flight, then close the store handles) rather than in a
 * signal handler.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "cli/opts.h"
#include "web/app.h"
#include "web/http.h"

/* "HOST:PORT", "[V6]:PORT" or "PORT" into host (static storage) and port. */
static int parse_listen(const char *s, char *host, size_t hostsz, int *port)
{
    const char *colon = NULL;
    const char *h = s;
    size_t hlen = 0;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':') return -1;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else if ((colon = strrchr(s, ':'))) {
        hlen = (size_t)(colon - s);
    }
    const char *p = colon ? colon + 1 : s;
    char *end;
    long v = strtol(p, &end, 10);
    if (!*p || *end || v < 0 || v > 65535) return -1;
    *port = (int)v;
    if (!colon) {
        snprintf(host, hostsz, "127.0.0.1");
        return 0;
    }
    if (hlen == 0 || hlen >= hostsz) return -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    if (!strcmp(host, "localhost")) snprintf(host, hostsz, "127.0.0.1");
    return 0;
}

static bool loopback(const char *host)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, host, &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host, &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

typedef struct serve_opts {
    const char *db_url, *listen, *token_file, *title, *as_of;
    bool allow_remote, allow_writes, log;
    long threads;
    int64_t stale_after;
} serve_opts;

/* Parses argv; returns 0 to run, 1 on error, 2 for --help. */
static int parse_args(int argc, char **argv, serve_opts *o)
{
    const char *stale = NULL;
    const cli_opt opts[] = {
        CLI_OPT_DB(&o->db_url),
        {"listen", 0, CLI_STR, &o->listen, "ADDR",
         "where to listen: HOST:PORT, [IPV6]:PORT or PORT\n(default 127.0.0.1:8080; port 0 "
         "picks a free one)"},
        {"allow-remote", 0, CLI_FLAG, &o->allow_remote, NULL,
         "allow a --listen address other than loopback (the\ndashboard shows every finding to "
         "whoever connects;\nput TLS and access control in front of it)"},
        {"allow-writes", 0, CLI_FLAG, &o->allow_writes, NULL,
         "allow suppressing and unsuppressing findings from the\ndashboard; needs --token-file"},
        {"token-file", 0, CLI_STR, &o->token_file, "FILE",
         "the secret for writes (one line, 16+ characters, file\nmode 600): typed once on "
         "/login, or sent by API\nclients as 'Authorization: Bearer TOKEN'"},
        {"threads", 0, CLI_NUM, &o->threads, "N",
         "worker threads, each with its own store connection\n(default 4)"},
        {"dashboard-title", 0, CLI_STR, &o->title, "T",
         "the title on every page (default: custos)"},
        {"as-of", 0, CLI_STR, &o->as_of, "DATE", "the clock for ages and expiries (default: now)"},
        {"stale-after", 0, CLI_STR, &stale, "AGE",
         "warn on every page when the last scan is older than\nAGE (e.g. 26h, 2d; default 2d; 0 = "
         "never)"},
        {"log", 0, CLI_FLAG, &o->log, NULL, "one line per request on stderr"},
        {0},
    };
    const cli_command cmd = {
        "serve",
        "usage: custos serve [--db URL] [--listen ADDR] [--allow-writes --token-file FILE]\n"
        "                    [--threads N] [--dashboard-title TEXT] [options]\n"
        "\n"
        "Serves the dashboard: every account by team, each team's worst finding, lists\n"
        "of findings with their fixes, one finding with its runbook and history, and\n"
        "trends.  Every page is also JSON (Accept: application/json, or /api/...).\n",
        opts,
        0,
        NULL,
        "Prints the dashboard's URL, then serves until SIGINT (Ctrl-C) or SIGTERM.\n"
        "Exit status: 0 stopped cleanly, 1 error.\n"};
    cli_parse_rc pr = cli_parse(&cmd, argc, argv, NULL, NULL);
    if (pr != CLI_OK) return pr == CLI_EXIT_OK ? 2 : 1;
    if (o->threads < 1 || o->threads > 64) {
        fprintf(stderr, "custos serve: --threads must be 1 to 64\n");
        return 1;
    }
    if (stale && !strcmp(stale, "0")) {
        o->stale_after = 0;
    } else if (stale && cli_parse_duration(stale, &o->stale_after) < 0) {
        fprintf(stderr, "custos serve: --stale-after '%s' is not a duration (e.g. 26h, 2d)\n",
                stale);
        return 1;
    }
    if (o->allow_writes && !o->token_file) {
        fprintf(stderr, "custos serve: --allow-writes needs --token-file FILE\n");
        return 1;
    }
    if (o->token_file && !o->allow_writes) {
        fprintf(stderr, "custos serve: --token-file is only used with --allow-writes\n");
        return 1;
    }
    return 0;
}

static int serve(const serve_opts *o, const char *host, int port, int64_t now)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    /* Before any thread starts, so every worker inherits the mask. */
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    web_app_opts ao = {.db_url = cli_db_url(o->db_url),
                       .title = o->title,
                       .allow_writes = o->allow_writes,
                       .token_file = o->token_file,
                       .threads = (int)o->threads,
                       .as_of = o->as_of ? now : 0,
                       .stale_after = o->stale_after,
                       .log = o->log ? stderr : NULL};
    web_app *app = NULL;
    web_server *srv = NULL;
    char *err = NULL;
    int rc = 1;
    /* Read-only: a mistyped --db must not start a dashboard of an empty,
     * freshly created store that looks like "all clear". */
    if (!o->allow_writes && cli_store_must_exist("serve", ao.db_url) < 0) goto done;
    if (web_app_new(&ao, &app, &err) < 0) {
        fprintf(stderr, "custos serve: %s\n", err ? err : "cannot start");
        goto done;
    }
    web_server_opts so = {
        .host = host, .port = port, .threads = (int)o->threads, .max_body = (size_t)64 * 1024};
    if (web_server_start(&so, web_app_handle, app, &srv, &err) < 0) {
        fprintf(stderr, "custos serve: %s\n", err ? err : "cannot start the HTTP server");
        goto done;
    }
    bool v6 = strchr(host, ':') != NULL;
    printf("custos serve: http://%s%s%s:%d/ (%s)\n", v6 ? "[" : "", host, v6 ? "]" : "",
           web_server_port(srv),
           o->allow_writes ? "writes enabled: log in with the token" : "read-only");
    printf("custos serve: findings store %s; Ctrl-C to stop\n", web_app_store_url(app));
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "custos serve: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    rc = 0;
done:
    web_server_stop(srv);
    web_app_free(app);
    free(err);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    serve_opts o = {.listen = "127.0.0.1:8080", .threads = 4, .stale_after = (int64_t)2 * 86400};
    int pr = parse_args(argc, argv, &o);
    if (pr) return pr == 2 ? 0 : 1;
    char host[64];
    int port;
    if (parse_listen(o.listen, host, sizeof host, &port) < 0) {
        fprintf(stderr, "custos serve: --listen '%s' is not HOST:PORT, [IPV6]:PORT or PORT\n",
                o.listen);
        return 1;
    }
    if (!loopback(host) && !o.allow_remote) {
        fprintf(stderr,
                "custos serve: %s is not a loopback address; the dashboard shows every finding "
                "to whoever can connect. Add --allow-remote if that is what you want (and put "
                "TLS and access control in front of it).\n",
                host);
        return 1;
    }
    int64_t now = 0;
    if (o.as_of && cli_clock("serve", o.as_of, &now) < 0) return 1;
    return serve(&o, host, port, now);
}
