/* tzone.h - IANA time zones without touching the process's TZ.
 *
 * localtime_r follows the TZ environment variable, which is global: a scan
 * evaluating schedules in several zones on several threads cannot set it.
 * So zones are read here, as data: the compiled zone files of the tz
 * database (RFC 8536 TZif, versions 1 to 4, in $TZDIR or
 * /usr/share/zoneinfo), and for instants after a file's last transition
 * its footer's POSIX TZ rule (std offset dst [offset],start[/time],end[/time]
 * with Mm.w.d, Jn or n dates), as "slim" zone files need.
 *
 * tz_load resolves a zone name the way Custodian's dateutil lookups end
 * up doing: the name as given, else each path component matched without
 * regard to case ("america/new_york" is America/New_York, "etc/gmt+5"
 * Etc/GMT+5).  Names are confined to the zone directory: only letters,
 * digits, '_', '+', '-' and '/' between non-empty components, never "." or
 * "..".  All functions are thread-safe and allocate only into *out.
 */
#ifndef CUSTOS_TZONE_H
#define CUSTOS_TZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Reads the zone file of name into *out (its bytes).  false when the name
 * is not a zone (bad characters, no such file, not a TZif file). */
bool tz_load(const char *name, buf *out);

/* The offset from UTC in seconds (east positive) of the zone whose TZif
 * image is d[0..n) at instant t (seconds since the epoch).  false when the
 * image is malformed. */
bool tzif_utoff(const unsigned char *d, size_t n, int64_t t, long *utoff);

/* The offset of a POSIX TZ rule string ("EST5EDT,M3.2.0,M11.1.0") at t.
 * false when the string is not one custos reads. */
bool tz_posix_utoff(const char *s, size_t n, int64_t t, long *utoff);

/* Civil date of days since 1970-01-01. */
void tz_civil_from_days(int64_t days, long *y, unsigned *m, unsigned *d);

#endif
