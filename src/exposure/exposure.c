/* exposure.c - the per-scope network model behind exposure_of; see
 * exposure.h.
 *
 * Design: everything that depends on the whole account/region is done
 * once, in build_model (memoised per scope): every network interface,
 * instance without interface data, and load balancer becomes an
 * "attachment" (where a packet could land: its public address, subnets,
 * VPC and groups), indexed by security group, instance, interface id and
 * load balancer id in hash maps; subnets resolve to their route table and
 * network ACL through association maps with the VPC's main table / default
 * ACL as fallback, as AWS does.  A query is then a few lookups plus a walk
 * over the resource's own attachments, never over the scope.
 *
 * Judgement calls (each errs towards "exposed", since a missed exposure
 * costs more than a finding ranked a little high):
 *  - any route to an internet gateway (not blackholed) counts, default
 *    route or not: it is a path for part of the internet;
 *  - no route table data for a subnet: its VPC having an internet gateway
 *    decides; no network ACL data: allowed (the default ACL allows all);
 *  - network ACLs are evaluated for IPv4 sources, inbound rules only (the
 *    stateless return path is not checked), in rule-number order, first
 *    match wins; a rule whose CIDR is not the whole internet decides only
 *    when it allows a public range (some internet source gets in) - a deny
 *    of part of the internet lets the rest continue to later rules;
 *  - a security group allows "the internet" when an ingress rule has a
 *    public IPv4 CIDR or an IPv6 range (group references and prefix lists
 *    do not); a group missing from the inventory is assumed to allow;
 *  - IPv6 addresses on an interface count as public addresses;
 *  - instances that are stopped have no reachable public address.
 */
#include "exposure/exposure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ipaddr.h"
#include "util/strmap.h"

#define MAX_RANGES 32 /* port ranges per query; beyond that: any port */
#define MAX_LIST 16   /* subnets / groups of a resource built at query time */

/* ---- the model ---- */

enum { ATT_ENI, ATT_INSTANCE, ATT_LB };

typedef struct attach {
    int kind;
    const char *id;        /* eni-..., i-..., load balancer name */
    const char *instance;  /* instance behind an interface, or NULL */
    const char *public_ip; /* NULL when none */
    bool internet_facing;  /* load balancers */
    bool stopped;          /* instance not running */
    const char *vpc;
    const char **subnets;
    size_t nsubnets;
    const char **groups;
    size_t ngroups;
} attach;

typedef struct node {
    int att, next;
} node;

typedef struct group_info {
    int head; /* first node, -1 */
    unsigned enis, instances, lbs;
} group_info;

typedef struct nacl_entry {
    int rule;
    bool allow;
    int proto; /* -1 all */
    int from, to;
    bool world, public_src; /* /0; covers some public address */
} nacl_entry;

typedef struct nacl {
    const char *id;
    nacl_entry *entries; /* ingress, IPv4, by rule number */
    size_t n;
} nacl;

typedef struct model {
    attach *atts;
    size_t natts, capatts;
    node *nodes;
    size_t nnodes, capnodes;
    group_info *groups;
    size_t ngroups, capgroups;
    strmap group_idx;  /* group id -> groups[] */
    strmap inst_head;  /* instance id -> first node of its attachments */
    strmap inst_lbs;   /* instance id -> classic load balancers listing it */
    strmap inst_state; /* instance id -> 1 running, 0 stopped */
    strmap eni_idx;    /* interface id -> atts[] */
    strmap lb_idx;     /* load balancer name and ARN -> atts[] */
    strmap subnet_vpc; /* subnet id -> subnet set index */
    const resource_set *subnets;
    strmap rt_assoc, rt_main; /* subnet / VPC -> route table set index */
    const char **rt_igw;      /* per route table: internet gateway id or NULL */
    strmap vpc_igw;           /* VPC -> internet gateway set index */
    const resource_set *igws;
    strmap nacl_assoc, nacl_default; /* subnet / VPC -> nacls[] */
    nacl *nacls;
    strmap sg_doc; /* group id -> security group set index */
    const resource_set *sgs;
    bool has_data;
} model;

static const char *str_at(const jv *obj, const char *key)
{
    const jv *v = jv_get(obj, key);
    return jv_is(v, JV_STRING) ? v->u.str : NULL;
}

static const resource_set *set_named(scope_ctx *sc, const char *name)
{
    static const resource_set empty;
    const resource_set *s = scope_set_named(sc, name);
    return s ? s : &empty;
}

/* Appends to a growable arena vector; returns the new element. */
static void *vec_push(arena *a, void *pv, size_t *n, size_t *cap, size_t size)
{
    void **p = pv;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        *p = arena_realloc(a, *p, *cap * size, nc * size);
        *cap = nc;
    }
    char *el = (char *)*p + (*n)++ * size;
    memset(el, 0, size);
    return el;
}

static int add_att(model *m, arena *a, attach at)
{
    attach *el = vec_push(a, &m->atts, &m->natts, &m->capatts, sizeof at);
    *el = at;
    return (int)(m->natts - 1);
}

static void link_node(model *m, arena *a, int *head, int att)
{
    node *n = vec_push(a, &m->nodes, &m->nnodes, &m->capnodes, sizeof *n);
    n->att = att;
    n->next = *head;
    *head = (int)(m->nnodes - 1);
}

static group_info *group_of(model *m, arena *a, const char *gid)
{
    int *slot = strmap_slot(&m->group_idx, gid, (int)m->ngroups);
    if ((size_t)*slot == m->ngroups) {
        group_info *g = vec_push(a, &m->groups, &m->ngroups, &m->capgroups, sizeof *g);
        g->head = -1;
    }
    return &m->groups[*slot];
}

/* Links attachment `att` to each of its groups, counting blast radius. */
static void index_groups(model *m, arena *a, strmap *seen, int att)
{
    const attach *at = &m->atts[att];
    for (size_t i = 0; i < at->ngroups; i++) {
        group_info *g = group_of(m, a, at->groups[i]);
        link_node(m, a, &g->head, att);
        if (at->kind == ATT_LB) {
            g->lbs++;
            continue;
        }
        if (at->kind == ATT_ENI) g->enis++;
        if (!at->instance) continue;
        const char *pair = arena_sprintf(a, "%s|%s", at->groups[i], at->instance);
        int *s = strmap_slot(seen, pair, 0);
        if (!*s) g->instances++;
        *s = 1;
    }
}

/* A list of strings from arr[].key (key NULL: arr[] itself). */
static const char **str_list(arena *a, const jv *arr, const char *key, size_t *n)
{
    *n = 0;
    if (!jv_is(arr, JV_ARRAY) || arr->len == 0) return NULL;
    const char **out = arena_alloc(a, arr->len * sizeof *out);
    for (uint32_t i = 0; i < arr->len; i++) {
        const jv *v = key ? jv_get(&arr->u.items[i], key) : &arr->u.items[i];
        if (jv_is(v, JV_STRING)) out[(*n)++] = v->u.str;
    }
    return out;
}

static bool has_items(const jv *v)
{
    return jv_is(v, JV_ARRAY) && v->len > 0;
}

static const char *eni_public_ip(const jv *eni)
{
    const char *ip = str_at(jv_get(eni, "Association"), "PublicIp");
    if (ip) return ip;
    const jv *priv = jv_get(eni, "PrivateIpAddresses");
    for (uint32_t i = 0; jv_is(priv, JV_ARRAY) && i < priv->len; i++)
        if ((ip = str_at(jv_get(&priv->u.items[i], "Association"), "PublicIp"))) return ip;
    const jv *v6 = jv_get(eni, "Ipv6Addresses");
    if (has_items(v6)) return str_at(&v6->u.items[0], "Ipv6Address");
    return NULL;
}

static void load_instances(model *m, const resource_set *ec2)
{
    for (size_t i = 0; i < ec2->n; i++) {
        const jv *in = &ec2->items[i];
        const char *id = str_at(in, "InstanceId"), *st = str_at(jv_get(in, "State"), "Name");
        if (!id) continue;
        bool running = !st || !strcmp(st, "running") || !strcmp(st, "pending");
        *strmap_slot(&m->inst_state, id, 0) = running;
    }
}

/* An interface or instance sits in exactly one subnet (when known). */
static void set_one_subnet(arena *a, attach *at, const char *subnet)
{
    if (!subnet) return;
    at->subnets = arena_alloc(a, sizeof *at->subnets);
    at->subnets[0] = subnet;
    at->nsubnets = 1;
}

static void load_enis(model *m, arena *a, strmap *seen, const resource_set *enis)
{
    for (size_t i = 0; i < enis->n; i++) {
        const jv *e = &enis->items[i];
        attach at = {.kind = ATT_ENI, .id = str_at(e, "NetworkInterfaceId")};
        if (!at.id) continue;
        at.instance = str_at(jv_get(e, "Attachment"), "InstanceId");
        at.public_ip = eni_public_ip(e);
        at.stopped = at.instance && strmap_get(&m->inst_state, at.instance, 1) == 0;
        at.vpc = str_at(e, "VpcId");
        set_one_subnet(a, &at, str_at(e, "SubnetId"));
        at.groups = str_list(a, jv_get(e, "Groups"), "GroupId", &at.ngroups);
        int k = add_att(m, a, at);
        *strmap_slot(&m->eni_idx, at.id, k) = k;
        if (at.instance) link_node(m, a, strmap_slot(&m->inst_head, at.instance, -1), k);
        index_groups(m, a, seen, k);
    }
}

/* Instances with no interface in the data stand for their primary one. */
static void load_bare_instances(model *m, arena *a, strmap *seen, const resource_set *ec2)
{
    for (size_t i = 0; i < ec2->n; i++) {
        const jv *in = &ec2->items[i];
        const char *id = str_at(in, "InstanceId"), *st = str_at(jv_get(in, "State"), "Name");
        if (!id || strmap_has(&m->inst_head, id)) continue;
        if (st && (!strcmp(st, "terminated") || !strcmp(st, "shutting-down"))) continue;
        attach at = {.kind = ATT_INSTANCE, .id = id, .instance = id};
        at.public_ip = str_at(in, "PublicIpAddress");
        if (!at.public_ip) at.public_ip = str_at(in, "Ipv6Address");
        at.stopped = strmap_get(&m->inst_state, id, 1) == 0;
        at.vpc = str_at(in, "VpcId");
        set_one_subnet(a, &at, str_at(in, "SubnetId"));
        at.groups = str_list(a, jv_get(in, "SecurityGroups"), "GroupId", &at.ngroups);
        int k = add_att(m, a, at);
        link_node(m, a, strmap_slot(&m->inst_head, id, -1), k);
        index_groups(m, a, seen, k);
    }
}

static void load_lbs(model *m, arena *a, strmap *seen, const resource_set *lbs, bool classic)
{
    for (size_t i = 0; i < lbs->n; i++) {
        const jv *lb = &lbs->items[i];
        attach at = {.kind = ATT_LB, .id = str_at(lb, "LoadBalancerName")};
        if (!at.id) continue;
        at.internet_facing = jv_str_eq(jv_get(lb, "Scheme"), "internet-facing");
        at.vpc = str_at(lb, classic ? "VPCId" : "VpcId");
        if (classic)
            at.subnets = str_list(a, jv_get(lb, "Subnets"), NULL, &at.nsubnets);
        else
            at.subnets = str_list(a, jv_get(lb, "AvailabilityZones"), "SubnetId", &at.nsubnets);
        at.groups = str_list(a, jv_get(lb, "SecurityGroups"), NULL, &at.ngroups);
        int k = add_att(m, a, at);
        *strmap_slot(&m->lb_idx, at.id, k) = k;
        const char *arn = str_at(lb, "LoadBalancerArn");
        if (arn) *strmap_slot(&m->lb_idx, arn, k) = k;
        index_groups(m, a, seen, k);
        const jv *insts = classic ? jv_get(lb, "Instances") : NULL;
        for (uint32_t j = 0; jv_is(insts, JV_ARRAY) && j < insts->len; j++) {
            const char *iid = str_at(&insts->u.items[j], "InstanceId");
            if (iid) (*strmap_slot(&m->inst_lbs, iid, 0))++;
        }
    }
}

static void load_route_tables(model *m, arena *a, const resource_set *rts)
{
    m->rt_igw = arena_calloc(a, (rts->n ? rts->n : 1) * sizeof *m->rt_igw);
    for (size_t i = 0; i < rts->n; i++) {
        const jv *rt = &rts->items[i], *routes = jv_get(rt, "Routes");
        for (uint32_t j = 0; jv_is(routes, JV_ARRAY) && j < routes->len && !m->rt_igw[i]; j++) {
            const char *gw = str_at(&routes->u.items[j], "GatewayId");
            if (gw && !strncmp(gw, "igw-", 4) &&
                !jv_str_eq(jv_get(&routes->u.items[j], "State"), "blackhole"))
                m->rt_igw[i] = gw;
        }
        const jv *assocs = jv_get(rt, "Associations");
        for (uint32_t j = 0; jv_is(assocs, JV_ARRAY) && j < assocs->len; j++) {
            const jv *as = &assocs->u.items[j];
            const char *subnet = str_at(as, "SubnetId"), *vpc = str_at(rt, "VpcId");
            if (subnet) *strmap_slot(&m->rt_assoc, subnet, (int)i) = (int)i;
            if (jv_is(jv_get(as, "Main"), JV_TRUE) && vpc)
                *strmap_slot(&m->rt_main, vpc, (int)i) = (int)i;
        }
    }
}

static void load_igws(model *m, const resource_set *igws)
{
    m->igws = igws;
    for (size_t i = 0; i < igws->n; i++) {
        const jv *att = jv_get(&igws->items[i], "Attachments");
        for (uint32_t j = 0; jv_is(att, JV_ARRAY) && j < att->len; j++) {
            const char *vpc = str_at(&att->u.items[j], "VpcId");
            const char *st = str_at(&att->u.items[j], "State");
            if (vpc && (!st || !strcmp(st, "available") || !strcmp(st, "attached")))
                *strmap_slot(&m->vpc_igw, vpc, (int)i) = (int)i;
        }
    }
}

/* ---- protocols, ports, CIDRs ---- */

enum { P_ALL = -1, P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_BAD = -2 };

static int proto_num(const jv *p)
{
    int64_t n;
    if (jv_is(p, JV_NUMBER)) return jv_num_in(p, -1, 255, &n) ? (int)n : P_BAD;
    if (!jv_is(p, JV_STRING)) return P_BAD;
    const char *s = p->u.str;
    if (!strcmp(s, "-1") || !strcmp(s, "all")) return P_ALL;
    if (!strcmp(s, "tcp")) return P_TCP;
    if (!strcmp(s, "udp")) return P_UDP;
    if (!strcmp(s, "icmp")) return P_ICMP;
    if (!strcmp(s, "icmpv6")) return 58;
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v >= 0 && v <= 255 ? (int)v : P_BAD;
}

static bool has_ports(int proto)
{
    return proto == P_TCP || proto == P_UDP;
}

static const char *const private_nets[] = {"10.0.0.0/8",    "172.16.0.0/12", "192.168.0.0/16",
                                           "100.64.0.0/10", "127.0.0.0/8",   "169.254.0.0/16",
                                           "0.0.0.0/8",     "224.0.0.0/4",   "240.0.0.0/4"};

/* Does IPv4 network n (parsed) contain any public address? */
static bool covers_public(const ipaddr *n)
{
    if (n->version != 4) return n->version == 6;
    for (size_t i = 0; i < sizeof private_nets / sizeof *private_nets; i++) {
        ipaddr p;
        bool err = false;
        ip_parse(private_nets[i], strlen(private_nets[i]), true, &p);
        if (ip_contains(&p, n, &err) || ip_equal(&p, n)) return false;
    }
    return true;
}

static bool parse_cidr(const char *s, ipaddr *out)
{
    return s && ip_parse(s, strlen(s), false, out);
}

static int cmp_entry(const void *x, const void *y)
{
    const nacl_entry *a = x, *b = y;
    return (a->rule > b->rule) - (a->rule < b->rule);
}

static void load_nacl(nacl *out, arena *a, const jv *doc)
{
    const jv *entries = jv_get(doc, "Entries");
    out->id = str_at(doc, "NetworkAclId");
    out->entries = arena_alloc(a, (jv_is(entries, JV_ARRAY) && entries->len ? entries->len : 1) *
                                      sizeof *out->entries);
    for (uint32_t i = 0; jv_is(entries, JV_ARRAY) && i < entries->len; i++) {
        const jv *e = &entries->u.items[i];
        ipaddr net;
        int64_t rule, from, to;
        /* AWS rule numbers are 1..32766, plus 32767 for the implicit deny. */
        if (jv_is(jv_get(e, "Egress"), JV_TRUE) ||
            !jv_num_in(jv_get(e, "RuleNumber"), 0, 32767, &rule))
            continue;
        if (!parse_cidr(str_at(e, "CidrBlock"), &net)) continue; /* IPv6 entries */
        nacl_entry *ne = &out->entries[out->n++];
        ne->rule = (int)rule;
        ne->allow = jv_str_eq(jv_get(e, "RuleAction"), "allow");
        ne->proto = proto_num(jv_get(e, "Protocol"));
        const jv *pr = jv_get(e, "PortRange"), *f = jv_get(pr, "From"), *t = jv_get(pr, "To");
        ne->from = jv_num_in(f, 0, 65535, &from) ? (int)from : 0;
        ne->to = jv_num_in(t, 0, 65535, &to) ? (int)to : 65535;
        ne->world = net.prefix == 0;
        ne->public_src = covers_public(&net);
    }
    qsort(out->entries, out->n, sizeof *out->entries, cmp_entry);
}

static void load_nacls(model *m, arena *a, const resource_set *acls)
{
    m->nacls = arena_calloc(a, (acls->n ? acls->n : 1) * sizeof *m->nacls);
    for (size_t i = 0; i < acls->n; i++) {
        const jv *doc = &acls->items[i];
        load_nacl(&m->nacls[i], a, doc);
        const char *vpc = str_at(doc, "VpcId");
        if (vpc && jv_is(jv_get(doc, "IsDefault"), JV_TRUE))
            *strmap_slot(&m->nacl_default, vpc, (int)i) = (int)i;
        const jv *assocs = jv_get(doc, "Associations");
        for (uint32_t j = 0; jv_is(assocs, JV_ARRAY) && j < assocs->len; j++) {
            const char *subnet = str_at(&assocs->u.items[j], "SubnetId");
            if (subnet) *strmap_slot(&m->nacl_assoc, subnet, (int)i) = (int)i;
        }
    }
}

static void index_set(strmap *map, arena *a, const resource_set *s, const char *key)
{
    strmap_init(map, a, s->n);
    for (size_t i = 0; i < s->n; i++) {
        const char *k = str_at(&s->items[i], key);
        if (k) *strmap_slot(map, k, (int)i) = (int)i;
    }
}

static void *build_model(scope_ctx *sc, arena *a, void *arg)
{
    (void)arg;
    model *m = arena_calloc(a, sizeof *m);
    const resource_set *enis = set_named(sc, "aws.eni"), *ec2 = set_named(sc, "aws.ec2");
    const resource_set *elb = set_named(sc, "aws.elb"), *alb = set_named(sc, "aws.app-elb");
    const resource_set *rts = set_named(sc, "aws.route-table");
    const resource_set *acls = set_named(sc, "aws.network-acl");
    m->subnets = set_named(sc, "aws.subnet");
    size_t natt = enis->n + ec2->n + elb->n + alb->n;
    m->has_data = natt > 0 || m->subnets->n > 0;
    /* No network data (a recording of security groups alone, say): do not
     * load the groups as a whole set just to answer "unknown" - that
     * would hold the largest set of the scope in memory for the scan. */
    if (!m->has_data) return m;
    m->sgs = set_named(sc, "aws.security-group");
    strmap seen;
    strmap_init(&seen, a, natt * 2);
    strmap_init(&m->group_idx, a, m->sgs->n);
    strmap_init(&m->inst_head, a, ec2->n);
    strmap_init(&m->inst_lbs, a, 16);
    strmap_init(&m->inst_state, a, ec2->n);
    strmap_init(&m->eni_idx, a, enis->n);
    strmap_init(&m->lb_idx, a, 2 * (elb->n + alb->n));
    strmap_init(&m->rt_assoc, a, rts->n * 2);
    strmap_init(&m->rt_main, a, rts->n);
    strmap_init(&m->vpc_igw, a, 8);
    strmap_init(&m->nacl_assoc, a, acls->n * 2);
    strmap_init(&m->nacl_default, a, acls->n);
    load_instances(m, ec2);
    load_enis(m, a, &seen, enis);
    load_bare_instances(m, a, &seen, ec2);
    load_lbs(m, a, &seen, elb, true);
    load_lbs(m, a, &seen, alb, false);
    load_route_tables(m, a, rts);
    load_igws(m, set_named(sc, "aws.internet-gateway"));
    load_nacls(m, a, acls);
    index_set(&m->subnet_vpc, a, m->subnets, "SubnetId");
    index_set(&m->sg_doc, a, m->sgs, "GroupId");
    return m;
}

/* ---- queries ---- */

typedef struct prange {
    int proto, from, to;
} prange;

typedef struct ranges {
    prange r[MAX_RANGES];
    size_t n;
    bool any;
} ranges;

static void ranges_add(ranges *rs, int proto, int from, int to)
{
    if (proto == P_BAD) return;
    if (!has_ports(proto)) from = 0, to = 65535;
    if (rs->n == MAX_RANGES) {
        rs->any = true;
        return;
    }
    rs->r[rs->n++] = (prange){proto, from < 0 ? 0 : from, to < 0 || to > 65535 ? 65535 : to};
}

static void ranges_add_perm(ranges *rs, const jv *perm)
{
    int proto = proto_num(jv_get(perm, "IpProtocol"));
    const jv *f = jv_get(perm, "FromPort"), *t = jv_get(perm, "ToPort");
    int64_t from, to;
    if (!jv_num_in(f, -1, 65535, &from)) from = 0;
    if (!jv_num_in(t, -1, 65535, &to)) to = 65535;
    ranges_add(rs, proto, (int)from, (int)to);
}

/* The first matching entry's verdict for one IPv4 internet source class:
 * true when some internet source gets in on (proto, port). */
static bool nacl_decides_allow(const nacl *acl, int proto, int port)
{
    for (size_t i = 0; i < acl->n; i++) {
        const nacl_entry *e = &acl->entries[i];
        if (e->proto != P_ALL && e->proto != proto) continue;
        if (e->proto != P_ALL && has_ports(proto) && (port < e->from || port > e->to)) continue;
        if (e->world) return e->allow;
        if (e->allow && e->public_src) return true;
    }
    return false; /* the implicit final deny */
}

/* Does acl let any port of r in?  The verdict only changes at entry
 * boundaries, so testing r's start and each boundary inside r is exact. */
static bool nacl_allows_range(const nacl *acl, const prange *r)
{
    static const int all_protos[] = {P_TCP, P_UDP, P_ICMP};
    const int *protos = r->proto == P_ALL ? all_protos : &r->proto;
    size_t np = r->proto == P_ALL ? 3 : 1;
    for (size_t k = 0; k < np; k++) {
        int p = protos[k];
        if (nacl_decides_allow(acl, p, r->from)) return true;
        for (size_t i = 0; has_ports(p) && i < acl->n; i++) {
            int b[2] = {acl->entries[i].from, acl->entries[i].to + 1};
            for (int j = 0; j < 2; j++)
                if (b[j] > r->from && b[j] <= r->to && nacl_decides_allow(acl, p, b[j]))
                    return true;
        }
    }
    return false;
}

static bool nacl_allows(const nacl *acl, const ranges *rs)
{
    if (!acl) return true;
    if (rs->any) {
        prange all = {P_ALL, 0, 65535};
        return nacl_allows_range(acl, &all);
    }
    for (size_t i = 0; i < rs->n; i++)
        if (nacl_allows_range(acl, &rs->r[i])) return true;
    return false;
}

static const char *subnet_vpc(const model *m, const char *subnet, const char *fallback)
{
    int i = strmap_get(&m->subnet_vpc, subnet, -1);
    const char *vpc = i >= 0 ? str_at(&m->subnets->items[i], "VpcId") : NULL;
    return vpc ? vpc : fallback;
}

static const char *vpc_igw_id(const model *m, const char *vpc)
{
    int i = strmap_get(&m->vpc_igw, vpc, -1);
    return i >= 0 ? str_at(&m->igws->items[i], "InternetGatewayId") : NULL;
}

/* The internet gateway the subnet routes to, or NULL. */
static const char *subnet_igw(const model *m, const char *subnet, const char *vpc)
{
    int rt = strmap_get(&m->rt_assoc, subnet, -1);
    if (rt < 0) rt = strmap_get(&m->rt_main, vpc, -1);
    if (rt < 0) return vpc_igw_id(m, vpc); /* no routing data: assume the VPC's gateway */
    return m->rt_igw[rt];
}

static const nacl *subnet_nacl(const model *m, const char *subnet, const char *vpc)
{
    int i = strmap_get(&m->nacl_assoc, subnet, -1);
    if (i < 0) i = strmap_get(&m->nacl_default, vpc, -1);
    return i >= 0 ? &m->nacls[i] : NULL;
}

/* Adds to out the internet-open ingress ranges of the attachment's groups
 * that overlap want.  Returns false when nothing is open. */
static bool groups_open(const model *m, const char *const *groups, size_t ngroups,
                        const ranges *want, ranges *out)
{
    *out = (ranges){.n = 0};
    if (ngroups == 0) { /* e.g. a network load balancer: no group filtering */
        *out = *want;
        return true;
    }
    for (size_t g = 0; g < ngroups; g++) {
        int i = strmap_get(&m->sg_doc, groups[g], -1);
        if (i < 0) { /* not in the inventory: assume it allows */
            *out = *want;
            return true;
        }
        const jv *perms = jv_get(&m->sgs->items[i], "IpPermissions");
        for (uint32_t p = 0; jv_is(perms, JV_ARRAY) && p < perms->len; p++) {
            const jv *perm = &perms->u.items[p];
            bool open = has_items(jv_get(perm, "Ipv6Ranges"));
            const jv *v4 = jv_get(perm, "IpRanges");
            for (uint32_t k = 0; !open && jv_is(v4, JV_ARRAY) && k < v4->len; k++) {
                ipaddr net;
                open = parse_cidr(str_at(&v4->u.items[k], "CidrIp"), &net) && covers_public(&net);
            }
            if (!open) continue;
            ranges one = {.n = 0};
            ranges_add_perm(&one, perm);
            for (size_t a = 0; a < one.n; a++) {
                const prange *r = &one.r[a];
                if (want->any) {
                    ranges_add(out, r->proto, r->from, r->to);
                    continue;
                }
                for (size_t b = 0; b < want->n; b++) {
                    const prange *w = &want->r[b];
                    int proto = r->proto == P_ALL ? w->proto : r->proto;
                    if (w->proto != P_ALL && r->proto != P_ALL && w->proto != r->proto) continue;
                    int lo = r->from > w->from ? r->from : w->from;
                    int hi = r->to < w->to ? r->to : w->to;
                    if (lo <= hi) ranges_add(out, proto, lo, hi);
                }
            }
        }
    }
    return out->any || out->n > 0;
}

/* One attachment's verdict. */
typedef struct verdict {
    bool pub, igw, nacl, sg;
    const char *subnet, *igw_id, *nacl_id;
    int score;
} verdict;

static verdict judge(const model *m, const attach *at, const ranges *want, bool check_groups)
{
    verdict best = {.score = -1};
    ranges open = *want;
    bool sg = !check_groups || groups_open(m, at->groups, at->ngroups, want, &open);
    bool pub = at->kind == ATT_LB ? at->internet_facing : at->public_ip && !at->stopped;
    for (size_t s = 0; s < (at->nsubnets ? at->nsubnets : 1); s++) {
        const char *subnet = at->nsubnets ? at->subnets[s] : NULL;
        const char *vpc = subnet ? subnet_vpc(m, subnet, at->vpc) : at->vpc;
        verdict v = {.pub = pub, .sg = sg, .subnet = subnet};
        v.igw_id = subnet ? subnet_igw(m, subnet, vpc) : vpc_igw_id(m, vpc);
        v.igw = v.igw_id != NULL;
        const nacl *acl = subnet ? subnet_nacl(m, subnet, vpc) : NULL;
        v.nacl_id = acl ? acl->id : NULL;
        v.nacl = v.igw && sg && nacl_allows(acl, &open);
        v.score = v.pub * 8 + v.igw * 4 + v.nacl * 2 + v.sg;
        if (v.score > best.score) best = v;
    }
    return best;
}

static void describe(char *buf, size_t n, const attach *at, const verdict *v)
{
    char what[96];
    if (at->kind == ATT_LB)
        snprintf(what, sizeof what, "%s load balancer %s",
                 at->internet_facing ? "internet-facing" : "internal", at->id);
    else
        snprintf(what, sizeof what, "%s (%s)", at->instance ? at->instance : at->id,
                 at->public_ip && !at->stopped ? at->public_ip : "no public IP");
    const char *sub = v->subnet ? v->subnet : "unknown subnet";
    if (!v->igw)
        snprintf(buf, n, "%s in %s, no route to an internet gateway", what, sub);
    else if (!v->sg)
        snprintf(buf, n, "%s in %s via %s, no security group open to the internet", what, sub,
                 v->igw_id);
    else if (!v->nacl)
        snprintf(buf, n, "%s in %s via %s, blocked by network ACL %s", what, sub, v->igw_id,
                 v->nacl_id ? v->nacl_id : "?");
    else
        snprintf(buf, n, "%s in %s via %s", what, sub, v->igw_id);
}

/* Folds one attachment into out; keeps the best one's path. */
static void fold(const model *m, const attach *at, const ranges *want, bool check_groups,
                 exposure *out, int *best)
{
    verdict v = judge(m, at, want, check_groups);
    out->public_address |= v.pub;
    out->igw_route |= v.igw;
    out->nacl_allows |= v.nacl;
    out->reachable |= v.pub && v.igw && v.nacl && v.sg;
    if (v.score > *best) {
        *best = v.score;
        describe(out->path, sizeof out->path, at, &v);
        snprintf(out->instance, sizeof out->instance, "%s",
                 at->kind != ATT_LB && at->instance ? at->instance : "");
    }
}

static void ranges_from_evidence(ranges *rs, const jv *evidence)
{
    *rs = (ranges){.n = 0};
    if (jv_is(evidence, JV_ARRAY))
        for (uint32_t i = 0; i < evidence->len; i++)
            if (jv_get(&evidence->u.items[i], "IpProtocol"))
                ranges_add_perm(rs, &evidence->u.items[i]);
    if (rs->n == 0) rs->any = true;
}

static void of_group(const model *m, const jv *r, const ranges *want, exposure *out)
{
    const char *gid = str_at(r, "GroupId");
    out->vpc_has_igw = vpc_igw_id(m, str_at(r, "VpcId")) != NULL;
    int gi = strmap_get(&m->group_idx, gid, -1);
    if (gi < 0) return;
    const group_info *g = &m->groups[gi];
    out->enis = g->enis;
    out->instances = g->instances;
    out->load_balancers = g->lbs;
    int best = -1;
    for (int k = g->head; k >= 0; k = m->nodes[k].next)
        fold(m, &m->atts[m->nodes[k].att], want, false, out, &best);
}

static void of_instance(const model *m, const jv *r, const ranges *want, exposure *out)
{
    const char *id = str_at(r, "InstanceId");
    out->instances = 1;
    out->load_balancers = (unsigned)strmap_get(&m->inst_lbs, id, 0);
    out->vpc_has_igw = vpc_igw_id(m, str_at(r, "VpcId")) != NULL;
    int best = -1;
    for (int k = strmap_get(&m->inst_head, id, -1); k >= 0; k = m->nodes[k].next) {
        const attach *at = &m->atts[m->nodes[k].att];
        if (at->kind == ATT_ENI) out->enis++;
        fold(m, at, want, true, out, &best);
    }
}

static void of_attachment(const model *m, int k, const ranges *want, exposure *out)
{
    if (k < 0) return;
    const attach *at = &m->atts[k];
    if (at->kind == ATT_ENI) {
        out->enis = 1;
        out->instances = at->instance != NULL;
    } else {
        out->load_balancers = 1;
    }
    out->vpc_has_igw = vpc_igw_id(m, at->vpc) != NULL;
    int best = -1;
    fold(m, at, want, true, out, &best);
}

/* A database: its subnet group's subnets, its VPC groups, its port. */
static void of_db(const model *m, const jv *r, ranges *want, exposure *out)
{
    const char *subnets[MAX_LIST], *groups[MAX_LIST];
    attach at = {.kind = ATT_INSTANCE, .id = str_at(r, "DBInstanceIdentifier")};
    const jv *sg = jv_get(r, "DBSubnetGroup"), *list = jv_get(sg, "Subnets");
    for (uint32_t i = 0; jv_is(list, JV_ARRAY) && i < list->len && at.nsubnets < MAX_LIST; i++) {
        const char *s = str_at(&list->u.items[i], "SubnetIdentifier");
        if (s) subnets[at.nsubnets++] = s;
    }
    list = jv_get(r, "VpcSecurityGroups");
    for (uint32_t i = 0; jv_is(list, JV_ARRAY) && i < list->len && at.ngroups < MAX_LIST; i++) {
        const char *g = str_at(&list->u.items[i], "VpcSecurityGroupId");
        if (g) groups[at.ngroups++] = g;
    }
    at.subnets = subnets;
    at.groups = groups;
    at.vpc = str_at(sg, "VpcId");
    bool pub = jv_is(jv_get(r, "PubliclyAccessible"), JV_TRUE);
    at.public_ip = pub ? str_at(jv_get(r, "Endpoint"), "Address") : NULL;
    if (!at.public_ip && pub) at.public_ip = "publicly accessible";
    int64_t port;
    if (want->any && jv_num_in(jv_get(jv_get(r, "Endpoint"), "Port"), 0, 65535, &port)) {
        *want = (ranges){.n = 0};
        ranges_add(want, P_TCP, (int)port, (int)port);
    }
    out->vpc_has_igw = vpc_igw_id(m, at.vpc) != NULL;
    int best = -1;
    fold(m, &at, want, true, out, &best);
}

void exposure_of(scope_ctx *sc, const resource_type *t, const jv *r, const jv *evidence,
                 exposure *out)
{
    static const char memo_key = 0;
    memset(out, 0, sizeof *out);
    if (!sc || !t || !r) return;
    const model *m = scope_memo(sc, &memo_key, build_model, NULL);
    if (!m->has_data) return;
    ranges want;
    const char *n = t->name;
    bool is_group = !strcmp(n, "aws.security-group");
    ranges_from_evidence(&want, is_group ? evidence : NULL);
    out->known = true;
    if (is_group)
        of_group(m, r, &want, out);
    else if (!strcmp(n, "aws.ec2"))
        of_instance(m, r, &want, out);
    else if (!strcmp(n, "aws.eni"))
        of_attachment(m, strmap_get(&m->eni_idx, str_at(r, "NetworkInterfaceId"), -1), &want, out);
    else if (!strcmp(n, "aws.elb")) {
        of_attachment(m, strmap_get(&m->lb_idx, str_at(r, "LoadBalancerName"), -1), &want, out);
        const jv *insts = jv_get(r, "Instances");
        out->instances = jv_is(insts, JV_ARRAY) ? insts->len : 0;
    } else if (!strcmp(n, "aws.app-elb"))
        of_attachment(m, strmap_get(&m->lb_idx, str_at(r, "LoadBalancerArn"), -1), &want, out);
    else if (!strcmp(n, "aws.rds"))
        of_db(m, r, &want, out);
    else
        out->known = false;
}
