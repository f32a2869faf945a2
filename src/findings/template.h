/* template.h - runbook and fix-line templates: text with {{ JMESPath }} holes.
 *
 * A pack policy's metadata.runbook (Markdown) and metadata.fix (one line)
 * are templates rendered per finding against a context object (the
 * finding's id, account, region, resource document, evidence, ...; see
 * finding_context in engine.c and README "Runbooks").  Each `{{ expr }}` is
 * a JMESPath expression compiled once when the policy loads, so a bad
 * placeholder is a validation error with a position, not a surprise at
 * 2am.  Rendering: strings are inserted as they are, numbers as JSON
 * numbers, arrays and objects as compact JSON (a ready `--ip-permissions`
 * argument); a null result is an error, because a command with a hole in
 * it is worse than no command.
 */
#ifndef CUSTOS_TEMPLATE_H
#define CUSTOS_TEMPLATE_H

#include <stddef.h>

#include "json/json.h"
#include "util/arena.h"
#include "util/buf.h"

typedef struct tmpl tmpl;

typedef struct tmpl_error {
    size_t offset; /* byte offset of the bad placeholder in the template text */
    char msg[240];
} tmpl_error;

/* Compiles text[0..len) into a (long-lived) arena.  NULL with err filled on
 * an unclosed `{{`, an empty placeholder or a JMESPath syntax error. */
tmpl *tmpl_compile(arena *a, const char *text, size_t len, tmpl_error *err);
/* Appends the rendering against ctx to out.  Returns 0, or -1 with err
 * filled (a placeholder evaluated to null or failed); out then holds the
 * text up to that placeholder.  Thread-safe: t is read-only. */
int tmpl_render(const tmpl *t, const jv *ctx, arena *scratch, buf *out, tmpl_error *err);
/* Number of placeholders (tests). */
size_t tmpl_holes(const tmpl *t);

#endif
