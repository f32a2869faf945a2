/* json_fast.c - json_parse_fast when simdjson is not compiled in. */
#include "json/json.h"

#ifndef CUSTOS_HAVE_SIMDJSON
int json_parse_fast(arena *a, const char *text, size_t len, jv *out, json_error *err)
{
    return json_parse(a, text, len, out, err);
}

int json_parse_fast_shared(arena *a, const char *text, size_t len, jv *out, json_error *err)
{
    return json_parse(a, text, len, out, err);
}
#endif
