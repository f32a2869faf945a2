/* assets.c - static files embedded with the assembler's .incbin.
 *
 * The CSS and JavaScript stay real files (src/web/assets/) that editors
 * and linters understand, and still end up inside the binary with no
 * generated source and no runtime path: .incbin copies the bytes into
 * .rodata at compile time.  Paths are relative to the repository root,
 * where make runs the compiler; the Makefile lists the files as
 * prerequisites of this object so that an edit rebuilds it.
 */
#include "web/assets.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define EMBED(sym, file)                                                                           \
    __asm__(".section .rodata\n"                                                                   \
            ".balign 16\n"                                                                         \
            ".global " #sym "\n" #sym ":\n"                                                        \
            ".incbin \"" file "\"\n"                                                               \
            ".global " #sym "_end\n" #sym "_end:\n"                                                \
            ".byte 0\n"                                                                            \
            ".previous\n");                                                                        \
    extern const char sym[], sym##_end[] /* NOLINT(bugprone-macro-parentheses) */

EMBED(custos_asset_css, "src/web/assets/app.css");
EMBED(custos_asset_js, "src/web/assets/app.js");
EMBED(custos_asset_icon, "src/web/assets/favicon.svg");

static web_asset make(const char *name, const char *type, const char *start, const char *end)
{
    web_asset a = {.name = name, .type = type, .body = start, .len = (size_t)(end - start)};
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < a.len; i++)
        h = (h ^ (unsigned char)start[i]) * 1099511628211ull;
    snprintf(a.etag, sizeof a.etag, "\"%016llx\"", (unsigned long long)h);
    return a;
}

const web_asset *web_asset_find(const char *name)
{
    /* Built on each call: a few kilobytes hashed costs microseconds, and
     * keeps this free of one-time initialisation across threads. */
    static _Thread_local web_asset found;
    if (!strcmp(name, "app.css"))
        found = make("app.css", "text/css; charset=utf-8", custos_asset_css, custos_asset_css_end);
    else if (!strcmp(name, "app.js"))
        found =
            make("app.js", "text/javascript; charset=utf-8", custos_asset_js, custos_asset_js_end);
    else if (!strcmp(name, "favicon.svg"))
        found = make("favicon.svg", "image/svg+xml", custos_asset_icon, custos_asset_icon_end);
    else
        return NULL;
    return &found;
}
