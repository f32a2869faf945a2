/* route_filters.c - filters over route tables and the routes to a resource.
 *
 *   missing-route  peering-connection (Custodian's MissingRoute): no route
 *                  table of the account/region routes to the connection, or
 *                  a side owned by this account (in this region) has a VPC
 *                  none of whose tables route to it.  (Custodian reads the
 *                  side's Region through a typo and fails when it is set;
 *                  custos compares it with the scan's region.)
 *   cross-az-nat-gateway-route  route-table (Custodian's): an active route
 *                  to a zonal NAT gateway whose subnet is in another
 *                  Availability Zone than a subnet the table serves
 *                  (explicitly associated, or through the VPC's main
 *                  table), so traffic pays cross-AZ charges and fails with
 *                  that zone.  Regional NAT gateways (no SubnetId) are
 *                  skipped, as in Custodian.
 * Route tables, subnets and NAT gateways come from the same account and
 * region; a listing that was not collected is reported (needs.h).
 */
#include "filters/route_filters.h"

#include <string.h>

#include "filters/filter_opts.h"
#include "filters/needs.h"
#include "resources/resource.h"

static filter *plain_compile(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++)
        if (strcmp(spec->u.members[i].key, "type") != 0)
            return opt_unknown(fc, &spec->u.members[i], ft->name), NULL;
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = ft;
    f->pos = fc->where;
    fc->needs_related = true;
    return f;
}

static filter *missing_route_compile(filter_compiler *fc, const jv *spec)
{
    return plain_compile(fc, spec, &filter_type_missing_route);
}

/* Does some table of vpc (any VPC when vpc is NULL) route to peering id? */
static bool routed(const resource_set *tables, const jv *pcx, const jv *vpc)
{
    for (size_t i = 0; i < tables->n; i++) {
        const jv *t = &tables->items[i];
        if (vpc && !jv_equal(jv_get(t, "VpcId"), vpc)) continue;
        const jv *routes = jv_get(t, "Routes");
        for (uint32_t k = 0; jv_is(routes, JV_ARRAY) && k < routes->len; k++)
            if (jv_equal(jv_get(&routes->u.items[k], "VpcPeeringConnectionId"), pcx)) return true;
    }
    return false;
}

static bool missing_route_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    (void)f;
    const jv *pcx = jv_get(r, "VpcPeeringConnectionId");
    if (!pcx) return false;
    const resource_set *tables = filter_need_set(ctx, "missing-route", "aws.route-table");
    if (!routed(tables, pcx, NULL)) return true;
    static const char *const sides[] = {"AccepterVpcInfo", "RequesterVpcInfo"};
    for (int s = 0; s < 2; s++) {
        const jv *side = jv_get(r, sides[s]);
        if (!ctx->account_id || !jv_str_eq(jv_get(side, "OwnerId"), ctx->account_id)) continue;
        const jv *region = jv_get(side, "Region");
        if (jv_truthy(region) && ctx->region && !jv_str_eq(region, ctx->region)) continue;
        if (!routed(tables, pcx, jv_get(side, "VpcId"))) return true;
    }
    return false;
}

static filter *cross_az_compile(filter_compiler *fc, const jv *spec)
{
    return plain_compile(fc, spec, &filter_type_cross_az_nat);
}

/* The route table serving subnet s: its explicit association among the
 * tables, else its VPC's main table. */
static const jv *table_of(const resource_set *tables, const jv *s)
{
    const jv *sid = jv_get(s, "SubnetId"), *main_table = NULL;
    for (size_t i = 0; i < tables->n; i++) {
        const jv *as = jv_get(&tables->items[i], "Associations");
        for (uint32_t k = 0; jv_is(as, JV_ARRAY) && k < as->len; k++) {
            if (jv_equal(jv_get(&as->u.items[k], "SubnetId"), sid)) return &tables->items[i];
            if (jv_truthy(jv_get(&as->u.items[k], "Main")) &&
                jv_equal(jv_get(&tables->items[i], "VpcId"), jv_get(s, "VpcId")))
                main_table = &tables->items[i];
        }
    }
    return main_table;
}

static bool cross_az_match(const filter *f, const jv *rt, eval_ctx *ctx)
{
    (void)f;
    const resource_set *subnets = filter_need_set(ctx, "cross-az-nat-gateway-route", "aws.subnet");
    const resource_set *nats =
        filter_need_set(ctx, "cross-az-nat-gateway-route", "aws.nat-gateway");
    const resource_set *tables =
        ctx->related && ctx->related->type == ctx->rtype
            ? ctx->related
            : filter_need_set(ctx, "cross-az-nat-gateway-route", "aws.route-table");
    const jv *routes = jv_get(rt, "Routes");
    const jv *rtid = jv_get(rt, "RouteTableId");
    for (uint32_t k = 0; jv_is(routes, JV_ARRAY) && k < routes->len; k++) {
        const jv *route = &routes->u.items[k];
        const jv *nid = jv_get(route, "NatGatewayId");
        if (!jv_is(nid, JV_STRING) || !jv_str_eq(jv_get(route, "State"), "active")) continue;
        const jv *nat = resource_set_find(nats, nid->u.str);
        const jv *nsub = jv_get(nat, "SubnetId");
        if (!jv_is(nsub, JV_STRING)) continue; /* regional NAT gateway, or not listed */
        const jv *az = jv_get(resource_set_find(subnets, nsub->u.str), "AvailabilityZone");
        if (!az) continue;
        for (size_t i = 0; i < subnets->n; i++) {
            const jv *s = &subnets->items[i];
            const jv *t = table_of(tables, s);
            if (t && jv_equal(jv_get(t, "RouteTableId"), rtid) &&
                !jv_equal(jv_get(s, "AvailabilityZone"), az))
                return true;
        }
    }
    return false;
}

static const char *const pcx[] = {"aws.peering-connection", NULL};
static const char *const rtb[] = {"aws.route-table", NULL};

const filter_type filter_type_missing_route = {"missing-route", pcx, missing_route_compile,
                                               missing_route_match};
const filter_type filter_type_cross_az_nat = {"cross-az-nat-gateway-route", rtb, cross_az_compile,
                                              cross_az_match};
