/* fuzz_http.c - what the dashboard parses itself (web/parse.h) never
 * crashes, and its outputs keep their promises: decoded text is clean
 * UTF-8, percent-encoding round-trips, HTML escaping leaves no markup
 * characters, and routing never reads past the segments it was given.
 *
 * The input is split at the first two NUL bytes into a request target, a
 * form body and a header value (Cookie, Accept, Authorization). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "web/html.h"
#include "web/parse.h"
#include "web/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const web_route ROUTES[] = {
    {"GET", "/", 1},
    {"GET", "/team/*", 2},
    {"GET", "/finding/*", 3},
    {"POST", "/finding/*/suppress", 4},
    {"GET", "/api/finding/*", 5},
    {"POST", "/login", 6},
};

static void check_clean(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && *p != '\t' && *p != '\r' && *p != '\n') || *p == 0x7f) abort();
}

static void check_roundtrip(arena *a, const char *s)
{
    check_clean(s);
    buf enc = BUF_INIT, esc = BUF_INIT;
    web_url_encode(&enc, s);
    for (size_t i = 0; i < enc.len; i++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%",
                    enc.data[i]))
            abort();
    const char *back = web_url_decode(a, enc.data ? enc.data : "", enc.len, false);
    if (!back || strcmp(back, s)) abort();
    html_esc(&esc, s);
    if (esc.data && strpbrk(esc.data, "<>\"'")) abort();
    buf_free(&enc);
    buf_free(&esc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *z1 = memchr(in, 0, size);
    size_t n1 = z1 ? (size_t)(z1 - in) : size;
    const char *rest = z1 ? z1 + 1 : in + size;
    size_t nrest = z1 ? size - n1 - 1 : 0;
    const char *z2 = memchr(rest, 0, nrest);
    size_t n2 = z2 ? (size_t)(z2 - rest) : nrest;
    char *hdr = strndup(z2 ? z2 + 1 : "", z2 ? nrest - n2 - 1 : 0);

    arena *a = arena_new(0);
    char **seg;
    size_t nseg;
    const char *query;
    if (web_split_target(a, in, n1, &seg, &nseg, &query) == 0) {
        if (nseg > WEB_MAX_SEGMENTS) abort();
        for (size_t i = 0; i < nseg; i++) {
            if (!*seg[i] || strchr(seg[i], '\0') != seg[i] + strlen(seg[i])) abort();
            check_roundtrip(a, seg[i]);
        }
        route_match m;
        static const char *const methods[] = {"GET", "HEAD", "POST", "PUT"};
        for (size_t k = 0; k < 4; k++) {
            route_result r =
                web_route_find(ROUTES, sizeof ROUTES / sizeof ROUTES[0], methods[k], seg, nseg, &m);
            if (r == ROUTE_FOUND && m.nparam > ROUTE_MAX_PARAMS) abort();
            if (r == ROUTE_BAD_METHOD && !m.allow[0]) abort();
        }
        web_kvlist q;
        if (web_parse_form(a, query, strlen(query), &q) == 0)
            for (size_t i = 0; i < q.n; i++)
                check_roundtrip(a, q.items[i].key), check_roundtrip(a, q.items[i].val);
    }
    web_kvlist form, cookies;
    if (web_parse_form(a, rest, n2, &form) == 0) {
        if (form.n > WEB_MAX_PARAMS) abort();
        for (size_t i = 0; i < form.n; i++)
            check_roundtrip(a, form.items[i].val);
    }
    if (web_parse_cookies(a, hdr, strlen(hdr), &cookies) == 0 && cookies.n > WEB_MAX_PARAMS)
        abort();
    (void)web_accept_json(hdr);
    const char *tok = web_bearer_token(a, hdr);
    if (tok && (!*tok || !strstr(hdr, tok))) abort();
    buf h = BUF_INIT;
    html_printf(&h, "<p title=\"%s\">%s %u</p>", hdr, hdr, hdr);
    size_t lt = 0;
    for (size_t i = 0; i < h.len; i++)
        lt += h.data[i] == '<';
    if (lt != 2) abort(); /* only the <p> and </p> we wrote */
    buf_free(&h);
    arena_free(a);
    free(hdr);
    return 0;
}
