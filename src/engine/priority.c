/* priority.c - scoring findings; see priority.h.
 *
 * Weights (points on a 0-100 scale; exposure and blast radius only for
 * policies whose category mentions exposure, or that have none):
 *   severity base    critical 60, high 45, medium 30, low 15, info 5
 *   environment      prod +15, shared +10, staging +5, dev/test/sandbox -5
 *   exposure         reachable from the internet +15; something using it is
 *                    public but the route/ACL stops traffic -5; nothing
 *                    using it is public -10; VPC without an internet
 *                    gateway -15; a security group nothing uses -20
 *   blast radius     +2.5 * log2(1 + instances + load balancers), at most +10
 * A base step between severities is 15, so one modifier alone moves a
 * finding at most about one band; stacked facts (prod, reachable, 40
 * instances) are what put a finding at the top.
 */
#include "engine/priority.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "exposure/exposure.h"

static const int severity_base[] = {
    [SEV_INFO] = 5, [SEV_LOW] = 15, [SEV_MEDIUM] = 30, [SEV_HIGH] = 45, [SEV_CRITICAL] = 60};

static void add_reason(priority *p, arena *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void add_reason(priority *p, arena *a, const char *fmt, ...)
{
    if (p->n == PRIORITY_MAX_REASONS) return;
    va_list ap;
    va_start(ap, fmt);
    p->reasons[p->n++] = arena_vsprintf(a, fmt, ap);
    va_end(ap);
}

static bool env_is(const char *env, const char *const *names)
{
    for (; *names; names++)
        if (strcasecmp(env, *names) == 0) return true;
    return false;
}

/* Reasons that do not depend on the finding are static strings: a scan
 * with 100k findings must not format 100k copies of "production account". */
static void add_static(priority *p, const char *reason)
{
    if (p->n < PRIORITY_MAX_REASONS) p->reasons[p->n++] = reason;
}

static int environment_points(const account_info *acct, priority *p)
{
    static const char *const prod[] = {"prod", "production", "prd", "live", NULL};
    static const char *const shared[] = {"shared", "security", "network", "core", NULL};
    static const char *const staging[] = {"staging", "stage", "stg", "preprod", "uat", NULL};
    static const char *const dev[] = {"dev", "development", "test", "sandbox", "qa", NULL};
    const char *env = acct ? acct->environment : NULL;
    if (!env) return 0;
    if (env_is(env, prod)) {
        add_static(p, "production account");
        return 15;
    }
    if (env_is(env, shared)) {
        add_static(p, "shared account used by every team");
        return 10;
    }
    if (env_is(env, staging)) {
        add_static(p, "staging account");
        return 5;
    }
    if (env_is(env, dev)) {
        add_static(p, "non-production account");
        return -5;
    }
    return 0;
}

/* Appends s to dst[0..n) (capacity cap, truncating); returns the new
 * length.  The caller copies exactly that many bytes out, so no NUL. */
static size_t append(char *dst, size_t n, size_t cap, const char *s)
{
    while (*s && n + 1 < cap)
        dst[n++] = *s++;
    return n;
}

static size_t append_uint(char *dst, size_t n, size_t cap, double v)
{
    char digits[24];
    int k = 0;
    unsigned long long u = v < 0 ? 0 : (unsigned long long)v;
    do {
        digits[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u && k < (int)sizeof digits);
    while (k > 0 && n + 1 < cap)
        dst[n++] = digits[--k];
    return n;
}

/* "tcp/22 open to 0.0.0.0/0" from the first offending permission of an
 * ingress/egress finding; nothing for other evidence. */
static void describe_grant(const jv *evidence, priority *p, arena *a)
{
    if (!jv_is(evidence, JV_ARRAY) || evidence->len == 0) return;
    const jv *g = &evidence->u.items[0];
    const jv *proto = jv_get(g, "IpProtocol"), *from = jv_get(g, "FromPort"),
             *to = jv_get(g, "ToPort");
    if (!jv_is(proto, JV_STRING)) return;
    const char *who = NULL;
    const jv *r4 = jv_get(g, "IpRanges"), *r6 = jv_get(g, "Ipv6Ranges");
    if (jv_is(r4, JV_ARRAY) && r4->len) {
        const jv *c = jv_get(&r4->u.items[0], "CidrIp");
        who = jv_is(c, JV_STRING) ? c->u.str : NULL;
    } else if (jv_is(r6, JV_ARRAY) && r6->len) {
        const jv *c = jv_get(&r6->u.items[0], "CidrIpv6");
        who = jv_is(c, JV_STRING) ? c->u.str : NULL;
    }
    if (!who) return;
    /* Formatted by hand: this runs once per finding, and a scan of a big
     * recording has 100k+ of them. */
    bool all = strcmp(proto->u.str, "-1") == 0;
    bool ports = jv_is(from, JV_NUMBER) && jv_is(to, JV_NUMBER);
    if (!all && !ports) return;
    char text[160];
    size_t n = append(text, 0, sizeof text, all ? "all traffic" : proto->u.str);
    if (!all) {
        n = append(text, n, sizeof text, "/");
        n = append_uint(text, n, sizeof text, from->u.num);
        if (to->u.num != from->u.num) {
            n = append(text, n, sizeof text, "-");
            n = append_uint(text, n, sizeof text, to->u.num);
        }
    }
    n = append(text, n, sizeof text, " open to ");
    n = append(text, n, sizeof text, who);
    if (evidence->len > 1) {
        n = append(text, n, sizeof text, " (+");
        n = append_uint(text, n, sizeof text, evidence->len - 1);
        n = append(text, n, sizeof text, evidence->len == 2 ? " more rule)" : " more rules)");
    }
    add_static(p, arena_strndup(a, text, n));
}

static int exposure_points(const exposure *e, const resource_type *t, priority *p, arena *a)
{
    if (!e->known) return 0;
    unsigned users = e->instances + e->load_balancers;
    bool is_group = strcmp(t->name, "aws.security-group") == 0;
    if (is_group && e->enis == 0 && users == 0) {
        add_static(p, "attached to nothing");
        return -20;
    }
    int pts = 0;
    if (e->reachable) {
        add_reason(p, a, "reachable from the internet%s%s", e->path[0] ? ": " : "", e->path);
        pts += 15;
    } else if (!e->vpc_has_igw) {
        add_static(p, "VPC has no internet gateway");
        pts -= 15;
    } else if (!e->public_address) {
        add_static(p, "no public address on anything using it");
        pts -= 10;
    } else if (!e->igw_route) {
        add_static(p, "public address but no route to the internet gateway");
        pts -= 5;
    } else if (!e->nacl_allows) {
        add_static(p, "network ACL blocks the traffic");
        pts -= 5;
    }
    if (users > 0) {
        double bonus = 2.5 * log2(1.0 + users);
        if (bonus > 10) bonus = 10;
        pts += (int)lround(bonus);
        if (e->instances && e->load_balancers)
            add_reason(p, a, "attached to %u instances and %u load balancers", e->instances,
                       e->load_balancers);
        else if (e->instances)
            add_reason(p, a, "attached to %u instance%s", e->instances,
                       e->instances == 1 ? "" : "s");
        else
            add_reason(p, a, "used by %u load balancer%s", e->load_balancers,
                       e->load_balancers == 1 ? "" : "s");
    } else if (is_group && e->enis) {
        add_reason(p, a, "used by %u network interface%s", e->enis, e->enis == 1 ? "" : "s");
    }
    return pts;
}

/* Reachability changes how urgent exposure problems are; it says little
 * about, say, an unencrypted volume or a weak password policy.  Policies
 * without a category (users' own) get it: better a reason too many. */
static bool exposure_matters(const policy *pol)
{
    const jv *c = jv_get(&pol->metadata, "category");
    if (!jv_is(c, JV_STRING)) return true;
    return strstr(c->u.str, "exposure") != NULL || strcmp(c->u.str, "network") == 0;
}

void priority_compute(const policy *pol, const resource_type *t, const jv *resource,
                      const jv *evidence, const account_info *account, scope_ctx *scope, arena *a,
                      priority *out)
{
    memset(out, 0, sizeof *out);
    int score = severity_base[pol->sev];
    static const char *const sev_reason[] = {"info severity", "low severity", "medium severity",
                                             "high severity", "critical severity"};
    add_static(out, sev_reason[pol->sev]);
    describe_grant(evidence, out, a);
    score += environment_points(account, out);
    if (scope && t && exposure_matters(pol)) {
        exposure e;
        exposure_of(scope, t, resource, evidence, &e);
        score += exposure_points(&e, t, out, a);
        if (e.known && e.instance[0]) out->instance = arena_strdup(a, e.instance);
    }
    out->score = score < 0 ? 0 : score > 100 ? 100 : score;
}

uint64_t finding_fingerprint(const char *policy, const char *type, const char *account,
                             const char *region, const char *id)
{
    const char *parts[5] = {policy, type, account, region, id};
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < 5; i++) {
        for (const unsigned char *s = (const unsigned char *)(parts[i] ? parts[i] : ""); *s; s++)
            h = (h ^ *s) * 1099511628211ULL;
        h = (h ^ 0x1f) * 1099511628211ULL; /* unit separator: "ab"+"c" != "a"+"bc" */
    }
    return h;
}

void fingerprint_hex(uint64_t fp, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--, fp >>= 4)
        out[i] = hex[fp & 15];
    out[16] = '\0';
}
