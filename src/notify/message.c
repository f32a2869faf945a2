/* message.c - rendering notifications (see message.h).
 *
 * Design.  Every format is built from the same sorted items so the three
 * contacts of a team always say the same thing.  Text is written for the
 * person on call: the counts first, then one block per finding with what,
 * where, the one-line fix and the link, most urgent first; a long list is
 * cut at NOTIFY_TEXT_MAX with a count of the rest and a dashboard link, so
 * a first run on a big organisation does not send a novel (the webhook JSON,
 * read by programs, keeps everything).
 *
 * Values come from findings and accounts.yaml, which we do not control:
 * they pass through one_line() (control characters -> spaces, runs of
 * blanks collapsed, long values cut at a UTF-8 boundary) before they reach
 * text, and through the JSON writer's escaping before they reach JSON, so
 * a resource name cannot add a header line to a mail or break a payload.
 *
 * Mail: the body is quoted-printable (fix lines and URLs may exceed SMTP's
 * 998-byte limit, and names may be UTF-8) and the subject is an RFC 2047
 * encoded word when it is not plain ASCII, folded so no header line
 * exceeds 78 columns.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json/json.h"
#include "notify/message.h"
#include "policy/policy.h"

#define ONE_LINE_MAX 300

static const char *sev_name(int rank)
{
    return severity_name((severity)(rank < 0 ? 0 : rank > 4 ? 4 : rank));
}

/* ---- sorting and counting ---- */

static int item_cmp(const void *pa, const void *pb)
{
    const notify_item *a = pa, *b = pb;
    if (a->priority != b->priority) return a->priority > b->priority ? -1 : 1;
    if (a->severity_rank != b->severity_rank) return a->severity_rank > b->severity_rank ? -1 : 1;
    return strcmp(a->fingerprint, b->fingerprint);
}

void notify_sort(notify_item *items, size_t n)
{
    if (n > 1) qsort(items, n, sizeof *items, item_cmp);
}

typedef struct tally {
    size_t sev[5];
    size_t new_, regressed, open;
} tally;

static tally count_items(const notify_message *m)
{
    tally t = {{0}, 0, 0, 0};
    for (size_t i = 0; i < m->n; i++) {
        int r = m->items[i].severity_rank;
        t.sev[r < 0 ? 0 : r > 4 ? 4 : r]++;
        const char *st = m->items[i].status ? m->items[i].status : "";
        if (!strcmp(st, "new"))
            t.new_++;
        else if (!strcmp(st, "regressed"))
            t.regressed++;
        else
            t.open++;
    }
    return t;
}

/* "1 critical, 2 high" (highest first, zero counts left out). */
static void put_severity_counts(buf *b, const tally *t)
{
    bool first = true;
    for (int r = 4; r >= 0; r--) {
        if (!t->sev[r]) continue;
        buf_printf(b, "%s%zu %s", first ? "" : ", ", t->sev[r], sev_name(r));
        first = false;
    }
}

/* ---- one-line values ---- */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when p does not
 * start one (stray continuation, overlong form, surrogate, truncation). */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (!n || c > 0xf4) return 0;
    for (size_t k = 1; k < n; k++)
        if ((p[k] & 0xc0) != 0x80) return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) || (c == 0xf0 && p[1] < 0x90) ||
        (c == 0xf4 && p[1] >= 0x90))
        return 0;
    return n;
}

/* s with invalid UTF-8 replaced by U+FFFD, as a JSON string (or null). */
static void json_text(buf *b, const char *s)
{
    if (!s) {
        buf_puts(b, "null");
        return;
    }
    buf clean = BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = utf8_seq(p);
        if (n) {
            buf_append(&clean, p, n);
            p += n;
        } else {
            buf_puts(&clean, "\xef\xbf\xbd");
            p++;
        }
    }
    json_write_string(b, clean.data ? clean.data : "", clean.len);
    buf_free(&clean);
}

/* s as one line: control characters and blank runs become one space, ends
 * trimmed, cut at `max` bytes on a character boundary with "...". */
static void put_one_line(buf *b, const char *s, size_t max)
{
    if (!s) return;
    size_t written = 0;
    bool space = false;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x20 || *p == 0x7f || *p == ' ') {
            space = written > 0;
            p++;
            continue;
        }
        size_t n = utf8_seq(p);
        const unsigned char *src = p;
        if (!n) { /* invalid UTF-8: U+FFFD */
            src = (const unsigned char *)"\xef\xbf\xbd";
            n = 3;
        }
        if (written + n + (space ? 1 : 0) > max) {
            buf_puts(b, "...");
            return;
        }
        if (space) {
            buf_putc(b, ' ');
            written++;
            space = false;
        }
        buf_append(b, src, n);
        written += n;
        p += src == p ? n : 1;
    }
}

static char *one_line(const char *s, size_t max)
{
    buf b = BUF_INIT;
    put_one_line(&b, s ? s : "", max);
    return buf_steal(&b);
}

/* ---- links ---- */

char *notify_link(const char *dashboard, const char *fingerprint)
{
    if (!dashboard || !*dashboard) return NULL;
    size_t n = strlen(dashboard);
    while (n > 0 && dashboard[n - 1] == '/')
        n--;
    buf b = BUF_INIT;
    buf_append(&b, dashboard, n);
    buf_printf(&b, "/findings/%s", fingerprint);
    return buf_steal(&b);
}

/* DASHBOARD/findings?team=T, T percent-encoded. */
static void put_team_link(buf *b, const char *dashboard, const char *team)
{
    size_t n = strlen(dashboard);
    while (n > 0 && dashboard[n - 1] == '/')
        n--;
    buf_append(b, dashboard, n);
    buf_puts(b, "/findings?team=");
    for (const unsigned char *p = (const unsigned char *)team; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            buf_putc(b, (char)*p);
        else
            buf_printf(b, "%%%02X", *p);
    }
}

/* ---- subject and headline ---- */

static void put_headline(buf *b, const notify_message *m, const tally *t)
{
    if (m->kind == NOTIFY_DIGEST) {
        buf_printf(b, "daily digest for %s, %s: %zu open finding%s at or above %s", m->title,
                   m->day ? m->day : "", m->n, m->n == 1 ? "" : "s", sev_name(m->min_severity));
        return;
    }
    const char *what = t->regressed == 0 ? "new" : t->new_ == 0 ? "regressed" : "new or regressed";
    buf_printf(b, "%s: %zu %s finding%s", m->title, m->n, what, m->n == 1 ? "" : "s");
}

char *notify_subject(const notify_message *m)
{
    tally t = count_items(m);
    buf raw = BUF_INIT;
    buf_puts(&raw, "[custos] ");
    put_headline(&raw, m, &t);
    if (m->n) {
        buf_puts(&raw, " (");
        put_severity_counts(&raw, &t);
        buf_puts(&raw, ")");
    }
    char *s = one_line(raw.data, 900);
    buf_free(&raw);
    return s;
}

/* ---- text (email body and Slack) ---- */

typedef struct text_style {
    bool slack; /* mrkdwn: *bold*, `code`, <url|label>, &<> escaped */
} text_style;

/* A value in text: one line, Slack-escaped when needed. */
static void put_val(buf *b, const text_style *st, const char *s, size_t max)
{
    char *v = one_line(s, max);
    if (!st->slack) {
        buf_puts(b, v);
    } else {
        for (const char *p = v; *p; p++) {
            if (*p == '&')
                buf_puts(b, "&amp;");
            else if (*p == '<')
                buf_puts(b, "&lt;");
            else if (*p == '>')
                buf_puts(b, "&gt;");
            else
                buf_putc(b, *p);
        }
    }
    free(v);
}

/* Slack code spans cannot contain backquotes. */
static void put_code(buf *b, const text_style *st, const char *s)
{
    if (!st->slack) {
        put_val(b, st, s, ONE_LINE_MAX);
        return;
    }
    buf tmp = BUF_INIT;
    put_val(&tmp, st, s, ONE_LINE_MAX);
    buf_putc(b, '`');
    for (size_t i = 0; i < tmp.len; i++)
        buf_putc(b, tmp.data[i] == '`' ? '\'' : tmp.data[i]);
    buf_putc(b, '`');
    buf_free(&tmp);
}

static void put_link(buf *b, const text_style *st, const char *url, const char *label)
{
    if (!st->slack) {
        put_val(b, st, url, 2000);
        return;
    }
    buf_putc(b, '<');
    put_val(b, st, url, 2000);
    buf_putc(b, '|');
    put_val(b, st, label, 100);
    buf_putc(b, '>');
}

static void put_item_text(buf *b, const text_style *st, const notify_message *m,
                          const notify_item *it, size_t index)
{
    char *upper = one_line(sev_name(it->severity_rank), 20);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    if (st->slack)
        buf_printf(b, "%zu. *%s* priority %d  ", index, upper, it->priority);
    else
        buf_printf(b, "%zu. [%s] priority %d  ", index, upper, it->priority);
    free(upper);
    put_code(b, st, it->policy);
    if (it->status && *it->status) {
        buf_puts(b, " (");
        put_val(b, st, it->status, 20);
        buf_puts(b, ")");
    }
    buf_puts(b, "\n   ");
    if (it->resource_type) {
        put_val(b, st, it->resource_type, 60);
        buf_putc(b, ' ');
    }
    put_code(b, st, it->resource_id);
    if (it->resource_name && *it->resource_name && strcmp(it->resource_name, it->resource_id)) {
        buf_puts(b, " (");
        put_val(b, st, it->resource_name, 120);
        buf_puts(b, ")");
    }
    buf_puts(b, " | account ");
    const char *an = it->account_name && *it->account_name ? it->account_name : it->account_id;
    put_val(b, st, an ? an : "-", 120);
    if (it->account_id && an && strcmp(an, it->account_id)) {
        buf_puts(b, " (");
        put_val(b, st, it->account_id, 40);
        buf_puts(b, ")");
    }
    buf_puts(b, " | ");
    put_val(b, st, it->region && *it->region ? it->region : "-", 40);
    buf_puts(b, "\n");
    if (it->fix && *it->fix) {
        buf_puts(b, "   Fix: ");
        put_val(b, st, it->fix, ONE_LINE_MAX);
        buf_puts(b, "\n");
    }
    char *link = notify_link(m->dashboard, it->fingerprint);
    if (link) {
        buf_puts(b, "   ");
        put_link(b, st, link, "details");
        buf_puts(b, "\n");
        free(link);
    } else {
        buf_printf(b, "   Details: custos explain %s\n", it->fingerprint);
    }
}

static void render_text(buf *b, const notify_message *m, const text_style *st)
{
    tally t = count_items(m);
    buf head = BUF_INIT;
    buf_puts(&head, "custos ");
    put_headline(&head, m, &t);
    if (st->slack) buf_putc(b, '*');
    put_val(b, st, head.data, 900);
    if (st->slack) buf_putc(b, '*');
    buf_free(&head);
    if (m->n) {
        buf_puts(b, " (");
        put_severity_counts(b, &t);
        if (m->kind == NOTIFY_DIGEST && (t.new_ || t.regressed))
            buf_printf(b, "; %zu new, %zu regressed", t.new_, t.regressed);
        buf_puts(b, ")");
    }
    buf_puts(b, "\n");
    if (m->kind == NOTIFY_CHANGE)
        buf_printf(b, "Only findings at or above %s that appeared since the last notification.\n",
                   sev_name(m->min_severity));
    if (m->dashboard && *m->dashboard) {
        buf tl = BUF_INIT;
        put_team_link(&tl, m->dashboard, m->team);
        buf_puts(b, "Dashboard: ");
        put_link(b, st, tl.data, "all findings of the team");
        buf_puts(b, "\n");
        buf_free(&tl);
    }
    size_t shown = m->n < NOTIFY_TEXT_MAX ? m->n : NOTIFY_TEXT_MAX;
    for (size_t i = 0; i < shown; i++) {
        buf_puts(b, "\n");
        put_item_text(b, st, m, &m->items[i], i + 1);
    }
    if (shown < m->n) buf_printf(b, "\n... and %zu more (lower priority).\n", m->n - shown);
}

/* ---- JSON ---- */

static void json_key(buf *b, const char *k, bool *first)
{
    if (!*first) buf_putc(b, ',');
    *first = false;
    json_write_string(b, k, strlen(k));
    buf_putc(b, ':');
}

static void json_str_or_null(buf *b, const char *s)
{
    json_text(b, s);
}

static void put_item_json(buf *b, const notify_message *m, const notify_item *it)
{
    bool first = true;
    buf_putc(b, '{');
    json_key(b, "fingerprint", &first);
    json_str_or_null(b, it->fingerprint);
    json_key(b, "priority", &first);
    buf_printf(b, "%d", it->priority);
    json_key(b, "severity", &first);
    json_str_or_null(b, sev_name(it->severity_rank));
    json_key(b, "policy", &first);
    json_str_or_null(b, it->policy);
    json_key(b, "description", &first);
    json_str_or_null(b, it->description);
    json_key(b, "resource", &first);
    json_str_or_null(b, it->resource_id);
    json_key(b, "resource_type", &first);
    json_str_or_null(b, it->resource_type);
    json_key(b, "resource_name", &first);
    json_str_or_null(b, it->resource_name);
    json_key(b, "account", &first);
    json_str_or_null(b, it->account_id);
    json_key(b, "account_name", &first);
    json_str_or_null(b, it->account_name);
    json_key(b, "region", &first);
    json_str_or_null(b, it->region);
    json_key(b, "status", &first);
    json_str_or_null(b, it->status);
    json_key(b, "fix", &first);
    char *fix = it->fix ? one_line(it->fix, 2000) : NULL;
    json_str_or_null(b, fix);
    free(fix);
    json_key(b, "url", &first);
    char *link = notify_link(m->dashboard, it->fingerprint);
    json_str_or_null(b, link);
    free(link);
    buf_putc(b, '}');
}

static void render_webhook(buf *b, const notify_message *m)
{
    tally t = count_items(m);
    bool first = true;
    buf_putc(b, '{');
    json_key(b, "team", &first);
    json_str_or_null(b, m->team);
    json_key(b, "kind", &first);
    buf_puts(b, m->kind == NOTIFY_DIGEST ? "\"digest\"" : "\"change\"");
    if (m->kind == NOTIFY_DIGEST) {
        json_key(b, "day", &first);
        json_str_or_null(b, m->day);
    }
    json_key(b, "min_severity", &first);
    json_str_or_null(b, sev_name(m->min_severity));
    json_key(b, "summary", &first);
    char *subject = notify_subject(m);
    json_str_or_null(b, subject);
    free(subject);
    json_key(b, "counts", &first);
    bool cf = true;
    buf_putc(b, '{');
    for (int r = 4; r >= 0; r--) {
        json_key(b, sev_name(r), &cf);
        buf_printf(b, "%zu", t.sev[r]);
    }
    buf_putc(b, '}');
    json_key(b, "findings", &first);
    buf_putc(b, '[');
    for (size_t i = 0; i < m->n; i++) {
        if (i) buf_putc(b, ',');
        put_item_json(b, m, &m->items[i]);
    }
    buf_puts(b, "]}");
}

void notify_render(buf *out, const notify_message *m, contact_kind k)
{
    if (k == CONTACT_WEBHOOK) {
        render_webhook(out, m);
        return;
    }
    text_style st = {.slack = k == CONTACT_SLACK};
    if (k == CONTACT_EMAIL) {
        render_text(out, m, &st);
        return;
    }
    buf text = BUF_INIT;
    render_text(&text, m, &st);
    buf_puts(out, "{\"text\":");
    json_text(out, text.data ? text.data : "");
    buf_putc(out, '}');
    buf_free(&text);
}

/* ---- URLs ---- */

void url_redact(buf *out, const char *url)
{
    const char *p = strstr(url, "://");
    if (!p) {
        buf_puts(out, "(url)/...");
        return;
    }
    buf_append(out, url, (size_t)(p - url + 3));
    const char *host = p + 3, *end = host + strcspn(host, "/?#");
    const char *at = NULL;
    for (const char *q = host; q < end; q++)
        if (*q == '@') at = q;
    if (at) host = at + 1;
    buf_append(out, host, (size_t)(end - host));
    buf_puts(out, "/...");
}

/* ---- mail ---- */

static bool addr_char_ok(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("<>()[]\\,;:\"", c);
}

bool mail_address_ok(const char *addr)
{
    if (!addr) return false;
    const char *at = strrchr(addr, '@');
    if (!at || at == addr || !at[1] || strlen(addr) > 254) return false;
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
        if (!addr_char_ok(*p) && (const char *)p != at) return false;
    for (const char *p = addr; p < at; p++)
        if (*p == '@') return false;
    return true;
}

char *mail_addr_spec(const char *from)
{
    if (!from) return NULL;
    const char *lt = strrchr(from, '<');
    char *addr;
    if (lt) {
        const char *gt = strchr(lt, '>');
        if (!gt || gt[1]) return NULL;
        addr = strndup(lt + 1, (size_t)(gt - lt - 1));
    } else {
        addr = strdup(from);
    }
    if (!addr) abort();
    if (!mail_address_ok(addr)) {
        free(addr);
        return NULL;
    }
    return addr;
}

/* The From header's display name must be plain printable ASCII. */
static bool display_ok(const char *from)
{
    for (const unsigned char *p = (const unsigned char *)from; *p; p++)
        if (*p < 0x20 || *p >= 0x7f) return false;
    return true;
}

void mail_date(buf *out, int64_t t)
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    buf_printf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
               mons[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Plain ASCII whose words all fit on a folded line. */
static bool ascii_foldable(const char *s)
{
    size_t word = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f) return false;
        word = *p == ' ' ? 0 : word + 1;
        if (word > 68) return false;
    }
    return true;
}

static void base64(buf *out, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n) v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        buf_putc(out, tab[(v >> 18) & 63]);
        buf_putc(out, tab[(v >> 12) & 63]);
        buf_putc(out, i + 1 < n ? tab[(v >> 6) & 63] : '=');
        buf_putc(out, i + 2 < n ? tab[v & 63] : '=');
    }
}

/* ASCII: words folded before 78 columns.  Otherwise (or when a word is
 * too long to fold) RFC 2047 "B" encoded
 * words of at most 42 bytes (56 base64 characters, 68 with the wrapper, 77
 * after "Subject: "),
 * each on its own line, split only between UTF-8 characters. */
void mail_encode_subject(buf *out, const char *subject)
{
    char *s = one_line(subject, 900);
    if (ascii_foldable(s)) {
        size_t col = strlen("Subject:");
        buf_puts(out, "Subject:");
        for (char *p = s; *p;) {
            size_t w = strcspn(p, " ");
            if (col + 1 + w > 78 && col > strlen("Subject:")) {
                buf_puts(out, "\r\n");
                col = 0;
            }
            buf_putc(out, ' ');
            buf_append(out, p, w);
            col += 1 + w;
            p += w;
            while (*p == ' ')
                p++;
        }
        buf_puts(out, "\r\n");
        free(s);
        return;
    }
    buf_puts(out, "Subject:");
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), i = 0;
    bool first = true;
    while (i < len) {
        size_t j = i;
        while (j < len) {
            size_t n = utf8_seq(p + j);
            if (!n) n = 1; /* cannot happen: one_line made it valid */
            if (j + n - i > 42) break;
            j += n;
        }
        if (j == i) j = i + 1; /* cannot happen with valid lengths; stay safe */
        buf_puts(out, first ? " " : "\r\n ");
        buf_puts(out, "=?UTF-8?B?");
        base64(out, p + i, j - i);
        buf_puts(out, "?=");
        first = false;
        i = j;
    }
    buf_puts(out, "\r\n");
    free(s);
}

/* Quoted-printable (RFC 2045 6.7): lines of at most 76 characters with
 * soft breaks; trailing blanks encoded; CRLF line ends. */
void mail_qp_encode(buf *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t col = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '\r' && p[1] == '\n') continue;
        if (*p == '\n') {
            buf_puts(out, "\r\n");
            col = 0;
            continue;
        }
        bool at_end = p[1] == '\0' || p[1] == '\n' || (p[1] == '\r' && p[2] == '\n');
        bool literal =
            (*p >= 33 && *p <= 126 && *p != '=') || ((*p == ' ' || *p == '\t') && !at_end);
        size_t w = literal ? 1 : 3;
        /* Keep room for a soft break "=" unless this is the line's last char. */
        if (col + w > (at_end ? 76 : 75)) {
            buf_puts(out, "=\r\n");
            col = 0;
        }
        if (literal) {
            buf_putc(out, (char)*p);
        } else {
            buf_putc(out, '=');
            buf_putc(out, hex[*p >> 4]);
            buf_putc(out, hex[*p & 15]);
        }
        col += w;
    }
    if (col) buf_puts(out, "\r\n");
}

int mail_compose(buf *out, const mail_header *h, const char *body)
{
    char *from = mail_addr_spec(h->from);
    if (!from || !display_ok(h->from) || !mail_address_ok(h->to)) {
        free(from);
        return -1;
    }
    const char *domain = strrchr(from, '@') + 1;
    buf_puts(out, "Date: ");
    mail_date(out, h->date);
    buf_puts(out, "\r\n");
    buf_printf(out, "From: %s\r\nTo: %s\r\n", h->from, h->to);
    mail_encode_subject(out, h->subject ? h->subject : "");
    buf_printf(out, "Message-ID: <custos.delivery.%lld.%lld@%s>\r\n", (long long)h->delivery_id,
               (long long)h->date, domain);
    buf_printf(out, "X-Custos-Delivery: %lld\r\n", (long long)h->delivery_id);
    buf_puts(out, "Auto-Submitted: auto-generated\r\n"
                  "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=utf-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n"
                  "\r\n");
    mail_qp_encode(out, body ? body : "");
    free(from);
    return 0;
}
