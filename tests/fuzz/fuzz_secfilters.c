/* fuzz_secfilters.c - security-group and S3 filters on arbitrary documents.
 *
 * The input is parsed as JSON and treated as a resource (a security group
 * or a bucket, whatever its shape); a fixed set of ingress/egress and S3
 * filters is compiled once and matched against it with evidence on, so odd
 * shapes (strings where lists are expected, policy text that is not JSON,
 * huge port numbers) must never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "filters/filter.h"
#include "filters/iam_policy.h"
#include "resources/resource.h"

static const char *const SPECS[] = {
    "{\"type\":\"ingress\",\"Ports\":[22,3389],\"Cidr\":{\"value\":\"0.0.0.0/0\"}}",
    "{\"type\":\"ingress\",\"OnlyPorts\":[443],\"match-operator\":\"or\",\"CidrV6\":\"::/0\"}",
    "{\"type\":\"ingress\",\"SelfReference\":false,\"IpProtocol\":-1,\"FromPort\":0}",
    "{\"type\":\"egress\",\"SGReferences\":{\"key\":\"GroupName\",\"value\":\"x\"},"
    "\"Description\":{\"value\":\"present\"}}",
    "{\"type\":\"has-statement\",\"statement_ids\":[\"A\"],\"statements\":[{\"Effect\":\"Allow\","
    "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::{bucket_name}/*\",\"PartialMatch\":"
    "\"Action\"}]}",
    "{\"type\":\"global-grants\",\"allow_website\":false}",
    "{\"type\":\"cross-account\",\"whitelist_vpce\":[\"vpce-1\"],\"actions\":[\"s3:GetObject\"]}",
    "{\"type\":\"cross-account\",\"everyone_only\":true}",
    "{\"type\":\"check-public-block\"}",
    "{\"type\":\"check-public-block\",\"BlockPublicAcls\":true}",
};
#define NSPECS (sizeof SPECS / sizeof SPECS[0])

static arena *long_lived;
static filter *compiled[NSPECS];

static void setup(void)
{
    long_lived = arena_new(0);
    diag_list d = DIAG_LIST_INIT;
    filter_compiler fc = {.a = long_lived, .diags = &d, .rtype = NULL};
    for (size_t i = 0; i < NSPECS; i++) {
        jv spec;
        json_error err;
        if (json_parse(long_lived, SPECS[i], strlen(SPECS[i]), &spec, &err) == 0)
            compiled[i] = filter_compile(&fc, &spec);
    }
    diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!long_lived) setup();
    arena *a = arena_new(0);
    jv doc;
    json_error err;
    if (json_parse(a, (const char *)data, size, &doc, &err) == 0) {
        resource_set rs = {.type = resource_type_find("aws.security-group"), .items = &doc, .n = 1};
        for (size_t i = 0; i < NSPECS; i++) {
            if (!compiled[i]) continue;
            jv ev = jv_null();
            eval_ctx ctx = {0};
            ctx.scratch = a;
            ctx.account_id = "123456789012";
            ctx.region = "us-east-1";
            ctx.related = &rs;
            ctx.evidence = &ev;
            (void)filter_match(compiled[i], &doc, &ctx);
        }
        iam_checker c = {0};
        (void)iam_policy_violations(&c, &doc, a);
    }
    arena_free(a);
    return 0;
}
