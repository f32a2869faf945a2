/* needs.c - see needs.h.  The message names the policy's resource type,
 * the filter and the call, so a reader of the report knows which call to
 * collect ("aws.lambda security-group: ec2.DescribeSecurityGroups not
 * collected"). */
#include "filters/needs.h"

#include "inventory/scope.h"
#include "resources/resource.h"
#include "util/buf.h"

void filter_note_missing(eval_ctx *ctx, const char *filter, const char *call)
{
    if (!ctx || !ctx->scope) return;
    buf b = BUF_INIT;
    buf_printf(&b, "%s %s: %s not collected", ctx->rtype ? ctx->rtype->name : "?", filter, call);
    scope_note_missing(ctx->scope, b.data);
    buf_free(&b);
}

const resource_set *filter_need_set(eval_ctx *ctx, const char *filter, const char *type_name)
{
    static const resource_set empty;
    const resource_set *s = ctx && ctx->scope ? scope_set_named(ctx->scope, type_name) : NULL;
    if (!s) return &empty;
    if (s->missing && s->type) {
        buf call = BUF_INIT;
        buf_printf(&call, "%s.%s", s->type->client ? s->type->client : s->type->service,
                   s->type->operation ? s->type->operation : "?");
        filter_note_missing(ctx, filter, call.data);
        buf_free(&call);
    }
    return s;
}
