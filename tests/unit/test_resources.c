/* test_resources.c - the resource type registry and the id index. */
#include <stdio.h>
#include <string.h>

#include "json/json.h"
#include "resources/resource.h"
#include "t.h"

static jv parse(arena *a, const char *text)
{
    jv v;
    json_error e;
    if (json_parse(a, text, strlen(text), &v, &e) != 0) {
        printf("bad test json: %s\n", e.msg);
        return jv_null();
    }
    return v;
}

TEST(find_by_both_spellings)
{
    const resource_type *a = resource_type_find("ec2");
    const resource_type *b = resource_type_find("aws.ec2");
    CHECK(a && a == b);
    if (!a) return;
    CHECK_STR(a->name, "aws.ec2");
    CHECK_STR(a->operation, "DescribeInstances");
    CHECK_STR(a->id_field, "InstanceId");
    CHECK(resource_type_find("aws.nope") == NULL);
    CHECK(resource_type_find("") == NULL);
    CHECK(resource_type_find(NULL) == NULL);
    CHECK(resource_type_find("aws.") == NULL);
    CHECK(resource_type_find("security-group") == resource_type_find("aws.security-group"));
}

TEST(required_types_present)
{
    static const char *const need[] = {"aws.security-group",
                                       "aws.ec2",
                                       "aws.eni",
                                       "aws.vpc",
                                       "aws.subnet",
                                       "aws.s3",
                                       "aws.iam-user",
                                       "aws.iam-role",
                                       "aws.iam-policy",
                                       "aws.ebs",
                                       "aws.ebs-snapshot",
                                       "aws.rds",
                                       "aws.elb",
                                       "aws.app-elb",
                                       "aws.lambda",
                                       "aws.kms-key",
                                       "aws.cloudtrail",
                                       "aws.asg",
                                       "aws.account",
                                       "aws.route-table",
                                       "aws.internet-gateway",
                                       "aws.network-acl",
                                       "aws.rds-snapshot"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        const resource_type *t = resource_type_find(need[i]);
        CHECK(t != NULL);
        if (!t) printf("  missing %s\n", need[i]);
        if (t) CHECK(t->id_field && t->service && t->client);
    }
    /* Every entry is findable by its own name and names are unique. */
    int n = resource_type_count();
    CHECK(n >= 23);
    for (int i = 0; i < n; i++) {
        const resource_type *t = resource_type_at(i);
        CHECK(t && resource_type_find(t->name) == t);
        CHECK(t && strncmp(t->name, "aws.", 4) == 0);
    }
    CHECK(resource_type_at(n) == NULL);
    CHECK(resource_type_at(-1) == NULL);
}

TEST(metadata_matches_custodian)
{
    const resource_type *t = resource_type_find("s3");
    CHECK(t->global && strcmp(t->id_field, "Name") == 0);
    CHECK(resource_type_find("iam-user")->global);
    CHECK(!resource_type_find("security-group")->global);
    CHECK_STR(resource_type_find("security-group")->name_field, "GroupName");
    CHECK_STR(resource_type_find("app-elb")->client, "elbv2");
    CHECK_STR(resource_type_find("elb")->client, "elb");
    CHECK_STR(resource_type_find("elb")->service, "elasticloadbalancing");
    CHECK_STR(resource_type_find("asg")->service, "autoscaling");
    CHECK_STR(resource_type_find("ebs-snapshot")->operation, "DescribeSnapshots");
    CHECK(resource_type_find("account")->operation == NULL);
}

TEST(items_flatten_reservations)
{
    arena *a = arena_new(0);
    jv resp = parse(a, "{\"Reservations\":[{\"Instances\":[{\"InstanceId\":\"i-1\"},"
                       "{\"InstanceId\":\"i-2\"}]},{\"Instances\":[]},"
                       "{\"Instances\":[{\"InstanceId\":\"i-3\"}]}],\"NextToken\":null}");
    jv_builder b;
    jvb_array(&b, a);
    size_t n = resource_items(resource_type_find("ec2"), &resp, &b);
    CHECK(n == 3);
    jv items = jvb_done(&b);
    CHECK(items.len == 3);
    CHECK(jv_str_eq(jv_get(&items.u.items[2], "InstanceId"), "i-3"));
    /* Absent or wrongly-shaped lists give nothing, never crash. */
    jv odd = parse(a, "{\"Reservations\":{\"Instances\":1},\"SecurityGroups\":null}");
    jvb_array(&b, a);
    CHECK(resource_items(resource_type_find("ec2"), &odd, &b) == 0);
    CHECK(resource_items(resource_type_find("security-group"), &odd, &b) == 0);
    jv arr = parse(a, "[1,2]");
    CHECK(resource_items(resource_type_find("security-group"), &arr, &b) == 0);
    jv sgs = parse(a, "{\"SecurityGroups\":[{\"GroupId\":\"sg-1\"}]}");
    CHECK(resource_items(resource_type_find("security-group"), &sgs, &b) == 1);
    arena_free(a);
}

TEST(arn_building)
{
    arena *a = arena_new(0);
    buf out = BUF_INIT;
    jv sg = parse(a, "{\"GroupId\":\"sg-12\",\"GroupName\":\"web\"}");
    CHECK(
        resource_arn(resource_type_find("security-group"), &sg, "111122223333", "eu-west-1", &out));
    CHECK_STR(out.data, "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-12");
    buf_reset(&out);
    jv user = parse(a, "{\"UserName\":\"bob\",\"Arn\":\"arn:aws:iam::1:user/path/bob\"}");
    CHECK(resource_arn(resource_type_find("iam-user"), &user, "1", "us-east-1", &out));
    CHECK_STR(out.data, "arn:aws:iam::1:user/path/bob");
    buf_reset(&out);
    jv b = parse(a, "{\"Name\":\"my-bucket\"}");
    CHECK(resource_arn(resource_type_find("s3"), &b, "1", "us-east-1", &out));
    CHECK_STR(out.data, "arn:aws:s3:::my-bucket");
    buf_reset(&out);
    jv none = parse(a, "{}");
    CHECK(!resource_arn(resource_type_find("s3"), &none, "1", "us-east-1", &out));
    CHECK(out.len == 0);
    jv rds = parse(a, "{\"DBInstanceIdentifier\":\"db1\",\"Endpoint\":{\"Address\":\"db1.x\"}}");
    CHECK_STR(resource_name(resource_type_find("rds"), &rds), "db1.x");
    CHECK(resource_name(resource_type_find("ec2"), &none) == NULL);
    buf_free(&out);
    arena_free(a);
}

TEST(index_finds_every_id)
{
    arena *a = arena_new(0);
    enum { N = 5000 };
    jv *items = arena_alloc(a, N * sizeof(jv));
    char id[32];
    for (int i = 0; i < N; i++) {
        items[i] = jv_object(a, 1);
        snprintf(id, sizeof id, "sg-%08x", (unsigned)i * 2654435761u);
        items[i].u.members[0].key = "GroupId";
        items[i].u.members[0].klen = 7;
        items[i].u.members[0].val = jv_cstr(a, id);
    }
    items[N - 1].u.members[0].val = jv_cstr(a, "sg-00000000"); /* duplicate of item 0 */
    resource_set s = {.type = resource_type_find("security-group"), .items = items, .n = N};
    const jv *lin = resource_set_find(&s, "sg-00000000");
    CHECK(lin == &items[0]);
    resource_set_index(&s, a);
    CHECK(s.index != NULL);
    int bad = 0;
    for (int i = 0; i < N - 1; i++) {
        snprintf(id, sizeof id, "sg-%08x", (unsigned)i * 2654435761u);
        if (resource_set_find(&s, id) != &items[i]) bad++;
    }
    CHECK(bad == 0);
    CHECK(resource_set_find(&s, "sg-00000000") == &items[0]);
    CHECK(resource_set_find(&s, "sg-nothere") == NULL);
    CHECK(resource_set_find(&s, NULL) == NULL);
    resource_set empty = {.type = resource_type_find("ec2")};
    resource_set_index(&empty, a);
    CHECK(resource_set_find(&empty, "i-1") == NULL);
    arena_free(a);
}

int main(void)
{
    RUN(find_by_both_spellings);
    RUN(required_types_present);
    RUN(metadata_matches_custodian);
    RUN(items_flatten_reservations);
    RUN(arn_building);
    RUN(index_finds_every_id);
    T_EXIT();
}
