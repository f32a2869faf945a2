/* html.c - escaping and the escaping printf; see html.h.
 *
 * A custom formatter rather than buf_printf plus manual escape calls:
 * with buf_printf a forgotten html_esc is silent, with html_printf a
 * value is escaped unless someone writes %r on purpose, which a reviewer
 * can grep for.  The price is no compiler checking of the arguments, so
 * the conversions are few and all pointer-or-integer.
 */
#include "web/html.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

void html_escn(buf *b, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(b, s + start, i - start);
        buf_puts(b, rep);
        start = i + 1;
    }
    buf_append(b, s + start, n - start);
}

void html_esc(buf *b, const char *s)
{
    if (s) html_escn(b, s, strlen(s));
}

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

void web_url_encode(buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!s) return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p)) {
            buf_putc(b, (char)*p);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*p >> 4]);
            buf_putc(b, hex[*p & 15]);
        }
    }
}

/* The analyzer loses track of va_start across the formatting loop (a
 * known false positive), hence the NOLINTs, kept to these two helpers. */
static const char *next_str(va_list *ap)
{
    return va_arg(*ap, const char *); // NOLINT(clang-analyzer-valist.Uninitialized)
}

static int64_t next_int(va_list *ap, bool wide)
{
    if (wide) return va_arg(*ap, int64_t); // NOLINT(clang-analyzer-valist.Uninitialized)
    return va_arg(*ap, int);               // NOLINT(clang-analyzer-valist.Uninitialized)
}

static void html_vprintf(buf *b, const char *fmt, va_list *ap)
{
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            buf_puts(b, p);
            break;
        }
        buf_append(b, p, (size_t)(pct - p));
        switch (pct[1]) {
        case 's':
            html_esc(b, next_str(ap));
            break;
        case 'u':
            web_url_encode(b, next_str(ap));
            break;
        case 'r': {
            const char *raw = next_str(ap);
            if (raw) buf_puts(b, raw);
            break;
        }
        case 'd':
        case 'l':
            buf_printf(b, "%" PRId64, next_int(ap, pct[1] == 'l'));
            break;
        case '%':
            buf_putc(b, '%');
            break;
        default:
            buf_putc(b, '?');
            if (!pct[1]) {
                p = pct + 1;
                continue;
            }
        }
        p = pct + 2;
    }
}

void html_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    html_vprintf(b, fmt, &ap);
    va_end(ap);
}
