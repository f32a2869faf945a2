/* markdown.h - runbooks (Markdown) to HTML, safely.
 *
 * libcmark (CommonMark) in its default, safe mode: raw HTML in the source
 * is not passed through and javascript:/vbscript:/file: and most data:
 * links are dropped, so a runbook template that interpolated a hostile
 * resource name cannot inject markup.  Every fenced or indented code block
 * is wrapped in <div class="code"> with a copy button (hidden until the
 * page's script shows it), so commands are one click away.
 */
#ifndef CUSTOS_WEB_MARKDOWN_H
#define CUSTOS_WEB_MARKDOWN_H

#include <stddef.h>

#include "util/arena.h"
#include "util/buf.h"

void web_markdown(buf *out, const char *md, size_t len);

/* The runbook's fix command: the text of its first code block fenced as
 * sh, bash, shell, zsh or console (what a "Copy fix" button copies), in
 * a, without the trailing newline; NULL when it has none (a console-only
 * fix: the prose is the whole advice). */
const char *web_fix_command(arena *a, const char *md);

#endif
