/* deliver.h - sending one notification with libcurl: HTTP POST or SMTP.
 *
 * HTTP: POST the JSON payload with Content-Type: application/json and
 * X-Custos-Delivery: ID (so a receiver can de-duplicate); any status
 * >= 300 is a failure.  SMTP: MAIL FROM / RCPT TO / DATA with a complete
 * RFC 5322 message (message.h's mail_compose) over the smtp:// or smtps://
 * URL.  Each delivery gets up to 1 + retries tries within the call, waiting
 * retry_delay, then twice as long, ... in between; a client error (4xx
 * other than 408/429) is not retried, the answer will not change.  Each try
 * is bounded by timeout_ms (connect and transfer).
 * The error text names the host but never the whole URL (webhook URLs
 * carry secrets in their path).
 * deliver_global_init/cleanup wrap curl_global_*: call them once per
 * process use, from one thread, around any deliveries.
 */
#ifndef CUSTOS_NOTIFY_DELIVER_H
#define CUSTOS_NOTIFY_DELIVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct deliver_opts {
    long timeout_ms;     /* per try; <= 0: 10 s */
    int retries;         /* extra tries after the first; < 0: none */
    long retry_delay_ms; /* wait before the first retry, doubled each time */
} deliver_opts;

typedef struct deliver_request {
    int64_t id;
    const char *url;       /* http(s):// for webhooks; smtp(s):// for mail */
    const char *mail_from; /* SMTP: envelope sender address (bare) */
    const char *rcpt;      /* SMTP: envelope recipient address (bare) */
    const char *payload;   /* JSON body, or the whole mail message */
    size_t len;
} deliver_request;

typedef struct deliver_result {
    int tries;       /* tries made (1 .. 1 + retries) */
    long status;     /* last HTTP status or SMTP reply code (0 = none) */
    char error[256]; /* "" on success */
} deliver_result;

int deliver_global_init(void);
void deliver_global_cleanup(void);

/* POSTs r->payload to r->url.  Returns 0 on success, -1 (res->error). */
int deliver_http(const deliver_request *r, const deliver_opts *o, deliver_result *res);
/* Sends r->payload as a mail from r->mail_from to r->rcpt via r->url. */
int deliver_smtp(const deliver_request *r, const deliver_opts *o, deliver_result *res);

#endif
