/* ipaddr.c - CIDR parsing and containment; see ipaddr.h.
 *
 * inet_pton does the address syntax (it already rejects IPv4 octets with
 * leading zeros, as Python does); the prefix and strictness checks are
 * here.  Networks store their network address, so containment is a
 * masked byte comparison.
 */
#include "util/ipaddr.h"

#include <arpa/inet.h>
#include <string.h>

static bool parse_addr(const char *s, ipaddr *out)
{
    memset(out, 0, sizeof *out);
    if (strchr(s, ':')) {
        if (inet_pton(AF_INET6, s, out->b) != 1) return false;
        out->version = 6;
    } else {
        if (inet_pton(AF_INET, s, out->b) != 1) return false;
        out->version = 4;
    }
    return true;
}

static bool host_bits_zero(const ipaddr *a)
{
    int bits = a->version == 4 ? 32 : 128;
    for (int i = a->prefix; i < bits; i++)
        if (a->b[i / 8] & (0x80 >> (i % 8))) return false;
    return true;
}

bool ip_parse(const char *s, size_t len, bool strict, ipaddr *out)
{
    char tmp[64];
    memset(out, 0, sizeof *out);
    if (len == 0 || len >= sizeof tmp) return false;
    memcpy(tmp, s, len);
    tmp[len] = 0;
    if (memchr(tmp, 0, len)) return false;
    char *slash = strchr(tmp, '/');
    if (!slash) return parse_addr(tmp, out);
    *slash = 0;
    const char *p = slash + 1;
    if (!*p || strlen(p) > 3) return false;
    int prefix = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9') return false;
        prefix = prefix * 10 + (*p - '0');
    }
    if (!parse_addr(tmp, out)) return false;
    if (prefix > (out->version == 4 ? 32 : 128)) return false;
    out->prefix = (uint8_t)prefix;
    out->is_net = true;
    if (!host_bits_zero(out)) {
        if (strict) return false;
        int bits = out->version == 4 ? 32 : 128;
        for (int i = prefix; i < bits; i++)
            out->b[i / 8] &= (uint8_t) ~(0x80 >> (i % 8));
    }
    return true;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
    int full = bits / 8;
    if (memcmp(a, b, (size_t)full) != 0) return false;
    if (bits % 8 == 0) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));
    return (a[full] & mask) == (b[full] & mask);
}

bool ip_contains(const ipaddr *n, const ipaddr *x, bool *type_error)
{
    *type_error = false;
    if (!n->is_net) {
        *type_error = true;
        return false;
    }
    if (x->is_net) {
        if (x->version != n->version) {
            *type_error = true; /* supernet_of across versions raises */
            return false;
        }
        return x->prefix >= n->prefix && prefix_match(n->b, x->b, n->prefix);
    }
    if (x->version != n->version) return false;
    return prefix_match(n->b, x->b, n->prefix);
}

bool ip_equal(const ipaddr *a, const ipaddr *b)
{
    return a->version == b->version && a->is_net == b->is_net &&
           (!a->is_net || a->prefix == b->prefix) &&
           memcmp(a->b, b->b, a->version == 4 ? 4 : 16) == 0;
}

bool ip_compare(const ipaddr *a, const ipaddr *b, int *cmp, bool *type_error)
{
    *type_error = false;
    if (a->version != b->version || a->is_net != b->is_net) {
        *type_error = true;
        return false;
    }
    int c = memcmp(a->b, b->b, a->version == 4 ? 4 : 16);
    if (c == 0 && a->is_net) c = (a->prefix > b->prefix) - (a->prefix < b->prefix);
    *cmp = (c > 0) - (c < 0);
    return true;
}
