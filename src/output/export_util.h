/* export_util.h - what the SARIF and OCSF writers share.
 *
 * Both writers turn stored findings (store/store.h) into JSON documents that
 * other programs validate strictly, so every string they emit must be valid
 * UTF-8 (a byte that is not becomes U+FFFD), times are UTC, and JSON kept in
 * the store as text (evidence, reasons) is embedded as JSON, never as a
 * string.  Values are built as jv in a caller's arena (json/json.h).
 */
#ifndef CUSTOS_EXPORT_UTIL_H
#define CUSTOS_EXPORT_UTIL_H

#include <stdint.h>

#include "json/json.h"
#include "store/store.h"

/* s as a JSON string value, repaired to valid UTF-8 (copied only when it
 * needs repair); jv_null() when s is NULL. */
jv ex_str(arena *a, const char *s);
/* A string from printf-style arguments, repaired likewise. */
jv ex_fmt(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON text parsed into a value; text that does not parse is kept as a
 * string (never lost), NULL gives jv_null(). */
jv ex_json(arena *a, const char *text);
/* "2024-05-01T12:00:00Z" for Unix seconds t. */
jv ex_time(arena *a, int64_t t);
/* Sets key (a string literal or otherwise long-lived) unless v is null. */
void ex_set(jv_builder *b, const char *key, jv v);
/* The rule suppressing f ({id, reason, author, until}), or jv_null() when
 * f is not suppressed: the same object in SARIF's properties and OCSF's
 * unmapped.custos. */
jv ex_suppression(arena *a, const stored_finding *f);
/* The resource type without its provider prefix: "aws.ec2" -> "ec2". */
const char *ex_type_short(const char *resource_type);
/* Severity rank 0..4 (info..critical) from the stored rank, falling back
 * to the name when the rank is out of range. */
int ex_severity_rank(int rank, const char *name);

#endif
