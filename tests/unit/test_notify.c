/* test_notify.c - notification rendering, routing and delivery.
 *
 * Rendering: order, counts, one-line values (no header or line injection),
 * Slack escaping, JSON validity (parsed back with json_parse), mail
 * headers (RFC 2047 subject, quoted-printable body, line lengths, CRLF),
 * URL redaction.  Routing: accounts.yaml teams/contacts/notifications,
 * labels, validation errors that never show a whole webhook URL.
 * Delivery: libcurl against tiny HTTP and SMTP servers on loopback run in
 * a thread here: headers and body arrive, a 500 is retried, a 404 is not,
 * a server that never answers times out, SMTP gets the envelope and the
 * message.  (tests/integration/test_notify.py covers the whole command.)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json/json.h"
#include "notify/deliver.h"
#include "notify/message.h"
#include "notify/route.h"
#include "t.h"

static notify_item item(const char *fp, int prio, int sev, const char *policy, const char *status)
{
    notify_item it = {.priority = prio,
                      .severity_rank = sev,
                      .policy = policy,
                      .resource_type = "aws.s3",
                      .resource_id = "bucket-1",
                      .account_id = "111122223333",
                      .account_name = "payments-prod",
                      .region = "us-east-1",
                      .status = status,
                      .fix = "Remove the public grant."};
    snprintf(it.fingerprint, sizeof it.fingerprint, "%s", fp);
    return it;
}

static bool parses(const char *text, arena *a, jv *out)
{
    json_error e;
    return json_parse(a, text, strlen(text), out, &e) == 0;
}

TEST(sort_and_subject)
{
    notify_item v[3] = {item("00000000000000aa", 40, 2, "p-medium", "new"),
                        item("00000000000000bb", 90, 4, "p-critical", "regressed"),
                        item("00000000000000cc", 70, 3, "p-high", "new")};
    notify_sort(v, 3);
    CHECK_STR(v[0].policy, "p-critical");
    CHECK_STR(v[2].policy, "p-medium");
    notify_message m = {.kind = NOTIFY_CHANGE,
                        .team = "payments",
                        .title = "team payments",
                        .min_severity = 2,
                        .items = v,
                        .n = 3};
    char *s = notify_subject(&m);
    CHECK_STR(s, "[custos] team payments: 3 new or regressed findings (1 critical, 1 high, 1 "
                 "medium)");
    free(s);
    m.n = 1;
    m.items = &v[1];
    s = notify_subject(&m);
    CHECK_STR(s, "[custos] team payments: 1 new finding (1 high)");
    free(s);
    m.kind = NOTIFY_DIGEST;
    m.day = "2026-11-01";
    s = notify_subject(&m);
    CHECK_STR(s, "[custos] daily digest for team payments, 2026-11-01: 1 open finding at or above "
                 "medium (1 high)");
    free(s);
}

TEST(text_body_lines)
{
    notify_item v[2] = {item("00000000000000bb", 90, 4, "p-critical", "new"),
                        item("00000000000000cc", 70, 3, "p-high", "regressed")};
    v[1].fix = "Line one\nSubject: injected\r\n\tand more   spaces";
    v[1].resource_name = "nice-name";
    notify_message m = {.kind = NOTIFY_CHANGE,
                        .team = "pay ments",
                        .title = "team pay ments",
                        .dashboard = "https://dash.example.com/",
                        .min_severity = 3,
                        .items = v,
                        .n = 2};
    buf b = BUF_INIT;
    notify_render(&b, &m, CONTACT_EMAIL);
    CHECK(strstr(b.data, "1. [CRITICAL] priority 90  p-critical (new)\n") != NULL);
    CHECK(strstr(b.data, "2. [HIGH] priority 70  p-high (regressed)\n") != NULL);
    CHECK(strstr(b.data, "   Fix: Line one Subject: injected and more spaces\n") != NULL);
    CHECK(strstr(b.data, "\nSubject:") == NULL);
    CHECK(strstr(b.data, "   https://dash.example.com/findings/00000000000000bb\n") != NULL);
    CHECK(strstr(b.data, "aws.s3 bucket-1 (nice-name) | account payments-prod (111122223333) | "
                         "us-east-1") != NULL);
    CHECK(strstr(b.data, "Dashboard: https://dash.example.com/findings?team=pay%20ments") != NULL);
    CHECK(strstr(b.data, "p-critical") < strstr(b.data, "p-high"));
    buf_reset(&b);
    m.dashboard = NULL;
    notify_render(&b, &m, CONTACT_EMAIL);
    CHECK(strstr(b.data, "Details: custos explain 00000000000000bb") != NULL);
    buf_free(&b);
}

TEST(text_is_capped)
{
    notify_item v[NOTIFY_TEXT_MAX + 3];
    for (size_t i = 0; i < NOTIFY_TEXT_MAX + 3; i++) {
        char fp[17];
        snprintf(fp, sizeof fp, "%016zx", i);
        v[i] = item(fp, 50, 3, "p", "new");
    }
    notify_message m = {.kind = NOTIFY_CHANGE,
                        .team = "t",
                        .title = "team t",
                        .min_severity = 3,
                        .items = v,
                        .n = NOTIFY_TEXT_MAX + 3};
    buf b = BUF_INIT;
    notify_render(&b, &m, CONTACT_EMAIL);
    CHECK(strstr(b.data, "... and 3 more") != NULL);
    buf_reset(&b);
    notify_render(&b, &m, CONTACT_WEBHOOK);
    arena *a = arena_new(0);
    jv doc;
    CHECK(parses(b.data, a, &doc));
    CHECK(jv_get(&doc, "findings") && jv_get(&doc, "findings")->len == NOTIFY_TEXT_MAX + 3);
    arena_free(a);
    buf_free(&b);
}

TEST(slack_payload)
{
    notify_item v[1] = {item("00000000000000bb", 90, 4, "p`<x>", "new")};
    v[0].resource_id = "a&b<c>";
    notify_message m = {.kind = NOTIFY_CHANGE,
                        .team = "t",
                        .title = "team t",
                        .dashboard = "https://d.example.com",
                        .min_severity = 3,
                        .items = v,
                        .n = 1};
    buf b = BUF_INIT;
    notify_render(&b, &m, CONTACT_SLACK);
    arena *a = arena_new(0);
    jv doc;
    CHECK(parses(b.data, a, &doc));
    const jv *text = jv_get(&doc, "text");
    CHECK(jv_is(text, JV_STRING));
    if (text) {
        CHECK(strstr(text->u.str, "*custos team t: 1 new finding*") != NULL);
        CHECK(strstr(text->u.str, "`a&amp;b&lt;c&gt;`") != NULL);
        CHECK(strstr(text->u.str, "`p'&lt;x&gt;`") != NULL);
        CHECK(strstr(text->u.str, "<https://d.example.com/findings/00000000000000bb|details>") !=
              NULL);
        CHECK(strstr(text->u.str, "<x>") == NULL);
    }
    arena_free(a);
    buf_free(&b);
}

TEST(webhook_json)
{
    notify_item v[2] = {item("00000000000000cc", 70, 3, "p-high", "new"),
                        item("00000000000000bb", 90, 4, "p-crit\"q", "regressed")};
    v[0].fix = NULL;
    v[0].resource_name = "bad \xff\xc3 utf-8 \xed\xa0\x80";
    notify_sort(v, 2);
    notify_message m = {.kind = NOTIFY_CHANGE,
                        .team = "payments",
                        .title = "team payments",
                        .dashboard = "https://d",
                        .min_severity = 3,
                        .items = v,
                        .n = 2};
    buf b = BUF_INIT;
    notify_render(&b, &m, CONTACT_WEBHOOK);
    arena *a = arena_new(0);
    jv doc;
    CHECK(parses(b.data, a, &doc));
    CHECK(jv_str_eq(jv_get(&doc, "team"), "payments"));
    CHECK(jv_str_eq(jv_get(&doc, "kind"), "change"));
    const jv *f = jv_get(&doc, "findings");
    CHECK(jv_is(f, JV_ARRAY) && f->len == 2);
    if (f && f->len == 2) {
        const jv *f0 = &f->u.items[0], *f1 = &f->u.items[1];
        CHECK(jv_str_eq(jv_get(f0, "policy"), "p-crit\"q"));
        CHECK(jv_str_eq(jv_get(f0, "severity"), "critical"));
        CHECK(jv_str_eq(jv_get(f0, "status"), "regressed"));
        CHECK(jv_str_eq(jv_get(f0, "url"), "https://d/findings/00000000000000bb"));
        CHECK(jv_str_eq(jv_get(f0, "resource"), "bucket-1"));
        CHECK(jv_str_eq(jv_get(f0, "account"), "111122223333"));
        CHECK(jv_str_eq(jv_get(f0, "region"), "us-east-1"));
        CHECK(jv_get(f0, "priority") && jv_get(f0, "priority")->u.num == 90);
        CHECK(jv_is(jv_get(f1, "fix"), JV_NULL));
        CHECK(jv_str_eq(jv_get(f1, "resource_name"),
                        "bad \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"));
    }
    const jv *c = jv_get(&doc, "counts");
    CHECK(c && jv_get(c, "critical")->u.num == 1 && jv_get(c, "high")->u.num == 1);
    arena_free(a);
    buf_free(&b);
}

TEST(url_redaction)
{
    buf b = BUF_INIT;
    url_redact(&b, "https://hooks.example.com/services/T000/B000/XXXXsecret?x=1");
    CHECK_STR(b.data, "https://hooks.example.com/...");
    buf_reset(&b);
    url_redact(&b, "https://user:pw@h.example.com:8443/p");
    CHECK_STR(b.data, "https://h.example.com:8443/...");
    buf_reset(&b);
    url_redact(&b, "not a url/secret");
    CHECK(strstr(b.data, "secret") == NULL);
    buf_free(&b);
}

TEST(mail_addresses)
{
    CHECK(mail_address_ok("ops@example.com"));
    CHECK(!mail_address_ok("ops@"));
    CHECK(!mail_address_ok("@example.com"));
    CHECK(!mail_address_ok("a b@example.com"));
    CHECK(!mail_address_ok("a@b\r\nBcc: x@y"));
    CHECK(!mail_address_ok("a@b@c"));
    char *s = mail_addr_spec("custos <custos@example.com>");
    CHECK_STR(s, "custos@example.com");
    free(s);
    s = mail_addr_spec("custos@example.com");
    CHECK_STR(s, "custos@example.com");
    free(s);
    CHECK(mail_addr_spec("custos <bad>") == NULL);
}

/* Every line of a header block ends in CRLF and has at most 78 characters. */
static bool lines_ok(const char *s, size_t max)
{
    for (const char *p = s; *p;) {
        const char *nl = strstr(p, "\r\n");
        if (!nl) return false;
        if ((size_t)(nl - p) > max) return false;
        for (const char *q = p; q < nl; q++)
            if (*q == '\n' || *q == '\r') return false;
        p = nl + 2;
    }
    return true;
}

TEST(mail_subject_encoding)
{
    buf b = BUF_INIT;
    mail_encode_subject(&b, "[custos] team payments: 3 new findings");
    CHECK_STR(b.data, "Subject: [custos] team payments: 3 new findings\r\n");
    buf_reset(&b);
    mail_encode_subject(&b, "[custos] team payments: a very long subject line that goes on and on "
                            "past the seventy-eight column limit of RFC 5322");
    CHECK(lines_ok(b.data, 78));
    CHECK(strstr(b.data, "\r\n ") != NULL);
    buf_reset(&b);
    /* UTF-8 team name: encoded words, none longer than 75, valid base64. */
    mail_encode_subject(&b, "[custos] équipe paiements: 3 nouvelles alertes — très urgentes, "
                            "à traiter aujourd'hui même");
    CHECK(lines_ok(b.data, 78));
    CHECK(strncmp(b.data, "Subject: =?UTF-8?B?", 19) == 0);
    CHECK(strstr(b.data, "\r\n =?UTF-8?B?") != NULL);
    for (const char *p = b.data; (p = strstr(p, "=?UTF-8?B?")); p++) {
        const char *end = strstr(p + 10, "?=");
        CHECK(end && end - p + 2 <= 75);
    }
    buf_reset(&b);
    mail_encode_subject(&b, "injected\r\nBcc: victim@example.com");
    CHECK_STR(b.data, "Subject: injected Bcc: victim@example.com\r\n");
    buf_free(&b);
}

TEST(mail_quoted_printable)
{
    buf b = BUF_INIT;
    mail_qp_encode(&b, "plain line\nend space \na=b caf\xc3\xa9\n");
    CHECK_STR(b.data, "plain line\r\nend space=20\r\na=3Db caf=C3=A9\r\n");
    buf_reset(&b);
    char longline[400];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    mail_qp_encode(&b, longline);
    CHECK(lines_ok(b.data, 76));
    /* Decoding gives the text back. */
    size_t xs = 0;
    for (const char *p = b.data; *p; p++)
        xs += *p == 'x';
    CHECK(xs == sizeof longline - 1);
    buf_free(&b);
}

TEST(mail_compose_headers)
{
    buf b = BUF_INIT;
    mail_header h = {.from = "custos <custos@example.com>",
                     .to = "ops@example.com",
                     .subject = "[custos] team é: 1 new finding",
                     .date = 1793491200,
                     .delivery_id = 42};
    CHECK(mail_compose(&b, &h, "hello\n.\nbye\n") == 0);
    CHECK(strstr(b.data, "Date: Sun, 01 Nov 2026 00:00:00 +0000\r\n") != NULL);
    CHECK(strstr(b.data, "From: custos <custos@example.com>\r\nTo: ops@example.com\r\n") != NULL);
    CHECK(strstr(b.data, "Message-ID: <custos.delivery.42.1793491200@example.com>\r\n") != NULL);
    CHECK(strstr(b.data, "X-Custos-Delivery: 42\r\n") != NULL);
    CHECK(strstr(b.data, "Content-Type: text/plain; charset=utf-8\r\n") != NULL);
    CHECK(
        strstr(b.data, "Content-Transfer-Encoding: quoted-printable\r\n\r\nhello\r\n.\r\nbye\r\n"));
    char *hdr_end = strstr(b.data, "\r\n\r\n");
    CHECK(hdr_end != NULL);
    if (hdr_end) {
        hdr_end[2] = '\0';
        CHECK(lines_ok(b.data, 78));
    }
    buf_reset(&b);
    h.to = "x@y\r\nBcc: z@w";
    CHECK(mail_compose(&b, &h, "x") == -1);
    h.to = "ops@example.com";
    h.from = "bad";
    CHECK(mail_compose(&b, &h, "x") == -1);
    buf_free(&b);
}

/* ---- routing ---- */

static char tmpdir[64];

static inventory *inv_with(const char *yaml, diag_list *d)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/custos-notify-XXXXXX");
    if (!mkdtemp(tmpdir)) return NULL;
    char path[128];
    snprintf(path, sizeof path, "%s/accounts.yaml", tmpdir);
    FILE *f = fopen(path, "w");
    if (!f) return NULL;
    fputs(yaml, f);
    fclose(f);
    inventory *inv = NULL;
    int rc = inventory_open(tmpdir, NULL, &inv, d);
    unlink(path);
    rmdir(tmpdir);
    return rc == 0 ? inv : (inventory_close(inv), NULL);
}

TEST(routes_from_accounts_yaml)
{
    diag_list d = DIAG_LIST_INIT;
    inventory *inv =
        inv_with("notifications: {smtp_url: 'smtp://127.0.0.1:25', min_severity: medium}\n"
                 "teams:\n"
                 "  payments:\n"
                 "    contacts:\n"
                 "      email: [pay@example.com, pay2@example.com]\n"
                 "      webhook: https://hooks.example.com/services/pay/SECRET\n"
                 "      slack: [https://hooks.slack.com/a, https://hooks.slack.com/b]\n"
                 "accounts:\n"
                 "  - {id: '111111111111', name: pay-prod, team: payments}\n"
                 "  - {id: '111111111112', name: pay-dev, team: payments}\n"
                 "  - {id: '222222222222', name: search-prod, team: search,\n"
                 "     contacts: {email: search@example.com}}\n"
                 "  - {id: '333333333333', name: network,\n"
                 "     contacts: {webhook: 'https://sec.example.com/hook'}}\n"
                 "  - {id: '444444444444', name: lonely}\n",
                 &d);
    CHECK(inv != NULL);
    if (!inv) {
        diag_print(&d, stdout);
        diag_free(&d);
        return;
    }
    arena *a = arena_new(0);
    route_table rt;
    CHECK(route_build(inv, a, &rt, &d) == 0);
    diag_print(&d, stdout);
    CHECK(rt.n == 4);
    CHECK_STR(rt.settings.smtp_url, "smtp://127.0.0.1:25");
    CHECK_STR(rt.settings.min_severity, "medium");
    const route_group *g = route_group_find(&rt, "payments");
    CHECK(g && g->n == 5);
    if (g && g->n == 5) {
        CHECK_STR(g->contacts[0].label, "email:pay@example.com");
        CHECK_STR(g->contacts[1].label, "email:pay2@example.com");
        CHECK_STR(g->contacts[2].label, "webhook");
        CHECK(g->contacts[2].kind == CONTACT_WEBHOOK);
        CHECK_STR(g->contacts[3].label, "slack");
        CHECK_STR(g->contacts[4].label, "slack#2");
        CHECK_STR(g->contacts[4].target, "https://hooks.slack.com/b");
        CHECK(route_contact_find(g, "slack#2") == &g->contacts[4]);
        CHECK_STR(g->title, "team payments");
    }
    g = route_group_find(&rt, "search");
    CHECK(g && g->n == 1 && !strcmp(g->contacts[0].target, "search@example.com"));
    g = route_group_find(&rt, "account:333333333333");
    CHECK(g && g->n == 1 && g->contacts[0].kind == CONTACT_WEBHOOK);
    CHECK(g && !strcmp(g->title, "account network (333333333333)"));
    g = route_group_find(&rt, "account:444444444444");
    CHECK(g && g->n == 0);
    CHECK_STR(route_key(a, NULL, "333333333333"), "account:333333333333");
    CHECK_STR(route_key(a, "payments", "111111111111"), "payments");
    arena_free(a);
    inventory_close(inv);
    diag_free(&d);
}

TEST(route_errors)
{
    diag_list d = DIAG_LIST_INIT;
    inventory *inv =
        inv_with("notifications: {smtp_server: x, min_severity: 3}\n"
                 "teams:\n"
                 "  payments:\n"
                 "    contacts: {email: not-an-address, webhook: 'ftp://h/SECRETPATH', pager: x}\n"
                 "accounts:\n"
                 "  - {id: '111111111111', team: payments}\n",
                 &d);
    CHECK(inv != NULL);
    if (!inv) return;
    arena *a = arena_new(0);
    route_table rt;
    CHECK(route_build(inv, a, &rt, &d) == -1);
    CHECK(d.n == 5);
    bool secret = false, unknown_key = false, kind = false;
    for (size_t i = 0; i < d.n; i++) {
        secret |= strstr(d.items[i].msg, "SECRETPATH") != NULL;
        unknown_key |= strstr(d.items[i].msg, "unknown key 'smtp_server'") != NULL;
        kind |= strstr(d.items[i].msg, "unknown contact kind 'pager'") != NULL;
    }
    CHECK(!secret && unknown_key && kind);
    arena_free(a);
    inventory_close(inv);
    diag_free(&d);
}

/* ---- delivery against loopback servers ---- */

typedef struct server {
    int fd, port;
    pthread_t th;
    const int *statuses; /* HTTP: status per request (0 = never answer) */
    size_t nstatuses;
    bool smtp;
    int requests;
    char last[8192]; /* last request (HTTP) or DATA + envelope (SMTP) */
} server;

static int read_until(int fd, char *dst, size_t cap, const char *end, size_t *len)
{
    while (*len + 1 < cap) {
        ssize_t k = recv(fd, dst + *len, cap - *len - 1, 0);
        if (k <= 0) return -1;
        *len += (size_t)k;
        dst[*len] = '\0';
        if (strstr(dst, end)) return 0;
    }
    return -1;
}

static void http_conn(server *s, int c)
{
    size_t len = 0;
    char req[8192];
    if (read_until(c, req, sizeof req, "\r\n\r\n", &len) < 0) return;
    const char *cl = strcasestr(req, "Content-Length:");
    size_t body = cl ? (size_t)atol(cl + 15) : 0,
           head = (size_t)(strstr(req, "\r\n\r\n") - req) + 4;
    while (len < head + body && len + 1 < sizeof req) {
        ssize_t k = recv(c, req + len, sizeof req - len - 1, 0);
        if (k <= 0) break;
        len += (size_t)k;
        req[len] = '\0';
    }
    int i = s->requests++;
    snprintf(s->last, sizeof s->last, "%s", req);
    int status = (size_t)i < s->nstatuses ? s->statuses[i] : 200;
    if (status == 0) {
        usleep(1500 * 1000); /* longer than the client's timeout */
        return;
    }
    char resp[128];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
    if (send(c, resp, (size_t)n, 0) < 0) return;
}

static void say(int c, const char *line)
{
    if (send(c, line, strlen(line), 0) < 0) return;
}

typedef struct linebuf {
    int fd;
    char in[8192];
    size_t len;
} linebuf;

/* The next CRLF-terminated line (without CRLF) into out; -1 at EOF. */
static int get_line(linebuf *lb, char *out, size_t cap)
{
    for (;;) {
        char *nl = memmem(lb->in, lb->len, "\r\n", 2);
        if (nl) {
            size_t n = (size_t)(nl - lb->in);
            snprintf(out, cap, "%.*s", (int)n, lb->in);
            memmove(lb->in, nl + 2, lb->len - n - 2);
            lb->len -= n + 2;
            return 0;
        }
        if (lb->len == sizeof lb->in) return -1;
        ssize_t k = recv(lb->fd, lb->in + lb->len, sizeof lb->in - lb->len, 0);
        if (k <= 0) return -1;
        lb->len += (size_t)k;
    }
}

static void smtp_conn(server *s, int c)
{
    static linebuf lb;
    char line[2048];
    lb.fd = c;
    lb.len = 0;
    buf rec = BUF_INIT;
    say(c, "220 test ESMTP\r\n");
    while (get_line(&lb, line, sizeof line) == 0) {
        if (!strncasecmp(line, "EHLO", 4) || !strncasecmp(line, "HELO", 4)) {
            say(c, "250 test\r\n");
        } else if (!strncasecmp(line, "MAIL FROM:", 10) || !strncasecmp(line, "RCPT TO:", 8)) {
            buf_printf(&rec, "%s\n", line);
            say(c, "250 ok\r\n");
        } else if (!strncasecmp(line, "DATA", 4)) {
            say(c, "354 go\r\n");
            while (get_line(&lb, line, sizeof line) == 0 && strcmp(line, "."))
                buf_printf(&rec, "%s\n", line[0] == '.' ? line + 1 : line);
            /* Recorded before the reply: the client may return (and the test
             * read s->last) as soon as it has "250", before QUIT is done. */
            snprintf(s->last, sizeof s->last, "%s", rec.data ? rec.data : "");
            s->requests++;
            say(c, "250 queued\r\n");
        } else if (!strncasecmp(line, "QUIT", 4)) {
            say(c, "221 bye\r\n");
            break;
        } else {
            say(c, "502 no\r\n");
        }
    }
    buf_free(&rec);
}

static void *serve(void *arg)
{
    server *s = arg;
    for (;;) {
        int c = accept(s->fd, NULL, NULL);
        if (c < 0) return NULL;
        if (s->smtp)
            smtp_conn(s, c);
        else
            http_conn(s, c);
        close(c);
    }
}

static int server_start(server *s)
{
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(s->fd, 8) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&sa, &sl) != 0)
        return -1;
    s->port = ntohs(sa.sin_port);
    return pthread_create(&s->th, NULL, serve, s);
}

static void server_stop(server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    close(s->fd);
    pthread_join(s->th, NULL);
}

TEST(http_delivery_and_retries)
{
    static const int statuses[] = {500, 503, 200, 404};
    server s = {.statuses = statuses, .nstatuses = 4};
    CHECK(server_start(&s) == 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/services/SECRET", s.port);
    const char *payload = "{\"text\":\"hi\"}";
    deliver_request r = {.id = 7, .url = url, .payload = payload, .len = strlen(payload)};
    deliver_opts o = {.timeout_ms = 1000, .retries = 2, .retry_delay_ms = 10};
    deliver_result res;
    CHECK(deliver_http(&r, &o, &res) == 0); /* 500, 503, then 200 */
    CHECK(res.tries == 3);
    CHECK(s.requests == 3);
    CHECK(strstr(s.last, "POST /services/SECRET HTTP/1.1\r\n") != NULL);
    CHECK(strcasestr(s.last, "\r\nContent-Type: application/json\r\n") != NULL);
    CHECK(strcasestr(s.last, "\r\nX-Custos-Delivery: 7\r\n") != NULL);
    CHECK(strstr(s.last, "\r\n\r\n{\"text\":\"hi\"}") != NULL);
    /* 404: a client error, not retried. */
    CHECK(deliver_http(&r, &o, &res) == -1);
    CHECK(res.tries == 1 && res.status == 404);
    CHECK(strstr(res.error, "404") != NULL && strstr(res.error, "SECRET") == NULL);
    server_stop(&s);
}

TEST(http_timeout_and_refused)
{
    static const int statuses[] = {0, 0};
    server s = {.statuses = statuses, .nstatuses = 2};
    CHECK(server_start(&s) == 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", s.port);
    deliver_request r = {.id = 1, .url = url, .payload = "{}", .len = 2};
    deliver_opts o = {.timeout_ms = 300, .retries = 0, .retry_delay_ms = 0};
    deliver_result res;
    CHECK(deliver_http(&r, &o, &res) == -1);
    CHECK(res.tries == 1);
    CHECK(strcasestr(res.error, "timeout") != NULL || strcasestr(res.error, "timed out") != NULL);
    server_stop(&s);
    /* Nobody listening any more: refused, retried, still failing. */
    o.retries = 1;
    CHECK(deliver_http(&r, &o, &res) == -1);
    CHECK(res.tries == 2);
    CHECK(res.error[0] != '\0');
}

TEST(smtp_delivery)
{
    server s = {.smtp = true};
    CHECK(server_start(&s) == 0);
    char url[128];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", s.port);
    buf msg = BUF_INIT;
    mail_header h = {.from = "custos@example.com",
                     .to = "ops@example.com",
                     .subject = "[custos] hi",
                     .date = 1793491200,
                     .delivery_id = 9};
    CHECK(mail_compose(&msg, &h, "line\n.leading dot\nend\n") == 0);
    deliver_request r = {.id = 9,
                         .url = url,
                         .mail_from = "custos@example.com",
                         .rcpt = "ops@example.com",
                         .payload = msg.data,
                         .len = msg.len};
    deliver_opts o = {.timeout_ms = 2000, .retries = 0};
    deliver_result res;
    CHECK(deliver_smtp(&r, &o, &res) == 0);
    CHECK(s.requests == 1);
    CHECK(strstr(s.last, "MAIL FROM:<custos@example.com>") != NULL);
    CHECK(strstr(s.last, "RCPT TO:<ops@example.com>\n") != NULL);
    CHECK(strstr(s.last, "X-Custos-Delivery: 9\n") != NULL);
    CHECK(strstr(s.last, "\nline\n.leading dot\nend\n") != NULL);
    server_stop(&s);
    buf_free(&msg);
}

int main(void)
{
    deliver_global_init();
    RUN(sort_and_subject);
    RUN(text_body_lines);
    RUN(text_is_capped);
    RUN(slack_payload);
    RUN(webhook_json);
    RUN(url_redaction);
    RUN(mail_addresses);
    RUN(mail_subject_encoding);
    RUN(mail_quoted_printable);
    RUN(mail_compose_headers);
    RUN(routes_from_accounts_yaml);
    RUN(route_errors);
    RUN(http_delivery_and_retries);
    RUN(http_timeout_and_refused);
    RUN(smtp_delivery);
    deliver_global_cleanup();
    T_EXIT();
}
