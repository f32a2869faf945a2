/* value_int.h - the compiled value filter, shared by its three files.
 *
 * value.c compiles a `value` filter and matches it; value_convert.c holds
 * Custodian's policy variables ({account_id}, {now}, ...) and the
 * value_type conversions; value_from.c loads `value_from` lists.  Nothing
 * outside src/filters/value*.c includes this header: everyone else sees
 * only filter.h's value_filter_* functions.
 */
#ifndef CUSTOS_VALUE_INT_H
#define CUSTOS_VALUE_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

#include "filters/filter.h"
#include "filters/pyval.h"
#include "jmespath/jmespath.h"

typedef enum {
    OP_NONE,
    OP_EQ,
    OP_NE,
    OP_GT,
    OP_GE,
    OP_LT,
    OP_LE,
    OP_GLOB,
    OP_REGEX,
    OP_REGEX_CASE,
    OP_IN,
    OP_NI,
    OP_CONTAINS,
    OP_DIFFERENCE,
    OP_INTERSECT,
    OP_MOD,
} vop;

typedef enum {
    VT_NONE,
    VT_AGE,
    VT_INTEGER,
    VT_EXPIRATION,
    VT_NORMALIZE,
    VT_SIZE,
    VT_CIDR,
    VT_CIDR_SIZE,
    VT_SWAP,
    VT_RESOURCE_COUNT,
    VT_EXPR,
    VT_UNIQUE_SIZE,
    VT_DATE,
    VT_VERSION,
    VT_FLOAT,
    VT_STRING,
} vtype;

#define MAX_TRANSFORMS 16
#define MAX_PATH 16

/* A compiled key: `tag:NAME`, or a JMESPath expression that a top-level
 * key of the same spelling overrides. */
typedef struct keyref {
    const char *text;
    size_t len;
    bool is_tag;
    const jp_node *expr; /* NULL: not JMESPath, literal lookup only */
    const char *names[MAX_PATH];
    size_t lens[MAX_PATH];
    int nnames;
} keyref;

struct value_filter {
    bool has_key;
    keyref key;
    vop op;
    vtype vt;
    jv value; /* the configured value (copied into the policy arena) */
    bool value_set;
    pv sentinel;                /* value after compile-time conversion */
    double days;                /* age / expiration */
    keyref expr_key;            /* value_type expr */
    const pcre2_code *re;       /* regex / regex-case / glob */
    const pcre2_code *value_re; /* value_regex */
    const jp_node *value_path;
    bool vars;    /* value holds {account_id}/{region}/{partition}/{now}: expand per resource */
    bool dynamic; /* the value is only known per resource (value_path or vars) */
    int transforms[MAX_TRANSFORMS];
    int ntransforms;
};

extern const filter_type filter_type_value;

typedef struct vf_node {
    filter hdr;
    value_filter *vf;
} vf_node;

/* ---- value.c */
/* The resource's value for key k (tag lookup, literal key, or JMESPath). */
jv key_value(const value_filter *vf, const keyref *k, const jv *r, eval_ctx *ctx);
/* v replaced by value_regex's first capture (null when it does not match). */
jv apply_value_regex(const value_filter *vf, jv v, eval_ctx *ctx);

/* ---- value_convert.c */
/* v with {account_id}/{region}/{partition}/{now} formatted from ctx;
 * *dyn (when not NULL) set when the result depends on them. */
jv expand_vars(arena *a, const jv *v, const eval_ctx *ctx, bool *dyn);
/* Applies vf's value_type to the configured value v and the resource's
 * value r, as Custodian's ValueFilter.process_value_type does; false when
 * the comparison cannot match. */
bool convert(const value_filter *vf, pv *v, pv *r, const jv *resource, eval_ctx *ctx);
pv vf_none(void);
pv parse_cidr(arena *a, const jv *v);
pv date_pv(const jv *v);
pv num_pv(double d, bool is_int);

#endif
