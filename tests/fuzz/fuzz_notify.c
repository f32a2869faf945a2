/* fuzz_notify.c - notification rendering (notify/message.h) never crashes,
 * and its output keeps its promises whatever the findings contain.
 * Input: NUL-separated fields (policy, resource id, resource name, fix,
 * account name, region, team title, subject, URL), reused for three items.
 * Invariants: webhook and Slack payloads parse as JSON; a composed mail has
 * only CRLF line ends, header lines of at most 78 characters and body lines
 * of at most 76; a subject never spans a bare line; url_redact keeps
 * nothing after the host. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "notify/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFIELDS 9

static void check_json(const buf *b)
{
    arena *a = arena_new(0);
    jv v;
    json_error e;
    if (json_parse(a, b->data, b->len, &v, &e) != 0) abort();
    arena_free(a);
}

static void check_mail(const buf *m)
{
    const char *hdr_end = strstr(m->data, "\r\n\r\n");
    if (!hdr_end) abort();
    size_t line = 0;
    for (const char *p = m->data; *p; p++) {
        if (*p == '\n' && (p == m->data || p[-1] != '\r')) abort(); /* bare LF */
        if (*p == '\r' && p[1] != '\n') abort();                    /* bare CR */
        if (*p == '\r') {
            if (line > (p < hdr_end ? 78u : 76u)) abort();
            line = 0;
            p++;
            continue;
        }
        line++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *f[NFIELDS];
    char *p = copy;
    for (int i = 0; i < NFIELDS; i++) {
        f[i] = p;
        p += strlen(p);
        if (p < copy + size) p++;
    }
    notify_item items[3];
    for (int i = 0; i < 3; i++) {
        items[i] = (notify_item){.priority = (int)(size * (i + 1) % 101),
                                 .severity_rank = (int)(size + (size_t)i) % 5,
                                 .policy = f[0],
                                 .resource_type = "aws.s3",
                                 .resource_id = f[1],
                                 .resource_name = f[2],
                                 .account_id = "111122223333",
                                 .account_name = f[4],
                                 .region = f[5],
                                 .status = i ? "new" : "regressed",
                                 .fix = f[3]};
        memcpy(items[i].fingerprint, "0123456789abcdef", 17);
    }
    notify_sort(items, 3);
    notify_message m = {.kind = size % 2 ? NOTIFY_CHANGE : NOTIFY_DIGEST,
                        .team = f[6],
                        .title = f[6],
                        .dashboard = size % 3 ? f[8] : NULL,
                        .min_severity = 3,
                        .day = "2026-11-01",
                        .items = items,
                        .n = 3};
    buf b = BUF_INIT;
    notify_render(&b, &m, CONTACT_WEBHOOK);
    check_json(&b);
    buf_reset(&b);
    notify_render(&b, &m, CONTACT_SLACK);
    check_json(&b);
    buf_reset(&b);
    notify_render(&b, &m, CONTACT_EMAIL);
    char *subject = notify_subject(&m);
    if (strchr(subject, '\n') || strchr(subject, '\r')) abort();
    buf mail = BUF_INIT;
    mail_header h = {.from = "custos <custos@example.com>",
                     .to = "ops@example.com",
                     .subject = size % 5 ? subject : f[7],
                     .date = 1793491200,
                     .delivery_id = (int64_t)size};
    if (mail_compose(&mail, &h, b.data ? b.data : "") != 0) abort();
    check_mail(&mail);
    buf_reset(&b);
    url_redact(&b, f[8]);
    const char *scheme = strstr(f[8], "://");
    if (scheme) {
        /* scheme://host/... and nothing of the path, query or user info. */
        const char *path = strpbrk(scheme + 3, "/?#");
        size_t keep = path ? (size_t)(path - f[8]) : strlen(f[8]);
        if (b.len > keep + 4 || b.len < 4 || strcmp(b.data + b.len - 4, "/...")) abort();
    }
    free(subject);
    buf_free(&mail);
    buf_free(&b);
    free(copy);
    return 0;
}
