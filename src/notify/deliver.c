/* deliver.c - one notification over the network with libcurl (deliver.h).
 *
 * Design.  One easy handle per try keeps the state simple (no connection
 * reuse to reason about across a failure; a run sends a few dozen
 * messages, so setup cost does not matter).  Retries are synchronous with
 * exponential backoff: notify runs after a scan, not in a latency-critical
 * path, and a receiver that is briefly unavailable (a deploy, a 502 from a
 * proxy) usually answers within seconds.  What still fails stays in the
 * outbox for the next run (outbox.c), so retries here only need to cover
 * blips, and are kept few.
 *
 * Secrets: curl's error messages name hosts, never paths, and we never put
 * the URL itself in a message; CURLOPT_VERBOSE stays off for the same
 * reason.  Redirects are not followed (a webhook that redirects is a
 * misconfiguration, and following would re-POST to somewhere else).
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "notify/deliver.h"

int deliver_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void deliver_global_cleanup(void)
{
    curl_global_cleanup();
}

typedef struct reader {
    const char *p;
    size_t left;
} reader;

static size_t read_cb(char *dst, size_t size, size_t nmemb, void *arg)
{
    reader *r = arg;
    size_t n = size * nmemb;
    if (n > r->left) n = r->left;
    memcpy(dst, r->p, n);
    r->p += n;
    r->left -= n;
    return n;
}

/* Response bodies are not needed; drop them (curl would print them). */
static size_t discard_cb(char *p, size_t size, size_t nmemb, void *arg)
{
    (void)p;
    (void)arg;
    return size * nmemb;
}

static void sleep_ms(long ms)
{
    if (ms <= 0) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void common_opts(CURL *h, const deliver_opts *o, char *errbuf)
{
    long timeout = o->timeout_ms > 0 ? o->timeout_ms : 10000;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
}

typedef enum { TRY_OK, TRY_RETRY, TRY_FINAL } try_outcome;

static try_outcome try_http(const deliver_request *r, const deliver_opts *o, deliver_result *res)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(res->error, sizeof res->error, "cannot start libcurl");
        return TRY_FINAL;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    char idhdr[64];
    snprintf(idhdr, sizeof idhdr, "X-Custos-Delivery: %lld", (long long)r->id);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    hdrs = curl_slist_append(hdrs, idhdr);
    hdrs = curl_slist_append(hdrs, "User-Agent: custos-notify");
    hdrs = curl_slist_append(hdrs, "Expect:");
    common_opts(h, o, errbuf);
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->payload);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    res->status = status;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK) {
        snprintf(res->error, sizeof res->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
        /* A URL curl cannot use will not improve with time. */
        return cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL ? TRY_FINAL
                                                                             : TRY_RETRY;
    }
    if (status >= 300) {
        snprintf(res->error, sizeof res->error, "HTTP status %ld", status);
        bool client = status >= 400 && status < 500 && status != 408 && status != 429;
        return client ? TRY_FINAL : TRY_RETRY;
    }
    res->error[0] = '\0';
    return TRY_OK;
}

static try_outcome try_smtp(const deliver_request *r, const deliver_opts *o, deliver_result *res)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(res->error, sizeof res->error, "cannot start libcurl");
        return TRY_FINAL;
    }
    char errbuf[CURL_ERROR_SIZE] = "", from[300], to[300];
    snprintf(from, sizeof from, "<%s>", r->mail_from);
    snprintf(to, sizeof to, "<%s>", r->rcpt);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    reader rd = {r->payload, r->len};
    common_opts(h, o, errbuf);
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(h, CURLOPT_READDATA, &rd);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->len);
    /* STARTTLS when the server offers it; smtps:// is TLS from the start. */
    curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    res->status = status;
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    if (cc != CURLE_OK) {
        const char *why = errbuf[0] ? errbuf : curl_easy_strerror(cc);
        if (status)
            snprintf(res->error, sizeof res->error, "%.200s (SMTP reply %ld)", why, status);
        else
            snprintf(res->error, sizeof res->error, "%s", why);
        if (status >= 500 && status < 600) return TRY_FINAL; /* permanent SMTP rejection */
        return cc == CURLE_URL_MALFORMAT || cc == CURLE_UNSUPPORTED_PROTOCOL ? TRY_FINAL
                                                                             : TRY_RETRY;
    }
    res->error[0] = '\0';
    return TRY_OK;
}

static int with_retries(try_outcome (*fn)(const deliver_request *, const deliver_opts *,
                                          deliver_result *),
                        const deliver_request *r, const deliver_opts *o, deliver_result *res)
{
    int retries = o->retries > 0 ? o->retries : 0;
    long delay = o->retry_delay_ms;
    memset(res, 0, sizeof *res);
    for (int i = 0;; i++) {
        res->tries = i + 1;
        try_outcome t = fn(r, o, res);
        if (t == TRY_OK) return 0;
        if (t == TRY_FINAL || i >= retries) return -1;
        sleep_ms(delay);
        delay = delay > 0 && delay < 60000 ? delay * 2 : delay;
    }
}

int deliver_http(const deliver_request *r, const deliver_opts *o, deliver_result *res)
{
    return with_retries(try_http, r, o, res);
}

int deliver_smtp(const deliver_request *r, const deliver_opts *o, deliver_result *res)
{
    return with_retries(try_smtp, r, o, res);
}
