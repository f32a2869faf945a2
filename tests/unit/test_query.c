/* test_query.c - a policy's `query:` (policy/query.h): Custodian's EC2
 * describe Filters (explicit and implicit forms, merging, last Filters
 * entry wins, AWS wildcards, tag:KEY / tag-key / tag-value) and the RDS
 * DBInstanceIdentifier, as a pre-filter over the listing; everything custos
 * cannot honour, and source: config, refused at the offending line. */
#include "policy/policy.h"
#include "policy/query.h"
#include "t.h"

static const char *I1 = "{\"InstanceId\":\"i-1\",\"State\":{\"Name\":\"running\"},"
                        "\"InstanceType\":\"t3.micro\",\"Placement\":{\"AvailabilityZone\":"
                        "\"us-east-1a\"},\"Tags\":[{\"Key\":\"Name\",\"Value\":\"web-1\"},"
                        "{\"Key\":\"c7n_test\",\"Value\":\"\"}]}";
static const char *I2 = "{\"InstanceId\":\"i-2\",\"State\":{\"Name\":\"stopped\"},"
                        "\"InstanceType\":\"m5.large\",\"Tags\":[{\"Key\":\"Name\",\"Value\":"
                        "\"db?1\"}]}";
static const char *I3 = "{\"InstanceId\":\"i-3\",\"State\":{\"Name\":\"terminated\"}}";

/* Loads one ec2 (or rtype) policy with the given query block; returns the
 * number of diagnostics and sets the bitmask of I1/I2/I3 the query keeps. */
static bool file_ok;

static size_t run(const char *rtype, const char *query, int *kept, diag_list *d)
{
    char text[2048];
    snprintf(text, sizeof text, "policies:\n  - name: q\n    resource: %s\n    query:\n%s", rtype,
             query);
    policy_set ps;
    policy_set_init(&ps);
    policy_load_text(&ps, "mem/q.yml", text, strlen(text), d);
    *kept = -1;
    if (ps.n == 1 && ps.items[0].query) {
        arena *s = arena_new(0);
        const char *docs[] = {I1, I2, I3};
        *kept = 0;
        for (int i = 0; i < 3; i++) {
            jv r;
            json_error je;
            if (json_parse(s, docs[i], strlen(docs[i]), &r, &je) != 0) *kept = -2;
            if (policy_query_match(ps.items[0].query, &r)) *kept |= 1 << i;
        }
        arena_free(s);
    }
    file_ok = d->n && d->items[0].pos.file && !strcmp(d->items[0].pos.file, "mem/q.yml");
    policy_set_free(&ps); /* the diagnostics' file names lived in its arena */
    return d->n;
}

static int kept_of(const char *rtype, const char *query)
{
    diag_list d = DIAG_LIST_INIT;
    int k;
    size_t n = run(rtype, query, &k, &d);
    if (n) diag_print(&d, stdout);
    diag_free(&d);
    return n ? -3 : k;
}

/* The first diagnostic's line and whether its message contains want. */
static bool refused(const char *rtype, const char *query, int line, const char *want)
{
    diag_list d = DIAG_LIST_INIT;
    int k;
    size_t n = run(rtype, query, &k, &d);
    bool ok = n >= 1 && d.items[0].pos.line == line && strstr(d.items[0].msg, want) && file_ok;
    if (!ok) diag_print(&d, stdout);
    diag_free(&d);
    return ok;
}

TEST(wildcards_as_aws_documents)
{
    CHECK(query_wildcard_match("web-*", "web-1"));
    CHECK(query_wildcard_match("*", ""));
    CHECK(query_wildcard_match("w?b*1", "web-1"));
    CHECK(!query_wildcard_match("w?b", "wb"));
    CHECK(!query_wildcard_match("web", "web-1"));
    CHECK(!query_wildcard_match("Web-*", "web-1")); /* case-sensitive */
    CHECK(query_wildcard_match("db\\?1", "db?1"));
    CHECK(!query_wildcard_match("db\\?1", "dbx1"));
    CHECK(query_wildcard_match("a*b*c", "aXbYbc"));
    CHECK(!query_wildcard_match("[ab]", "a")); /* brackets are literal */
    CHECK(query_wildcard_match("[ab]", "[ab]"));
}

TEST(ec2_implicit_form)
{
    CHECK(kept_of("ec2", "      - tag-key: c7n_test\n") == 1);
    CHECK(kept_of("ec2", "      - instance-state-name: running\n") == 1);
    /* values of one name OR, names AND */
    CHECK(kept_of("ec2", "      - instance-state-name: running\n"
                         "      - instance-state-name: stopped\n") == 3);
    CHECK(kept_of("ec2", "      - instance-state-name: [running, stopped]\n"
                         "      - instance-type: m5.*\n") == 2);
    CHECK(kept_of("ec2", "      - \"tag:Name\": web-*\n") == 1);
    CHECK(kept_of("ec2", "      - \"tag:Name\": \"db\\\\?1\"\n") == 2);
    CHECK(kept_of("ec2", "      - tag-value: \"*\"\n") == 3);
    CHECK(kept_of("ec2", "      - availability-zone: us-east-1?\n") == 1);
    CHECK(kept_of("ec2", "      - instance-id: [i-3, i-9]\n") == 4);
}

TEST(ec2_filters_form)
{
    CHECK(kept_of("aws.ec2", "      - Filters:\n"
                             "          - {Name: instance-state-name, Values: [stopped, "
                             "terminated]}\n"
                             "          - {Name: tag-key, Values: [Name]}\n") == 2);
    /* Custodian updates one dict with each entry: the last Filters wins */
    CHECK(kept_of("ec2",
                  "      - Filters: [{Name: instance-state-name, Values: [running]}]\n"
                  "      - Filters: [{Name: instance-state-name, Values: [terminated]}]\n") == 4);
    CHECK(kept_of("ec2", "      []\n") == 7); /* an empty query keeps all */
}

TEST(rds_identifier)
{
    const char *q = "      - DBInstanceIdentifier: db-1\n";
    diag_list d = DIAG_LIST_INIT;
    policy_set ps;
    policy_set_init(&ps);
    char text[256];
    snprintf(text, sizeof text, "policies:\n  - name: q\n    resource: rds\n    query:\n%s", q);
    CHECK(policy_load_text(&ps, "mem/q.yml", text, strlen(text), &d) == 0);
    CHECK(ps.n == 1 && ps.items[0].query);
    arena *s = arena_new(0);
    jv a, b;
    json_error je;
    CHECK(json_parse(s, "{\"DBInstanceIdentifier\":\"db-1\"}", 31, &a, &je) == 0);
    CHECK(json_parse(s, "{\"DBInstanceIdentifier\":\"db-10\"}", 32, &b, &je) == 0);
    CHECK(ps.n == 1 && policy_query_match(ps.items[0].query, &a));
    CHECK(ps.n == 1 && !policy_query_match(ps.items[0].query, &b));
    arena_free(s);
    policy_set_free(&ps);
    diag_free(&d);
}

TEST(refused_at_the_node)
{
    CHECK(refused("ec2", "      - owner-id: '123'\n", 5, "not supported by custos"));
    CHECK(refused("ec2", "      - Filters: [{Name: nope, Values: [x]}]\n", 5,
                  "unknown EC2 query filter 'nope'"));
    CHECK(refused("ec2", "      - tag-key: a\n      - InstanceIds: [i-1]\n", 6,
                  "unknown EC2 query filter 'InstanceIds'"));
    CHECK(refused("ec2", "      - MaxResults: 5\n", 5, "query key 'MaxResults'"));
    CHECK(refused("ec2", "      - Filters: [{Name: tag-key}]\n", 5, "Name and Values"));
    CHECK(refused("ec2", "      - Filters: [{Name: tag-key, Values: x}]\n", 5,
                  "Values must be a list"));
    CHECK(refused("ec2", "      - {tag-key: a, instance-id: b}\n", 5, "one key"));
    CHECK(refused("ec2", "      - tag-key: [1]\n", 5, "must be a string"));
    CHECK(refused("ec2", "      {tag-key: a}\n", 5, "must be a list"));
    /* Custodian's enumerations: no other word, no wildcard */
    CHECK(refused("ec2", "      - instance-state-name: [running, Run*]\n", 5,
                  "invalid value 'Run*'"));
    CHECK(refused("ec2", "      - Filters:\n          - {Name: tenancy, Values: [shared]}\n", 6,
                  "invalid value 'shared'"));
    CHECK(refused("rds", "      - Filters: []\n", 5, "not supported for aws.rds"));
    CHECK(refused("s3", "      - Name: x\n", 5, "'query' is not supported for aws.s3"));
}

TEST(source_config_refused)
{
    diag_list d = DIAG_LIST_INIT;
    policy_set ps;
    policy_set_init(&ps);
    const char *text = "policies:\n  - name: q\n    resource: iam-user\n    source: config\n";
    CHECK(policy_load_text(&ps, "mem/q.yml", text, strlen(text), &d) != 0);
    CHECK(ps.n == 0 && d.n == 1);
    CHECK(d.n == 1 && d.items[0].pos.line == 4 && strstr(d.items[0].msg, "source 'config'"));
    policy_set_free(&ps);
    diag_free(&d);
    diag_list d2 = DIAG_LIST_INIT;
    policy_set_init(&ps);
    text = "policies:\n  - name: q\n    resource: iam-user\n    source: describe\n";
    CHECK(policy_load_text(&ps, "mem/q.yml", text, strlen(text), &d2) == 0 && ps.n == 1);
    policy_set_free(&ps);
    diag_free(&d2);
}

int main(void)
{
    RUN(wildcards_as_aws_documents);
    RUN(ec2_implicit_form);
    RUN(ec2_filters_form);
    RUN(rds_identifier);
    RUN(refused_at_the_node);
    RUN(source_config_refused);
    T_EXIT();
}
