/* aws_internal.h - shared pieces of src/aws (not a public API).
 *
 * protocol.c serialises requests and converts responses by the model
 * tables; xml.c is its XML half (libxml2); loop.c runs calls over curl
 * multi with retries; creds.c, ini.c and endpoint.c find credentials and
 * endpoints; plan.c lists what the collector calls; collect.c runs it.
 */
#ifndef CUSTOS_AWS_INTERNAL_H
#define CUSTOS_AWS_INTERNAL_H

#include "aws/aws.h"
#include "aws/model.h"

/* ---- protocol.c ---- */

/* snprintf that may truncate (messages, names). */
void aws_fmt(char *dst, size_t n, const char *f, ...) __attribute__((format(printf, 3, 4)));

typedef struct aws_http_request {
    const char *method;
    buf path;  /* percent-encoded, from '/' */
    buf query; /* without '?' */
    buf body;
    aws_header headers[8]; /* besides host, dates, auth (values in hstore) */
    size_t nheaders;
    char hstore[8][256];
} aws_http_request;

/* Builds the request for op with params (plus pagination tokens already
 * among them).  Returns 0, or -1 with err (unknown parameter). */
int aws_build_request(const aws_service *s, const aws_operation *op, const aws_param *params,
                      size_t n, aws_http_request *rq, buf *err);
void aws_http_request_free(aws_http_request *rq);
/* The same from a jv input shaped like botocore's (serialize.c): nested
 * structures and lists, for the ec2, query and rest-xml protocols. */
int aws_build_request_input(const aws_service *s, const aws_operation *op, const jv *input,
                            aws_http_request *rq, buf *err);

/* A raw response. */
typedef struct aws_http_response {
    int status;
    const char *headers; /* "name: value\r\n" lines, may be NULL */
    const char *body;
    size_t len;
} aws_http_response;

/* Converts a successful response (status < 300) by the op's output shape.
 * Returns 0 or -1 with err. */
int aws_convert(arena *a, const aws_service *s, const aws_operation *op, const aws_http_response *r,
                jv *out, buf *err);

/* The error code and message of a failed response, in the protocol's own
 * format (falls back to the HTTP status as the code). */
void aws_parse_error(const aws_service *s, const aws_http_response *r, char *code, size_t codesz,
                     char *msg, size_t msgsz);

/* A header's value from "name: value" lines (case-insensitive) into out. */
bool aws_header_get(const char *headers, const char *name, char *out, size_t outsz);

/* ---- xml.c ---- */

/* XML text -> the shape's JSON, as botocore's XML parsers build it.
 * wrapper: query protocol result element, or NULL.  Empty text parses as
 * an empty element.  Returns 0 or -1 with err. */
int aws_xml_to_json(arena *a, const aws_service *s, int shape, const char *wrapper,
                    const char *text, size_t len, jv *out, buf *err);
/* The root element's text (S3 GetBucketLocation); NULL for empty. */
int aws_xml_root_text(arena *a, const char *text, size_t len, const char **out, buf *err);
/* First <Code> and <Message> anywhere in an XML error body; false when
 * the text is not XML or has no Code. */
bool aws_xml_error(const char *text, size_t len, char *code, size_t codesz, char *msg,
                   size_t msgsz);

/* ---- pages (protocol.c) ---- */

/* The value of a paginator expression ("A.B", "X || Y") in a page, or
 * NULL when absent or null. */
const jv *aws_page_expr(const jv *page, const char *expr);
/* Whether a page says more follow; fills next[] with the tokens (as
 * strings in a) for the input tokens. */
bool aws_page_next(arena *a, const aws_pager *p, const jv *page, const char *next[2]);
/* Merges a page into *merged as the CLI's build_full_result does
 * (result keys concatenated; non-aggregate keys from the first page). */
void aws_page_merge(arena *a, const aws_pager *p, jv *merged, const jv *page, bool first);

/* ---- loop.c ---- */

typedef struct aws_loop aws_loop;
typedef struct aws_job aws_job;

/* Credentials a job signs with; refresh (may be NULL) is called before a
 * request is signed when they expire within 5 minutes. */
typedef struct aws_cred_source {
    aws_creds creds;
    int (*refresh)(struct aws_cred_source *cs, buf *err);
    void *ctx;
    bool unsigned_calls; /* sign nothing (AssumeRoleWithWebIdentity) */
} aws_cred_source;

typedef void (*aws_job_done)(aws_job *j, void *ctx);

struct aws_job {
    const aws_service *svc;
    const aws_operation *op;
    char region[32];
    aws_endpoint ep;
    aws_cred_source *cs;
    aws_param params[8];
    size_t nparams;
    const jv *input;    /* instead of params: the whole input (serialize.c), or NULL */
    char quota_key[96]; /* retry quota bucket ("account/region/client") */
    arena *a;           /* params, pages and the result */
    aws_job_done done;
    void *ctx;
    /* outcome, set before done() */
    aws_result res;
    /* loop.c's state */
    void *priv;
};

aws_loop *aws_loop_new(int concurrency, int max_attempts);
void aws_loop_free(aws_loop *l);
/* Queues j (its arena and params set by the caller).  done is called from
 * aws_loop_run once all pages are in or the call failed for good. */
void aws_loop_add(aws_loop *l, aws_job *j);
/* Runs until nothing is queued or in flight; callbacks may add jobs. */
void aws_loop_run(aws_loop *l);
/* Counters for the progress line and the summary. */
void aws_loop_stats(const aws_loop *l, size_t *requests, size_t *retries, size_t *inflight,
                    size_t *queued);
/* Called about every 200 ms while running (progress display). */
void aws_loop_on_tick(aws_loop *l, void (*tick)(void *ctx), void *ctx);
/* Request timeout in milliseconds (default 30000). */
void aws_loop_set_timeout(aws_loop *l, long ms);
/* Seconds a page may spend retrying, from its first failed attempt
 * (default 30); a retry whose backoff would end later is not made. */
void aws_loop_set_retry_time(aws_loop *l, double seconds);

/* A new job for client/operation in region (NULL fields left zero); the
 * endpoint is resolved from the environment/profile.  Returns NULL with
 * err for an unknown operation or a bad endpoint. */
aws_job *aws_job_new(const char *client, const char *operation, const char *region,
                     const char *profile, aws_cred_source *cs, buf *err);
void aws_job_param(aws_job *j, const char *name, const char *value);
void aws_job_free(aws_job *j);

/* ---- creds.c ---- */

/* STS AssumeRole response -> creds; -1 with err when the shape is wrong. */
int aws_creds_from_sts(const jv *data, aws_creds *out, const char *source, buf *err);

/* True for error codes that mean "not configured" rather than "failed"
 * (NoSuchBucketPolicy, NoSuchEntity, *NotFound, ...). */
bool aws_code_not_found(const char *code);

#endif
