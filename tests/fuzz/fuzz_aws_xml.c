/* fuzz_aws_xml.c - the AWS response converter (aws_parse_response: the
 * XML of the ec2, query and rest-xml protocols through libxml2 and the
 * generated model tables, and JSON for json / rest-json) must never crash,
 * leak or hang on any body.  Input: byte 0 picks the operation from OPS,
 * byte 1 the HTTP status (bit 0: an error status, so the error parsers run
 * too), the rest is the body.  Invariant: a converted answer is a JSON
 * object whose text json_parse reads back, and an error answer has an
 * Error object with string Code and Message. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws.h"
#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const OPS[][2] = {
    {"ec2", "DescribeSecurityGroups"},
    {"ec2", "DescribeInstances"},
    {"ec2", "DescribeSnapshotAttribute"},
    {"ec2", "DescribeRegions"},
    {"iam", "ListUsers"},
    {"iam", "GetAccountPasswordPolicy"},
    {"iam", "GetPolicyVersion"},
    {"iam", "GetCredentialReport"},
    {"iam", "GetRole"},
    {"rds", "DescribeDBInstances"},
    {"elbv2", "DescribeLoadBalancers"},
    {"autoscaling", "DescribeAutoScalingGroups"},
    {"sts", "AssumeRole"},
    {"s3", "ListBuckets"},
    {"s3", "GetBucketAcl"},
    {"s3", "GetBucketPolicy"},
    {"s3", "GetBucketLocation"},
    {"s3", "GetBucketVersioning"},
    {"s3", "GetBucketLifecycleConfiguration"},
    {"kms", "ListKeys"},
    {"lambda", "ListFunctions"},
    {"cloudtrail", "DescribeTrails"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t nops = sizeof OPS / sizeof OPS[0];
    const char *const *op = OPS[data[0] % nops];
    int status = data[1] & 1 ? 400 + (data[1] >> 1) % 104 : 200;
    arena *a = arena_new(0);
    char *body = arena_strndup(a, (const char *)data + 2, size - 2);
    jv out;
    buf err = BUF_INIT;
    if (aws_parse_response(a, op[0], op[1], status, "Content-Type: text/xml\r\n", body, size - 2,
                           &out, &err) == 0) {
        if (out.kind != JV_OBJECT) abort();
        if (status >= 300) {
            const jv *e = jv_get(&out, "Error");
            if (!jv_is(jv_get(e, "Code"), JV_STRING) || !jv_is(jv_get(e, "Message"), JV_STRING))
                abort();
        }
        buf b = BUF_INIT;
        json_write(&b, &out);
        jv back;
        json_error je;
        if (json_parse(a, b.data, b.len, &back, &je) != 0) abort();
        buf_free(&b);
    } else if (!err.len) {
        abort(); /* a failure says why */
    }
    buf_free(&err);
    arena_free(a);
    return 0;
}
