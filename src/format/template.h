/* template.h - runbook and fix-line templates: text with {{ JMESPath }} holes.
 *
 * A pack policy's metadata.runbook (Markdown) and metadata.fix (one line)
 * are templates rendered per finding against a context object (the
 * finding's id, account, region, resource document, evidence, ...; see
 * finding_context in engine.c and README "Runbooks").  Each `{{ expr }}` is
 * a JMESPath expression compiled once when the policy loads, so a bad
 * placeholder is a validation error with a position, not a surprise at
 * 2am.  A null result is a rendering error, because a command with a hole
 * in it is worse than no command.
 *
 * Values come from the inventory, so they are attacker-controlled (a
 * security group's description, an Auto Scaling group's name).  Where a
 * hole sits decides how its value is written, and the template author
 * cannot forget it:
 *
 *   - in a shell context (a fenced code block tagged sh, bash, shell, zsh
 *     or console, or an inline code span whose first word is `aws` or
 *     `custos`), the value is quoted as exactly one shell word
 *     (util/shquote.h); arrays and objects become compact JSON first, so
 *     `--ip-permissions {{ evidence }}` is one ready argument;
 *   - everywhere else (prose) strings are inserted as they are and other
 *     values as compact JSON: the output's own escaping (HTML, JSON,
 *     Markdown renderer) applies later.
 *
 * In a shell context a hole may not sit inside '...', "...", `...`, a
 * here-document or after a backslash (a compile error says so): custos
 * quotes the value itself, and a quote the template opened would be
 * closed by the value.  Two explicit markers change the rule and are
 * meant to be grepped for in review:
 *
 *   {{raw: expr}}    the value as it is, even in a shell context;
 *   {{words: expr}}  shell contexts only: an array, each element quoted as
 *                    its own word, separated by spaces (`for k in ...`).
 */
#ifndef CUSTOS_TEMPLATE_H
#define CUSTOS_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "json/json.h"
#include "util/arena.h"
#include "util/buf.h"

typedef struct tmpl tmpl;

typedef struct tmpl_error {
    size_t offset; /* byte offset of the bad placeholder in the template text */
    char msg[240];
} tmpl_error;

/* How one placeholder's value is written (tests, `custos checks`). */
typedef enum tmpl_quoting {
    TMPL_PROSE, /* as it is */
    TMPL_SHELL, /* one shell word */
    TMPL_RAW,   /* {{raw: ...}} */
    TMPL_WORDS, /* {{words: ...}} */
} tmpl_quoting;

/* Compiles text[0..len) into a (long-lived) arena.  NULL with err filled on
 * an unclosed `{{`, an empty placeholder, a JMESPath syntax error or a
 * placeholder where no quoting can make it safe (see above). */
tmpl *tmpl_compile(arena *a, const char *text, size_t len, tmpl_error *err);
/* Appends the rendering against ctx to out.  Returns 0, or -1 with err
 * filled (a placeholder evaluated to null or failed, or a shell value held
 * a NUL byte); out then holds the text up to that placeholder.
 * Thread-safe: t is read-only. */
int tmpl_render(const tmpl *t, const jv *ctx, arena *scratch, buf *out, tmpl_error *err);
/* Whether a code fence's info word (info[0..n)) marks shell: sh, bash,
 * shell, zsh or console.  The dashboard's "copy fix command" uses the same
 * test, so what it copies is what was quoted as shell. */
bool tmpl_shell_language(const char *info, size_t n);
/* Number of placeholders (tests). */
size_t tmpl_holes(const tmpl *t);
/* How placeholder i (0-based, in text order) is written. */
tmpl_quoting tmpl_hole_quoting(const tmpl *t, size_t i);

#endif
