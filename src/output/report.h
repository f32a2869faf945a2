/* report.h - writing scan results for people and machines.
 *
 * Formats: "table" (aligned columns for a terminal, most severe first),
 * "json" (one object {"findings": [...], "summary": {...}}, the contract for
 * scripts), "csv" (RFC 4180, one header row).  JSON field names are stable;
 * new fields may be added, existing ones never change meaning.
 */
#ifndef CUSTOS_REPORT_H
#define CUSTOS_REPORT_H

#include <stdio.h>

#include "engine/engine.h"
#include "engine/finding.h"

typedef enum { REPORT_TABLE, REPORT_JSON, REPORT_CSV } report_format;

int report_format_parse(const char *s, report_format *out); /* 0 ok, -1 unknown */
/* Appends s as one RFC 4180 CSV field (quoted only when it must be; NULL
 * is empty).  A cell a spreadsheet would run as a formula (it starts with
 * '=', '+', '@', a tab, a carriage return, or '-' and is not a number) gets
 * a leading "'": names and descriptions are attacker-controlled, and
 * =HYPERLINK(...) in a security report is an exfiltration channel (OWASP
 * "CSV injection"). */
void csv_field(buf *b, const char *s);
void report_write(FILE *out, report_format fmt, const scan_result *r);

#endif
