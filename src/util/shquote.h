/* shquote.h - quoting a value as exactly one POSIX shell word.
 *
 * Runbooks are pasted into a terminal at 2am with admin credentials, and
 * the values they carry (names, descriptions, tags) are chosen by whoever
 * controls the resource.  sh_quote() writes a value so that bash, dash and
 * zsh read it back as one word, byte for byte, with nothing expanded:
 *
 *   - a value made only of [A-Za-z0-9_@%+=:,./-] (not empty, not starting
 *     with '=', which zsh expands) is written as it is, so ordinary ids stay readable (`sg-0a1b2c`,
 * ARNs, dates);
 *   - otherwise '...' with every embedded ' written '\'' ;
 *   - when the value holds a control character (a newline, a tab, ESC...),
 *     $'...' with those as escapes, so the pasted text never contains a
 *     raw newline that the shell would take as the end of a command.  `!`
 *     is written \041 there too: bash performs history expansion on an
 *     interactive line before quoting is considered, except inside '...'.
 *
 * A NUL byte cannot be part of any argument; sh_quote refuses it.
 */
#ifndef CUSTOS_SHQUOTE_H
#define CUSTOS_SHQUOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* Appends s[0..n) quoted as one shell word to out.  Returns 0, or -1 (and
 * appends nothing) when s holds a NUL byte. */
int sh_quote(buf *out, const char *s, size_t n);
/* True when s[0..n) needs no quoting (the first rule above). */
bool sh_is_plain(const char *s, size_t n);

#endif
