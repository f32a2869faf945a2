/* fuzz_filters.h - shared by the filter fuzz targets (secfilters,
 * iamfilters, network): compiles each target's fixed table of filter specs
 * ({JSON spec or list of specs, resource type}) once, into a long-lived
 * arena.  A spec that no longer compiles aborts: the target would otherwise
 * silently stop exercising that filter. */
#ifndef CUSTOS_FUZZ_FILTERS_H
#define CUSTOS_FUZZ_FILTERS_H

#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "resources/resource.h"

static void fuzz_compile_specs(arena *a, const char *const (*specs)[2], size_t n, filter **out)
{
    diag_list d = DIAG_LIST_INIT;
    for (size_t i = 0; i < n; i++) {
        filter_compiler fc = {.a = a, .diags = &d, .rtype = resource_type_find(specs[i][1])};
        jv spec;
        json_error err;
        out[i] = NULL;
        if (json_parse(a, specs[i][0], strlen(specs[i][0]), &spec, &err) == 0)
            out[i] = jv_is(&spec, JV_ARRAY) ? filter_compile_list(&fc, &spec)
                                            : filter_compile(&fc, &spec);
        if (!out[i]) abort();
    }
    diag_free(&d);
}

#endif
