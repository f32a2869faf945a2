/* inv_internal.h - shared state of the inventory readers (not a public API).
 *
 * inventory.c owns the inventory object (accounts, scopes, the arenas that
 * hold loaded resources); parse.c reads and parses batches of files in
 * parallel; layout.c and placebo.c decide which files make up a resource
 * listing in each format; augment.c merges per-resource calls (S3 bucket
 * configuration, GetUser, DescribeKey, ...) the way Cloud Custodian does.
 */
#ifndef CUSTOS_INV_INTERNAL_H
#define CUSTOS_INV_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>

#include "inventory/inventory.h"

typedef enum { INV_LAYOUT, INV_PLACEBO } inv_kind;

struct inventory {
    inv_kind kind;
    char *root; /* directory (malloc'd) */
    int threads;
    arena *meta; /* accounts, scopes, names: lives until close */
    account_info *accounts;
    size_t naccounts;
    inv_scope *scopes;
    size_t nscopes;
    jv organization;      /* accounts.yaml `organization:` (null when absent) */
    jv settings;          /* the whole accounts.yaml document when a mapping (else null) */
    time_t collected_at;  /* accounts.yaml `collected_at:`, or 0 */
    pthread_mutex_t lock; /* guards `arenas` (loads may run concurrently) */
    arena **arenas;       /* one or more per load; freed at close */
    size_t narenas, caparenas;
};

/* ---- parse.c ---- */

enum { PF_OK = 0, PF_MISSING, PF_IOERR, PF_BADJSON, PF_BADSHAPE };

typedef struct pfile {
    const char *path; /* in the load's arena; interned for diagnostics */
    int status;       /* PF_* */
    int http;         /* placebo status_code; 200 for custos-layout files */
    jv data;          /* the response (placebo: its "data") */
    json_error err;
    int err_no;
} pfile;

/* A path string that lives for the whole process, so diagnostics may point
 * at it after the inventory is closed. */
const char *inv_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One load call's memory: results go to `a`; parse workers each use their
 * own arena (created on first use), all registered with the inventory. */
#define INV_MAX_THREADS 64
typedef struct load_ctx {
    inventory *inv;
    arena *a;
    arena *workers[INV_MAX_THREADS];
    int threads; /* parse parallelism of this load */
    bool fixed;  /* everything goes to a, a caller's arena; one thread */
} load_ctx;

/* A load whose memory the inventory owns (freed at inventory_close) and
 * that parses with inv->threads threads. */
void inv_load_begin(inventory *inv, load_ctx *lc);
/* A load into the caller's arena on the calling thread only (parts). */
void inv_load_begin_in(inventory *inv, load_ctx *lc, arena *a);

/* A path (or any string) in the load's arena. */
const char *inv_fmt(load_ctx *lc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads and parses files[0..n) using up to inv->threads threads (small
 * batches run on the calling thread). */
void inv_parse_files(load_ctx *lc, pfile *files, size_t n, bool placebo);

/* Adds the diagnostic for a failed file (no-op for PF_OK / PF_MISSING). */
void inv_file_diag(const pfile *f, diag_list *diags);

/* Registers an arena so it is freed at inventory_close (thread-safe). */
arena *inv_new_arena(inventory *inv, size_t chunk);

/* True when a listing page says more pages follow (NextToken, Marker,
 * IsTruncated, ...). */
bool inv_page_has_more(const jv *page);

/* ---- augment.c ---- */

/* The outcome of one per-resource call. */
typedef enum {
    CALL_ABSENT = 0, /* not collected: leave the key alone */
    CALL_OK,         /* data holds the response */
    CALL_NOT_FOUND,  /* NoSuch* / *NotFound: Custodian's default value */
    CALL_DENIED,     /* AccessDenied: recorded in c7n:DeniedMethods */
    CALL_FAILED,     /* other error: key left absent */
} call_outcome;

typedef struct call_result {
    call_outcome outcome;
    const jv *data;
} call_result;

/* Classifies a response: placebo status >= 400 or an {"Error": {"Code"}}
 * body become NOT_FOUND / DENIED / FAILED. */
call_result inv_classify(const pfile *f);

/* Per-resource calls merged into resources of one type. */
typedef enum { DM_SET, DM_REPLACE, DM_MERGE } detail_mode;
typedef enum { DV_NULL, DV_OBJECT, DV_ARRAY, DV_PAB } default_value;

typedef struct detail_spec {
    const char *client;    /* file name client: "s3" */
    const char *service;   /* placebo endpoint prefix: "s3" */
    const char *operation; /* "GetBucketPolicy" */
    const char *method;    /* boto3 method, for c7n:DeniedMethods */
    const char *select;    /* member to take from the response, or NULL */
    bool select_strict;    /* select must be present (else whole response) */
    detail_mode mode;
    const char *key; /* DM_SET: key on the resource */
    default_value dflt;
    bool drop_not_found; /* DM_REPLACE: a NoSuchEntity drops the resource */
    /* File names use this member of the resource instead of its id (NULL =
     * the id), e.g. a policy's PolicyName where the id is the PolicyId. */
    const char *file_key;
    /* DM_SET: turns the (selected) response into the stored value, e.g.
     * an attribute list into a mapping; NULL = stored as is. */
    jv (*convert)(arena *a, const jv *v);
    /* Only resources with this member truthy get the call (Custodian
     * skips the others, so a recording's counter counts only them). */
    const char *only_if;
    /* Placebo only: in the custos layout the same data is read another
     * way (e.g. through the related role's own files). */
    bool placebo_only;
    /* Layout file names use the part of the id after its last '/' (an SQS
     * queue URL -> the queue name). */
    bool file_tail;
} detail_spec;

/* The detail calls for type t (n returned in *n); NULL when none. */
const detail_spec *inv_details(const resource_type *t, size_t *n);

/* Applies one call's result to resource r (a new object is built in a;
 * *r is replaced).  Returns false when the resource must be dropped. */
bool inv_apply_detail(arena *a, const detail_spec *d, call_result res, jv *r);

/* EC2: fills missing Tags from a DescribeTags response (resource-type
 * instance), as Custodian's tag augmentation does. */
void inv_ec2_tags(arena *a, jv *items, size_t n, const jv *describe_tags);

/* IAM users: annotates each user with its row of a GetCredentialReport
 * response under c7n:credential-report, converted as Custodian's
 * `credential` filter does.  root: items is the one aws.account document
 * and gets the <root_account> row. */
void inv_credential_report(arena *a, jv *items, size_t n, const jv *response, bool root);

/* The account document's IAM keys (see augment.c's header): summary is
 * GetAccountSummary's outcome, password GetAccountPasswordPolicy's;
 * password_missing says a missing file means "no policy" (IAM data was
 * collected for the account) rather than "not collected". */
void inv_account_iam(arena *a, jv *item, call_result summary, call_result password,
                     bool password_missing);

/* Drops items[i] where keep[i] is false (a per-resource call said the
 * resource is gone); returns the new count.  Frees keep. */
size_t inv_keep(jv *items, bool *keep, size_t n);

/* ---- calls.c ---- */

/* Per-resource calls of the types calls.c adds (inv_details falls back to
 * these). */
const detail_spec *inv_more_details(const resource_type *t, size_t *n);

/* A listing-level call joined into resources (calls.c's header). */
typedef enum {
    JOIN_LIST,  /* key = every matching item (or its `take` member); [] when none */
    JOIN_TAGS,  /* only resources without key: the first match's `take`, else [] */
    JOIN_FIRST, /* the first match (or its `take`); {} when none */
} join_mode;

typedef struct join_spec {
    const char *type;                 /* resource type it applies to */
    const char *client;               /* custos layout file name client */
    const char *service;              /* placebo endpoint prefix */
    const char *operation;            /* "ListAliases" */
    const char *items;                /* where the items sit in the response */
    const char *item_key;             /* item field to match */
    const char *res_key;              /* resource field it must equal; NULL = the resource's ARN */
    const char *take;                 /* item member to keep; NULL = the whole item */
    const char *item_key2, *res_key2; /* a second pair that must be equal too, or NULL */
    const char *key;                  /* resource key set */
    join_mode mode;
    bool omit_empty; /* JOIN_LIST: no key when nothing matched */
} join_spec;

const join_spec *inv_joins(size_t *n);

/* Reads every page of a listing-level call of scope into *out (an array
 * of the items at items_path).  Returns the number of pages read: 0 when
 * the call was not collected. */
int inv_read_listing(load_ctx *lc, const inv_scope *scope, bool global, const char *client,
                     const char *service, const char *op, const char *items_path, jv *out,
                     diag_list *diags);

/* Applies t's joins (and small per-type completions) to items. */
void inv_apply_joins(load_ctx *lc, const resource_type *t, const inv_scope *scope, jv *items,
                     size_t n, diag_list *diags);

/* Adds the account-wide calls (calls.c's ACCOUNT_CALLS) to the aws.account
 * document of scope. */
void inv_account_extras(load_ctx *lc, const inv_scope *scope, jv *item, diag_list *diags);

/* A listing that was not collected, rebuilt from the type's per-id calls
 * (GetRole, DescribeKey) when those were; returns how many were read. */
int inv_listing_from_gets(load_ctx *lc, const resource_type *t, const inv_scope *scope,
                          jv_builder *items, diag_list *diags);

/* watched.c: custos:aws-managed-policies on IAM users. */
void inv_watched_policies(load_ctx *lc, const resource_type *t, const inv_scope *scope, jv *items,
                          size_t n, diag_list *diags);

/* calls_types.c: per-type completions applied by inv_apply_joins. */
void inv_sqs_names(arena *a, jv *items, size_t n);
void inv_rds_tags(arena *a, jv *items, size_t n);
void inv_rds_parameters(load_ctx *lc, const inv_scope *scope, jv *items, size_t n,
                        diag_list *diags);
void inv_lambda_edge(load_ctx *lc, const inv_scope *scope, jv *items, size_t n, diag_list *diags);
void inv_asg_key_names(load_ctx *lc, const inv_scope *scope, jv *items, size_t n, diag_list *diags);
void inv_ebs_fault_tolerance(load_ctx *lc, const inv_scope *scope, jv *items, size_t n,
                             diag_list *diags);
void inv_health_events(load_ctx *lc, const resource_type *t, const inv_scope *scope, jv *items,
                       size_t n, diag_list *diags);

/* Loads child type t (t->parent set) from one call per parent. */
int inv_load_children(load_ctx *lc, const resource_type *t, const resource_set *parents,
                      const inv_scope *scope, resource_set *out, diag_list *diags);

/* ---- layout.c / placebo.c ---- */

int inv_layout_open(inventory *inv, diag_list *diags);
int inv_layout_load(load_ctx *lc, const resource_type *t, const inv_scope *scope, resource_set *out,
                    diag_list *diags);
/* part < 0 loads the whole listing; part >= 0 loads only page part+1 of a
 * paginated listing (no per-resource augmentation) and sets *more to
 * whether that page says more follow. */
int inv_placebo_load(load_ctx *lc, const resource_type *t, const inv_scope *scope, long part,
                     resource_set *out, bool *more, diag_list *diags);
/* How many parts inv_placebo_load can load t in (1 when not splittable). */
size_t inv_placebo_parts(inventory *inv, const resource_type *t);

/* Shared tail of both loaders: detail calls already applied; builds the
 * set and its id index. */
void inv_finish_set(arena *a, const resource_type *t, const inv_scope *scope, jv *items, size_t n,
                    resource_set *out);

#endif
