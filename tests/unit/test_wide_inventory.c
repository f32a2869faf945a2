/* test_wide_inventory.c - the calls of the wider resource set, read from
 * the custos layout (fixture tests/data/inventory-wide), which is what the
 * live collector writes: SQS listing of URLs + GetQueueAttributes named by
 * queue name (a vanished queue dropped), tagging API Tags joined by ARN,
 * KMS aliases joined to keys, DescribeInstanceAttribute answers merged by
 * the InstanceId inside them, SSM information joined by InstanceId, RDS
 * TagList as Tags, parameter group values recast by DataType, engine
 * versions joined on (Engine, EngineVersion), an account call answered
 * "not in use" as {}, and a listing that was not collected flagged
 * missing; plus the call list the collector reads (inventory_calls). */
#include <stdio.h>
#include <string.h>

#include "inventory/inventory.h"
#include "t.h"

static inventory *INV;

static int load(const char *type, resource_set *s)
{
    const inv_scope *sc;
    size_t n = inventory_scopes(INV, &sc);
    diag_list d = DIAG_LIST_INIT;
    int rc = n ? inventory_load(INV, resource_type_find(type), &sc[0], s, &d) : -1;
    if (rc != 0) diag_print(&d, stdout);
    diag_free(&d);
    return rc;
}

TEST(sqs_queue_documents)
{
    resource_set s;
    CHECK(load("aws.sqs", &s) == 0 && s.n == 1); /* NonExistentQueue dropped */
    const jv *q = resource_set_find(&s, "https://sqs.us-east-1.amazonaws.com/222222222222/orders");
    CHECK(q != NULL);
    if (!q) return;
    CHECK(jv_str_eq(jv_get(q, "QueueName"), "orders"));
    CHECK(jv_str_eq(jv_get(q, "KmsMasterKeyId"), "alias/orders-key"));
    const jv *tags = jv_get(q, "Tags");
    CHECK(jv_is(tags, JV_ARRAY) && tags->len == 1 &&
          jv_str_eq(jv_get(&tags->u.items[0], "Value"), "payments"));
    CHECK(!s.missing);
}

TEST(kms_alias_names)
{
    resource_set s;
    CHECK(load("aws.kms-key", &s) == 0 && s.n == 2);
    const jv *k = resource_set_find(&s, "k-orders"), *p = resource_set_find(&s, "k-plain");
    CHECK(k && p);
    if (!k || !p) return;
    const jv *names = jv_get(k, "AliasNames");
    CHECK(jv_is(names, JV_ARRAY) && names->len == 1 &&
          jv_str_eq(&names->u.items[0], "alias/orders-key"));
    CHECK(jv_get(p, "AliasNames") == NULL); /* Custodian sets it only when there are aliases */
}

TEST(ec2_attributes_and_ssm)
{
    resource_set s;
    CHECK(load("aws.ec2", &s) == 0 && s.n == 2);
    const jv *i1 = resource_set_find(&s, "i-1"), *i2 = resource_set_find(&s, "i-2");
    CHECK(i1 && i2);
    if (!i1 || !i2) return;
    const jv *a = jv_get(i1, "c7n:instance-attributes");
    CHECK(jv_is(jv_get(jv_get(a, "DisableApiTermination"), "Value"), JV_TRUE));
    CHECK(jv_str_eq(jv_get(jv_get(a, "RootDeviceName"), "Value"), "/dev/xvda"));
    CHECK(jv_get(a, "InstanceId") == NULL);
    /* Collected for the region, nothing for i-2: an empty answer. */
    const jv *a2 = jv_get(i2, "c7n:instance-attributes");
    CHECK(jv_is(a2, JV_OBJECT) && a2->len == 0);
    CHECK(jv_str_eq(jv_get(jv_get(i1, "c7n:SsmState"), "PingStatus"), "Online"));
    const jv *none = jv_get(i2, "c7n:SsmState");
    CHECK(jv_is(none, JV_OBJECT) && none->len == 0);
}

TEST(rds_tags_parameters_engine)
{
    resource_set s;
    CHECK(load("aws.rds", &s) == 0 && s.n == 1);
    const jv *db = resource_set_find(&s, "db1");
    CHECK(db != NULL);
    if (!db) return;
    CHECK(jv_get(db, "TagList") == NULL);
    const jv *tags = jv_get(db, "Tags");
    CHECK(jv_is(tags, JV_ARRAY) && tags->len == 1);
    const jv *p = jv_get(db, "c7n:db-parameters");
    CHECK(jv_is(jv_get(p, "require_secure_transport"), JV_TRUE));
    const jv *mc = jv_get(p, "max_connections");
    CHECK(jv_is(mc, JV_NUMBER) && mc->u.num == 100);
    CHECK(jv_get(p, "unset") == NULL);
    const jv *e = jv_get(db, "c7n:Engine");
    CHECK(jv_is(jv_get(e, "ValidUpgradeTarget"), JV_ARRAY));
    /* DescribePendingMaintenanceActions was not collected: absent. */
    CHECK(jv_get(db, "c7n:PendingMaintenance") == NULL);
}

TEST(account_calls_and_missing_listing)
{
    resource_set s;
    CHECK(load("aws.account", &s) == 0 && s.n == 1);
    const jv *org = s.n ? jv_get(&s.items[0], "c7n:org") : NULL;
    CHECK(jv_is(org, JV_OBJECT) && org->len == 0);              /* not in an organization */
    CHECK(s.n && jv_get(&s.items[0], "c7n:analyzers") == NULL); /* not collected */
    resource_set sns;
    CHECK(load("aws.sns", &sns) == 0 && sns.n == 0 && sns.missing);
    resource_set q;
    CHECK(load("aws.sqs", &q) == 0 && !q.missing);
}

typedef struct seen {
    int sqs_attrs, tagging, listings;
    bool bad;
} seen;

static void on_call(const inventory_call *c, void *arg)
{
    seen *s = arg;
    if (!c->type || !c->client || !c->operation || !c->kind || !c->file || !c->provides)
        s->bad = true;
    if (!strcmp(c->operation, "GetQueueAttributes") && strstr(c->file, "sqs.GetQueueAttributes."))
        s->sqs_attrs++;
    if (!strcmp(c->client, "resourcegroupstaggingapi")) s->tagging++;
    if (!strcmp(c->kind, "listing")) s->listings++;
}

TEST(call_list)
{
    seen s = {0};
    inventory_calls(on_call, &s);
    CHECK(!s.bad);
    CHECK(s.sqs_attrs == 1);
    CHECK(s.tagging >= 5);
    CHECK(s.listings >= resource_type_count() - 2); /* all but the account and child types */
}

int main(void)
{
    inventory_options o = {.threads = 2};
    diag_list d = DIAG_LIST_INIT;
    if (inventory_open("tests/data/inventory-wide", &o, &INV, &d) != 0) {
        diag_print(&d, stdout);
        printf("FAIL open fixture\n");
        return 1;
    }
    diag_free(&d);
    RUN(sqs_queue_documents);
    RUN(kms_alias_names);
    RUN(ec2_attributes_and_ssm);
    RUN(rds_tags_parameters_engine);
    RUN(account_calls_and_missing_listing);
    RUN(call_list);
    inventory_close(INV);
    T_EXIT();
}
