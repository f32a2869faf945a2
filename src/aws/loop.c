/* loop.c - many AWS calls at once over libcurl's multi interface.
 *
 * A job is one operation call with all its pages.  The loop keeps up to
 * `concurrency` requests in flight; each request is built (protocol.c),
 * signed (sigv4.c) just before it is sent, and its answer converted and
 * merged page by page.  Retries follow the SDKs' standard mode: throttling
 * codes (Throttling, ThrottlingException, RequestLimitExceeded, SlowDown,
 * TooManyRequestsException, ...), HTTP 429/500/502/503/504 and transport
 * errors (resets, timeouts, empty replies) are retried up to max_attempts
 * with a delay of rand() * min(20 s, 2^(attempt-1) s) ("full jitter"),
 * drawing on a retry quota per account/region/service (500 tokens, 5 per
 * retry, 10 per timeout, refunded on success), and within a retry time per
 * page (default 30 s from its first failed attempt: a server that answers
 * one call with the same 500 every time costs that call 30 s, not the
 * ~100 s ten attempts of backoff would).  RequestTimeTooSkewed (and
 * the other clock-skew errors) sets the clock offset from the answer's
 * Date header and retries at once.  Everything runs on the calling thread:
 * callbacks may add jobs; nothing is shared with other threads.
 */
#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "aws/aws_internal.h"

enum { QUOTA_MAX = 500, RETRY_COST = 5, TIMEOUT_COST = 10, NO_RETRY_REFUND = 1 };

typedef struct quota {
    char key[96];
    int tokens;
} quota;

typedef struct jstate {
    CURL *easy;
    struct curl_slist *hl;
    aws_http_request rq;
    buf rbody, rhdr;
    char url[2048];
    int attempt;       /* attempts of the current page */
    double first_fail; /* when its first attempt failed */
    double ready_at;   /* not before (backoff) */
    int pages;
    const char *token[2];
    jv merged;
    int quota_taken; /* tokens taken for the last retry */
    struct aws_job *next;
} jstate;

struct aws_loop {
    CURLM *multi;
    int concurrency, max_attempts;
    long timeout_ms;
    double retry_time;           /* seconds of retrying per page, at most */
    aws_job *queue, *queue_tail; /* waiting (ready or backing off) */
    size_t queued, inflight;
    size_t requests, retries;
    double clock_offset;
    quota *quotas;
    size_t nquotas, capquotas;
    void (*tick)(void *);
    void *tick_ctx;
    unsigned rng;
};

static double now_s(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static jstate *st(aws_job *j)
{
    return j->priv;
}

aws_loop *aws_loop_new(int concurrency, int max_attempts)
{
    static int curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = 1;
    }
    aws_loop *l = calloc(1, sizeof *l);
    if (!l) abort();
    l->multi = curl_multi_init();
    l->concurrency = concurrency > 0 ? concurrency : 64;
    l->max_attempts = max_attempts > 0 ? max_attempts : 10;
    l->timeout_ms = 30000;
    l->retry_time = 30;
    l->rng = (unsigned)(now_s() * 1e6);
    curl_multi_setopt(l->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)l->concurrency);
    return l;
}

void aws_loop_free(aws_loop *l)
{
    if (!l) return;
    curl_multi_cleanup(l->multi);
    free(l->quotas);
    free(l);
}

void aws_loop_set_timeout(aws_loop *l, long ms)
{
    if (ms > 0) l->timeout_ms = ms;
}

void aws_loop_set_retry_time(aws_loop *l, double seconds)
{
    if (seconds > 0) l->retry_time = seconds;
}

void aws_loop_on_tick(aws_loop *l, void (*tick)(void *ctx), void *ctx)
{
    l->tick = tick;
    l->tick_ctx = ctx;
}

void aws_loop_stats(const aws_loop *l, size_t *requests, size_t *retries, size_t *inflight,
                    size_t *queued)
{
    if (requests) *requests = l->requests;
    if (retries) *retries = l->retries;
    if (inflight) *inflight = l->inflight;
    if (queued) *queued = l->queued;
}

static void enqueue(aws_loop *l, aws_job *j)
{
    st(j)->next = NULL;
    if (l->queue_tail)
        st(l->queue_tail)->next = j;
    else
        l->queue = j;
    l->queue_tail = j;
    l->queued++;
}

void aws_loop_add(aws_loop *l, aws_job *j)
{
    if (!j->priv) {
        jstate *s = calloc(1, sizeof *s);
        if (!s) abort();
        j->priv = s;
    }
    enqueue(l, j);
}

static quota *quota_for(aws_loop *l, const char *key)
{
    for (size_t i = 0; i < l->nquotas; i++)
        if (strcmp(l->quotas[i].key, key) == 0) return &l->quotas[i];
    if (l->nquotas == l->capquotas) {
        l->capquotas = l->capquotas ? l->capquotas * 2 : 64;
        l->quotas = realloc(l->quotas, l->capquotas * sizeof *l->quotas);
        if (!l->quotas) abort();
    }
    quota *q = &l->quotas[l->nquotas++];
    snprintf(q->key, sizeof q->key, "%s", key);
    q->tokens = QUOTA_MAX;
    return q;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    buf_append(ud, p, size * n);
    return size * n;
}

/* The x-amz-date, corrected by the clock offset. */
static void amz_date(const aws_loop *l, char out[17])
{
    time_t t = (time_t)(now_s() + l->clock_offset);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* The endpoint's host[:port] and base path. */
static void split_url(const char *url, char *host, size_t hs, const char **base)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    snprintf(host, hs, "%.*s", (int)hl, h);
    *base = slash ? slash : "";
}

static void add_hdr(struct curl_slist **hl, const char *name, const char *value)
{
    char line[4096];
    snprintf(line, sizeof line, "%s: %s", name, value);
    *hl = curl_slist_append(*hl, line);
}

/* Fills the curl handle of j's next request; -1 with res set on failure. */
static int prepare(aws_loop *l, aws_job *j)
{
    jstate *s = st(j);
    aws_param p[10];
    size_t n = 0;
    for (size_t i = 0; i < j->nparams && n < 8; i++)
        p[n++] = j->params[i];
    const aws_pager *pg = j->op->pager;
    for (int i = 0; pg && s->pages && i < 2 && pg->input_token[i]; i++)
        if (s->token[i]) p[n++] = (aws_param){pg->input_token[i], s->token[i]};
    buf err = BUF_INIT;
    aws_http_request_free(&s->rq);
    int brc = j->input ? aws_build_request_input(j->svc, j->op, j->input, &s->rq, &err)
                       : aws_build_request(j->svc, j->op, p, n, &s->rq, &err);
    if (brc != 0) {
        snprintf(j->res.code, sizeof j->res.code, "InvalidRequest");
        snprintf(j->res.message, sizeof j->res.message, "%s", err.data ? err.data : "");
        buf_free(&err);
        return -1;
    }
    if (j->cs && j->cs->refresh && j->cs->creds.expires &&
        j->cs->creds.expires - (time_t)now_s() < 300 && j->cs->refresh(j->cs, &err) != 0) {
        snprintf(j->res.code, sizeof j->res.code, "ExpiredToken");
        snprintf(j->res.message, sizeof j->res.message, "refreshing credentials: %s",
                 err.data ? err.data : "");
        buf_free(&err);
        return -1;
    }
    buf_free(&err);
    char host[256], date[17], body_hash[65];
    const char *base;
    split_url(j->ep.url, host, sizeof host, &base);
    amz_date(l, date);
    buf path = BUF_INIT;
    buf_printf(&path, "%s%s", strcmp(base, "/") == 0 ? "" : base, s->rq.path.data);
    aws_sha256_hex(s->rq.body.data ? s->rq.body.data : "", s->rq.body.len, body_hash);
    aws_header h[16];
    size_t nh = 0;
    h[nh++] = (aws_header){"Host", host};
    h[nh++] = (aws_header){"X-Amz-Date", date};
    bool s3 = strcmp(j->svc->client, "s3") == 0;
    /* S3 requires the payload hash header; rest-json (Lambda) gets it too,
     * signed: AWS accepts it, and moto, the tests' peer, otherwise hashes
     * a GET's query parameters as its body and rejects every signature
     * (the AWS CLI's too: tests/aws/cli_referee.py adds the header). */
    if (s3 || j->svc->protocol == AWS_REST_JSON)
        h[nh++] = (aws_header){"X-Amz-Content-SHA256", body_hash};
    if (j->cs && j->cs->creds.token && !j->cs->unsigned_calls)
        h[nh++] = (aws_header){"X-Amz-Security-Token", j->cs->creds.token};
    for (size_t i = 0; i < s->rq.nheaders; i++)
        h[nh++] = s->rq.headers[i];
    curl_slist_free_all(s->hl);
    s->hl = NULL;
    for (size_t i = 1; i < nh; i++) /* curl sends Host itself */
        add_hdr(&s->hl, h[i].name, h[i].value);
    if (j->cs && !j->cs->unsigned_calls) {
        sigv4_input si = {.method = s->rq.method,
                          .path = path.data,
                          .query = s->rq.query.data,
                          .headers = h,
                          .nheaders = nh,
                          .payload_hash = body_hash,
                          .region = j->ep.signing_region,
                          .service = j->svc->signing_name,
                          .amz_date = date,
                          .access_key = j->cs->creds.access_key,
                          .secret_key = j->cs->creds.secret_key,
                          .s3 = s3};
        sigv4_output so;
        aws_sigv4_sign(&si, &so);
        add_hdr(&s->hl, "Authorization", so.authz.data);
        sigv4_output_free(&so);
    }
    bool ctype = false;
    for (size_t i = 0; i < s->rq.nheaders; i++)
        ctype |= strcasecmp(s->rq.headers[i].name, "Content-Type") == 0;
    /* curl would label any other body form data (moto then reads none) */
    if (!ctype) s->hl = curl_slist_append(s->hl, "Content-Type:");
    s->hl = curl_slist_append(s->hl, "Expect:");
    s->hl = curl_slist_append(s->hl, "User-Agent: custos/"
                                     "aws");
    aws_fmt(s->url, sizeof s->url, "%.*s%s%s%s%s", (int)(strstr(j->ep.url, host) - j->ep.url),
            j->ep.url, host, path.data, s->rq.query.len ? "?" : "",
            s->rq.query.len ? s->rq.query.data : "");
    buf_free(&path);
    if (!s->easy) s->easy = curl_easy_init();
    CURL *e = s->easy;
    curl_easy_reset(e);
    buf_reset(&s->rbody);
    buf_reset(&s->rhdr);
    curl_easy_setopt(e, CURLOPT_URL, s->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hl);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, s->rq.method);
    if (strcmp(s->rq.method, "GET") == 0) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->rq.body.data ? s->rq.body.data : "");
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)s->rq.body.len);
    }
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &s->rbody);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &s->rhdr);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, l->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, l->timeout_ms < 10000 ? l->timeout_ms : 10000);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, j);
    return 0;
}

static bool code_in(const char *code, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(code, *list) == 0) return true;
    return false;
}

static const char *const THROTTLE[] = {"Throttling",
                                       "ThrottlingException",
                                       "ThrottledException",
                                       "RequestThrottledException",
                                       "TooManyRequestsException",
                                       "ProvisionedThroughputExceededException",
                                       "TransactionInProgressException",
                                       "RequestLimitExceeded",
                                       "BandwidthLimitExceeded",
                                       "LimitExceededException",
                                       "RequestThrottled",
                                       "SlowDown",
                                       "PriorRequestNotComplete",
                                       "EC2ThrottledException",
                                       NULL};
static const char *const TRANSIENT[] = {
    "RequestTimeout",     "RequestTimeoutException", "InternalError",    "InternalFailure",
    "ServiceUnavailable", "IDPCommunicationError",   "ReportInProgress", NULL};
static const char *const SKEW[] = {"RequestTimeTooSkewed",
                                   "RequestExpired",
                                   "InvalidSignatureException",
                                   "SignatureDoesNotMatch",
                                   "AuthFailure",
                                   "RequestInTheFuture",
                                   NULL};

typedef enum { R_NO, R_RETRY, R_TIMEOUT, R_SKEW } retry_kind;

static retry_kind classify(aws_job *j, CURLcode cc, int status)
{
    if (cc == CURLE_OPERATION_TIMEDOUT) return R_TIMEOUT;
    if (cc != CURLE_OK) {
        return (cc == CURLE_COULDNT_CONNECT || cc == CURLE_RECV_ERROR || cc == CURLE_SEND_ERROR ||
                cc == CURLE_GOT_NOTHING || cc == CURLE_PARTIAL_FILE ||
                cc == CURLE_COULDNT_RESOLVE_HOST)
                   ? R_RETRY
                   : R_NO;
    }
    if (code_in(j->res.code, SKEW) && strstr(j->res.code, "Signature") == NULL) return R_SKEW;
    if (code_in(j->res.code, THROTTLE) || code_in(j->res.code, TRANSIENT)) return R_RETRY;
    if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504)
        return R_RETRY;
    return R_NO;
}

static void fix_skew(aws_loop *l, const char *headers)
{
    char d[128];
    if (!aws_header_get(headers, "Date", d, sizeof d)) return;
    struct tm tm = {0};
    if (!strptime(d, "%a, %d %b %Y %H:%M:%S", &tm)) return;
    l->clock_offset = (double)timegm(&tm) - now_s();
}

static void finish(aws_loop *l, aws_job *j)
{
    jstate *s = st(j);
    if (s->easy) curl_easy_cleanup(s->easy);
    curl_slist_free_all(s->hl);
    aws_http_request_free(&s->rq);
    buf_free(&s->rbody);
    buf_free(&s->rhdr);
    if (!j->res.code[0]) j->res.data = j->op->pager ? s->merged : j->res.data;
    free(s);
    j->priv = NULL;
    (void)l;
    j->done(j, j->ctx);
}

static double backoff(aws_loop *l, int attempt)
{
    double cap = pow(2.0, attempt - 1);
    if (cap > 20) cap = 20;
    double r = (double)rand_r(&l->rng) / RAND_MAX;
    return r * cap;
}

/* AWS's request id: a header (x-amzn-RequestId, S3's x-amz-request-id),
 * else the body's RequestId (query) or requestId (ec2) element. */
static void request_id(const aws_http_response *r, char *out, size_t n)
{
    out[0] = 0;
    if (r->headers && (aws_header_get(r->headers, "x-amzn-RequestId", out, n) ||
                       aws_header_get(r->headers, "x-amz-request-id", out, n)))
        return;
    static const char *const tags[] = {"<RequestId>", "<requestId>", "<RequestID>"};
    for (size_t t = 0; t < 3 && r->body; t++) {
        const char *p = memmem(r->body, r->len, tags[t], strlen(tags[t]));
        if (!p) continue;
        p += strlen(tags[t]);
        const char *e = memchr(p, '<', r->len - (size_t)(p - r->body));
        if (e && (size_t)(e - p) < n) snprintf(out, n, "%.*s", (int)(e - p), p);
        return;
    }
}

/* One answer: the next page, a retry, or the end of the job. */
static void on_answer(aws_loop *l, aws_job *j, CURLcode cc)
{
    jstate *s = st(j);
    long status = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    j->res.http_status = (int)status;
    j->res.attempts++;
    j->res.code[0] = j->res.message[0] = 0;
    aws_http_response r = {(int)status, s->rhdr.data, s->rbody.data ? s->rbody.data : "",
                           s->rbody.len};
    request_id(&r, j->res.request_id, sizeof j->res.request_id);
    if (cc != CURLE_OK) {
        snprintf(j->res.code, sizeof j->res.code, "%s",
                 cc == CURLE_OPERATION_TIMEDOUT ? "RequestTimeout" : "ConnectionError");
        snprintf(j->res.message, sizeof j->res.message, "%s", curl_easy_strerror(cc));
    } else if (status >= 300) {
        aws_parse_error(j->svc, &r, j->res.code, sizeof j->res.code, j->res.message,
                        sizeof j->res.message);
    }
    quota *q = quota_for(l, j->quota_key);
    if (j->res.code[0]) {
        retry_kind k = classify(j, cc, (int)status);
        double now = now_s();
        if (s->attempt == 0) s->first_fail = now;
        s->attempt++;
        if (k == R_SKEW && s->attempt < l->max_attempts) {
            fix_skew(l, s->rhdr.data);
            l->retries++;
            s->ready_at = 0;
            enqueue(l, j);
            return;
        }
        int cost = k == R_TIMEOUT ? TIMEOUT_COST : RETRY_COST;
        double delay = k != R_NO ? backoff(l, s->attempt) : 0;
        bool in_time = now + delay - s->first_fail <= l->retry_time;
        if (k != R_NO && s->attempt < l->max_attempts && in_time && q->tokens >= cost) {
            q->tokens -= cost;
            s->quota_taken = cost;
            l->retries++;
            s->ready_at = now + delay;
            enqueue(l, j);
            return;
        }
        if (k != R_NO && !in_time && s->attempt < l->max_attempts)
            snprintf(j->res.message + strlen(j->res.message),
                     sizeof j->res.message - strlen(j->res.message),
                     " (after %d attempts in %.0f s: retry time exhausted)", s->attempt,
                     now - s->first_fail);
        else if (k != R_NO && s->attempt >= l->max_attempts)
            snprintf(j->res.message + strlen(j->res.message),
                     sizeof j->res.message - strlen(j->res.message), " (after %d attempts)",
                     s->attempt);
        else if (k != R_NO)
            snprintf(j->res.message + strlen(j->res.message),
                     sizeof j->res.message - strlen(j->res.message), " (retry quota exhausted)");
        finish(l, j);
        return;
    }
    q->tokens += s->quota_taken ? s->quota_taken : NO_RETRY_REFUND;
    if (q->tokens > QUOTA_MAX) q->tokens = QUOTA_MAX;
    s->quota_taken = 0;
    s->attempt = 0;
    buf err = BUF_INIT;
    jv page;
    if (aws_convert(j->a, j->svc, j->op, &r, &page, &err) != 0) {
        snprintf(j->res.code, sizeof j->res.code, "InvalidResponse");
        snprintf(j->res.message, sizeof j->res.message, "%s", err.data ? err.data : "");
        buf_free(&err);
        finish(l, j);
        return;
    }
    buf_free(&err);
    const aws_pager *pg = j->op->pager;
    if (!pg) {
        j->res.data = page;
        finish(l, j);
        return;
    }
    aws_page_merge(j->a, pg, &s->merged, &page, s->pages == 0);
    const char *next[2];
    bool more = aws_page_next(j->a, pg, &page, next);
    bool same = more && s->pages && next[0] && s->token[0] && strcmp(next[0], s->token[0]) == 0;
    s->pages++;
    if (!more || same || s->pages > 10000) {
        finish(l, j);
        return;
    }
    s->token[0] = next[0];
    s->token[1] = next[1];
    s->ready_at = 0;
    enqueue(l, j);
}

/* Starts queued jobs that are ready, up to the concurrency; returns the
 * seconds until the next backing-off job is ready (or 1). */
static double start_ready(aws_loop *l)
{
    double t = now_s(), wait = 1.0;
    aws_job *prev = NULL, *j = l->queue;
    while (j && l->inflight < (size_t)l->concurrency) {
        jstate *s = st(j);
        aws_job *next = s->next;
        if (s->ready_at > t) {
            if (s->ready_at - t < wait) wait = s->ready_at - t;
            prev = j;
            j = next;
            continue;
        }
        if (prev)
            st(prev)->next = next;
        else
            l->queue = next;
        if (l->queue_tail == j) l->queue_tail = prev;
        l->queued--;
        if (prepare(l, j) != 0) {
            finish(l, j);
        } else {
            curl_multi_add_handle(l->multi, s->easy);
            l->inflight++;
            l->requests++;
        }
        j = next;
    }
    return wait;
}

void aws_loop_run(aws_loop *l)
{
    double last_tick = 0;
    while (l->queued || l->inflight) {
        double wait = start_ready(l);
        int running = 0;
        curl_multi_perform(l->multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(l->multi, &left))) {
            if (m->msg != CURLMSG_DONE) continue;
            aws_job *j = NULL;
            CURL *e = m->easy_handle;
            CURLcode cc = m->data.result;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j);
            curl_multi_remove_handle(l->multi, e);
            l->inflight--;
            on_answer(l, j, cc);
        }
        if (l->tick && now_s() - last_tick > 0.2) {
            last_tick = now_s();
            l->tick(l->tick_ctx);
        }
        if (!l->queued && !l->inflight) break;
        int ms = (int)(wait * 1000);
        if (ms > 200) ms = 200;
        if (l->inflight)
            curl_multi_poll(l->multi, NULL, 0, ms < 1 ? 1 : ms, NULL);
        else if (ms > 0)
            curl_multi_poll(l->multi, NULL, 0, ms, NULL);
    }
}

/* ---- jobs ---- */

aws_job *aws_job_new(const char *client, const char *operation, const char *region,
                     const char *profile, aws_cred_source *cs, buf *err)
{
    const aws_service *svc = aws_service_find(client);
    const aws_operation *op = aws_operation_find(svc, operation);
    if (!op) {
        buf_printf(err, "unknown operation %s %s (not in src/aws/plan.c)", client, operation);
        return NULL;
    }
    aws_job *j = calloc(1, sizeof *j);
    if (!j) abort();
    j->svc = svc;
    j->op = op;
    snprintf(j->region, sizeof j->region, "%s", region);
    if (aws_endpoint_resolve(client, region, profile, &j->ep, err) != 0) {
        free(j);
        return NULL;
    }
    j->cs = cs;
    j->a = arena_new(0);
    snprintf(j->quota_key, sizeof j->quota_key, "%s/%s", region, client);
    return j;
}

void aws_job_param(aws_job *j, const char *name, const char *value)
{
    if (j->nparams >= 8) return;
    j->params[j->nparams++] = (aws_param){arena_strdup(j->a, name), arena_strdup(j->a, value)};
}

void aws_job_free(aws_job *j)
{
    if (!j) return;
    arena_free(j->a);
    free(j);
}
