/* pack.h - the built-in policy pack (policies/aws, embedded at build time).
 *
 * `custos scan` uses these policies when no --policies is given, so the
 * binary alone knows what to look for.  The files are embedded byte for
 * byte by scripts/embed-pack.sh; their names ("policies/aws/s3.yml") appear
 * in diagnostics as they would for files on disk.
 */
#ifndef CUSTOS_PACK_H
#define CUSTOS_PACK_H

#include <stddef.h>

#include "policy/policy.h"

typedef struct pack_file {
    const char *path;
    const unsigned char *data;
    size_t len;
} pack_file;

extern const pack_file pack_files[]; /* ends with {0} */
extern const size_t pack_nfiles;

/* Loads every pack policy into ps; 0, or -1 with diagnostics (a build with
 * an invalid pack is a bug the tests catch). */
int pack_load(policy_set *ps, diag_list *diags);

#endif
