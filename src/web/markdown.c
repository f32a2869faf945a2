/* markdown.c - libcmark wrapper; see markdown.h.
 *
 * Copy buttons are added by rewriting cmark's output rather than its tree:
 * in safe mode the only "<pre" in the output is the start of a code block
 * cmark wrote (text content has its '<' escaped), so a literal search is
 * exact, and it keeps us on cmark's documented, stable HTML renderer.
 */
#include "web/markdown.h"

#include "format/template.h"

#include <cmark.h>
#include <stdbool.h>
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

/* The languages the template compiler quotes for (template.h). */
static bool shell_fence(const char *info)
{
    return info && tmpl_shell_language(info, strcspn(info, " \t{"));
}

const char *web_fix_command(arena *a, const char *md)
{
    if (!md || !*md) return NULL;
    cmark_node *doc = cmark_parse_document(md, strlen(md), CMARK_OPT_DEFAULT);
    if (!doc) return NULL;
    const char *out = NULL;
    cmark_iter *it = cmark_iter_new(doc);
    cmark_event_type ev;
    while (!out && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER || cmark_node_get_type(n) != CMARK_NODE_CODE_BLOCK) continue;
        if (!shell_fence(cmark_node_get_fence_info(n))) continue;
        const char *lit = cmark_node_get_literal(n);
        size_t len = lit ? strlen(lit) : 0;
        while (len && lit[len - 1] == '\n')
            len--;
        if (len) out = arena_strndup(a, lit, len);
    }
    cmark_iter_free(it);
    cmark_node_free(doc);
    return out;
}
