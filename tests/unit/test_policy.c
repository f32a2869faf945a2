/* test_policy.c - policy loading through the API: what a valid set holds
 * (severity, filters that evaluate, actions), and that invalid policies
 * are left out with positioned errors. */
#include "policy/policy.h"
#include "t.h"

static int load(policy_set *ps, const char *text, diag_list *d)
{
    return policy_load_text(ps, "mem/p.yml", text, strlen(text), d);
}

TEST(valid_policies_compile_and_match)
{
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    CHECK(load(&ps,
               "policies:\n"
               "  - name: running-untagged\n"
               "    resource: ec2\n"
               "    description: d\n"
               "    metadata: {severity: Critical}\n"
               "    filters:\n"
               "      - State.Name: running\n"
               "      - \"tag:Owner\": absent\n"
               "    actions: [notify, {type: tag, key: a, value: b}]\n"
               "  - name: everything\n"
               "    resource: aws.s3\n",
               &d) == 0);
    CHECK(d.n == 0);
    CHECK(ps.n == 2);
    CHECK_STR(ps.items[0].name, "running-untagged");
    CHECK_STR(ps.items[0].rtype->name, "aws.ec2");
    CHECK(ps.items[0].sev == SEV_CRITICAL);
    CHECK_STR(ps.items[0].description, "d");
    CHECK(ps.items[0].actions.len == 2);
    CHECK(ps.items[0].pos.line == 2 && ps.items[0].pos.col == 5);
    CHECK(ps.items[1].sev == SEV_MEDIUM && ps.items[1].filters == NULL);
    arena *s = arena_new(0);
    jv r;
    json_error je;
    const char *doc = "{\"State\":{\"Name\":\"running\"},\"Tags\":[]}";
    CHECK(json_parse(s, doc, strlen(doc), &r, &je) == 0);
    eval_ctx ctx = {.scratch = s, .now = 0};
    CHECK(filter_match(ps.items[0].filters, &r, &ctx));
    doc = "{\"State\":{\"Name\":\"running\"},\"Tags\":[{\"Key\":\"Owner\",\"Value\":\"me\"}]}";
    CHECK(json_parse(s, doc, strlen(doc), &r, &je) == 0);
    CHECK(!filter_match(ps.items[0].filters, &r, &ctx));
    arena_free(s);
    diag_free(&d);
    policy_set_free(&ps);
}

TEST(invalid_policies_are_left_out)
{
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    CHECK(load(&ps,
               "policies:\n"
               "  - name: ok\n"
               "    resource: ec2\n"
               "  - name: bad\n"
               "    resource: ec2\n"
               "    filters: [{type: value, key: A, value: 1, op: nope}]\n",
               &d) == -1);
    CHECK(ps.n == 1);
    CHECK(d.n == 1);
    CHECK(d.items[0].pos.line == 6 && d.items[0].pos.col == 51);
    CHECK_STR(d.items[0].pos.file, "mem/p.yml");
    /* a second load into the same set sees the first one's names */
    CHECK(load(&ps, "policies: [{name: ok, resource: s3}]\n", &d) == -1);
    CHECK(d.n == 3);
    diag_free(&d);
    policy_set_free(&ps);
}

TEST(single_policy_object_and_json)
{
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    arena *a = arena_new(0);
    jv doc;
    json_error je;
    const char *js =
        "{\"name\":\"x\",\"resource\":\"aws.iam-user\",\"filters\":[{\"UserName\":\"bob\"}]}";
    CHECK(json_parse(a, js, strlen(js), &doc, &je) == 0);
    CHECK(policy_load_jv(&ps, NULL, &doc, NULL, ".", &d) == 0);
    CHECK(ps.n == 1 && ps.items[0].filters != NULL);
    severity s;
    CHECK(severity_parse("HIGH", &s) == 0 && s == SEV_HIGH);
    CHECK(severity_parse("urgent", &s) == -1);
    CHECK_STR(severity_name(SEV_LOW), "low");
    arena_free(a);
    diag_free(&d);
    policy_set_free(&ps);
}

TEST(errors_inside_other_filters_have_positions)
{
    policy_set ps;
    policy_set_init(&ps);
    diag_list d = DIAG_LIST_INIT;
    CHECK(load(&ps,
               "policies:\n"
               "  - name: sg\n"
               "    resource: security-group\n"
               "    filters:\n"
               "      - type: ingress\n"
               "        Cidr: {value: 0.0.0.0/0, op: bogus}\n",
               &d) == -1);
    CHECK(d.n >= 1);
    for (size_t i = 0; i < d.n; i++)
        CHECK(d.items[i].pos.line >= 5);
    diag_free(&d);
    policy_set_free(&ps);
}

int main(void)
{
    RUN(valid_policies_compile_and_match);
    RUN(invalid_policies_are_left_out);
    RUN(single_policy_object_and_json);
    RUN(errors_inside_other_filters_have_positions);
    T_EXIT();
}
