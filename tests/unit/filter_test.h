/* filter_test.h - helpers shared by the filter unit tests: JSON from test
 * text, and compiling one filter spec and matching it on one resource the
 * way the engine does.  Include after t.h; the test owns the arena A. */
#ifndef CUSTOS_FILTER_TEST_H
#define CUSTOS_FILTER_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "resources/resource.h"

static arena *A;

/* Parses test JSON; a typo in a test is reported and stops the program. */
static jv J(const char *text)
{
    jv v = jv_null();
    json_error err;
    if (json_parse(A, text, strlen(text), &v, &err) != 0) {
        printf("FAIL bad test json: %s: %s\n", err.msg, text);
        exit(1);
    }
    return v;
}

__attribute__((unused)) static filter *compile_for(const char *rtype, const char *spec_text,
                                                   diag_list *d)
{
    jv spec = J(spec_text);
    filter_compiler fc = {.a = A, .diags = d, .rtype = resource_type_find(rtype)};
    return filter_compile(&fc, &spec);
}

/* Compiles spec for rtype and matches it on the resource: 1 match, 0 no
 * match, -1 the spec did not compile (diagnostics printed).  ctx supplies
 * the account, region, related set and evidence; scratch is A. */
__attribute__((unused)) static int match_with(const char *rtype, const char *spec,
                                              const char *resource, eval_ctx ctx)
{
    diag_list d = DIAG_LIST_INIT;
    filter *f = compile_for(rtype, spec, &d);
    if (!f) {
        diag_print(&d, stdout);
        diag_free(&d);
        return -1;
    }
    diag_free(&d);
    jv res = J(resource);
    ctx.scratch = A;
    return filter_match(f, &res, &ctx) ? 1 : 0;
}

#endif
