/* markdown.c - libcmark wrapper; see markdown.h.
 *
 * Copy buttons are added by rewriting cmark's output rather than its tree:
 * in safe mode the only "<pre" in the output is the start of a code block
 * cmark wrote (text content has its '<' escaped), so a literal search is
 * exact, and it keeps us on cmark's documented, stable HTML renderer.
 */
#include "web/markdown.h"

#include <cmark.h>
#include <stdlib.h>
#include <string.h>

static const char COPY_BUTTON[] =
    "<div class=\"code\"><button type=\"button\" class=\"copy\" hidden>Copy</button>";

void web_markdown(buf *out, const char *md, size_t len)
{
    /* CMARK_OPT_DEFAULT is safe: no CMARK_OPT_UNSAFE. */
    char *html = cmark_markdown_to_html(md, len, CMARK_OPT_DEFAULT);
    if (!html) return;
    const char *p = html, *pre;
    while ((pre = strstr(p, "<pre"))) {
        const char *end = strstr(pre, "</pre>");
        if (!end) break;
        end += 6;
        buf_append(out, p, (size_t)(pre - p));
        buf_puts(out, COPY_BUTTON);
        buf_append(out, pre, (size_t)(end - pre));
        buf_puts(out, "</div>");
        p = end;
    }
    buf_puts(out, p);
    free(html);
}
