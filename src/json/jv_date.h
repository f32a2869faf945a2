/* jv_date.h - a JSON value read as a date, as Custodian's parse_date does.
 *
 * Strings take every form util/date.h accepts; numbers are epoch seconds
 * (or milliseconds, see date_from_epoch); booleans, which Python's float()
 * would turn into 0 or 1, are below the floor and so never dates.
 */
#ifndef CUSTOS_JV_DATE_H
#define CUSTOS_JV_DATE_H

#include <stdbool.h>

#include "json/json.h"

/* True and *out = seconds since the epoch (UTC) when v is a date. */
bool date_parse_jv(const jv *v, double *out);

#endif
