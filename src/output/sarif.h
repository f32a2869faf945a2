/* sarif.h - stored findings as SARIF 2.1.0, for code-scanning UIs.
 *
 * One log, one run, tool.driver "custos" with one rule per distinct policy
 * (sorted by name; results point at them by ruleId and ruleIndex).  Each
 * result names its cloud resource twice: a logicalLocation
 * "aws/ACCOUNT/REGION/TYPE/ID" (kind "resource"), and a physicalLocation
 * whose artifactLocation.uri is the same path, relative and percent-encoded.
 * Why a relative path and not an ARN or an "aws://" URI: GitHub code
 * scanning refuses uploads whose location URIs have a scheme it does not
 * know ("unrecognized SARIF location URI scheme"), and keys alerts on the
 * path, so the path must be stable per resource and scheme-less.  The first
 * segment "aws" has no colon, so the reference can never parse as a
 * scheme; ids containing "/" or ":" (ARNs) are encoded inside the last
 * segment.  There is no file to read, so every result carries
 * partialFingerprints {"custos/v1": fingerprint} (upload tools would
 * otherwise try to hash the missing file) and region startLine 1, the line
 * code scanning anchors an alert to.
 *
 * A result's rank is the finding's priority (0..100).
 * Lifecycle: baselineState new (new, regressed), unchanged (open,
 * suppressed) or absent (resolved); a suppressed finding carries a SARIF
 * suppression (kind external, status accepted, its reason) so code
 * scanning shows it as dismissed.  Output is deterministic: same findings,
 * same bytes.
 */
#ifndef CUSTOS_SARIF_H
#define CUSTOS_SARIF_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"

#define SARIF_SCHEMA_URI                                                                           \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

/* The page the driver's informationUri points at; "" leaves it out. */
#ifndef CUSTOS_HOMEPAGE
#define CUSTOS_HOMEPAGE ""
#endif

/* Appends the SARIF log for f[0..n) to b.  tool_version may be NULL. */
void sarif_write(buf *b, const stored_finding *f, size_t n, const char *tool_version);

/* The same log in pieces, for a writer that streams findings from the
 * store (stored_report_stream): begin, every rule (sorted by policy name,
 * each from its policy's first finding), results_begin, every result with
 * the index of its policy's rule, end.  first: the first of its list.
 * a is scratch for one piece (reset it between calls). */
void sarif_begin(buf *b, const char *tool_version);
void sarif_rule(buf *b, arena *a, const stored_finding *f, bool first);
void sarif_results_begin(buf *b);
void sarif_result(buf *b, arena *a, const stored_finding *f, size_t rule_idx, bool first);
void sarif_end(buf *b);

/* The code-scanning security-severity for a severity rank 0..4 ("9.5" for
 * critical ... "1.0" for info), and the SARIF level ("error", "warning",
 * "note"). */
const char *sarif_security_severity(int rank);
const char *sarif_level(int rank);

#endif
