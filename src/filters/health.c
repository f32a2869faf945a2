/* health.c - health-event (Custodian's HealthEventFilter).
 *
 * Matches resources affected by an AWS Health event of the resource's
 * service (EC2, RDS, ELASTICLOADBALANCING, EBS) whose status is in
 * `statuses` (default open, upcoming) and, when given, whose type is in
 * `types` and category in `category`.  Custodian passes these to
 * DescribeEvents as a server-side filter, so an event without a status or
 * category field in the answer is taken as selected by it.  The events
 * per resource come from the inventory (c7n:health-events, calls.c);
 * when they were not collected the scan says so.
 */
#include "filters/health.h"

#include <string.h>

#include "filters/filter_opts.h"
#include "filters/needs.h"
#include "resources/resource.h"

typedef struct health_filter {
    filter base;
    str_list types, statuses, categories;
} health_filter;

static filter *health_compile(filter_compiler *fc, const jv *spec)
{
    static const char *const dflt[] = {"open", "upcoming"};
    health_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_health_event;
    f->base.pos = fc->where;
    f->statuses = (str_list){(const char **)dflt, 2};
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        bool ok = true;
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "types"))
            ok = opt_str_list(fc, &m->val, m->key, false, &f->types);
        else if (!strcmp(m->key, "statuses"))
            ok = opt_str_list(fc, &m->val, m->key, false, &f->statuses);
        else if (!strcmp(m->key, "category"))
            ok = opt_str_list(fc, &m->val, m->key, false, &f->categories);
        else
            ok = opt_unknown(fc, m, "health-event");
        if (!ok) return NULL;
    }
    return &f->base;
}

static const char *service_of(const char *type)
{
    if (!strcmp(type, "aws.app-elb") || !strcmp(type, "aws.elb")) return "ELASTICLOADBALANCING";
    if (!strcmp(type, "aws.ebs")) return "EBS";
    if (!strcmp(type, "aws.rds")) return "RDS";
    return "EC2";
}

/* Absent field = selected server-side; else it must be listed (when a
 * list is given). */
static bool field_ok(const jv *e, const char *key, const str_list *allowed)
{
    const jv *v = jv_get(e, key);
    if (!v || !allowed->n) return true;
    return jv_is(v, JV_STRING) && str_list_has(allowed, v->u.str);
}

static bool health_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const health_filter *f = (const health_filter *)base;
    const jv *events = jv_get(r, "c7n:health-events");
    if (!events) {
        filter_note_missing(ctx, "health-event", "health.DescribeEvents");
        return false;
    }
    const char *svc = service_of(ctx->rtype ? ctx->rtype->name : "");
    for (uint32_t i = 0; jv_is(events, JV_ARRAY) && i < events->len; i++) {
        const jv *e = &events->u.items[i];
        const jv *s = jv_get(e, "service");
        if (s && !jv_str_eq(s, svc)) continue;
        if (field_ok(e, "eventStatusCode", &f->statuses) &&
            field_ok(e, "eventTypeCode", &f->types) &&
            field_ok(e, "eventTypeCategory", &f->categories))
            return true;
    }
    return false;
}

static const char *const health_applies[] = {"aws.ec2",     "aws.rds", "aws.elb",
                                             "aws.app-elb", "aws.ebs", NULL};

const filter_type filter_type_health_event = {"health-event", health_applies, health_compile,
                                              health_match};
