/* html.h - writing HTML safely: escaping, URL encoding, a checked printf.
 *
 * html_esc escapes & < > " ' so one function is right in both text and
 * quoted-attribute contexts (the pages never write unquoted attributes).
 * web_url_encode percent-encodes everything but RFC 3986 unreserved
 * characters, so an encoded value is safe as a path segment, a query value
 * and, once HTML-escaped (a no-op on its output), inside an attribute.
 *
 * html_printf makes the safe thing the short thing: values are escaped
 * unless the format asks for raw markup.  Conversions:
 *   %s  const char *, HTML-escaped (NULL prints nothing)
 *   %u  const char *, percent-encoded (a URL path segment or query value)
 *   %r  const char *, raw: only for markup this program wrote itself
 *   %d  int     %l  int64_t     %%  a percent sign
 * Anything else is a programming error and prints "?".
 */
#ifndef CUSTOS_WEB_HTML_H
#define CUSTOS_WEB_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

void html_esc(buf *b, const char *s);
void html_escn(buf *b, const char *s, size_t n);
void web_url_encode(buf *b, const char *s);
void html_printf(buf *b, const char *fmt, ...);

#endif
