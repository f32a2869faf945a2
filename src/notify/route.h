/* route.h - who is told about which findings, from accounts.yaml.
 *
 * A finding goes to its account's team: `teams: {T: {contacts: ...}}`,
 * or, when the team has no entry there, the contacts of the team's first
 * account that lists some.  A finding of an account without a team goes to
 * that account's own `contacts:` (group "account:ID").  Contacts are a
 * mapping {email, webhook, slack}, each a string or a list of strings.
 *
 * Each contact has a stable label, the name the outbox stores instead of
 * the address (webhook URLs are secrets and do not belong in a database):
 * "webhook", "webhook#2" (second in a list), "slack", "slack#2", and
 * "email:ADDR".  The URL is looked up again from accounts.yaml when the
 * message is sent, so a rotated webhook URL takes effect for retries too.
 *
 * Global settings come from `notifications: {smtp_url, mail_from,
 * dashboard_url, min_severity}`.  Unknown keys, wrong types, bad
 * addresses and non-HTTP webhook URLs are errors (a typo must not silently
 * stop notifications); messages never show a whole webhook URL.
 */
#ifndef CUSTOS_NOTIFY_ROUTE_H
#define CUSTOS_NOTIFY_ROUTE_H

#include <stddef.h>

#include "inventory/inventory.h"
#include "notify/message.h"
#include "util/arena.h"
#include "util/diag.h"

typedef struct contact {
    contact_kind kind;
    const char *label;  /* see above */
    const char *target; /* URL or e-mail address */
} contact;

typedef struct route_group {
    const char *key;        /* team name, or "account:ID" */
    const char *title;      /* "team payments", "account network (111122223333)" */
    const char *team;       /* NULL for an account group */
    const char *account_id; /* account groups: the account */
    contact *contacts;
    size_t n;
} route_group;

typedef struct notify_settings {
    const char *smtp_url, *mail_from, *dashboard_url, *min_severity; /* NULL = not set */
} notify_settings;

typedef struct route_table {
    route_group *groups; /* in accounts.yaml order */
    size_t n;
    notify_settings settings;
} route_table;

/* Builds the table (memory from a).  Returns 0, or -1 with diagnostics
 * naming accounts.yaml. */
int route_build(const inventory *inv, arena *a, route_table *out, diag_list *diags);
const route_group *route_group_find(const route_table *rt, const char *key);
const contact *route_contact_find(const route_group *g, const char *label);
/* The group key of a finding: its team, else "account:ID" (in a). */
const char *route_key(arena *a, const char *team, const char *account_id);

#endif
