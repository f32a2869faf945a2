/* test_remediate.c - the pieces of custos fix that need no AWS peer:
 * write calls serialised by shape (aws/serialize.c, byte for byte as
 * botocore sends them), the AWS CLI equivalents (shell words), the grant
 * normal form, and plan.json's hash check.  The whole flow against
 * moto_server is tests/aws/test_fix_moto.py. */
#include <string.h>

#include "aws/aws_internal.h"
#include "remediate/rm_internal.h"
#include "t.h"

static jv parse(arena *a, const char *text)
{
    jv v;
    json_error je;
    if (json_parse(a, text, strlen(text), &v, &je) != 0) return jv_null();
    return v;
}

static int build(const char *client, const char *op, const char *input, aws_http_request *rq)
{
    arena *a = arena_new(0);
    jv in = parse(a, input);
    buf err = BUF_INIT;
    const aws_service *s = aws_service_find(client);
    int rc = aws_build_request_input(s, aws_operation_find(s, op), &in, rq, &err);
    buf_free(&err);
    arena_free(a);
    return rc;
}

TEST(ec2_nested_lists)
{
    aws_http_request rq;
    CHECK(build("ec2", "RevokeSecurityGroupIngress",
                "{\"GroupId\":\"sg-1\",\"IpPermissions\":[{\"IpProtocol\":\"tcp\",\"FromPort\":22,"
                "\"ToPort\":22,\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]},{\"IpProtocol\":\"-1\","
                "\"UserIdGroupPairs\":[{\"GroupId\":\"sg-2\",\"UserId\":\"111\"}]}]}",
                &rq) == 0);
    CHECK_STR(rq.body.data,
              "Action=RevokeSecurityGroupIngress&Version=2016-11-15&GroupId=sg-1&"
              "IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&"
              "IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0&"
              "IpPermissions.2.IpProtocol=-1&IpPermissions.2.Groups.1.GroupId=sg-2&"
              "IpPermissions.2.Groups.1.UserId=111");
    aws_http_request_free(&rq);
}

TEST(query_scalars)
{
    aws_http_request rq;
    CHECK(build("iam", "UpdateAccessKey",
                "{\"UserName\":\"a+b=c\",\"AccessKeyId\":\"AKIA1\",\"Status\":\"Inactive\"}",
                &rq) == 0);
    CHECK_STR(rq.body.data, "Action=UpdateAccessKey&Version=2010-05-08&UserName=a%2Bb%3Dc&"
                            "AccessKeyId=AKIA1&Status=Inactive");
    aws_http_request_free(&rq);
}

TEST(rest_xml_payload)
{
    aws_http_request rq;
    CHECK(build("s3", "PutPublicAccessBlock",
                "{\"Bucket\":\"b<1>\",\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true,"
                "\"RestrictPublicBuckets\":false}}",
                &rq) == 0);
    CHECK_STR(rq.path.data, "/b%3C1%3E");
    CHECK_STR(rq.query.data, "publicAccessBlock");
    CHECK_STR(rq.body.data,
              "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
              "<BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>false"
              "</RestrictPublicBuckets></PublicAccessBlockConfiguration>");
    bool md5 = false;
    for (size_t i = 0; i < rq.nheaders; i++)
        md5 |= !strcmp(rq.headers[i].name, "Content-MD5") && strlen(rq.headers[i].value) == 24;
    CHECK(md5);
    aws_http_request_free(&rq);
    CHECK(build("s3", "PutBucketPolicy", "{\"Bucket\":\"b\",\"Policy\":\"{\\\"a\\\":1}\"}", &rq) ==
          0);
    CHECK_STR(rq.body.data, "{\"a\":1}");
    aws_http_request_free(&rq);
}

TEST(json_protocol)
{
    aws_http_request rq;
    CHECK(build("ecr", "SetRepositoryPolicy",
                "{\"repositoryName\":\"r\",\"policyText\":\"{\\\"a\\\":1}\"}", &rq) == 0);
    CHECK_STR(rq.body.data, "{\"repositoryName\":\"r\",\"policyText\":\"{\\\"a\\\":1}\"}");
    bool target = false;
    for (size_t i = 0; i < rq.nheaders; i++)
        target |= !strcmp(rq.headers[i].name, "X-Amz-Target") &&
                  strstr(rq.headers[i].value, ".SetRepositoryPolicy");
    CHECK(target);
    aws_http_request_free(&rq);
}

TEST(unknown_member_refused)
{
    aws_http_request rq;
    CHECK(build("iam", "UpdateAccessKey", "{\"Nope\":\"x\"}", &rq) != 0);
    aws_http_request_free(&rq);
    CHECK(build("ec2", "RevokeSecurityGroupIngress", "{\"IpPermissions\":\"x\"}", &rq) != 0);
    aws_http_request_free(&rq);
}

TEST(cli_equivalent_quoted)
{
    arena *a = arena_new(0);
    rm_step st = {.service = "s3", .operation = "PutBucketPolicy", .region = "eu-west-1"};
    st.params = parse(a, "{\"Bucket\":\"b\",\"Policy\":\"{\\\"x\\\":\\\"it's $(id)\\\\n\\\"}\"}");
    CHECK_STR(rm_cli_equivalent(a, &st),
              "aws s3api put-bucket-policy --region eu-west-1 --bucket b --policy "
              "'{\"x\":\"it'\\''s $(id)\\n\"}'");
    rm_step k = {.service = "iam", .operation = "UpdateAccessKey", .region = "global"};
    k.params = parse(a, "{\"UserName\":\"ci\",\"AccessKeyId\":\"AKIA1\",\"Status\":\"Inactive\"}");
    CHECK_STR(rm_cli_equivalent(a, &k), "aws iam update-access-key --user-name ci --access-key-id "
                                        "AKIA1 --status Inactive");
    arena_free(a);
}

TEST(grants_normal_form)
{
    arena *a = arena_new(0);
    jv perms =
        parse(a, "[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":["
                 "{\"CidrIp\":\"10.0.0.0/8\"},{\"CidrIp\":\"0.0.0.0/0\",\"Description\":\"x\"}],"
                 "\"Ipv6Ranges\":[],\"PrefixListIds\":[],\"UserIdGroupPairs\":[]}]");
    jv g = rm_sg_grants(a, &perms);
    CHECK(g.len == 2);
    char id[128];
    CHECK(rm_grant_id(&g.u.items[0], id, sizeof id));
    CHECK_STR(id, "tcp|22|22|IpRanges|0.0.0.0/0");
    buf b = BUF_INIT;
    jv call = rm_grant_for_call(a, &g.u.items[0]);
    json_write(&b, &call);
    CHECK_STR(b.data, "{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[{"
                      "\"CidrIp\":\"0.0.0.0/0\"}]}");
    buf_free(&b);
    arena_free(a);
}

TEST(plan_hash_checked)
{
    rm_plan p;
    rm_plan_init(&p);
    stored_finding f = {.fingerprint = "0123456789abcdef",
                        .policy = "p",
                        .account_id = "111111111111",
                        .region = "us-east-1",
                        .resource_type = "aws.iam-user",
                        .resource_id = "u"};
    rm_step *st = rm_step_new(&p, &f, "remove-keys");
    st->service = "iam", st->operation = "UpdateAccessKey", st->kind = RM_IAM_KEY, st->key = "u";
    st->params =
        parse(p.a, "{\"UserName\":\"u\",\"AccessKeyId\":\"AKIA1\",\"Status\":\"Inactive\"}");
    st->before = parse(p.a, "{\"AccessKeyId\":\"AKIA1\",\"Status\":\"Active\"}");
    st->after = parse(p.a, "{\"AccessKeyId\":\"AKIA1\",\"Status\":\"Inactive\"}");
    rm_plan_hash(&p);
    buf out = BUF_INIT;
    rm_plan_write_json(&p, &out);
    rm_plan q;
    rm_plan_init(&q);
    buf err = BUF_INIT;
    CHECK(rm_plan_load(&q, out.data, out.len, &err) == 0);
    CHECK_STR(q.hash, p.hash);
    CHECK(q.n == 1 && q.steps[0].kind == RM_IAM_KEY);
    char *edit = strstr(out.data, "AKIA1");
    edit[4] = '2';
    rm_plan r;
    rm_plan_init(&r);
    buf_reset(&err);
    CHECK(rm_plan_load(&r, out.data, out.len, &err) != 0 && strstr(err.data, "hash"));
    rm_plan_free(&r);
    rm_plan_free(&q);
    rm_plan_free(&p);
    buf_free(&out);
    buf_free(&err);
}

int main(void)
{
    RUN(ec2_nested_lists);
    RUN(query_scalars);
    RUN(rest_xml_payload);
    RUN(json_protocol);
    RUN(unknown_member_refused);
    RUN(cli_equivalent_quoted);
    RUN(grants_normal_form);
    RUN(plan_hash_checked);
    T_EXIT();
}
