/* ocsf.h - stored findings as OCSF Detection Finding events, for SIEMs,
 * security lakes and Security Hub.
 *
 * Target: OCSF 1.3.0, class Detection Finding (class_uid 2004, category
 * Findings 2) with the "cloud" profile; the JSON schema the tests validate
 * against is tests/data/schemas/ocsf-1.3.0-detection_finding.schema.json.
 * Output is a JSON array, one event per line, one event per finding, in
 * input order; the same findings give the same bytes.
 *
 * Lifecycle mapping (custos status -> activity, OCSF status):
 *   new        -> Create (1), New (1)
 *   open       -> Update (2), New (1)
 *   regressed  -> Update (2), New (1)
 *   suppressed -> Update (2), Suppressed (3)
 *   resolved   -> Close (3),  Resolved (4)
 * OCSF's "In Progress" means someone is reviewing the finding; custos does
 * not know that, so a finding nobody has acted on stays New.  custos's own
 * word is in status_detail and unmapped.custos.status.
 * Severity: info 1, low 2, medium 3, high 4, critical 5 (severity_id).
 */
#ifndef CUSTOS_OCSF_H
#define CUSTOS_OCSF_H

#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"

#define OCSF_VERSION "1.3.0"

/* Appends the events for f[0..n) to b.  tool_version may be NULL. */
void ocsf_write(buf *b, const stored_finding *f, size_t n, const char *tool_version);
/* One event of that array, for a streaming writer: "[" first, then each
 * event (first: the first one), then "\n]\n" ("]\n" when none).  a is
 * scratch for the event. */
void ocsf_event(buf *b, arena *a, const stored_finding *f, const char *tool_version, bool first);

#endif
