/* fuzz_wide.c - the filters of Custodian's wider resource set (related
 * resources, ages, per-resource and account call data, network location,
 * metrics, RDS, health, routes) on arbitrary inventories.
 *
 * The input is parsed as JSON: an object whose members name resource
 * types ("ec2", "vpc", "subnet", "security-group", ...) and hold their
 * listings, or anything else, which is then used as the listing of every
 * type.  A static scope is built over them and every compiled filter whose
 * type matches is run on every resource: documents of any shape (missing
 * members, numbers for ids, strings for lists) must never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
#include "filters/filter.h"
#include "resources/resource.h"
#include "fuzz_filters.h"

static const char *const TYPES[] = {"ec2",
                                    "eni",
                                    "vpc",
                                    "subnet",
                                    "security-group",
                                    "route-table",
                                    "lambda",
                                    "rds",
                                    "rds-proxy",
                                    "kms-key",
                                    "kms",
                                    "sqs",
                                    "sns",
                                    "ebs",
                                    "ebs-snapshot",
                                    "iam-role",
                                    "iam-profile",
                                    "ami",
                                    "account",
                                    "nat-gateway",
                                    "internet-gateway",
                                    "vpc-endpoint",
                                    "peering-connection",
                                    "cloudtrail",
                                    "key-pair",
                                    "asg",
                                    "rds-snapshot",
                                    "prefix-list",
                                    "iam-user"};
#define NTYPES (sizeof TYPES / sizeof TYPES[0])

static const char *const SPECS[][2] = {
    {"{\"type\":\"security-group\",\"key\":\"GroupName\",\"value\":\"default\"}", "aws.ec2"},
    {"{\"type\":\"subnet\",\"key\":\"tag:Name\",\"value\":\"x\",\"operator\":\"and\"}",
     "aws.route-table"},
    {"{\"type\":\"security-group\",\"key\":\"tag:Name\",\"value\":\"absent\"}", "aws.vpc"},
    {"{\"type\":\"vpc-endpoint\",\"key\":\"ServiceName\",\"value\":\"s3\"}", "aws.subnet"},
    {"{\"type\":\"kms-key\",\"key\":\"c7n:AliasName\",\"value\":\"alias/x\"}", "aws.sqs"},
    {"{\"type\":\"iam-role\",\"key\":\"tag:Env\",\"value\":\"prod\"}", "aws.ec2"},
    {"{\"type\":\"iam-role-tag-mirror\",\"key\":\"tag:Env\"}", "aws.lambda"},
    {"{\"type\":\"has-specific-managed-policy\",\"value\":\"admin\"}", "aws.iam-profile"},
    {"{\"type\":\"kms-alias\",\"key\":\"AliasName\",\"value\":\"alias/aws/ebs\"}", "aws.ebs"},
    {"{\"type\":\"ebs\",\"key\":\"Encrypted\",\"value\":false,\"skip-devices\":[\"/dev/xvda\"]}",
     "aws.ec2"},
    {"{\"type\":\"instance-age\",\"days\":1}", "aws.ec2"},
    {"{\"type\":\"state-age\",\"days\":1}", "aws.ec2"},
    {"{\"type\":\"image-age\",\"days\":1}", "aws.ec2"},
    {"{\"type\":\"default-vpc\"}", "aws.rds"},
    {"{\"type\":\"singleton\"}", "aws.ec2"},
    {"{\"type\":\"latest\",\"automatic\":false}", "aws.rds-snapshot"},
    {"{\"type\":\"network-location\",\"key\":\"tag:Loc\"}", "aws.ec2"},
    {"{\"type\":\"network-location\",\"key\":\"tag:Loc\",\"match\":\"in\",\"value\":[\"a\"]}",
     "aws.lambda"},
    {"{\"type\":\"instance-attribute\",\"attribute\":\"rootDeviceName\",\"key\":\"Value\","
     "\"value\":\"x\"}",
     "aws.ec2"},
    {"{\"type\":\"user-data\",\"op\":\"regex\",\"value\":\"AKIA\"}", "aws.ec2"},
    {"{\"type\":\"dhcp-options\",\"domain-name-servers\":\"amazon\",\"match-operator\":\"all\"}",
     "aws.vpc"},
    {"{\"type\":\"dhcp-options\",\"ntp-servers\":[\"a\",\"amazon\"]}", "aws.vpc"},
    {"{\"type\":\"flow-logs\",\"enabled\":true,\"set-op\":\"and\",\"destination-type\":\"s3\"}",
     "aws.vpc"},
    {"{\"type\":\"vpc-attributes\",\"dnshostnames\":true}", "aws.vpc"},
    {"{\"type\":\"metrics\",\"name\":\"CPUUtilization\",\"value\":1,\"percent-attr\":\"X\"}",
     "aws.ec2"},
    {"{\"type\":\"db-parameter\",\"key\":\"tls\",\"value\":\"x\",\"op\":\"ne\"}", "aws.rds"},
    {"{\"type\":\"upgrade-available\",\"major\":true}", "aws.rds"},
    {"{\"type\":\"health-event\",\"statuses\":[\"open\"]}", "aws.rds"},
    {"{\"type\":\"cross-az-nat-gateway-route\"}", "aws.route-table"},
    {"{\"type\":\"missing-route\"}", "aws.peering-connection"},
    {"{\"type\":\"cross-account\"}", "aws.peering-connection"},
    {"{\"type\":\"has-statement\",\"statement_ids\":[\"a\"]}", "aws.vpc-endpoint"},
    {"{\"type\":\"unused\"}", "aws.key-pair"},
    {"{\"type\":\"check-config\",\"global-resources\":true}", "aws.account"},
    {"{\"type\":\"glue-security-config\",\"SseAwsKmsKeyId\":\"alias/x\"}", "aws.account"},
    {"{\"type\":\"missing\",\"policy\":{\"resource\":\"aws.ec2\",\"filters\":[{\"tag:a\":\"b\"}]}}",
     "aws.account"},
    {"{\"type\":\"check-cloudtrail\",\"include-management-events\":true}", "aws.account"},
    {"{\"type\":\"entry\",\"key\":\"Cidr\",\"value\":\"10.0.0.0/"
     "8\",\"value_type\":\"cidr\",\"op\":\"contains\"}",
     "aws.prefix-list"},
    {"{\"type\":\"login-profile\"}", "aws.iam-user"},
    {"{\"type\":\"is-shadow\",\"state\":false}", "aws.cloudtrail"},
};
#define NSPECS (sizeof SPECS / sizeof SPECS[0])

static arena *long_lived;
static filter *compiled[NSPECS];

static void setup(void)
{
    long_lived = arena_new(0);
    fuzz_compile_specs(long_lived, SPECS, NSPECS, compiled);
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
        for (size_t k = 0; k < NSPECS; k++) {
            if (!compiled[k] || strcmp(SPECS[k][1], sets[i].type->name) != 0) continue;
            for (size_t r = 0; r < sets[i].n; r++) {
                jv ev = jv_null();
                eval_ctx ctx = {.scratch = a,
                                .rtype = sets[i].type,
                                .scope = sc,
                                .related = &sets[i],
                                .account_id = "111122223333",
                                .region = "us-east-1",
                                .evidence = &ev};
                (void)filter_match(compiled[k], &sets[i].items[r], &ctx);
            }
        }
    scope_free_static(sc);
    arena_free(a);
    return 0;
}
