/* jv_date.c - JSON values as dates; see jv_date.h. */
#include "json/jv_date.h"

#include "util/date.h"

bool date_parse_jv(const jv *v, double *out)
{
    if (!v) return false;
    if (v->kind == JV_STRING) return date_parse(v->u.str, v->len, out);
    if (v->kind == JV_NUMBER) return date_from_epoch(v->u.num, out);
    return false;
}
