/* test_storage_inventory.c - the per-resource calls merged for the storage
 * and logging checks (fixture tests/data/inventory-storage): KMS
 * GetKeyRotationStatus -> KeyRotationEnabled, CloudTrail GetTrailStatus (by
 * trail Name) -> Status, RDS DescribeDBSnapshotAttributes -> c7n:attributes. */
#include <stdio.h>
#include <string.h>

#include "inventory/inventory.h"
#include "t.h"

static inventory *INV;

static const jv *find(const resource_set *s, const char *id)
{
    return resource_set_find(s, id);
}

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

TEST(kms_rotation_status)
{
    resource_set s;
    CHECK(load("aws.kms-key", &s) == 0 && s.n == 3);
    const jv *k1 = find(&s, "k1"), *k2 = find(&s, "k2"), *k3 = find(&s, "k3");
    CHECK(k1 && k2 && k3);
    if (!k1 || !k2 || !k3) return;
    const jv *st = jv_get(k1, "KeyRotationEnabled");
    CHECK(jv_is(st, JV_OBJECT) && jv_is(jv_get(st, "KeyRotationEnabled"), JV_FALSE));
    CHECK(st && !jv_get(st, "ResponseMetadata"));
    /* UnsupportedOperationException (asymmetric key): left absent. */
    CHECK(jv_get(k2, "KeyRotationEnabled") == NULL);
    /* Collected for others but not this key: null. */
    CHECK(jv_is(jv_get(k3, "KeyRotationEnabled"), JV_NULL));
}

TEST(trail_status_by_name)
{
    resource_set s;
    CHECK(load("aws.cloudtrail", &s) == 0 && s.n == 2);
    const jv *org = find(&s, "arn:aws:cloudtrail:us-east-1:111111111111:trail/org-trail");
    const jv *local = find(&s, "arn:aws:cloudtrail:us-east-1:111111111111:trail/local");
    CHECK(org && local);
    if (!org || !local) return;
    CHECK(jv_is(jv_get(jv_get(org, "Status"), "IsLogging"), JV_TRUE));
    CHECK(jv_is(jv_get(local, "Status"), JV_NULL));
}

TEST(rds_snapshot_attributes)
{
    resource_set s;
    CHECK(load("aws.rds-snapshot", &s) == 0 && s.n == 2);
    const jv *m1 = find(&s, "manual-1"), *m2 = find(&s, "manual-2");
    CHECK(m1 && m2);
    if (!m1 || !m2) return;
    const jv *restore = jv_get(jv_get(m1, "c7n:attributes"), "restore");
    CHECK(jv_is(restore, JV_ARRAY) && restore->len == 1 && jv_str_eq(&restore->u.items[0], "all"));
    const jv *none = jv_get(m2, "c7n:attributes");
    CHECK(jv_is(none, JV_OBJECT) && none->len == 0);
}

int main(void)
{
    inventory_options o = {.threads = 2};
    diag_list d = DIAG_LIST_INIT;
    if (inventory_open("tests/data/inventory-storage", &o, &INV, &d) != 0) {
        diag_print(&d, stdout);
        printf("FAIL open fixture\n");
        return 1;
    }
    diag_free(&d);
    RUN(kms_rotation_status);
    RUN(trail_status_by_name);
    RUN(rds_snapshot_attributes);
    inventory_close(INV);
    T_EXIT();
}
