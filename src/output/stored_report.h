/* stored_report.h - findings from the store, for people and machines.
 *
 * The formats of `custos findings`: "table" (a terminal: priority order,
 * status and age, the fix line under each), "json" ({"findings": [...],
 * "count": N}; field names stable, the scan report's plus the lifecycle:
 * status, first_seen, last_seen, resolved_at, suppression), "csv" (RFC 4180)
 * and the interchange formats "sarif" and "ocsf" (sarif.h, ocsf.h).
 * Times are ISO 8601 UTC.
 */
#ifndef CUSTOS_STORED_REPORT_H
#define CUSTOS_STORED_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store/store.h"
#include "util/buf.h"

typedef enum { SR_TABLE, SR_JSON, SR_CSV, SR_SARIF, SR_OCSF } stored_format;

int stored_format_parse(const char *s, stored_format *out); /* 0, or -1 unknown */
/* Writes findings f[0..n) in fmt; now is the clock for ages. */
void stored_report_write(buf *b, stored_format fmt, const stored_finding *f, size_t n, int64_t now);
/* Writes every finding matching q (limit/offset as given) to out in fmt,
 * straight from the store: one row in memory at a time (for the table and
 * SARIF, a first pass takes the column widths or the rules), so memory
 * stays flat whatever the store's size.  Both passes read one snapshot.
 * Returns 0, -1 on a store error (store_error), -2 when writing failed. */
int stored_report_stream(store *st, const finding_query *q, stored_format fmt, int64_t now,
                         FILE *out);
/* "2026-11-01T00:00:00Z" into out (at least 21 bytes). */
void iso_time(int64_t t, char out[21]);
/* "3d", "5h", "12m": a short age for tables. */
void short_age(int64_t secs, char out[24]);

#endif
