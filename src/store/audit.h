/* audit.h - the remediation audit log (migration 8, issue 13).
 *
 * Every step `custos fix` runs is written here twice: once before the call
 * (phase "before", result "started") and once after it (phase "after",
 * with AWS's request id, the result and the resource's state after).  Who
 * made it is the remediation role's identity (STS GetCallerIdentity).
 * The log is append-only: this interface has no update or delete, and the
 * database refuses both (triggers on SQLite and PostgreSQL), so neither
 * the CLI nor the dashboard can edit what was done.
 */
#ifndef CUSTOS_STORE_AUDIT_H
#define CUSTOS_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

typedef struct audit_entry {
    int64_t id, at;          /* id: set by the store */
    const char *phase;       /* "before" or "after" */
    const char *plan_hash;   /* SHA-256 of the plan's steps */
    int64_t step;            /* 1-based index in the plan */
    const char *who;         /* caller ARN of the remediation role */
    const char *fingerprint; /* the finding fixed */
    const char *policy, *action;
    const char *account_id, *region, *resource_type, *resource_id;
    const char *service, *operation;
    const char *params;                     /* the call's input, JSON */
    const char *request_id;                 /* AWS's, may be NULL */
    const char *result;                     /* started, fixed, not-fixed, already-applied,
                                               changed-since-plan, error, ... */
    const char *message;                    /* error code and message, may be NULL */
    const char *state_before, *state_after; /* JSON, may be NULL */
} audit_entry;

/* Appends one entry (its own transaction); *id_out gets its id (may be
 * NULL).  0 or -1 (store_error). */
int store_audit_append(store *s, const audit_entry *e, int64_t *id_out);
/* Entries oldest first (limit 0 = all, else the newest `limit`), strings
 * in a.  0 or -1. */
int store_audit_list(store *s, size_t limit, arena *a, audit_entry **out, size_t *n);

#endif
