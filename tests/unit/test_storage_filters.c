/* test_storage_filters.c - bucket-encryption, key-rotation-status,
 * snapshot-age, snapshot-shrink and check-cloudtrail, including the
 * backup false-positive traps (a fresh latest snapshot next to old ones; a
 * 10% smaller snapshot). */
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
#include "filters/filter.h"
#include "resources/resource.h"
#include "util/date.h"
#include "t.h"
#include "filter_test.h"

static time_t NOW; /* 2026-11-01T00:00:00Z */

static int m(const char *rtype, const char *spec, const char *res, scope_ctx *sc, jv *ev)
{
    return match_with(rtype, spec, res,
                      (eval_ctx){.account_id = "111111111111",
                                 .region = "us-east-1",
                                 .now = NOW,
                                 .rtype = resource_type_find(rtype),
                                 .scope = sc,
                                 .evidence = ev});
}

/* A resource set of type tname from a JSON array text. */
static resource_set set_of(const char *tname, const char *items)
{
    jv a = J(items);
    return (resource_set){.type = resource_type_find(tname),
                          .account_id = "111111111111",
                          .region = "us-east-1",
                          .items = a.u.items,
                          .n = a.len};
}

static scope_ctx *scope_with(const resource_set *sets, size_t n)
{
    return scope_new_static(A, "111111111111", "us-east-1", sets, n, NULL, 0, NULL);
}

/* ---------------- bucket-encryption ---------------- */

#define ENC(algo, key)                                                                             \
    "{\"Name\":\"b\",\"Encryption\":{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{"         \
    "\"SSEAlgorithm\":\"" algo "\"" key "}}]}}"

TEST(bucket_encryption)
{
    const char *off = "{\"type\":\"bucket-encryption\",\"state\":false}";
    const char *on = "{\"type\":\"bucket-encryption\"}";
    const char *none = "{\"Name\":\"b\",\"Encryption\":null}";
    const char *aes = ENC("AES256", "");
    const char *kms = ENC("aws:kms", ",\"KMSMasterKeyID\":\"arn:aws:kms:us-east-1:111111111111:"
                                     "key/1234abcd-12ab\"");
    jv ev = jv_null();
    CHECK(m("aws.s3", off, none, NULL, &ev) == 1);
    CHECK(jv_is(&ev, JV_OBJECT) && jv_is(jv_get(&ev, "Encryption"), JV_NULL));
    CHECK(m("aws.s3", off, aes, NULL, NULL) == 0);
    CHECK(m("aws.s3", off, kms, NULL, NULL) == 0);
    CHECK(m("aws.s3", on, none, NULL, NULL) == 0);
    CHECK(m("aws.s3", on, aes, NULL, NULL) == 1);
    /* Not collected: neither state matches. */
    CHECK(m("aws.s3", off, "{\"Name\":\"b\"}", NULL, NULL) == 0);
    CHECK(m("aws.s3", on, "{\"Name\":\"b\"}", NULL, NULL) == 0);
    /* Empty rules = not encrypted. */
    CHECK(m("aws.s3", off, "{\"Name\":\"b\",\"Encryption\":{\"Rules\":[]}}", NULL, NULL) == 1);
    /* crypto */
    CHECK(m("aws.s3", "{\"type\":\"bucket-encryption\",\"crypto\":\"AES256\"}", aes, NULL, NULL) ==
          1);
    CHECK(m("aws.s3", "{\"type\":\"bucket-encryption\",\"crypto\":\"aws:kms\"}", aes, NULL, NULL) ==
          0);
    CHECK(m("aws.s3", "{\"type\":\"bucket-encryption\",\"state\":false,\"crypto\":\"aws:kms\"}",
            aes, NULL, NULL) == 1);
    /* key: ARN, bare id, and a different key */
    CHECK(m("aws.s3",
            "{\"type\":\"bucket-encryption\",\"crypto\":\"aws:kms\",\"key\":\"1234abcd-12ab\"}",
            kms, NULL, NULL) == 1);
    CHECK(m("aws.s3",
            "{\"type\":\"bucket-encryption\",\"crypto\":\"aws:kms\",\"key\":\"arn:aws:kms:us-east-"
            "1:111111111111:key/1234abcd-12ab\"}",
            kms, NULL, NULL) == 1);
    CHECK(m("aws.s3", "{\"type\":\"bucket-encryption\",\"crypto\":\"aws:kms\",\"key\":\"other\"}",
            kms, NULL, NULL) == 0);
    /* DSSE-KMS is encryption (custos; see the header). */
    CHECK(m("aws.s3", off, ENC("aws:kms:dsse", ""), NULL, NULL) == 0);
    /* Options are checked. */
    CHECK(m("aws.s3", "{\"type\":\"bucket-encryption\",\"crypto\":\"DES\"}", aes, NULL, NULL) ==
          -1);
    CHECK(m("aws.s3", "{\"type\":\"bucket-encryption\",\"state\":\"no\"}", aes, NULL, NULL) == -1);
    CHECK(m("aws.s3", "{\"type\":\"bucket-encryption\",\"bogus\":1}", aes, NULL, NULL) == -1);
    CHECK(m("aws.ebs", on, aes, NULL, NULL) == -1);
}

/* ---------------- key-rotation-status ---------------- */

TEST(key_rotation_status)
{
    const char *spec = "{\"type\":\"key-rotation-status\",\"key\":\"KeyRotationEnabled\","
                       "\"value\":false}";
    jv ev = jv_null();
    CHECK(m("aws.kms-key", spec,
            "{\"KeyId\":\"k1\",\"KeyRotationEnabled\":{\"KeyRotationEnabled\":"
            "false}}",
            NULL, &ev) == 1);
    CHECK(jv_is(jv_get(&ev, "KeyRotationEnabled"), JV_FALSE));
    CHECK(m("aws.kms-key", spec,
            "{\"KeyId\":\"k1\",\"KeyRotationEnabled\":{\"KeyRotationEnabled\":"
            "true}}",
            NULL, NULL) == 0);
    /* Asymmetric keys answer UnsupportedOperationException: no status, no
     * match (the trap). */
    CHECK(m("aws.kms-key", spec, "{\"KeyId\":\"k2\",\"KeySpec\":\"RSA_2048\"}", NULL, NULL) == 0);
    CHECK(m("aws.kms-key", spec, "{\"KeyId\":\"k2\",\"KeyRotationEnabled\":null}", NULL, NULL) ==
          0);
    /* Any value-filter option works on the status. */
    CHECK(m("aws.kms-key",
            "{\"type\":\"key-rotation-status\",\"key\":\"RotationPeriodInDays\",\"value\":365,"
            "\"op\":\"gt\"}",
            "{\"KeyRotationEnabled\":{\"KeyRotationEnabled\":true,\"RotationPeriodInDays\":730}}",
            NULL, NULL) == 1);
    CHECK(m("aws.kms-key", "{\"type\":\"key-rotation-status\",\"value\":false}", "{}", NULL,
            NULL) == -1);
}

/* ---------------- snapshot-age / snapshot-shrink ---------------- */

static const char *EBS_SNAPS =
    "["
    /* vol-fresh: old snapshots plus a fresh latest one (not stale) */
    "{\"SnapshotId\":\"snap-f1\",\"VolumeId\":\"vol-fresh\",\"State\":\"completed\","
    "\"StartTime\":\"2026-06-01T00:00:00.000Z\",\"FullSnapshotSizeInBytes\":1000},"
    "{\"SnapshotId\":\"snap-f3\",\"VolumeId\":\"vol-fresh\",\"State\":\"completed\","
    "\"StartTime\":\"2026-10-31T12:00:00.000Z\",\"FullSnapshotSizeInBytes\":900},"
    "{\"SnapshotId\":\"snap-f2\",\"VolumeId\":\"vol-fresh\",\"State\":\"completed\","
    "\"StartTime\":\"2026-07-01T00:00:00.000Z\",\"FullSnapshotSizeInBytes\":1000},"
    /* vol-stale: latest 20 days old; a newer one failed */
    "{\"SnapshotId\":\"snap-s1\",\"VolumeId\":\"vol-stale\",\"State\":\"completed\","
    "\"StartTime\":\"2026-10-12T00:00:00.000Z\",\"FullSnapshotSizeInBytes\":5000},"
    "{\"SnapshotId\":\"snap-s2\",\"VolumeId\":\"vol-stale\",\"State\":\"error\","
    "\"StartTime\":\"2026-10-31T00:00:00.000Z\"},"
    /* vol-shrunk: latest is 30% of the previous */
    "{\"SnapshotId\":\"snap-k1\",\"VolumeId\":\"vol-shrunk\",\"State\":\"completed\","
    "\"StartTime\":\"2026-10-30T00:00:00.000Z\",\"FullSnapshotSizeInBytes\":10000000000},"
    "{\"SnapshotId\":\"snap-k2\",\"VolumeId\":\"vol-shrunk\",\"State\":\"completed\","
    "\"StartTime\":\"2026-10-31T00:00:00.000Z\",\"FullSnapshotSizeInBytes\":3000000000}"
    "]";

static const char *RDS_SNAPS =
    "[{\"DBSnapshotIdentifier\":\"rds:db1-2026-10-31\",\"DBInstanceIdentifier\":\"db1\","
    "\"Status\":\"available\",\"SnapshotCreateTime\":\"2026-10-31T03:00:00Z\"},"
    "{\"DBSnapshotIdentifier\":\"rds:db2-2026-10-20\",\"DBInstanceIdentifier\":\"db2\","
    "\"Status\":\"available\",\"SnapshotCreateTime\":\"2026-10-20T03:00:00Z\"},"
    "{\"DBSnapshotIdentifier\":\"rds:db2-2026-10-31\",\"DBInstanceIdentifier\":\"db2\","
    "\"Status\":\"creating\",\"SnapshotCreateTime\":\"2026-10-31T03:00:00Z\"}]";

TEST(snapshot_age)
{
    resource_set sets[2] = {set_of("aws.ebs-snapshot", EBS_SNAPS),
                            set_of("aws.rds-snapshot", RDS_SNAPS)};
    scope_ctx *sc = scope_with(sets, 2);
    const char *d7 = "{\"type\":\"snapshot-age\",\"days\":7}";
    jv ev = jv_null();
    CHECK(m("aws.ebs", d7, "{\"VolumeId\":\"vol-stale\"}", sc, &ev) == 1);
    CHECK(jv_str_eq(jv_get(&ev, "latest snapshot"), "snap-s1"));
    const jv *age = jv_get(&ev, "age days");
    CHECK(jv_is(age, JV_NUMBER) && age->u.num == 20);
    /* The trap: the latest snapshot is fresh though older ones are old. */
    CHECK(m("aws.ebs", d7, "{\"VolumeId\":\"vol-fresh\"}", sc, NULL) == 0);
    /* No snapshot at all: only with missing: true. */
    CHECK(m("aws.ebs", d7, "{\"VolumeId\":\"vol-none\"}", sc, NULL) == 0);
    ev = jv_null();
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\",\"days\":7,\"missing\":true}",
            "{\"VolumeId\":\"vol-none\"}", sc, &ev) == 1);
    CHECK(jv_is(jv_get(&ev, "latest snapshot"), JV_NULL));
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\",\"days\":7,\"missing\":true}",
            "{\"VolumeId\":\"vol-fresh\"}", sc, NULL) == 0);
    /* op */
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\",\"days\":1,\"op\":\"lt\"}",
            "{\"VolumeId\":\"vol-fresh\"}", sc, NULL) == 1);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\",\"days\":20,\"op\":\"gte\"}",
            "{\"VolumeId\":\"vol-stale\"}", sc, NULL) == 1);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\",\"days\":20,\"op\":\"greater-than\"}",
            "{\"VolumeId\":\"vol-stale\"}", sc, NULL) == 0);
    /* RDS: latest available snapshot of the instance. */
    const char *d2 = "{\"type\":\"snapshot-age\",\"days\":2}";
    CHECK(m("aws.rds", d2, "{\"DBInstanceIdentifier\":\"db1\"}", sc, NULL) == 0);
    ev = jv_null();
    CHECK(m("aws.rds", d2, "{\"DBInstanceIdentifier\":\"db2\"}", sc, &ev) == 1);
    CHECK(jv_str_eq(jv_get(&ev, "latest snapshot"), "rds:db2-2026-10-20"));
    /* No scope: nothing known, nothing matches (missing false). */
    CHECK(m("aws.ebs", d7, "{\"VolumeId\":\"vol-stale\"}", NULL, NULL) == 0);
    /* Options */
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\"}", "{}", sc, NULL) == -1);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\",\"days\":\"7\"}", "{}", sc, NULL) == -1);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\",\"days\":7,\"op\":\"near\"}", "{}", sc, NULL) ==
          -1);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-age\",\"days\":7,\"missing\":1}", "{}", sc, NULL) ==
          -1);
    CHECK(m("aws.ec2", d7, "{}", sc, NULL) == -1);
    scope_free_static(sc);
}

TEST(snapshot_shrink)
{
    resource_set sets[1] = {set_of("aws.ebs-snapshot", EBS_SNAPS)};
    scope_ctx *sc = scope_with(sets, 1);
    const char *s = "{\"type\":\"snapshot-shrink\"}";
    jv ev = jv_null();
    CHECK(m("aws.ebs", s, "{\"VolumeId\":\"vol-shrunk\"}", sc, &ev) == 1);
    CHECK(jv_str_eq(jv_get(&ev, "latest snapshot"), "snap-k2"));
    CHECK(jv_str_eq(jv_get(&ev, "previous snapshot"), "snap-k1"));
    const jv *ratio = jv_get(&ev, "ratio");
    CHECK(jv_is(ratio, JV_NUMBER) && ratio->u.num == 0.3);
    const jv *lb = jv_get(&ev, "latest bytes");
    CHECK(jv_is(lb, JV_NUMBER) && lb->u.num == 3e9 && (lb->flags & JVF_INT));
    /* The trap: 10% smaller is normal churn. */
    CHECK(m("aws.ebs", s, "{\"VolumeId\":\"vol-fresh\"}", sc, NULL) == 0);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-shrink\",\"ratio\":0.95}",
            "{\"VolumeId\":\"vol-fresh\"}", sc, NULL) == 1);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-shrink\",\"ratio\":0.2}",
            "{\"VolumeId\":\"vol-shrunk\"}", sc, NULL) == 0);
    /* One usable snapshot (the other failed): nothing to compare. */
    CHECK(m("aws.ebs", s, "{\"VolumeId\":\"vol-stale\"}", sc, NULL) == 0);
    CHECK(m("aws.ebs", s, "{\"VolumeId\":\"vol-none\"}", sc, NULL) == 0);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-shrink\",\"ratio\":0}", "{}", sc, NULL) == -1);
    CHECK(m("aws.ebs", "{\"type\":\"snapshot-shrink\",\"days\":3}", "{}", sc, NULL) == -1);
    CHECK(m("aws.rds", s, "{}", sc, NULL) == -1);
    scope_free_static(sc);
}

/* ---------------- check-cloudtrail ---------------- */

#define TRAIL(name, home, multi, status)                                                           \
    "{\"Name\":\"" name "\",\"TrailARN\":\"arn:aws:cloudtrail:" home ":111111111111:trail/" name   \
    "\",\"HomeRegion\":\"" home "\",\"IsMultiRegionTrail\":" multi                                 \
    ",\"IncludeGlobalServiceEvents\":true,\"LogFileValidationEnabled\":false" status "}"
#define LOGGING ",\"Status\":{\"IsLogging\":true}"
#define STOPPED ",\"Status\":{\"IsLogging\":false}"

static int trail_case(const char *spec, const char *trails, jv *ev)
{
    resource_set sets[1] = {set_of("aws.cloudtrail", trails)};
    scope_ctx *sc = scope_with(sets, 1);
    int r = m("aws.account", spec, "{\"account_id\":\"111111111111\"}", sc, ev);
    scope_free_static(sc);
    return r;
}

TEST(check_cloudtrail)
{
    const char *spec = "{\"type\":\"check-cloudtrail\",\"multi-region\":true,\"running\":true}";
    /* A logging multi-region trail (here a shadow of eu-west-1's): fine. */
    CHECK(trail_case(spec, "[" TRAIL("org", "eu-west-1", "true", LOGGING) "]", NULL) == 0);
    /* Only a single-region trail: not every region is covered. */
    jv ev = jv_null();
    CHECK(trail_case(spec, "[" TRAIL("local", "us-east-1", "false", LOGGING) "]", &ev) == 1);
    CHECK(jv_str_eq(jv_get(&ev, "region"), "us-east-1"));
    const jv *tr = jv_get(&ev, "trails");
    CHECK(jv_is(tr, JV_ARRAY) && tr->len == 1 &&
          jv_str_eq(jv_get(&tr->u.items[0], "fails"), "multi-region"));
    /* Multi-region but stopped, or with a delivery error. */
    CHECK(trail_case(spec, "[" TRAIL("org", "us-east-1", "true", STOPPED) "]", NULL) == 1);
    CHECK(trail_case(spec,
                     "[" TRAIL("org", "us-east-1", "true",
                               ",\"Status\":{\"IsLogging\":true,\"LatestDeliveryError\":"
                               "\"AccessDenied\"}") "]",
                     NULL) == 1);
    /* Status not collected: not known to run. */
    ev = jv_null();
    CHECK(trail_case(spec, "[" TRAIL("org", "us-east-1", "true", "") "]", &ev) == 1);
    CHECK(jv_str_eq(jv_get(&jv_get(&ev, "trails")->u.items[0], "fails"),
                    "running (status not collected)"));
    /* One good trail among bad ones is enough. */
    CHECK(trail_case(spec,
                     "[" TRAIL("a", "us-east-1", "false", LOGGING) "," TRAIL("b", "us-east-1",
                                                                             "true", LOGGING) "]",
                     NULL) == 0);
    /* No trails at all. */
    CHECK(trail_case(spec, "[]", NULL) == 1);
    /* running defaults to true... */
    CHECK(trail_case("{\"type\":\"check-cloudtrail\"}",
                     "[" TRAIL("org", "us-east-1", "true", STOPPED) "]", NULL) == 1);
    /* ...and can be turned off. */
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"running\":false}",
                     "[" TRAIL("org", "us-east-1", "true", STOPPED) "]", NULL) == 0);
    /* file-digest, global-events, kms, kms-key, notifies, current-region */
    const char *t = "[" TRAIL("org", "us-east-1", "false", LOGGING) "]";
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"file-digest\":true}", t, NULL) == 1);
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"global-events\":true}", t, NULL) == 0);
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"kms\":true}", t, NULL) == 1);
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"notifies\":true}", t, NULL) == 1);
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"current-region\":true}", t, NULL) == 0);
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"current-region\":true}",
                     "[" TRAIL("x", "eu-west-1", "false", LOGGING) "]", NULL) == 1);
    const char *kt = "[{\"Name\":\"k\",\"KmsKeyId\":\"arn:aws:kms:us-east-1:1:key/k1\","
                     "\"Status\":{\"IsLogging\":true}}]";
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"kms\":true}", kt, NULL) == 0);
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"kms-key\":\"arn:aws:kms:us-east-1:1:key/"
                     "k1\"}",
                     kt, NULL) == 0);
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"kms-key\":\"other\"}", kt, NULL) == 1);
    /* include-management-events reads the trail's event selectors. */
    const char *mg = "[{\"Name\":\"m\",\"Status\":{\"IsLogging\":true},"
                     "\"c7n:TrailEventSelectors\":{\"EventSelectors\":[{"
                     "\"IncludeManagementEvents\":true,\"ReadWriteType\":\"All\"}]}}]";
    const char *wo = "[{\"Name\":\"m\",\"Status\":{\"IsLogging\":true},"
                     "\"c7n:TrailEventSelectors\":{\"EventSelectors\":[{"
                     "\"IncludeManagementEvents\":true,\"ReadWriteType\":\"WriteOnly\"}]}}]";
    const char *adv = "[{\"Name\":\"m\",\"Status\":{\"IsLogging\":true},"
                      "\"c7n:TrailEventSelectors\":{\"AdvancedEventSelectors\":[{"
                      "\"FieldSelectors\":[{\"Field\":\"eventCategory\",\"Equals\":["
                      "\"Management\"]}]}]}}]";
    const char *ime = "{\"type\":\"check-cloudtrail\",\"include-management-events\":true}";
    CHECK(trail_case(ime, mg, NULL) == 0);
    CHECK(trail_case(ime, wo, NULL) == 1);
    CHECK(trail_case(ime, adv, NULL) == 0);
    CHECK(trail_case(ime, t, NULL) == 1); /* selectors not collected: not a good trail */
    /* Unsupported and wrong options are compile errors. */
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"log-metric-filter-pattern\":\"x\"}", t,
                     NULL) == -1);
    CHECK(trail_case("{\"type\":\"check-cloudtrail\",\"multi-region\":\"yes\"}", t, NULL) == -1);
    CHECK(m("aws.s3", "{\"type\":\"check-cloudtrail\"}", "{}", NULL, NULL) == -1);
    /* No scope: no trails known, so the account matches. */
    CHECK(m("aws.account", spec, "{}", NULL, NULL) == 1);
}

int main(void)
{
    A = arena_new(0);
    double now;
    date_parse("2026-11-01T00:00:00Z", 20, &now);
    NOW = (time_t)now;
    RUN(bucket_encryption);
    RUN(key_rotation_status);
    RUN(snapshot_age);
    RUN(snapshot_shrink);
    RUN(check_cloudtrail);
    arena_free(A);
    T_EXIT();
}
