/* parse.c - request target, forms, cookies, Accept, Authorization.
 *
 * We take the raw request target from libmicrohttpd (its URI log callback)
 * instead of its already-unescaped path, because a team name may contain
 * "/" written as %2F: segments must be split before they are decoded, or
 * "/team/a%2Fb" would route like "/team/a/b".  Decoding is strict (a bad
 * escape or broken UTF-8 is a 400, not a guess) so that every string the
 * pages see is clean text; escaping for output happens in html.c.
 */
#include "web/parse.h"

#include <string.h>
#include <strings.h>

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Valid UTF-8 (shortest form, no surrogates, <= U+10FFFF), no NUL, no
 * control characters other than tab, CR and LF. */
static bool clean_text(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) return false;
            i++;
            continue;
        }
        size_t len;
        unsigned cp;
        if (c >= 0xc2 && c <= 0xdf)
            len = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4, cp = c & 0x07;
        else
            return false;
        if (n - i < len) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

char *web_url_decode(arena *a, const char *s, size_t n, bool plus_space)
{
    char *out = arena_alloc_packed(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (n - i < 3) return NULL;
            int hi = hexval((unsigned char)s[i + 1]), lo = hexval((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0) return NULL;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            out[o++] = ' ';
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return clean_text((const unsigned char *)out, o) ? out : NULL;
}

int web_split_target(arena *a, const char *target, size_t n, char ***segs, size_t *nseg,
                     const char **query)
{
    if (n == 0 || target[0] != '/') return -1;
    const char *q = memchr(target, '?', n);
    size_t plen = q ? (size_t)(q - target) : n;
    /* A fragment never reaches a server; '#' in a target is malformed. */
    if (memchr(target, '#', n)) return -1;
    *query = q ? arena_strndup(a, q + 1, n - plen - 1) : "";
    char **out = arena_alloc(a, WEB_MAX_SEGMENTS * sizeof *out);
    size_t k = 0, i = 1;
    if (plen > 1 && target[plen - 1] == '/') plen--;    /* "/team/x/" is "/team/x" */
    if (plen > 1 && target[plen - 1] == '/') return -1; /* "/team/x//" */
    while (i < plen) {
        const char *seg = target + i;
        const char *slash = memchr(seg, '/', plen - i);
        size_t len = slash ? (size_t)(slash - seg) : plen - i;
        if (len == 0 || k == WEB_MAX_SEGMENTS) return -1;
        char *d = web_url_decode(a, seg, len, false);
        if (!d || !*d || !strcmp(d, ".") || !strcmp(d, "..")) return -1;
        out[k++] = d;
        i += len + 1;
    }
    *segs = out;
    *nseg = k;
    return 0;
}

int web_parse_form(arena *a, const char *s, size_t n, web_kvlist *out)
{
    web_kv *items = arena_alloc(a, WEB_MAX_PARAMS * sizeof *items);
    size_t k = 0, i = 0;
    while (i < n) {
        const char *p = s + i;
        const char *amp = memchr(p, '&', n - i);
        size_t len = amp ? (size_t)(amp - p) : n - i;
        i += len + 1;
        if (len == 0) continue; /* "a=1&&b=2" */
        if (k == WEB_MAX_PARAMS) return -1;
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;
        char *key = web_url_decode(a, p, klen, true);
        char *val = eq ? web_url_decode(a, eq + 1, len - klen - 1, true) : arena_strdup(a, "");
        if (!key || !val) return -1;
        items[k].key = key;
        items[k].val = val;
        k++;
    }
    out->items = items;
    out->n = k;
    return 0;
}

const char *web_kv_get(const web_kvlist *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->items[i].key, key)) return l->items[i].val;
    return NULL;
}

static size_t trim_span(const char **p, size_t len)
{
    while (len && (**p == ' ' || **p == '\t'))
        (*p)++, len--;
    while (len && ((*p)[len - 1] == ' ' || (*p)[len - 1] == '\t'))
        len--;
    return len;
}

int web_parse_cookies(arena *a, const char *header, size_t n, web_kvlist *out)
{
    web_kv *items = arena_alloc(a, WEB_MAX_PARAMS * sizeof *items);
    size_t k = 0, i = 0;
    while (i < n) {
        const char *p = header + i;
        const char *semi = memchr(p, ';', n - i);
        size_t len = semi ? (size_t)(semi - p) : n - i;
        i += len + 1;
        len = trim_span(&p, len);
        const char *eq = memchr(p, '=', len);
        if (!eq || eq == p) continue;
        if (k == WEB_MAX_PARAMS) return -1;
        const char *v = eq + 1;
        size_t klen = trim_span(&p, (size_t)(eq - p));
        size_t vlen = trim_span(&v, len - (size_t)(v - p));
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') v++, vlen -= 2;
        items[k].key = arena_strndup(a, p, klen);
        items[k].val = arena_strndup(a, v, vlen);
        k++;
    }
    out->items = items;
    out->n = k;
    return 0;
}

/* The q-value of one media range's parameters (";q=0.5"), 1 when absent,
 * in thousandths. */
static int qvalue(const char *params, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (params[i] != ';') continue;
        size_t j = i + 1;
        while (j < len && params[j] == ' ')
            j++;
        if (j + 1 < len && (params[j] == 'q' || params[j] == 'Q') && params[j + 1] == '=') {
            j += 2;
            int whole = 0, frac = 0, scale = 100;
            if (j < len && params[j] >= '0' && params[j] <= '1') whole = params[j++] - '0';
            if (j < len && params[j] == '.')
                for (j++; j < len && params[j] >= '0' && params[j] <= '9' && scale; j++) {
                    frac += (params[j] - '0') * scale;
                    scale /= 10;
                }
            int q = whole * 1000 + frac;
            return q > 1000 ? 1000 : q;
        }
    }
    return 1000;
}

bool web_accept_json(const char *accept)
{
    if (!accept) return false;
    int qjson = -1, qhtml = -1, pos_json = 0, pos_html = 0, pos = 0;
    const char *p = accept;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *r = p;
        size_t rlen = trim_span(&r, len);
        const char *semi = memchr(r, ';', rlen);
        size_t tlen = semi ? (size_t)(semi - r) : rlen;
        tlen = trim_span(&r, tlen);
        int q = semi ? qvalue(semi, rlen - (size_t)(semi - r)) : 1000;
        pos++;
        if (tlen == 16 && !strncasecmp(r, "application/json", 16) && q > qjson)
            qjson = q, pos_json = pos;
        else if (tlen == 9 && !strncasecmp(r, "text/html", 9) && q > qhtml)
            qhtml = q, pos_html = pos;
        p += len;
        if (*p == ',') p++;
    }
    if (qjson <= 0) return false;
    if (qjson != qhtml) return qjson > qhtml;
    return pos_json < pos_html;
}

const char *web_bearer_token(arena *a, const char *h)
{
    if (!h) return NULL;
    while (*h == ' ')
        h++;
    if (strncasecmp(h, "Bearer ", 7)) return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
        n--;
    return n ? arena_strndup(a, h, n) : NULL;
}
