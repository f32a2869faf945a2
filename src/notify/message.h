/* message.h - what a notification says, in each kind of contact's format.
 *
 * One message per (team, contact): a change message (the team's new and
 * regressed findings) or a daily digest (its open findings).  Rendering is
 * pure - items in, bytes out - so it is tested without a store or a network.
 *  - webhook: JSON {team, kind, summary, [day, counts,] findings: [{fingerprint,
 *    priority, severity, policy, resource, account, region, status, fix,
 *    url, ...}]}, every item;
 *  - slack: a Slack-style incoming-webhook payload {"text": ...} (mrkdwn,
 *    with &, < and > escaped as Slack requires);
 *  - email: a subject and a text/plain body; mail_compose() wraps them in
 *    RFC 5322 headers (RFC 2047 subject, quoted-printable body, CRLF lines
 *    under 78 columns) when the delivery id is known, at sending time.
 * Text forms list at most NOTIFY_TEXT_MAX findings and count the rest.
 * Items come highest priority first (notify_sort).  Every value taken
 * from findings or accounts.yaml is made one line (control characters
 * become spaces), so nothing can inject a header or fake a line.
 * Webhook URLs are secrets: url_redact() gives the form to show.
 */
#ifndef CUSTOS_NOTIFY_MESSAGE_H
#define CUSTOS_NOTIFY_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define NOTIFY_TEXT_MAX 50

/* One finding in a message.  Strings may be NULL except policy and
 * resource_id. */
typedef struct notify_item {
    char fingerprint[17];
    int priority, severity_rank; /* rank 0 info .. 4 critical */
    const char *policy, *description, *resource_type, *resource_id, *resource_name;
    const char *account_id, *account_name, *region;
    const char *status; /* new, regressed, open */
    const char *fix;
} notify_item;

typedef enum { NOTIFY_CHANGE, NOTIFY_DIGEST } notify_kind;
typedef enum { CONTACT_WEBHOOK, CONTACT_SLACK, CONTACT_EMAIL } contact_kind;

typedef struct notify_message {
    notify_kind kind;
    const char *team;      /* routing key: a team name, or "account:ID" */
    const char *title;     /* the recipient as people say it: "team payments" */
    const char *dashboard; /* base URL, or NULL: links become `custos explain` hints */
    int min_severity;      /* threshold rank, for the wording */
    const char *day;       /* digest: YYYY-MM-DD */
    const notify_item *items;
    size_t n;
} notify_message;

/* Highest priority first, then severity, then fingerprint (stable). */
void notify_sort(notify_item *items, size_t n);
/* "[custos] team payments: 3 new findings (1 critical, 2 high)"; malloc'd. */
char *notify_subject(const notify_message *m);
/* The body for contact kind k: JSON for webhook/slack, text for email. */
void notify_render(buf *out, const notify_message *m, contact_kind k);
/* The link to a finding: DASHBOARD/findings/FP (NULL without a dashboard). */
char *notify_link(const char *dashboard, const char *fingerprint); /* malloc'd */

/* An e-mail address as SMTP needs it: local@domain, printable ASCII, no
 * spaces or brackets.  "Name <a@b>" forms are accepted by mail_addr_spec. */
bool mail_address_ok(const char *addr);
/* The address inside "Name <a@b>" (or the whole string); malloc'd, NULL
 * when it is not a valid address. */
char *mail_addr_spec(const char *from);

typedef struct mail_header {
    const char *from;    /* "custos@example.com" or "custos <custos@example.com>" */
    const char *to;      /* one address */
    const char *subject; /* UTF-8 */
    int64_t date;        /* Unix seconds */
    int64_t delivery_id; /* Message-ID and X-Custos-Delivery carry it */
} mail_header;
/* A complete RFC 5322 message (CRLF line ends) with body text (UTF-8,
 * LF or CRLF lines).  Returns 0, or -1 when from or to is not an address. */
int mail_compose(buf *out, const mail_header *h, const char *body);
/* The pieces, exported for tests. */
void mail_encode_subject(buf *out, const char *subject); /* "Subject: ...\r\n", folded */
void mail_qp_encode(buf *out, const char *text);         /* quoted-printable, CRLF */
void mail_date(buf *out, int64_t t);                     /* "Sun, 01 Nov 2026 00:00:00 +0000" */

/* scheme://host[:port]/... : the parts of a webhook URL that are not a
 * secret (user info, path and query dropped). */
void url_redact(buf *out, const char *url);

#endif
