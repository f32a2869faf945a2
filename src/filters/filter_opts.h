/* filter_opts.h - small option readers shared by resource-specific filters.
 *
 * Each reads one option value of a filter spec at compile time, reports a
 * positioned diagnostic through fc_error on a wrong type, and returns
 * false; copies go to fc->a.
 */
#ifndef CUSTOS_FILTER_OPTS_H
#define CUSTOS_FILTER_OPTS_H

#include "filters/filter.h"
#include "filters/iam_policy.h"

/* A list of strings (lower-cased when lower). */
bool opt_str_list(filter_compiler *fc, const jv *v, const char *name, bool lower, str_list *out);
bool opt_bool(filter_compiler *fc, const jv *v, const char *name, bool *out);
/* Reports an unknown option key; always returns false. */
bool opt_unknown(filter_compiler *fc, const jv_member *m, const char *filter_name);
/* Appends src to dst (new pointer array in a). */
void str_list_extend(arena *a, str_list *dst, const str_list *src);

#endif
