/* offhours.h - Custodian's offhour and onhour filters (c7n/filters/offhours.py)
 * and their tag schedule parser, exposed for the unit tests and the fuzzer.
 *
 * A resource's schedule comes from its tag (default maid_offhours, the key
 * matched without regard to case; the filter's fallback-schedule when the
 * tag is absent).  The value is lower-cased, Custodian's escapes (u28 for
 * '(', u3b for ';', ...) undone and leading and trailing ' then "
 * characters stripped, then:
 *   - "off" opts the resource out;
 *   - a value with a key for this filter (off= for offhour, on= for
 *     onhour) is a schedule: ';'-separated key=value pieces, each of on,
 *     off, tz, and a time spec "(days,hour)" or "[(days,hour),...]" with
 *     days one of m t w h f s u or a range "m-f" (wrapping: "f-m" is
 *     Friday to Monday) and hour 0..23;
 *   - a value whose keys are all on/off/tz (or that has none: "", "on")
 *     takes the policy's default schedule, with the tag's tz= if given;
 *   - anything else is a parse error and never matches.
 * The filter matches when the scan's time (eval_ctx now), in the
 * schedule's zone, falls on one of its days in its exact hour, and that
 * day (YYYY-MM-DD in the zone) is not one of skip-days.
 */
#ifndef CUSTOS_OFFHOURS_H
#define CUSTOS_OFFHOURS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

typedef struct oh_item {
    unsigned days; /* bit d = weekday d, Monday 0 .. Sunday 6 */
    int hour;
} oh_item;

typedef struct oh_schedule {
    oh_item *items; /* of the filter's time type; may be empty */
    size_t n;
    const char *tz; /* the tag's tz, or NULL for the policy's default_tz */
} oh_schedule;

/* One time spec ("(m-f,19)", "[(m-f,21),(u,18)]"); returns the number of
 * items written to out (arena a), or -1 when Custodian's parser rejects it. */
int oh_parse_times(arena *a, const char *s, size_t n, oh_item **out);

/* The schedule of value (a tag value already lower-cased, unescaped and
 * stripped, as oh_tag_value gives) for time_type "on" or "off".  false is
 * a parse error.  *use_default is set when the policy's default times apply
 * (out->items then empty). */
bool oh_schedule_of(arena *a, const char *value, const char *time_type, oh_schedule *out,
                    bool *use_default);

/* Custodian's normalisation of a raw tag value into a (arena) string:
 * lower case, escapes undone, every leading and trailing ' then " stripped. */
const char *oh_tag_value(arena *a, const char *raw, size_t n);

/* Custodian's zone aliases (pt, et, utc, ...) to their IANA names; other
 * names pass through.  NULL for NULL. */
const char *oh_zone_name(const char *tz);

#endif
