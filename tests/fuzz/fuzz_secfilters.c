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
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "filters/iam_policy.h"
#include "resources/resource.h"
#include "fuzz_filters.h"

/* Spec and the resource type it is compiled for. */
static const char *const SPECS[][2] = {
    {"{\"type\":\"ingress\",\"Ports\":[22,3389],\"Cidr\":{\"value\":\"0.0.0.0/0\"}}",
     "aws.security-group"},
    {"{\"type\":\"ingress\",\"OnlyPorts\":[443],\"match-operator\":\"or\",\"CidrV6\":\"::/0\"}",
     "aws.security-group"},
    {"{\"type\":\"ingress\",\"SelfReference\":false,\"IpProtocol\":-1,\"FromPort\":0}",
     "aws.security-group"},
    {"{\"type\":\"egress\",\"SGReferences\":{\"key\":\"GroupName\",\"value\":\"x\"},"
     "\"Description\":{\"value\":\"present\"}}",
     "aws.security-group"},
    {"{\"type\":\"has-statement\",\"statement_ids\":[\"A\"],\"statements\":[{\"Effect\":\"Allow\","
     "\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::{bucket_name}/*\",\"PartialMatch\":"
     "\"Action\"}]}",
     "aws.s3"},
    {"{\"type\":\"global-grants\",\"allow_website\":false}", "aws.s3"},
    {"{\"type\":\"cross-account\",\"whitelist_vpce\":[\"vpce-1\"],\"actions\":[\"s3:GetObject\"]}",
     "aws.s3"},
    {"{\"type\":\"cross-account\",\"everyone_only\":true}", "aws.s3"},
    {"{\"type\":\"check-public-block\"}", "aws.s3"},
    {"{\"type\":\"check-public-block\",\"BlockPublicAcls\":true}", "aws.s3"},
    {"{\"type\":\"cross-account\",\"whitelist\":[\"222222222222\"]}", "aws.iam-role"},
    {"{\"type\":\"cross-account\"}", "aws.ebs-snapshot"},
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
    if (json_parse(a, (const char *)data, size, &doc, &err) == 0) {
        resource_set rs = {.type = resource_type_find("aws.security-group"), .items = &doc, .n = 1};
        for (size_t i = 0; i < NSPECS; i++) {
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
