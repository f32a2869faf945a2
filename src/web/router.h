/* router.h - which handler a method and a path go to.
 *
 * A route is a method and a pattern of literal segments and "*" (exactly
 * one non-empty segment, passed to the handler as a parameter).  GET
 * routes also answer HEAD.  Matching is against the decoded segments
 * (parse.h), so "/team/a%2Fb" has one parameter "a/b".  When the path
 * matches some route but not with this method, the result is
 * ROUTE_BAD_METHOD and `allow` lists the methods that would work (the
 * Allow header of a 405).
 */
#ifndef CUSTOS_WEB_ROUTER_H
#define CUSTOS_WEB_ROUTER_H

#include <stddef.h>

typedef struct web_route {
    const char *method;  /* "GET" or "POST" */
    const char *pattern; /* "/", "/team/STAR", "/finding/STAR/suppress" (STAR = "*") */
    int id;              /* the caller's handler number */
} web_route;

typedef enum { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_BAD_METHOD } route_result;

#define ROUTE_MAX_PARAMS 4

typedef struct route_match {
    const web_route *route;
    const char *param[ROUTE_MAX_PARAMS];
    size_t nparam;
    char allow[64]; /* "GET, HEAD" or "POST" ... for ROUTE_BAD_METHOD */
} route_match;

route_result web_route_find(const web_route *table, size_t n, const char *method, char *const *seg,
                            size_t nseg, route_match *m);

#endif
