/* aws.h - talking to AWS: signing, protocols, credentials, collection.
 *
 * The layer below the inventory and the engine (it includes only util/,
 * json/ and format/yaml.h, never inventory/, engine/, store/, output/, web/ or cli/).
 * Its contract, piece by piece:
 *
 *  - Signature Version 4 (sigv4.c): aws_sigv4_sign turns a request into its
 *    canonical request, string to sign and Authorization header, exactly as
 *    the AWS specification (and botocore) do; OpenSSL computes the hashes.
 *  - Protocols (protocol.c, xml.c): requests are serialised and responses
 *    converted from the service models' generated tables (model.h) for the
 *    ec2, query, json, rest-json and rest-xml protocols, into exactly the
 *    JSON the AWS CLI prints (its default timestamp format `none`: as
 *    received), pages merged as the CLI merges them.
 *  - Credentials (creds.c, ini.c): the SDKs' chain (environment, shared
 *    config/credentials profiles with source_profile / role_arn /
 *    credential_process, web identity, the ECS endpoint, IMDSv2) and STS
 *    AssumeRole.  A secret key or session token is never put in a message,
 *    a file or a log line by anything here.
 *  - Endpoints (endpoint.c): AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL,
 *    the profile's endpoint_url, else the public AWS endpoint.
 *  - Collection (collect.c, plan.c): every operation of plan.c, for every
 *    account and region, concurrently over libcurl's multi interface, with
 *    the SDKs' standard retry mode, written as the inventory layout
 *    (inventory.h) with DIR/collection.json saying what was not collected.
 *
 * Errors are returned as text in caller-provided buffers or diag_lists;
 * nothing here prints, except the collector's progress line when asked.
 */
#ifndef CUSTOS_AWS_H
#define CUSTOS_AWS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "json/json.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/diag.h"

/* ---- Signature Version 4 ---- */

typedef struct aws_header {
    const char *name, *value;
} aws_header;

typedef struct sigv4_input {
    const char *method;
    const char *path;  /* as sent (percent-encoded); "/" when empty */
    const char *query; /* as sent, without '?'; may be NULL */
    const aws_header *headers;
    size_t nheaders; /* every header to sign, incl. host and x-amz-date */
    const void *body;
    size_t body_len;
    const char *payload_hash; /* hex SHA-256 of the body, or NULL to compute */
    const char *region, *service;
    const char *amz_date; /* "20150830T123600Z" */
    const char *access_key, *secret_key;
    bool s3; /* S3 rules: the path is neither normalised nor encoded again */
} sigv4_input;

typedef struct sigv4_output {
    buf creq;  /* canonical request */
    buf sts;   /* string to sign */
    buf authz; /* Authorization header value */
} sigv4_output;

void aws_sigv4_sign(const sigv4_input *in, sigv4_output *out);
void sigv4_output_free(sigv4_output *o);
/* Lower-case hex SHA-256 of data into out[65]. */
void aws_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- credentials ---- */

typedef struct aws_creds {
    char access_key[128];
    char secret_key[128];
    char *token;     /* session token (malloc'd) or NULL */
    time_t expires;  /* 0 = does not expire */
    char source[64]; /* where they came from: "environment", "profile dev", ... */
} aws_creds;

void aws_creds_clear(aws_creds *c); /* wipes and frees the token */
void aws_creds_copy(aws_creds *dst, const aws_creds *src);

/* The SDKs' default chain.  profile NULL = $AWS_PROFILE, else "default".
 * Returns 0, or -1 with a message in err (never containing a secret). */
int aws_default_creds(const char *profile, aws_creds *out, buf *err);

/* ---- shared config files (ini.c) ---- */

typedef struct aws_ini aws_ini;
/* Parses an AWS config/credentials file.  config: section names are
 * "profile NAME" (and "default"), credentials: "NAME".  NULL with err
 * "file:line: ..." on a syntax error; an absent file gives an empty one. */
aws_ini *aws_ini_load(const char *path, bool config, buf *err);
aws_ini *aws_ini_parse(const char *path, const char *text, size_t len, bool config, buf *err);
void aws_ini_free(aws_ini *ini);
/* A profile's value (NULL when absent); sub-sections ("s3 =\n  k = v")
 * are read as "s3.k". */
const char *aws_ini_get(const aws_ini *ini, const char *profile, const char *key);
bool aws_ini_has_profile(const aws_ini *ini, const char *profile);

/* ---- calls ---- */

typedef struct aws_param {
    const char *name;  /* input member name: "UserName" */
    const char *value; /* scalar, or comma-separated items for a list member */
} aws_param;

/* Where a service of one region is reached. */
typedef struct aws_endpoint {
    char url[512]; /* scheme://host[:port][/base] */
    char signing_region[64];
    bool custom; /* from AWS_ENDPOINT_URL* or a profile */
} aws_endpoint;

/* client: CLI service name ("elbv2"); profile for endpoint_url (may be NULL). */
int aws_endpoint_resolve(const char *client, const char *region, const char *profile,
                         aws_endpoint *out, buf *err);

/* One call's outcome. */
typedef struct aws_result {
    int http_status;   /* 0 when no answer */
    char code[128];    /* error code ("AccessDenied", "Throttling", ...); "" on success */
    char message[512]; /* error message, secret-free */
    jv data;           /* the response as the CLI prints it (success) */
    int attempts;
    char request_id[128]; /* AWS's request id of the last answer ("" when none) */
} aws_result;

/* One synchronous call (credentials chain, STS): all pages, retries
 * included.  Returns 0 on success, -1 otherwise (res->code says why). */
int aws_call(arena *a, const aws_creds *creds, const char *client, const char *operation,
             const char *region, const char *profile, const aws_param *params, size_t nparams,
             aws_result *res);

/* The same with the whole input as a jv shaped like botocore's input
 * (the AWS CLI's --cli-input-json): nested structures and lists, for the
 * ec2, query and rest-xml protocols.  No pagination.  Write calls. */
int aws_call_input(arena *a, const aws_creds *creds, const char *client, const char *operation,
                   const char *region, const char *profile, const jv *input, aws_result *res);

/* STS AssumeRole with the given credentials (external_id, session may be
 * NULL; duration 0 = 3600 s). */
int aws_assume_role(const aws_creds *base, const char *role_arn, const char *external_id,
                    const char *session, int duration, const char *region, aws_creds *out,
                    buf *err);

/* ---- response conversion (for tools, tests and fuzzing) ---- */

/* Converts one raw response body of client/operation into the CLI's JSON.
 * headers: "Name: value" lines (rest protocols), may be NULL.  Returns 0,
 * or -1 with err set (bad XML/JSON, unknown operation). */
int aws_parse_response(arena *a, const char *client, const char *operation, int status,
                       const char *headers, const char *body, size_t len, jv *out, buf *err);

/* ---- collection ---- */

typedef struct collect_options {
    const char *accounts_path; /* accounts.yaml with an optional collect: section */
    const char *out_dir;
    int concurrency;  /* requests in flight overall (default 64) */
    int max_attempts; /* per request (default 10; AWS_MAX_ATTEMPTS) */
    long timeout_ms;  /* per request (default 30000) */
    double retry_s;   /* retrying per request at most, seconds (default 30) */
    bool progress;    /* a progress line on stderr */
    const char *profile;
    /* Only the accounts this says yes to (NULL: every account): a shard's
     * (cli_shard_of).  The others are not entered, and the inventory's
     * accounts.yaml and collection.json list only the accounts kept, so a
     * scan of it never mistakes the others for empty ones.  An empty
     * selection collects nothing (never the caller's own account). */
    bool (*keep_account)(const char *account_id, void *arg);
    void *keep_arg;
    /* Only these regions of every account kept (NULL: accounts.yaml's, or
     * DescribeRegions), and only the operations keep_op says yes to (NULL:
     * every one of plan.c; a per-resource call runs only when its parent
     * does): custos fix's re-read of what it changed. */
    const char *const *regions;
    size_t n_regions;
    bool (*keep_op)(const char *client, const char *operation, void *arg);
    void *keep_op_arg;
} collect_options;

typedef struct collect_summary {
    size_t accounts, scopes, operations, collected, not_collected;
    size_t requests, retries;
    double seconds;
} collect_summary;

/* Exit codes of `custos collect`. */
enum { COLLECT_OK = 0, COLLECT_ERROR = 1, COLLECT_PARTIAL = 5 };

/* Collects into out_dir (atomically: built beside it, renamed into place).
 * Returns COLLECT_OK, COLLECT_PARTIAL (written; collection.json names the
 * gaps) or COLLECT_ERROR (bad configuration, nothing written; diags). */
int aws_collect(const collect_options *opt, collect_summary *sum, diag_list *diags);

#endif
