/* sigv4.c - AWS Signature Version 4, from the specification.
 *
 * canonical request = method \n canonical URI \n canonical query \n
 *                     canonical headers \n signed headers \n payload hash
 * string to sign    = "AWS4-HMAC-SHA256" \n date \n scope \n hex(sha256(creq))
 * signing key       = HMAC chain over "AWS4"+secret, date, region, service,
 *                     "aws4_request"
 *
 * The canonical URI is the path with dot segments and repeated slashes
 * removed and every byte outside the unreserved set percent-encoded (so a
 * path sent encoded once is encoded twice, as botocore does for every
 * service but S3, whose path is used as sent).  The canonical query sorts
 * the parameters by encoded name, then value, each decoded and re-encoded.
 * Header names are lower-cased, values trimmed with inner runs of spaces
 * collapsed, repeated headers joined with ','.  The derived key and HMAC
 * intermediates are wiped after use.  OpenSSL provides SHA-256 and HMAC.
 */
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"

static const char HEX[] = "0123456789abcdef";

static void hex_encode(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = HEX[d[i] >> 4];
        out[2 * i + 1] = HEX[d[i] & 15];
    }
    out[2 * n] = 0;
}

void aws_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;
    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    hex_encode(md, 32, out);
}

static void hmac(const void *key, size_t klen, const char *msg, size_t mlen, unsigned char out[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen, out, &n);
}

static bool unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

static void uri_encode(buf *b, const char *s, size_t n, bool keep_slash)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/'))
            buf_putc(b, (char)c);
        else
            buf_printf(b, "%%%02X", c);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) into b ('+' stays '+'). */
static void uri_decode(buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int h = 0, l = 0;
        if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            buf_putc(b, (char)(h * 16 + l));
            i += 2;
        } else {
            buf_putc(b, s[i]);
        }
    }
}

/* Path segments with "." and ".." resolved and empty segments dropped. */
static void normalize_path(buf *out, const char *path)
{
    const char *seg[256];
    size_t len[256], n = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        if (!*p) break;
        const char *e = strchr(p, '/');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == 1 && p[0] == '.') {
            /* pointless */
        } else if (l == 2 && p[0] == '.' && p[1] == '.') {
            if (n) n--;
        } else if (n < 256) {
            seg[n] = p, len[n] = l, n++;
        }
        p += l;
    }
    bool trailing = *path && path[strlen(path) - 1] == '/';
    buf_putc(out, '/');
    for (size_t i = 0; i < n; i++) {
        buf_append(out, seg[i], len[i]);
        if (i + 1 < n || trailing) buf_putc(out, '/');
    }
}

static void canonical_uri(buf *b, const char *path, bool s3)
{
    if (!path || !*path) path = "/";
    if (s3) {
        buf_puts(b, path);
        return;
    }
    buf norm = BUF_INIT;
    normalize_path(&norm, path);
    uri_encode(b, norm.data, norm.len, true);
    buf_free(&norm);
}

typedef struct qpair {
    char *k, *v; /* encoded */
} qpair;

static int cmp_qpair(const void *a, const void *b)
{
    const qpair *x = a, *y = b;
    int c = strcmp(x->k, y->k);
    return c ? c : strcmp(x->v, y->v);
}

static char *reencode(const char *s, size_t n)
{
    buf d = BUF_INIT, e = BUF_INIT;
    uri_decode(&d, s, n);
    uri_encode(&e, d.data ? d.data : "", d.len, false);
    buf_free(&d);
    if (!e.data) buf_puts(&e, "");
    return buf_steal(&e);
}

static void canonical_query(buf *b, const char *q)
{
    if (!q || !*q) return;
    size_t cap = 8, n = 0;
    qpair *v = malloc(cap * sizeof *v);
    if (!v) abort();
    for (const char *p = q; *p;) {
        const char *amp = strchr(p, '&');
        size_t l = amp ? (size_t)(amp - p) : strlen(p);
        if (l) {
            const char *eq = memchr(p, '=', l);
            size_t kl = eq ? (size_t)(eq - p) : l;
            if (n == cap) {
                cap *= 2;
                v = realloc(v, cap * sizeof *v);
                if (!v) abort();
            }
            v[n].k = reencode(p, kl);
            v[n].v = eq ? reencode(eq + 1, l - kl - 1) : strdup("");
            n++;
        }
        p += l + (amp ? 1 : 0);
    }
    qsort(v, n, sizeof *v, cmp_qpair);
    for (size_t i = 0; i < n; i++) {
        buf_printf(b, "%s%s=%s", i ? "&" : "", v[i].k, v[i].v);
        free(v[i].k);
        free(v[i].v);
    }
    free(v);
}

typedef struct chdr {
    char *name;   /* lower-case */
    buf value;    /* trimmed, joined */
    size_t order; /* first appearance, for a stable sort */
} chdr;

static int cmp_chdr(const void *a, const void *b)
{
    const chdr *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Trims and collapses runs of whitespace (incl. folded line breaks). */
static void put_trimmed(buf *b, const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    bool space = false;
    for (; *s; s++) {
        if (isspace((unsigned char)*s)) {
            space = true;
            continue;
        }
        if (space) buf_putc(b, ' ');
        space = false;
        buf_putc(b, *s);
    }
}

/* Canonical headers into b, signed header list into sh. */
static void canonical_headers(const sigv4_input *in, buf *b, buf *sh)
{
    chdr *h = calloc(in->nheaders ? in->nheaders : 1, sizeof *h);
    if (!h) abort();
    size_t n = 0;
    for (size_t i = 0; i < in->nheaders; i++) {
        char *name = strdup(in->headers[i].name);
        if (!name) abort();
        for (char *c = name; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        size_t j = 0;
        while (j < n && strcmp(h[j].name, name) != 0)
            j++;
        if (j == n) {
            h[n].name = name;
            h[n].order = n;
            n++;
        } else {
            free(name);
            buf_putc(&h[j].value, ',');
        }
        put_trimmed(&h[j].value, in->headers[i].value ? in->headers[i].value : "");
    }
    qsort(h, n, sizeof *h, cmp_chdr);
    for (size_t i = 0; i < n; i++) {
        buf_printf(b, "%s:%s\n", h[i].name, h[i].value.data ? h[i].value.data : "");
        buf_printf(sh, "%s%s", i ? ";" : "", h[i].name);
        free(h[i].name);
        buf_free(&h[i].value);
    }
    free(h);
}

void aws_sigv4_sign(const sigv4_input *in, sigv4_output *out)
{
    memset(out, 0, sizeof *out);
    buf *c = &out->creq;
    buf signed_headers = BUF_INIT;
    buf_printf(c, "%s\n", in->method);
    canonical_uri(c, in->path, in->s3);
    buf_putc(c, '\n');
    canonical_query(c, in->query);
    buf_putc(c, '\n');
    canonical_headers(in, c, &signed_headers);
    buf_printf(c, "\n%s\n", signed_headers.data ? signed_headers.data : "");
    char body_hash[65];
    if (in->payload_hash)
        snprintf(body_hash, sizeof body_hash, "%s", in->payload_hash);
    else
        aws_sha256_hex(in->body ? in->body : "", in->body_len, body_hash);
    buf_puts(c, body_hash);

    char date[9];
    snprintf(date, sizeof date, "%.8s", in->amz_date);
    char creq_hash[65];
    aws_sha256_hex(c->data, c->len, creq_hash);
    buf_printf(&out->sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/%s/aws4_request\n%s", in->amz_date, date,
               in->region, in->service, creq_hash);

    /* The signing key: never leaves this function. */
    char kbuf[256];
    int kl = snprintf(kbuf, sizeof kbuf, "AWS4%s", in->secret_key);
    if (kl < 0 || (size_t)kl >= sizeof kbuf) kl = 0;
    unsigned char k1[32], k2[32], k3[32], k4[32], sig[32];
    hmac(kbuf, (size_t)kl, date, strlen(date), k1);
    hmac(k1, 32, in->region, strlen(in->region), k2);
    hmac(k2, 32, in->service, strlen(in->service), k3);
    hmac(k3, 32, "aws4_request", 12, k4);
    hmac(k4, 32, out->sts.data, out->sts.len, sig);
    char sighex[65];
    hex_encode(sig, 32, sighex);
    OPENSSL_cleanse(kbuf, sizeof kbuf);
    OPENSSL_cleanse(k1, 32);
    OPENSSL_cleanse(k2, 32);
    OPENSSL_cleanse(k3, 32);
    OPENSSL_cleanse(k4, 32);
    buf_printf(&out->authz,
               "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
               "Signature=%s",
               in->access_key, date, in->region, in->service,
               signed_headers.data ? signed_headers.data : "", sighex);
    buf_free(&signed_headers);
}

void sigv4_output_free(sigv4_output *o)
{
    buf_free(&o->creq);
    buf_free(&o->sts);
    buf_free(&o->authz);
}
