/* plan.h - the collection plan's row type (rows and their rules: plan.c). */
#ifndef CUSTOS_AWS_PLAN_H
#define CUSTOS_AWS_PLAN_H

#include <stddef.h>

typedef enum { PLAN_NONE, PLAN_REGIONAL, PLAN_GLOBAL } plan_scope;

/* PLAN_OFF_IF_NO_ACCESS: the service answers InvalidAccessException for an
 * account that never enabled it (Security Hub), an answer, not a gap. */
enum { PLAN_ERROR_FILE = 1, PLAN_BUCKET_REGION = 2, PLAN_NO_FILE = 4, PLAN_OFF_IF_NO_ACCESS = 8 };

typedef struct plan_op {
    const char *client, *operation;
    plan_scope scope;
    const char *parent, *items, *file_key, *params;
    unsigned flags;
} plan_op;

const plan_op *plan_ops(size_t *n);

#endif
