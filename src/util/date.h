/* date.h - the date forms Cloud Custodian's parse_date accepts, as epoch seconds.
 *
 * Custodian turns resource timestamps into datetimes with dateutil plus an
 * epoch fallback; value_type age/expiration/date depend on it.  Accepted
 * here: ISO-8601 (date, date+time with T or space, fractional seconds,
 * Z/UTC/GMT or +HH:MM/+HHMM/+HH offsets), "2019/05/01" and "05/01/2019"
 * (month first, as dateutil), "Tue, 15 Nov 1994 08:12:31 GMT" style with
 * English month names, and epoch numbers or digit strings: seconds when
 * above Custodian's floor (2006-03-19, S3's launch), milliseconds when the
 * seconds reading is beyond year 9999.  Times without a zone are UTC.
 * Anything else (e.g. "N/A", small integers) is not a date.
 */
#ifndef CUSTOS_DATE_H
#define CUSTOS_DATE_H

#include <stdbool.h>
#include <stddef.h>

/* Parses text; true and *out = seconds since the epoch (UTC) on success. */
bool date_parse(const char *s, size_t len, double *out);
/* An epoch number in seconds, or in milliseconds when the seconds reading
 * is beyond year 9999; false below Custodian's floor (2006-03-19). */
bool date_from_epoch(double v, double *out);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
long date_days_from_civil(long y, unsigned m, unsigned d);

#endif
