/* router.c - a linear scan over a short table; see router.h.
 *
 * The dashboard has a dozen routes: a loop over a table is faster than
 * anything cleverer at that size and is obviously correct.  Patterns are
 * split on '/' while matching, never stored parsed, so the table stays a
 * plain readable list of string literals.
 */
#include "web/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Matches pattern against seg[0..nseg), collecting "*" parameters. */
static bool match(const char *pattern, char *const *seg, size_t nseg, route_match *m)
{
    const char *p = pattern + 1; /* patterns start with '/' */
    size_t i = 0;
    m->nparam = 0;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (i == nseg) return false;
        if (len == 1 && *p == '*') {
            if (m->nparam == ROUTE_MAX_PARAMS) return false;
            m->param[m->nparam++] = seg[i];
        } else if (strlen(seg[i]) != len || memcmp(seg[i], p, len)) {
            return false;
        }
        i++;
        p += len + (slash ? 1 : 0);
    }
    return i == nseg;
}

static bool method_ok(const web_route *r, const char *method)
{
    return !strcmp(r->method, method) || (!strcmp(r->method, "GET") && !strcmp(method, "HEAD"));
}

static void add_allow(route_match *m, const char *method)
{
    const char *add = !strcmp(method, "GET") ? "GET, HEAD" : method;
    if (strstr(m->allow, add)) return;
    size_t used = strlen(m->allow);
    snprintf(m->allow + used, sizeof m->allow - used, "%s%s", used ? ", " : "", add);
}

route_result web_route_find(const web_route *table, size_t n, const char *method, char *const *seg,
                            size_t nseg, route_match *m)
{
    bool path_known = false;
    m->route = NULL;
    m->allow[0] = '\0';
    route_match tmp;
    for (size_t i = 0; i < n; i++) {
        if (!match(table[i].pattern, seg, nseg, &tmp)) continue;
        if (method_ok(&table[i], method)) {
            *m = tmp;
            m->route = &table[i];
            m->allow[0] = '\0';
            return ROUTE_FOUND;
        }
        path_known = true;
        add_allow(m, table[i].method);
    }
    return path_known ? ROUTE_BAD_METHOD : ROUTE_NOT_FOUND;
}
