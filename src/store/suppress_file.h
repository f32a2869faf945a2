/* suppress_file.h - suppression rules kept in a YAML file (in git).
 *
 *   suppressions:
 *     - policy: aws-s3-versioning-disabled   # globs; all given must match
 *       account: payments-dev                # account id or name
 *       region: eu-*
 *       resource: legacy-*                   # resource id or name
 *       reason: archive bucket, versioning not wanted
 *       author: alice@example.com
 *       expires: 2027-01-31
 *     - fingerprint: 6b4fba57e17cb2c2        # one finding exactly
 *       reason: ...
 *       author: ...
 *       expires: 2026-12-31T12:00:00Z
 *
 * Every rule needs a selector (fingerprint or at least one glob), a reason,
 * an author and an expiry: a suppression nobody will review again is how
 * real problems get lost.  Errors name file:line:column; nothing is
 * returned when any rule is wrong.
 */
#ifndef CUSTOS_SUPPRESS_FILE_H
#define CUSTOS_SUPPRESS_FILE_H

#include "store/store.h"
#include "util/diag.h"

/* Parses text (the file's contents; file names it in messages).  Rules
 * and their strings live in a.  Returns 0, or -1 with diagnostics. */
int suppress_file_parse(arena *a, const char *file, const char *text, size_t len, suppression **out,
                        size_t *n, diag_list *diags);
/* Reads and parses path. */
int suppress_file_load(arena *a, const char *path, suppression **out, size_t *n, diag_list *diags);
/* Checks one rule (from a file or the command line): a selector, a
 * reason, an author, a future expiry; a fingerprint is hex.  Returns NULL
 * or what is wrong. */
const char *suppression_check(const suppression *r);

#endif
