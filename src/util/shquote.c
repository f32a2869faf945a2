/* shquote.c - one shell word per value; see shquote.h.
 *
 * The three forms are chosen per value, not per template, so a runbook
 * stays readable for the common case (ids and ARNs need no quotes) and
 * safe for the hostile one.  The $'...' form is a bash/zsh/ksh extension
 * (POSIX.1-2024 has it too; dash does not): it is used only for values
 * that no portable form can carry on one line, and those are never
 * legitimate AWS names.
 */
#include "util/shquote.h"

#include <string.h>

static bool plain_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("_@%+=:,./-", c) != NULL;
}

bool sh_is_plain(const char *s, size_t n)
{
    /* A leading '=' is zsh's command-path expansion (=ls is /bin/ls). */
    if (n == 0 || s[0] == '=') return false;
    for (size_t i = 0; i < n; i++)
        if (!s[i] || !plain_char((unsigned char)s[i])) return false;
    return true;
}

static bool has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) return true;
    }
    return false;
}

/* $'...': backslash escapes for control characters, quote, backslash and
 * the history character; everything else (UTF-8 included) as it is. */
static void quote_ansi_c(buf *out, const char *s, size_t n)
{
    buf_puts(out, "$'");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\n':
            buf_puts(out, "\\n");
            break;
        case '\t':
            buf_puts(out, "\\t");
            break;
        case '\r':
            buf_puts(out, "\\r");
            break;
        case '\\':
            buf_puts(out, "\\\\");
            break;
        case '\'':
            buf_puts(out, "\\'");
            break;
        case '!':
            buf_puts(out, "\\041");
            break;
        default:
            if (c < 0x20 || c == 0x7f)
                buf_printf(out, "\\x%02x", c); /* always two digits: \xHH reads at most two */
            else
                buf_putc(out, (char)c);
        }
    }
    buf_putc(out, '\'');
}

int sh_quote(buf *out, const char *s, size_t n)
{
    if (n && memchr(s, '\0', n)) return -1;
    if (sh_is_plain(s, n)) {
        buf_append(out, s, n);
        return 0;
    }
    if (has_control(s, n)) {
        quote_ansi_c(out, s, n);
        return 0;
    }
    buf_putc(out, '\'');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            buf_puts(out, "'\\''");
        else
            buf_putc(out, s[i]);
    }
    buf_putc(out, '\'');
    return 0;
}
