/* fuzz_network.c - the exposure model and the network filters (unused,
 * used, az-imbalance) on arbitrary network inventories.
 *
 * The input is parsed as JSON: an object whose members name resource
 * types ("eni", "ec2", "subnet", "route-table", "internet-gateway",
 * "network-acl", "security-group", "elb", "app-elb", "rds", "asg",
 * "lambda") and hold their listings, or anything else, which is then used
 * as the listing of every type.  A static scope is built over them and
 * every resource is queried (security groups with their own rules as the
 * evidence) and matched: odd shapes (ids that are numbers, routes that are
 * strings, port ranges out of bounds) must never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
#include "exposure/exposure.h"
#include "filters/filter.h"
#include "resources/resource.h"
#include "fuzz_filters.h"

static const char *const TYPES[] = {"eni",
                                    "ec2",
                                    "subnet",
                                    "route-table",
                                    "internet-gateway",
                                    "network-acl",
                                    "security-group",
                                    "elb",
                                    "app-elb",
                                    "rds",
                                    "asg",
                                    "lambda"};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

static const char *const SPECS[][2] = {
    {"{\"type\":\"unused\"}", "aws.security-group"},
    {"{\"type\":\"used\"}", "aws.security-group"},
    {"{\"type\":\"az-imbalance\",\"max-skew\":0}", "aws.asg"},
    {"{\"type\":\"az-imbalance\"}", "aws.elb"},
};
#define NSPECS (sizeof SPECS / sizeof SPECS[0])

static arena *long_lived;
static filter *compiled[NSPECS];

static void setup(void)
{
    long_lived = arena_new(0);
    fuzz_compile_specs(long_lived, SPECS, NSPECS, compiled);
}

static void query_all(scope_ctx *sc, const resource_set *s, arena *a)
{
    for (size_t i = 0; i < s->n; i++) {
        const jv *r = &s->items[i];
        exposure e;
        exposure_of(sc, s->type, r, jv_get(r, "IpPermissions"), &e);
        exposure_of(sc, s->type, r, NULL, &e);
        for (size_t k = 0; k < NSPECS; k++) {
            if (!compiled[k] || strcmp(SPECS[k][1], s->type->name) != 0) continue;
            jv ev = jv_null();
            eval_ctx ctx = {.scratch = a, .rtype = s->type, .scope = sc, .evidence = &ev};
            (void)filter_match(compiled[k], r, &ctx);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!long_lived) setup();
    arena *a = arena_new(0);
    jv doc;
    json_error err;
    if (json_parse(a, (const char *)data, size, &doc, &err) != 0) {
        arena_free(a);
        return 0;
    }
    resource_set sets[NTYPES];
    size_t n = 0;
    for (size_t t = 0; t < NTYPES; t++) {
        const jv *list = jv_is(&doc, JV_OBJECT) ? jv_get(&doc, TYPES[t]) : &doc;
        if (!jv_is(list, JV_ARRAY)) continue;
        sets[n] = (resource_set){.type = resource_type_find(TYPES[t]),
                                 .account_id = "111122223333",
                                 .region = "us-east-1",
                                 .items = list->u.items,
                                 .n = list->len};
        resource_set_index(&sets[n], a);
        n++;
    }
    scope_ctx *sc = scope_new_static(a, "111122223333", "us-east-1", sets, n, NULL, 0, NULL);
    for (size_t i = 0; i < n; i++)
        query_all(sc, &sets[i], a);
    scope_free_static(sc);
    arena_free(a);
    return 0;
}
