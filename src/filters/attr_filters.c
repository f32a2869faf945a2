/* attr_filters.c - value filters over data a per-resource or listing call
 * added to the resource (inventory/calls.c), as Custodian's filters that
 * make those calls themselves.
 *
 * Value filters over one annotation (the filter's own spec minus its
 * options is the value filter):
 *   status            cloudtrail  GetTrailStatus          (Status)
 *   event-selectors   cloudtrail  GetEventSelectors       (c7n:TrailEventSelectors)
 *   ssm               ec2         DescribeInstanceInformation (c7n:SsmState; {} = no agent)
 *   service-details   vpc-endpoint DescribeVpcEndpointServices (c7n:service-details)
 *   instance-attribute ec2        DescribeInstanceAttribute: the answer for
 *                     `attribute` (rootDeviceName -> RootDeviceName's {Value})
 * Others:
 *   termination-protected  ec2: DisableApiTermination.Value is true;
 *   user-data         ec2: the value filter (key "c7n:user-data") over the
 *                     base64-decoded UserData (null when none; gzip'd user
 *                     data is not decoded: null);
 *   vpc-attributes    vpc: dnshostnames / dnssupport / addressusage must
 *                     equal EnableDnsHostnames / EnableDnsSupport /
 *                     EnableNetworkAddressUsageMetrics' Value;
 *   dhcp-options      vpc: Custodian's DhcpOptionsFilter over the VPC's
 *                     option set (domain-name, domain-name-servers,
 *                     ntp-servers, netbios-name-servers; a string must be
 *                     one of the set's values, a list must equal them as a
 *                     set; "amazon" means the Amazon DNS servers (with
 *                     match-operator any/all); present: false negates);
 *   flow-logs         vpc: Custodian's FlowLogv2Filter, legacy keys
 *                     (enabled, status, deliver-status, destination,
 *                     destination-type, traffic-type, log-format,
 *                     log-group, op, set-op) or attrs/count/count_op, over
 *                     the flow logs whose ResourceId is the VPC.
 * When the call was not collected the annotation is absent, and the
 * filter reports it (needs.h) instead of answering "no match".
 */
#include "filters/attr_filters.h"

#include <stdio.h>
#include <string.h>

#include "filters/filter_opts.h"
#include "filters/iam_filters.h"
#include "filters/needs.h"
#include "resources/resource.h"
#include "util/ipaddr.h"

/* ---- one annotation, one value filter ---- */

typedef struct annot_filter {
    filter base;
    const char *key;  /* annotation on the resource */
    const char *sub;  /* member of it (instance-attribute), or NULL */
    const char *call; /* for the missing-data note */
    value_filter *vf;
} annot_filter;

static filter *annot_compile(filter_compiler *fc, const jv *spec, const filter_type *ft,
                             const char *key, const char *call, const char *const *drop,
                             const char *force_key)
{
    annot_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = ft;
    f->base.pos = fc->where;
    f->key = key;
    f->call = call;
    jv vspec = iam_value_spec(fc, spec, drop, force_key);
    f->vf = value_filter_compile(fc, &vspec, true);
    return f->vf ? &f->base : NULL;
}

static bool annot_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const annot_filter *f = (const annot_filter *)base;
    const jv *doc = jv_get(r, f->key);
    if (doc && f->sub) doc = jv_get(doc, f->sub);
    if (!doc) {
        filter_note_missing(ctx, base->type->name, f->call);
        return false;
    }
    return value_filter_match(f->vf, doc, ctx);
}

static filter *trail_status_compile(filter_compiler *fc, const jv *spec)
{
    return annot_compile(fc, spec, &filter_type_trail_status, "Status", "cloudtrail.GetTrailStatus",
                         NULL, NULL);
}

static filter *event_selectors_compile(filter_compiler *fc, const jv *spec)
{
    return annot_compile(fc, spec, &filter_type_event_selectors, "c7n:TrailEventSelectors",
                         "cloudtrail.GetEventSelectors", NULL, NULL);
}

static filter *ssm_compile(filter_compiler *fc, const jv *spec)
{
    return annot_compile(fc, spec, &filter_type_ssm, "c7n:SsmState",
                         "ssm.DescribeInstanceInformation", NULL, NULL);
}

static filter *service_details_compile(filter_compiler *fc, const jv *spec)
{
    return annot_compile(fc, spec, &filter_type_service_details, "c7n:service-details",
                         "ec2.DescribeVpcEndpointServices", NULL, NULL);
}

static const char *const ATTRS[] = {"instanceType",
                                    "kernel",
                                    "ramdisk",
                                    "userData",
                                    "disableApiTermination",
                                    "instanceInitiatedShutdownBehavior",
                                    "rootDeviceName",
                                    "blockDeviceMapping",
                                    "productCodes",
                                    "sourceDestCheck",
                                    "groupSet",
                                    "ebsOptimized",
                                    "sriovNetSupport",
                                    "enaSupport",
                                    NULL};

static filter *instance_attribute_compile(filter_compiler *fc, const jv *spec)
{
    static const char *const drop[] = {"attribute", NULL};
    const jv *attr = jv_get(spec, "attribute");
    const char *const *a = ATTRS;
    while (*a && !jv_str_eq(attr, *a))
        a++;
    if (!*a) {
        fc_error(fc, attr ? attr : spec,
                 "instance-attribute needs attribute, one of instanceType, kernel, ramdisk, "
                 "userData, disableApiTermination, instanceInitiatedShutdownBehavior, "
                 "rootDeviceName, blockDeviceMapping, productCodes, sourceDestCheck, groupSet, "
                 "ebsOptimized, sriovNetSupport, enaSupport");
        return NULL;
    }
    annot_filter *f = (annot_filter *)annot_compile(fc, spec, &filter_type_instance_attribute,
                                                    "c7n:instance-attributes",
                                                    "ec2.DescribeInstanceAttribute", drop, NULL);
    if (!f) return NULL;
    /* The answer's member is the attribute name capitalised. */
    char *sub = arena_strdup(fc->a, *a);
    if (sub[0] >= 'a' && sub[0] <= 'z') sub[0] = (char)(sub[0] - 32);
    f->sub = sub;
    return &f->base;
}

/* ---- termination-protected, user-data ---- */

static filter *plain_compile(filter_compiler *fc, const jv *spec, const filter_type *ft)
{
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++)
        if (strcmp(spec->u.members[i].key, "type") != 0) {
            opt_unknown(fc, &spec->u.members[i], ft->name);
            return NULL;
        }
    filter *f = arena_calloc(fc->a, sizeof *f);
    f->type = ft;
    f->pos = fc->where;
    return f;
}

static filter *termination_compile(filter_compiler *fc, const jv *spec)
{
    return plain_compile(fc, spec, &filter_type_termination_protected);
}

static bool termination_match(const filter *f, const jv *r, eval_ctx *ctx)
{
    const jv *d = jv_get(jv_get(r, "c7n:instance-attributes"), "DisableApiTermination");
    if (!d) {
        filter_note_missing(ctx, f->type->name,
                            "ec2.DescribeInstanceAttribute (disableApiTermination)");
        return false;
    }
    return jv_truthy(jv_get(d, "Value"));
}

static int b64(unsigned char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64 text -> a string jv, or null when it is not valid UTF-8 text
 * (e.g. gzip'd user data). */
static jv decode_user_data(arena *a, const jv *v)
{
    if (!jv_is(v, JV_STRING)) return jv_null();
    char *out = arena_alloc(a, v->len / 4 * 3 + 4);
    size_t n = 0;
    unsigned acc = 0;
    int bits = 0;
    for (uint32_t i = 0; i < v->len; i++) {
        int x = b64((unsigned char)v->u.str[i]);
        if (x < 0) continue;
        acc = (acc << 6) | (unsigned)x;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i] == 0) return jv_null();
    if (n >= 2 && (unsigned char)out[0] == 0x1f && (unsigned char)out[1] == 0x8b) return jv_null();
    return jv_str(a, out, n);
}

static filter *user_data_compile(filter_compiler *fc, const jv *spec)
{
    return annot_compile(fc, spec, &filter_type_user_data, "c7n:instance-attributes",
                         "ec2.DescribeInstanceAttribute (userData)", NULL, "\"c7n:user-data\"");
}

static bool user_data_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const annot_filter *f = (const annot_filter *)base;
    const jv *ud = jv_get(jv_get(r, f->key), "UserData");
    if (!ud) {
        filter_note_missing(ctx, base->type->name, f->call);
        return false;
    }
    jv_builder b;
    jvb_object(&b, ctx->scratch);
    jvb_set(&b, "c7n:user-data", 13, decode_user_data(ctx->scratch, jv_get(ud, "Value")));
    jv doc = jvb_done(&b);
    return value_filter_match(f->vf, &doc, ctx);
}

/* ---- vpc-attributes ---- */

typedef struct vpc_attr_filter {
    filter base;
    int n;
    const char *attr[3];
    bool want[3];
} vpc_attr_filter;

static filter *vpc_attributes_compile(filter_compiler *fc, const jv *spec)
{
    static const char *const opts[][2] = {{"dnshostnames", "EnableDnsHostnames"},
                                          {"dnssupport", "EnableDnsSupport"},
                                          {"addressusage", "EnableNetworkAddressUsageMetrics"}};
    vpc_attr_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_vpc_attributes;
    f->base.pos = fc->where;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        int k = 0;
        while (k < 3 && strcmp(m->key, opts[k][0]) != 0)
            k++;
        if (k == 3) {
            opt_unknown(fc, m, "vpc-attributes");
            return NULL;
        }
        /* Custodian checks them in its own order: dnshostnames first. */
        if (!opt_bool(fc, &m->val, m->key, &f->want[f->n])) return NULL;
        f->attr[f->n++] = opts[k][1];
    }
    return &f->base;
}

static bool vpc_attributes_match(const filter *base, const jv *r, eval_ctx *ctx)
{
    const vpc_attr_filter *f = (const vpc_attr_filter *)base;
    const jv *attrs = jv_get(r, "c7n:vpc-attributes");
    for (int i = 0; i < f->n; i++) {
        const jv *a = jv_get(attrs, f->attr[i]);
        if (!a) {
            char what[128];
            snprintf(what, sizeof what, "ec2.DescribeVpcAttribute (%s)", f->attr[i]);
            filter_note_missing(ctx, "vpc-attributes", what);
            return false;
        }
        const jv *v = jv_get(a, "Value");
        if (!v || (v->kind == JV_TRUE) != f->want[i] || (v->kind != JV_TRUE && v->kind != JV_FALSE))
            return false;
    }
    return true;
}

/* ---- dhcp-options ---- */

static const char *const DHCP_KEYS[] = {"domain-name", "domain-name-servers", "ntp-servers",
                                        "netbios-name-servers"};

typedef struct dhcp_filter {
    filter base;
    const jv *want[4]; /* per DHCP_KEYS; NULL = not asked */
    bool all, present;
} dhcp_filter;

static filter *dhcp_compile(filter_compiler *fc, const jv *spec)
{
    dhcp_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_dhcp_options;
    f->base.pos = fc->where;
    f->present = true;
    bool any = false;
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "type")) continue;
        if (!strcmp(m->key, "present")) {
            if (!opt_bool(fc, &m->val, m->key, &f->present)) return NULL;
            continue;
        }
        if (!strcmp(m->key, "match-operator")) {
            if (!jv_str_eq(&m->val, "all") && !jv_str_eq(&m->val, "any")) {
                fc_error(fc, &m->val, "dhcp-options: match-operator must be all or any");
                return NULL;
            }
            f->all = jv_str_eq(&m->val, "all");
            continue;
        }
        int k = 0;
        while (k < 4 && strcmp(m->key, DHCP_KEYS[k]) != 0)
            k++;
        if (k == 4 || (!jv_is(&m->val, JV_STRING) && !jv_is(&m->val, JV_ARRAY))) {
            if (k == 4) return opt_unknown(fc, m, "dhcp-options"), NULL;
            fc_error(fc, &m->val, "dhcp-options: %s must be a string or a list", m->key);
            return NULL;
        }
        f->want[k] = &m->val;
        any |= jv_truthy(&m->val);
    }
    if (!any) {
        fc_error(fc, spec,
                 "dhcp-options needs one of domain-name, domain-name-servers, ntp-servers, "
                 "netbios-name-servers");
        return NULL;
    }
    return &f->base;
}

/* The Amazon DNS servers for a VPC: AmazonProvidedDNS, 169.254.169.253
 * and each associated IPv4 block's base address + 2. */
static bool is_amazon_dns(const jv *vpc, const jv *v)
{
    if (jv_str_eq(v, "AmazonProvidedDNS") || jv_str_eq(v, "169.254.169.253")) return true;
    if (!jv_is(v, JV_STRING)) return false;
    const jv *blocks[16];
    size_t nb = 0;
    const jv *main_cidr = jv_get(vpc, "CidrBlock");
    if (main_cidr) blocks[nb++] = main_cidr;
    const jv *set = jv_get(vpc, "CidrBlockAssociationSet");
    for (uint32_t i = 0; jv_is(set, JV_ARRAY) && i < set->len && nb < 16; i++)
        if (jv_str_eq(jv_get(jv_get(&set->u.items[i], "CidrBlockState"), "State"), "associated"))
            blocks[nb++] = jv_get(&set->u.items[i], "CidrBlock");
    for (size_t i = 0; i < nb; i++) {
        ipaddr net;
        if (!jv_is(blocks[i], JV_STRING) ||
            !ip_parse(blocks[i]->u.str, blocks[i]->len, false, &net) || net.version != 4)
            continue;
        uint32_t base = ((uint32_t)net.b[0] << 24 | (uint32_t)net.b[1] << 16 |
                         (uint32_t)net.b[2] << 8 | net.b[3]) &
                        (net.prefix ? ~0u << (32 - net.prefix) : 0);
        base += 2;
        char s[20];
        snprintf(s, sizeof s, "%u.%u.%u.%u", base >> 24, (base >> 16) & 255, (base >> 8) & 255,
                 base & 255);
        if (strcmp(s, v->u.str) == 0) return true;
    }
    return false;
}

static const jv *config_values(arena *a, const jv *opts, const char *key)
{
    const jv *cfg = jv_get(opts, "DhcpConfigurations");
    for (uint32_t i = 0; jv_is(cfg, JV_ARRAY) && i < cfg->len; i++) {
        if (!jv_str_eq(jv_get(&cfg->u.items[i], "Key"), key)) continue;
        const jv *vals = jv_get(&cfg->u.items[i], "Values");
        jv *out = arena_alloc(a, sizeof *out);
        *out = jv_array(a, jv_is(vals, JV_ARRAY) ? vals->len : 0);
        for (uint32_t k = 0; k < out->len; k++) {
            const jv *x = jv_get(&vals->u.items[k], "Value");
            out->u.items[k] = x ? *x : jv_null();
        }
        return out;
    }
    return NULL;
}

static bool in_list(const jv *list, const jv *v)
{
    for (uint32_t i = 0; jv_is(list, JV_ARRAY) && i < list->len; i++)
        if (jv_equal(&list->u.items[i], v)) return true;
    return false;
}

/* Equal as sets of strings (Custodian compares sorted lists; duplicates
 * do not occur in DHCP option sets). */
static bool same_set(const jv *a, const jv *b)
{
    if (!jv_is(a, JV_ARRAY) || !jv_is(b, JV_ARRAY) || a->len != b->len) return false;
    for (uint32_t i = 0; i < a->len; i++)
        if (!in_list(b, &a->u.items[i])) return false;
    return true;
}

static bool dhcp_match(const filter *base, const jv *vpc, eval_ctx *ctx)
{
    const dhcp_filter *f = (const dhcp_filter *)base;
    const jv *opts = jv_get(vpc, "c7n:dhcp-options");
    if (!opts) {
        filter_note_missing(ctx, "dhcp-options", "ec2.DescribeDhcpOptions");
        return false;
    }
    bool found = true;
    for (int k = 0; k < 4; k++) {
        const jv *want = f->want[k];
        if (!want) continue;
        const jv *have = config_values(ctx->scratch, opts, DHCP_KEYS[k]);
        if (!have) {
            found = false;
        } else if (jv_str_eq(want, "amazon")) {
            bool any = false, all = true;
            for (uint32_t i = 0; i < have->len; i++) {
                bool am = is_amazon_dns(vpc, &have->u.items[i]);
                any |= am;
                all &= am;
            }
            found = f->all ? all : any;
        } else if (jv_is(want, JV_ARRAY)) {
            jv amazon = jv_cstr(ctx->scratch, "amazon");
            if (in_list(want, &amazon)) {
                /* "amazon" in a list stands for every Amazon DNS server,
                 * so the set must be those plus the others listed. */
                bool ok = true;
                for (uint32_t i = 0; i < have->len && ok; i++)
                    ok = is_amazon_dns(vpc, &have->u.items[i]) || in_list(want, &have->u.items[i]);
                found = ok;
            } else {
                found = same_set(have, want);
            }
        } else {
            found = found && in_list(have, want); /* a string: one of the set's values */
        }
    }
    return f->present ? found : !found;
}

/* ---- flow-logs ---- */

typedef struct flow_filter {
    filter base;
    filter *attrs; /* NULL = every flow log counts */
    bool set_and;
    int count_op; /* 0 eq, 1 ge */
    double count;
} flow_filter;

static const struct {
    const char *opt, *key;
    const char *from[3], *to[3];
} LEGACY[] = {
    {"status", "FlowLogStatus", {"active"}, {"ACTIVE"}},
    {"deliver-status", "DeliverLogsStatus", {"success", "failure"}, {"SUCCESS", "FAILED"}},
    {"destination", "LogDestination", {NULL}, {NULL}},
    {"destination-type", "LogDestinationType", {NULL}, {NULL}},
    {"traffic-type", "TrafficType", {"all", "reject", "accept"}, {"ALL", "REJECT", "ACCEPT"}},
    {"log-format", "LogFormat", {NULL}, {NULL}},
    {"log-group", "LogGroupName", {NULL}, {NULL}},
};

static filter *flow_logs_compile(filter_compiler *fc, const jv *spec)
{
    flow_filter *f = arena_calloc(fc->a, sizeof *f);
    f->base.type = &filter_type_flow_logs;
    f->base.pos = fc->where;
    bool enabled = false, not_equal = false;
    const jv *attrs = jv_get(spec, "attrs");
    jv_builder al;
    jvb_array(&al, fc->a);
    const jv *cnt = jv_get(spec, "count"), *cop = jv_get(spec, "count_op");
    for (uint32_t i = 0; jv_is(spec, JV_OBJECT) && i < spec->len; i++) {
        const jv_member *m = &spec->u.members[i];
        if (!strcmp(m->key, "enabled")) {
            if (!opt_bool(fc, &m->val, m->key, &enabled)) return NULL;
        } else if (!strcmp(m->key, "op")) {
            not_equal = jv_str_eq(&m->val, "not-equal");
        } else if (!strcmp(m->key, "set-op")) {
            f->set_and = jv_str_eq(&m->val, "and");
        } else if (strcmp(m->key, "type") && strcmp(m->key, "attrs") && strcmp(m->key, "count") &&
                   strcmp(m->key, "count_op")) {
            size_t k = 0;
            while (k < sizeof LEGACY / sizeof *LEGACY && strcmp(LEGACY[k].opt, m->key) != 0)
                k++;
            if (k == sizeof LEGACY / sizeof *LEGACY) return opt_unknown(fc, m, "flow-logs"), NULL;
            if (attrs) {
                fc_error(fc, m, "flow-logs: legacy keys cannot be combined with attrs");
                return NULL;
            }
            jv val = m->val;
            for (int v = 0; v < 3 && LEGACY[k].from[v]; v++)
                if (jv_str_eq(&m->val, LEGACY[k].from[v])) val = jv_cstr(fc->a, LEGACY[k].to[v]);
            jv_builder one;
            jvb_object(&one, fc->a);
            if (not_equal || jv_str_eq(jv_get(spec, "op"), "not-equal")) {
                jv_builder vf;
                jvb_object(&vf, fc->a);
                jvb_set(&vf, "type", 4, jv_cstr(fc->a, "value"));
                jvb_set(&vf, "key", 3, jv_cstr(fc->a, LEGACY[k].key));
                jvb_set(&vf, "value", 5, val);
                jvb_set(&vf, "op", 2, jv_cstr(fc->a, "not-equal"));
                jvb_push(&al, jvb_done(&vf));
                continue;
            }
            jvb_set(&one, LEGACY[k].key, strlen(LEGACY[k].key), val);
            jvb_push(&al, jvb_done(&one));
        }
    }
    jv list = jvb_done(&al);
    if (attrs) list = *attrs;
    if (list.kind == JV_ARRAY && list.len) {
        const struct resource_type *saved = fc->rtype;
        fc->rtype = NULL; /* elements are flow logs, not VPCs */
        f->attrs = filter_compile_list(fc, &list);
        fc->rtype = saved;
        if (!f->attrs) return NULL;
    }
    if (cnt) {
        f->count = jv_is(cnt, JV_NUMBER) ? cnt->u.num : 0;
        f->count_op = jv_str_eq(cop, "gte") || jv_str_eq(cop, "ge") ? 1 : 0;
    } else if (attrs || enabled) { /* some flow log (matching attrs) */
        f->count_op = 1;
        f->count = 1;
    }
    return &f->base;
}

static bool flow_logs_match(const filter *base, const jv *vpc, eval_ctx *ctx)
{
    const flow_filter *f = (const flow_filter *)base;
    const jv *logs = jv_get(vpc, "c7n:flow-logs");
    if (!logs) {
        filter_note_missing(ctx, "flow-logs", "ec2.DescribeFlowLogs");
        return false;
    }
    size_t hits = 0, n = jv_is(logs, JV_ARRAY) ? logs->len : 0;
    for (size_t i = 0; i < n; i++)
        hits += !f->attrs || filter_match(f->attrs, &logs->u.items[i], ctx);
    double want = f->set_and ? (double)n : f->count;
    return f->count_op ? (double)hits >= want : (double)hits == want;
}

static const char *const trail[] = {"aws.cloudtrail", NULL};
static const char *const ec2[] = {"aws.ec2", NULL};
static const char *const vpce[] = {"aws.vpc-endpoint", NULL};
static const char *const vpc[] = {"aws.vpc", NULL};

const filter_type filter_type_trail_status = {"status", trail, trail_status_compile, annot_match};
const filter_type filter_type_event_selectors = {"event-selectors", trail, event_selectors_compile,
                                                 annot_match};
const filter_type filter_type_ssm = {"ssm", ec2, ssm_compile, annot_match};
const filter_type filter_type_service_details = {"service-details", vpce, service_details_compile,
                                                 annot_match};
const filter_type filter_type_instance_attribute = {"instance-attribute", ec2,
                                                    instance_attribute_compile, annot_match};
const filter_type filter_type_termination_protected = {"termination-protected", ec2,
                                                       termination_compile, termination_match};
const filter_type filter_type_user_data = {"user-data", ec2, user_data_compile, user_data_match};
const filter_type filter_type_vpc_attributes = {"vpc-attributes", vpc, vpc_attributes_compile,
                                                vpc_attributes_match};
const filter_type filter_type_dhcp_options = {"dhcp-options", vpc, dhcp_compile, dhcp_match};
const filter_type filter_type_flow_logs = {"flow-logs", vpc, flow_logs_compile, flow_logs_match};
