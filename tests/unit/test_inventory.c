/* test_inventory.c - the custos layout and placebo readers.
 *
 * Fixtures: tests/data/inventory* (custos layout, good and bad) and the
 * Custodian recordings under $SHARED/conformance/custodian/placebo, checked
 * against cases-placebo.json: a policy's filters only remove resources, so
 * every expected id must be loaded, and S3 per-bucket responses must land
 * on the right bucket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory/inventory.h"
#include "t.h"

#define FIX "tests/data/"

static const char *shared_dir(void)
{
    const char *s = getenv("SHARED");
    return s && *s ? s : "../shared";
}

static inventory *open_ok(const char *spec, int threads)
{
    inventory_options o = {.threads = threads};
    inventory *inv = NULL;
    diag_list d = DIAG_LIST_INIT;
    if (inventory_open(spec, &o, &inv, &d) != 0) {
        diag_print(&d, stdout);
        inv = NULL;
    }
    diag_free(&d);
    return inv;
}

static const inv_scope *scope_of(inventory *inv, const char *acct, const char *region)
{
    const inv_scope *sc;
    size_t n = inventory_scopes(inv, &sc);
    for (size_t i = 0; i < n; i++)
        if (strcmp(sc[i].account->id, acct) == 0 && strcmp(sc[i].region, region) == 0)
            return &sc[i];
    return NULL;
}

static int load(inventory *inv, const char *type, const inv_scope *scope, resource_set *s)
{
    diag_list d = DIAG_LIST_INIT;
    int rc = scope ? inventory_load(inv, resource_type_find(type), scope, s, &d) : -1;
    if (rc != 0) diag_print(&d, stdout);
    diag_free(&d);
    return rc;
}

TEST(layout_accounts_and_scopes)
{
    inventory *inv = open_ok(FIX "inventory", 2);
    CHECK(inv != NULL);
    if (!inv) return;
    CHECK(inventory_account_count(inv) == 3);
    const account_info *a = inventory_account(inv, 0);
    CHECK_STR(a->id, "111111111111");
    CHECK_STR(a->name, "payments-prod");
    CHECK_STR(a->team, "payments");
    CHECK_STR(a->environment, "prod");
    /* Team contacts are inherited. */
    CHECK(jv_str_eq(jv_get(jv_get(&a->raw, "contacts"), "email"), "payments@example.com"));
    const account_info *b = inventory_account_find(inv, "222222222222");
    CHECK(b && jv_str_eq(jv_get(jv_get(&b->raw, "contacts"), "email"), "sec@example.com"));
    /* Undeclared account directory still scanned, named by its id. */
    const account_info *c = inventory_account_find(inv, "333333333333");
    CHECK(c && strcmp(c->name, "333333333333") == 0 && c->team == NULL);
    const inv_scope *sc;
    size_t n = inventory_scopes(inv, &sc);
    CHECK(n == 4);
    if (n == 4) {
        CHECK_STR(sc[0].region, "eu-west-1"); /* regions sorted within an account */
        CHECK_STR(sc[1].region, "us-east-1");
        CHECK_STR(sc[2].account->id, "222222222222");
        CHECK_STR(sc[2].region, "us-east-1"); /* global-only account */
        CHECK_STR(sc[3].region, "us-west-2");
    }
    inventory_close(inv);
}

TEST(layout_regional_and_ec2_tags)
{
    inventory *inv = open_ok(FIX "inventory", 2);
    if (!inv) return;
    resource_set s;
    CHECK(load(inv, "security-group", scope_of(inv, "111111111111", "us-east-1"), &s) == 0);
    CHECK(s.n == 2 && s.index != NULL);
    CHECK(resource_set_find(&s, "sg-0002") != NULL);
    CHECK(resource_set_find(&s, "sg-0101") == NULL);
    CHECK_STR(s.account_id, "111111111111");
    CHECK(load(inv, "aws.security-group", scope_of(inv, "111111111111", "eu-west-1"), &s) == 0);
    CHECK(s.n == 1 && resource_set_find(&s, "sg-0101"));
    CHECK(load(inv, "ec2", scope_of(inv, "111111111111", "us-east-1"), &s) == 0);
    CHECK(s.n == 3);
    const jv *i2 = resource_set_find(&s, "i-0002");
    const jv *tags = jv_get(i2, "Tags");
    CHECK(jv_is(tags, JV_ARRAY) && tags->len == 1 &&
          jv_str_eq(jv_get(&tags->u.items[0], "Value"), "prod"));
    const jv *t3 = jv_get(resource_set_find(&s, "i-0003"), "Tags");
    CHECK(jv_is(t3, JV_ARRAY) && t3->len == 0);
    /* No file = no resources, not an error. */
    CHECK(load(inv, "rds", scope_of(inv, "111111111111", "us-east-1"), &s) == 0);
    CHECK(s.n == 0);
    CHECK(load(inv, "vpc", scope_of(inv, "333333333333", "us-west-2"), &s) == 0);
    CHECK(s.n == 1);
    inventory_close(inv);
}

TEST(layout_s3_augment)
{
    inventory *inv = open_ok(FIX "inventory", 3);
    if (!inv) return;
    resource_set s;
    /* Global types load in the account's first scope only. */
    CHECK(load(inv, "s3", scope_of(inv, "111111111111", "us-east-1"), &s) == 0);
    CHECK(s.n == 0);
    CHECK(load(inv, "s3", scope_of(inv, "111111111111", "eu-west-1"), &s) == 0);
    CHECK(s.n == 3);
    const jv *pub = resource_set_find(&s, "pub-bucket");
    const jv *priv = resource_set_find(&s, "priv-bucket");
    const jv *eu = resource_set_find(&s, "eu-bucket");
    CHECK(pub && priv && eu);
    if (!pub || !priv || !eu) return;
    const jv *pol = jv_get(pub, "Policy");
    CHECK(jv_is(pol, JV_STRING) && strstr(pol->u.str, "arn:aws:s3:::pub-bucket/*"));
    /* Operation collected for another bucket: missing file = not configured. */
    CHECK(jv_is(jv_get(priv, "Policy"), JV_NULL));
    CHECK(jv_is(jv_get(eu, "Acl"), JV_NULL));
    const jv *tags = jv_get(eu, "Tags");
    CHECK(jv_is(tags, JV_ARRAY) && tags->len == 0);
    CHECK(jv_get(priv, "Tags") && jv_get(priv, "Tags")->len == 1);
    CHECK(jv_str_eq(jv_get(jv_get(eu, "Location"), "LocationConstraint"), "eu-west-1"));
    CHECK(jv_is(jv_get(jv_get(priv, "Location"), "LocationConstraint"), JV_NULL));
    /* Operation never collected: key absent. */
    CHECK(jv_get(pub, "Website") == NULL && jv_get(pub, "Replication") == NULL);
    /* select member taken when present, whole response otherwise. */
    CHECK(jv_str_eq(jv_get(jv_get(priv, "Logging"), "TargetBucket"), "logs"));
    CHECK(jv_is(jv_get(pub, "Logging"), JV_OBJECT) && jv_get(pub, "Logging")->len == 0);
    CHECK(jv_is(jv_get(eu, "Logging"), JV_NULL));
    /* AccessDenied recorded, key absent. */
    const jv *denied = jv_get(priv, "c7n:DeniedMethods");
    CHECK(jv_is(denied, JV_ARRAY) && denied->len == 1 &&
          jv_str_eq(&denied->u.items[0], "get_bucket_versioning"));
    CHECK(jv_get(priv, "Versioning") == NULL);
    /* Public access block: configured vs all-false default. */
    CHECK(jv_get(jv_get(priv, "c7n:PublicAccessBlock"), "BlockPublicAcls")->kind == JV_TRUE);
    CHECK(jv_get(jv_get(pub, "c7n:PublicAccessBlock"), "BlockPublicPolicy")->kind == JV_FALSE);
    const jv *grants = jv_get(jv_get(pub, "Acl"), "Grants");
    CHECK(jv_is(grants, JV_ARRAY) && grants->len == 1);
    inventory_close(inv);
}

TEST(layout_iam_and_account)
{
    inventory *inv = open_ok(FIX "inventory", 1);
    if (!inv) return;
    resource_set s;
    CHECK(load(inv, "iam-user", scope_of(inv, "111111111111", "eu-west-1"), &s) == 0);
    CHECK(s.n == 2);
    CHECK(jv_get(resource_set_find(&s, "alice"), "Tags") != NULL); /* from GetUser */
    CHECK(resource_set_find(&s, "bob") != NULL); /* no GetUser file: listing kept */
    CHECK(load(inv, "iam-role", scope_of(inv, "222222222222", "us-east-1"), &s) == 0);
    CHECK(s.n == 1 && resource_set_find(&s, "admin"));
    CHECK(load(inv, "account", scope_of(inv, "111111111111", "eu-west-1"), &s) == 0);
    CHECK(s.n == 1 && jv_str_eq(jv_get(&s.items[0], "account_name"), "payments-prod"));
    CHECK(jv_str_eq(jv_get(&s.items[0], "account_id"), "111111111111"));
    CHECK(load(inv, "account", scope_of(inv, "111111111111", "us-east-1"), &s) == 0);
    CHECK(s.n == 0);
    inventory_close(inv);
}

TEST(bad_json_names_file_line_col)
{
    inventory *inv = open_ok(FIX "inventory-bad", 2);
    CHECK(inv != NULL);
    if (!inv) return;
    const inv_scope *sc;
    CHECK(inventory_scopes(inv, &sc) == 1);
    resource_set s;
    diag_list d = DIAG_LIST_INIT;
    CHECK(inventory_load(inv, resource_type_find("security-group"), &sc[0], &s, &d) == -1);
    CHECK(d.n == 1);
    if (d.n == 1) {
        CHECK(
            d.items[0].pos.file &&
            strstr(d.items[0].pos.file, "444444444444/us-east-1/ec2.DescribeSecurityGroups.json"));
        CHECK(d.items[0].pos.line == 3);
        CHECK(d.items[0].pos.col > 0);
    }
    CHECK(s.n == 0);
    inventory_close(inv);
    /* The file name outlives the inventory. */
    if (d.n == 1) CHECK(strstr(d.items[0].pos.file, ".json") != NULL);
    diag_free(&d);
}

TEST(bad_inputs_fail_cleanly)
{
    inventory *inv = (inventory *)1;
    diag_list d = DIAG_LIST_INIT;
    CHECK(inventory_open(FIX "does-not-exist", NULL, &inv, &d) == -1);
    CHECK(inv == NULL && d.n == 1);
    diag_free(&d);
    CHECK(inventory_open("placebo:" FIX "does-not-exist", NULL, &inv, &d) == -1);
    CHECK(inv == NULL && d.n == 1);
    diag_free(&d);
    CHECK(inventory_open("", NULL, &inv, &d) == -1);
    diag_free(&d);
    CHECK(inventory_open(FIX "inventory-badyaml", NULL, &inv, &d) == -1);
    CHECK(inv == NULL && d.n >= 1);
    if (d.n) CHECK(d.items[0].pos.file && strstr(d.items[0].pos.file, "accounts.yaml"));
    if (d.n) CHECK(d.items[0].pos.line >= 2);
    diag_free(&d);
    CHECK(inventory_open(FIX "inventory-badacct", NULL, &inv, &d) == -1);
    CHECK(d.n == 2); /* missing id, duplicate id */
    if (d.n == 2) {
        CHECK(d.items[0].pos.line == 2);
        CHECK(strstr(d.items[1].msg, "duplicate") != NULL && d.items[1].pos.line == 4);
    }
    diag_free(&d);
}

TEST(parse_response_shapes)
{
    arena *a = arena_new(0);
    jv out;
    int st;
    json_error e;
    const char *p =
        "{\"status_code\": 404, \"data\": {\"Error\": {\"Code\": \"NoSuchBucketPolicy\"}}}";
    CHECK(inventory_parse_response(a, p, strlen(p), true, &out, &st, &e) == 0 && st == 404);
    const char *dt = "{\"status_code\": 200, \"data\": {\"T\": {\"__class__\": \"datetime\", "
                     "\"year\": 2016, \"month\": 11, \"day\": 24, \"hour\": 21, \"minute\": 1, "
                     "\"second\": 33, \"microsecond\": 0}, \"U\": [{\"__class__\": \"datetime\", "
                     "\"year\": 2020, \"month\": 1, \"day\": 2, \"hour\": 3, \"minute\": 4, "
                     "\"second\": 5, \"microsecond\": 120}]}}";
    CHECK(inventory_parse_response(a, dt, strlen(dt), true, &out, &st, &e) == 0 && st == 200);
    CHECK(jv_str_eq(jv_get(&out, "T"), "2016-11-24T21:01:33+00:00"));
    const jv *u = jv_get(&out, "U");
    CHECK(u && u->len == 1 && jv_str_eq(&u->u.items[0], "2020-01-02T03:04:05.000120+00:00"));
    const char *notp = "{\"Buckets\": []}";
    CHECK(inventory_parse_response(a, notp, strlen(notp), true, &out, &st, &e) == -2);
    CHECK(inventory_parse_response(a, notp, strlen(notp), false, &out, &st, &e) == 0);
    CHECK(inventory_parse_response(a, "{\"a\":", 5, false, &out, &st, &e) == -1 && e.line == 1);
    arena_free(a);
}

/* ---- placebo recordings ---- */

static inventory *open_placebo(const char *dir)
{
    char spec[1024];
    snprintf(spec, sizeof spec, "placebo:%s/conformance/custodian/placebo/%s", shared_dir(), dir);
    inventory_options o = {.account_id = "644160558196", .threads = 2};
    inventory *inv = NULL;
    diag_list d = DIAG_LIST_INIT;
    if (inventory_open(spec, &o, &inv, &d) != 0) diag_print(&d, stdout);
    diag_free(&d);
    return inv;
}

static char *slurp_text(const char *path, size_t *n)
{
    char *t = read_file(path, n);
    if (!t) printf("  cannot read %s\n", path);
    return t;
}

TEST(placebo_cases_contain_expected_ids)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/conformance/custodian/cases-placebo.json", shared_dir());
    size_t n;
    char *text = slurp_text(path, &n);
    CHECK(text != NULL);
    if (!text) return;
    arena *a = arena_new(0);
    jv doc;
    json_error e;
    CHECK(json_parse(a, text, n, &doc, &e) == 0);
    const jv *cases = jv_get(&doc, "cases");
    CHECK(jv_is(cases, JV_ARRAY) && cases->len >= 30);
    int checked = 0;
    for (uint32_t i = 0; cases && i < cases->len; i++) {
        const jv *c = &cases->u.items[i];
        const jv *rt = jv_get(jv_get(c, "policy"), "resource");
        const jv *dir = jv_get(c, "placebo");
        const resource_type *t = resource_type_find(rt ? rt->u.str : NULL);
        CHECK(t != NULL);
        inventory *inv = t ? open_placebo(dir->u.str) : NULL;
        CHECK(inv != NULL);
        if (!inv) continue;
        const inv_scope *sc;
        inventory_scopes(inv, &sc);
        resource_set s;
        diag_list d = DIAG_LIST_INIT;
        int rc = inventory_load(inv, t, &sc[0], &s, &d);
        if (rc != 0) diag_print(&d, stdout);
        CHECK(rc == 0);
        diag_free(&d);
        const jv *ids = jv_get(c, "expected_ids");
        const jv *cnt = jv_get(c, "expected_count");
        CHECK(cnt && s.n >= (size_t)cnt->u.num);
        for (uint32_t k = 0; ids && k < ids->len; k++) {
            if (!resource_set_find(&s, ids->u.items[k].u.str)) {
                printf("  %s: %s not loaded\n", jv_get(c, "id")->u.str, ids->u.items[k].u.str);
                CHECK(0);
            }
        }
        checked++;
        inventory_close(inv);
    }
    CHECK(checked >= 30);
    arena_free(a);
    free(text);
}

TEST(placebo_s3_policy_on_right_bucket)
{
    inventory *inv = open_placebo("test_s3_has_statement");
    CHECK(inv != NULL);
    if (!inv) return;
    const inv_scope *sc;
    inventory_scopes(inv, &sc);
    CHECK_STR(sc[0].account->id, "644160558196");
    CHECK_STR(sc[0].region, "us-east-1");
    resource_set s;
    CHECK(load(inv, "s3", &sc[0], &s) == 0);
    CHECK(s.n == 5);
    /* ListBuckets order: the 3rd bucket gets GetBucketPolicy_3. */
    char path[1024];
    snprintf(path, sizeof path,
             "%s/conformance/custodian/placebo/test_s3_has_statement/s3.GetBucketPolicy_3.json",
             shared_dir());
    size_t n;
    char *text = slurp_text(path, &n);
    arena *a = arena_new(0);
    jv resp;
    int st;
    json_error e;
    CHECK(text && inventory_parse_response(a, text, n, true, &resp, &st, &e) == 0);
    const jv *want = jv_get(&resp, "Policy");
    const jv *got = jv_get(resource_set_find(&s, "custodian-policy-test"), "Policy");
    CHECK(want && got && jv_equal(want, got));
    CHECK(jv_equal(&s.items[2], resource_set_find(&s, "custodian-policy-test")));
    /* Restricted recording: only GetBucketPolicy was recorded. */
    CHECK(jv_get(&s.items[0], "Acl") == NULL && jv_get(&s.items[0], "Location") == NULL);
    free(text);
    arena_free(a);
    inventory_close(inv);
}

TEST(placebo_augments)
{
    inventory *inv = open_placebo("test_ec2_augment_tags");
    if (inv) {
        const inv_scope *sc;
        inventory_scopes(inv, &sc);
        resource_set s;
        CHECK(load(inv, "ec2", &sc[0], &s) == 0);
        const jv *tags = jv_get(resource_set_find(&s, "i-0dc224bad2cb08740"), "Tags");
        bool found = false;
        for (uint32_t i = 0; jv_is(tags, JV_ARRAY) && i < tags->len; i++)
            found |= jv_str_eq(jv_get(&tags->u.items[i], "Key"), "Env") &&
                     jv_str_eq(jv_get(&tags->u.items[i], "Value"), "Production");
        CHECK(found);
        CHECK(jv_is(jv_get(&s.items[0], "LaunchTime"), JV_STRING));
        inventory_close(inv);
    }
    inv = open_placebo("test_iam_user_remove_boundary");
    if (inv) {
        const inv_scope *sc;
        inventory_scopes(inv, &sc);
        resource_set s;
        CHECK(load(inv, "iam-user", &sc[0], &s) == 0);
        CHECK(jv_get(resource_set_find(&s, "devbot"), "PermissionsBoundary") != NULL);
        inventory_close(inv);
    }
    inv = open_placebo("test_iam_user_set_boundary");
    if (inv) {
        const inv_scope *sc;
        inventory_scopes(inv, &sc);
        resource_set s;
        CHECK(load(inv, "iam-user", &sc[0], &s) == 0);
        CHECK(resource_set_find(&s, "devbot") != NULL);
        CHECK(jv_get(resource_set_find(&s, "devbot"), "PermissionsBoundary") == NULL);
        inventory_close(inv);
    }
    inv = open_placebo("test_s3_check_public_block");
    if (inv) {
        const inv_scope *sc;
        inventory_scopes(inv, &sc);
        resource_set s;
        CHECK(load(inv, "s3", &sc[0], &s) == 0);
        const jv *b2 = jv_get(resource_set_find(&s, "644160558196-us-east-2-s3-logs"),
                              "c7n:PublicAccessBlock");
        CHECK(b2 && jv_get(b2, "BlockPublicAcls")->kind == JV_TRUE &&
              jv_get(b2, "IgnorePublicAcls")->kind == JV_FALSE);
        const jv *b1 = jv_get(resource_set_find(&s, "644160558196-us-east-1-s3-logs"),
                              "c7n:PublicAccessBlock");
        CHECK(b1 && jv_get(b1, "BlockPublicAcls")->kind == JV_FALSE);
        inventory_close(inv);
    }
}

/* ---- the sample organisation (examples/gen_org.py) ---- */

static size_t load_all(inventory *inv, const resource_type *t, const char *acct, const char *id,
                       bool *found)
{
    const inv_scope *sc;
    size_t ns = inventory_scopes(inv, &sc), total = 0;
    for (size_t i = 0; i < ns; i++) {
        if (acct && strcmp(sc[i].account->id, acct) != 0) continue;
        resource_set s;
        diag_list d = DIAG_LIST_INIT;
        if (inventory_load(inv, t, &sc[i], &s, &d) != 0) diag_print(&d, stdout);
        diag_free(&d);
        total += s.n;
        if (id && resource_set_find(&s, id)) *found = true;
    }
    return total;
}

TEST(sample_org_loads_completely)
{
    const char *dir = "build/test-out/sample-org-unit";
    CHECK(system("/usr/bin/python3 examples/gen_org.py --out build/test-out/sample-org-unit "
                 "--seed 7 --quiet") == 0);
    char path[512];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    size_t n;
    char *text = slurp_text(path, &n);
    if (!text) return;
    arena *a = arena_new(0);
    jv sum;
    json_error e;
    CHECK(json_parse(a, text, n, &sum, &e) == 0);
    free(text);
    inventory *inv = open_ok(dir, 2);
    CHECK(inv != NULL);
    if (!inv) {
        arena_free(a);
        return;
    }
    CHECK(inventory_account_count(inv) == 44);
    const jv *res = jv_get(&sum, "resources");
    CHECK(jv_is(res, JV_OBJECT) && res->len >= 20);
    for (uint32_t i = 0; res && i < res->len; i++) {
        const resource_type *t = resource_type_find(res->u.members[i].key);
        CHECK(t != NULL);
        size_t got = t ? load_all(inv, t, NULL, NULL, NULL) : 0;
        if (got != (size_t)res->u.members[i].val.u.num) {
            printf("  %s: loaded %zu, generated %.0f\n", res->u.members[i].key, got,
                   res->u.members[i].val.u.num);
            CHECK(0);
        }
    }
    /* Credential report rows: the root user on the account document, each
     * user's own row on the user (booleans converted, keys grouped). */
    const inv_scope *sc;
    inventory_scopes(inv, &sc);
    resource_set acct, users;
    CHECK(load(inv, "account", &sc[0], &acct) == 0 && acct.n == 1);
    const jv *root = jv_get(&acct.items[0], "c7n:credential-report");
    CHECK(jv_str_eq(jv_get(root, "user"), "<root_account>"));
    CHECK(jv_get(root, "mfa_active") && jv_get(root, "mfa_active")->kind == JV_TRUE);
    CHECK(load(inv, "iam-user", &sc[0], &users) == 0 && users.n > 0);
    size_t with_keys = 0;
    for (size_t i = 0; i < users.n; i++) {
        const jv *cr = jv_get(&users.items[i], "c7n:credential-report");
        CHECK(jv_str_eq(jv_get(cr, "user"), resource_id(users.type, &users.items[i])));
        CHECK(jv_is_bool(jv_get(cr, "password_enabled")));
        const jv *keys = jv_get(cr, "access_keys");
        if (keys) {
            with_keys++;
            CHECK(jv_is(keys, JV_ARRAY) && keys->len == 1);
        }
    }
    CHECK(with_keys > 0 && with_keys < users.n);
    /* Every planted problem is loaded in its account. */
    snprintf(path, sizeof path, "%s/planted.json", dir);
    text = slurp_text(path, &n);
    jv planted;
    CHECK(text && json_parse(a, text, n, &planted, &e) == 0);
    free(text);
    CHECK(jv_is(&planted, JV_ARRAY) && planted.len >= 14);
    for (uint32_t i = 0; jv_is(&planted, JV_ARRAY) && i < planted.len; i++) {
        const jv *p = &planted.u.items[i];
        const resource_type *t = resource_type_find(jv_get(p, "resource_type")->u.str);
        bool found = false;
        if (t) load_all(inv, t, jv_get(p, "account")->u.str, jv_get(p, "id")->u.str, &found);
        if (!found) printf("  planted %s not loaded\n", jv_get(p, "id")->u.str);
        CHECK(found);
    }
    inventory_close(inv);
    arena_free(a);
}

int main(void)
{
    RUN(layout_accounts_and_scopes);
    RUN(layout_regional_and_ec2_tags);
    RUN(layout_s3_augment);
    RUN(layout_iam_and_account);
    RUN(bad_json_names_file_line_col);
    RUN(bad_inputs_fail_cleanly);
    RUN(parse_response_shapes);
    RUN(placebo_cases_contain_expected_ids);
    RUN(placebo_s3_policy_on_right_bucket);
    RUN(placebo_augments);
    RUN(sample_org_loads_completely);
    T_EXIT();
}
