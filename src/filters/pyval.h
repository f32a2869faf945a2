/* pyval.h - Python 3 comparison semantics over filter values.
 *
 * Cloud Custodian's value filter applies Python operators (==, <, in, set
 * operations) to JSON values and to the objects its value_types produce
 * (datetimes, ipaddress networks, LooseVersion).  Where Python raises
 * TypeError (e.g. "a" < 1, None > 0, a dict in a set) Custodian's filter
 * says "no match"; these functions report that case as -1 so the caller
 * can do the same.  Numbers compare by value across int/float, and
 * booleans are the integers 0 and 1, exactly as in Python.
 */
#ifndef CUSTOS_PYVAL_H
#define CUSTOS_PYVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "json/json.h"
#include "util/ipaddr.h"

typedef enum {
    PV_JSON,    /* a JSON value; null is Python's None */
    PV_DATE,    /* timezone-aware datetime: epoch seconds in t */
    PV_IP,      /* ipaddress network or address */
    PV_IPLIST,  /* Custodian's IPv4List (list of parsed CIDRs; version 0 = None) */
    PV_VERSION, /* LooseVersion components */
    PV_TUPLE0,  /* the empty tuple Custodian substitutes for a missing key with in/not-in */
} pv_kind;

typedef struct vcomp {
    bool is_num;
    double num;
    const char *s;
    size_t len;
} vcomp;

typedef struct pv {
    pv_kind kind;
    jv j;
    double t;
    ipaddr ip;
    const ipaddr *ips;  /* PV_IPLIST */
    const vcomp *comps; /* PV_VERSION */
    size_t n;
} pv;

static inline pv pv_json(jv j)
{
    pv p = {0};
    p.kind = PV_JSON;
    p.j = j;
    return p;
}
static inline bool pv_is_none(const pv *p)
{
    return p->kind == PV_JSON && p->j.kind == JV_NULL;
}

bool pv_truthy(const pv *p);
bool pv_eq(const pv *a, const pv *b);
/* a <=> b into *cmp (-1/0/1); returns -1 where Python raises TypeError. */
int pv_cmp(const pv *a, const pv *b, int *cmp);
/* Python `x in container`; -1 on TypeError. */
int pv_in(const pv *x, const pv *container, bool *out);
/* bool(set(x).difference(y)) or bool(set(x).intersection(y)); -1 on TypeError. */
int pv_setop(arena *scratch, const pv *x, const pv *y, bool difference, bool *out);
/* len(x) / len(set(x)); -1 on TypeError. */
int pv_len(arena *scratch, const pv *x, bool unique, size_t *out);
/* LooseVersion(s) components, allocated in a. */
pv pv_version(arena *a, const char *s, size_t len);
/* Number of UTF-8 code points. */
size_t utf8_count(const char *s, size_t len);

#endif
