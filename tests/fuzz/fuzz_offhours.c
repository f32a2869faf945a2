/* fuzz_offhours.c - the parsers behind the offhour / onhour filters never
 * crash and keep their invariants on any input.
 *
 * The first byte picks the parser: a TZif image (util/tzone.h tzif_utoff,
 * at several instants), a POSIX TZ rule (tz_posix_utoff: the offset is at
 * most 167 hours either way), or a tag value (oh_tag_value, then
 * oh_schedule_of for both time types and oh_parse_times: every item has an
 * hour 0..23 and a non-empty set of the seven days; a value that parses
 * has no upper-case letter left).  Seeds: a zone file, rules and the
 * schedules of Custodian's docs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filters/offhours.h"
#include "util/tzone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void items_ok(const oh_item *it, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (it[i].hour < 0 || it[i].hour > 23 || !it[i].days || it[i].days > 0x7f) abort();
}

static void tag(arena *a, const char *s, size_t n)
{
    const char *v = oh_tag_value(a, s, n);
    for (const char *c = v; *c; c++)
        if (*c >= 'A' && *c <= 'Z') abort();
    oh_schedule sch;
    bool dflt;
    for (int k = 0; k < 2; k++)
        if (oh_schedule_of(a, v, k ? "on" : "off", &sch, &dflt)) {
            if (dflt && sch.n) abort();
            items_ok(sch.items, sch.n);
        }
    oh_item *it;
    int n_items = oh_parse_times(a, v, strlen(v), &it);
    if (n_items > 0) items_ok(it, (size_t)n_items);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    const uint8_t *d = data + 1;
    size_t n = size - 1;
    static const int64_t at[] = {INT64_MIN / 2, -1, 0, 1772953200, 4118083200, INT64_MAX / 2};
    long off;
    if (data[0] % 3 == 0) {
        for (size_t i = 0; i < sizeof at / sizeof *at; i++)
            (void)tzif_utoff(d, n, at[i], &off);
    } else if (data[0] % 3 == 1) {
        for (size_t i = 0; i < sizeof at / sizeof *at; i++)
            if (tz_posix_utoff((const char *)d, n, at[i], &off) && labs(off) > 168L * 3600) abort();
    } else {
        char *s = malloc(n + 1);
        memcpy(s, d, n);
        s[n] = 0;
        arena *a = arena_new(0);
        tag(a, s, strlen(s));
        arena_free(a);
        free(s);
    }
    return 0;
}
