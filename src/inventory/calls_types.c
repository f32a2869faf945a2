/* calls_types.c - per-type completions of resource documents (calls.c).
 *
 * The few augmentations that are not a plain per-resource call or a
 * one-key listing join, each as Custodian builds it: SQS queue names,
 * RDS TagList as Tags, RDS parameter group values (db-parameter), AWS
 * Health events per resource (health-event) and CloudFront Lambda@Edge
 * associations (lambda-edge), the key pairs an auto scaling group launches
 * instances with (key-pair unused), Trusted Advisor's EBS fault tolerance
 * check (fault-tolerant).  Which API call provides each is said
 * above each function; inventory_calls() lists them for the collector.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/inv_internal.h"

static const char *str_at(const jv *r, const char *k)
{
    const jv *v = k ? jv_get(r, k) : NULL;
    return jv_is(v, JV_STRING) ? v->u.str : NULL;
}

static void set_member(arena *a, jv *r, const char *key, jv val)
{
    jv_builder b;
    jvb_object(&b, a);
    for (uint32_t i = 0; jv_is(r, JV_OBJECT) && i < r->len; i++)
        jvb_set(&b, r->u.members[i].key, r->u.members[i].klen, r->u.members[i].val);
    jvb_set(&b, key, strlen(key), val);
    *r = jvb_done(&b);
}

/* ---- CloudFront (lambda-edge) ---- */

/* Adds to d (id -> distribution ids) the functions of one association
 * list (LambdaFunctionAssociations.Items), the version suffix dropped. */
static void edge_functions(arena *a, const jv *items, const jv *dist_id, jv_builder *pairs)
{
    for (uint32_t i = 0; jv_is(items, JV_ARRAY) && i < items->len; i++) {
        const char *arn = str_at(&items->u.items[i], "LambdaFunctionARN");
        const char *colon = arn ? strrchr(arn, ':') : NULL;
        if (!colon) continue;
        jv_builder p;
        jvb_array(&p, a);
        jvb_push(&p, jv_str(a, arn, (size_t)(colon - arn)));
        jvb_push(&p, *dist_id);
        jvb_push(pairs, jvb_done(&p));
    }
}

/* Each function's CloudFront distributions (Lambda@Edge associations of
 * the default and other cache behaviours; cloudfront.ListDistributions,
 * global) under c7n:DistributionIds. */
void inv_lambda_edge(load_ctx *lc, const inv_scope *scope, jv *items, size_t n, diag_list *diags)
{
    jv dists;
    if (!inv_read_listing(lc, scope, true, "cloudfront", "cloudfront", "ListDistributions",
                          "DistributionList.Items", &dists, diags))
        return;
    jv_builder pairs;
    jvb_array(&pairs, lc->a);
    for (uint32_t d = 0; d < dists.len; d++) {
        const jv *dist = &dists.u.items[d];
        const jv *id = jv_get(dist, "Id");
        if (!id) continue;
        edge_functions(
            lc->a,
            jv_get(jv_get(jv_get(dist, "DefaultCacheBehavior"), "LambdaFunctionAssociations"),
                   "Items"),
            id, &pairs);
        const jv *cbs = jv_get(jv_get(dist, "CacheBehaviors"), "Items");
        for (uint32_t c = 0; jv_is(cbs, JV_ARRAY) && c < cbs->len; c++)
            edge_functions(lc->a,
                           jv_get(jv_get(&cbs->u.items[c], "LambdaFunctionAssociations"), "Items"),
                           id, &pairs);
    }
    jv all = jvb_done(&pairs);
    for (size_t i = 0; i < n; i++) {
        const jv *arn = jv_get(&items[i], "FunctionArn");
        jv_builder ids;
        jvb_array(&ids, lc->a);
        for (uint32_t k = 0; arn && k < all.len; k++) {
            const jv *p = &all.u.items[k];
            if (!jv_equal(&p->u.items[0], arn)) continue;
            bool dup = false;
            for (uint32_t x = 0; x < ids.v.len && !dup; x++)
                dup = jv_equal(&ids.v.u.items[x], &p->u.items[1]);
            if (!dup) jvb_push(&ids, p->u.items[1]);
        }
        set_member(lc->a, &items[i], "c7n:DistributionIds", jvb_done(&ids));
    }
}

/* ---- AWS Health (health-event) ---- */

/* The AWS Health events affecting each resource: DescribeEvents (the
 * account's events, global) joined through DescribeAffectedEntities'
 * entityValue, which is the resource's id (a load balancer's name for
 * app-elb, as Custodian matches it).  c7n:health-events = [] when the
 * events were collected and none affects the resource. */
void inv_health_events(load_ctx *lc, const resource_type *t, const inv_scope *scope, jv *items,
                       size_t n, diag_list *diags)
{
    jv events, entities;
    if (!inv_read_listing(lc, scope, true, "health", "health", "DescribeEvents", "events", &events,
                          diags))
        return;
    inv_read_listing(lc, scope, true, "health", "health", "DescribeAffectedEntities", "entities",
                     &entities, diags);
    bool by_name = strcmp(t->name, "aws.app-elb") == 0;
    for (size_t i = 0; i < n; i++) {
        const char *id =
            by_name ? str_at(&items[i], "LoadBalancerName") : resource_id(t, &items[i]);
        jv_builder l;
        jvb_array(&l, lc->a);
        for (uint32_t e = 0; id && e < entities.len; e++) {
            const jv *en = &entities.u.items[e];
            if (!jv_str_eq(jv_get(en, "entityValue"), id)) continue;
            const jv *arn = jv_get(en, "eventArn");
            for (uint32_t k = 0; k < events.len; k++)
                if (jv_equal(jv_get(&events.u.items[k], "arn"), arn))
                    jvb_push(&l, events.u.items[k]);
        }
        set_member(lc->a, &items[i], "c7n:health-events", jvb_done(&l));
    }
}

/* ---- RDS parameter groups (db-parameter) ---- */

/* Custodian's recast of a parameter's text by its DataType. */
static jv recast(arena *a, const jv *val, const jv *type)
{
    const char *v = jv_is(val, JV_STRING) ? val->u.str : "";
    bool digits = *v && strspn(v, "0123456789") == strlen(v);
    if (jv_str_eq(type, "boolean")) {
        if (digits) return jv_bool(strtoll(v, NULL, 10) != 0);
        if (!strcmp(v, "TRUE")) return jv_bool(true);
        if (!strcmp(v, "FALSE")) return jv_bool(false);
    } else if (jv_str_eq(type, "integer") && digits) {
        return jv_int(strtoll(v, NULL, 10));
    } else if (jv_str_eq(type, "float")) {
        return jv_num(*v ? strtod(v, NULL) : 0.0);
    }
    return jv_is(val, JV_STRING) ? *val : jv_cstr(a, v);
}

/* Adds one answer page's parameters to b. */
static void add_params(arena *a, const jv *page, jv_builder *b)
{
    const jv *ps = jv_get(page, "Parameters");
    for (uint32_t i = 0; jv_is(ps, JV_ARRAY) && i < ps->len; i++) {
        const jv *name = jv_get(&ps->u.items[i], "ParameterName");
        const jv *val = jv_get(&ps->u.items[i], "ParameterValue");
        if (jv_is(name, JV_STRING) && val)
            jvb_set(b, name->u.str, name->len, recast(a, val, jv_get(&ps->u.items[i], "DataType")));
    }
}

/* Each instance's first parameter group's values (Custodian reads that
 * group per instance) under c7n:db-parameters: DescribeDBParameters, all
 * pages, per group.  Recordings answer the groups in the order the
 * instances list them (each group once). */
void inv_rds_parameters(load_ctx *lc, const inv_scope *scope, jv *items, size_t n, diag_list *diags)
{
    bool placebo = lc->inv->kind == INV_PLACEBO;
    if (placebo &&
        access(inv_fmt(lc, "%s/rds.DescribeDBParameters_1.json", lc->inv->root), R_OK) != 0)
        return;
    const char **groups = calloc(n ? n : 1, sizeof *groups);
    jv *values = calloc(n ? n : 1, sizeof *values);
    if (!groups || !values) abort();
    size_t ng = 0;
    int counter = 0;
    for (size_t i = 0; i < n; i++) {
        const jv *pgs = jv_get(&items[i], "DBParameterGroups");
        const char *pg = jv_is(pgs, JV_ARRAY) && pgs->len
                             ? str_at(&pgs->u.items[0], "DBParameterGroupName")
                             : NULL;
        if (!pg) continue;
        size_t g = 0;
        while (g < ng && strcmp(groups[g], pg) != 0)
            g++;
        if (g == ng) {
            groups[ng] = pg;
            jv_builder b;
            jvb_object(&b, lc->a);
            bool got = false, more = true;
            while (more) {
                const char *path;
                if (placebo) {
                    int c = counter + 1;
                    path = inv_fmt(lc, "%s/rds.DescribeDBParameters_%d.json", lc->inv->root, c);
                    if (access(path, R_OK) != 0)
                        c = 1,
                        path = inv_fmt(lc, "%s/rds.DescribeDBParameters_1.json", lc->inv->root);
                    counter = c;
                } else {
                    path = strchr(pg, '/')
                               ? NULL
                               : inv_fmt(lc, "%s/%s/%s/rds.DescribeDBParameters.%s.json",
                                         lc->inv->root, scope->account->id, scope->region, pg);
                }
                pfile f = {.path = path};
                if (!path || access(path, R_OK) != 0) break;
                inv_parse_files(lc, &f, 1, placebo);
                inv_file_diag(&f, diags);
                if (f.status != PF_OK || f.http >= 400) break;
                got = true;
                add_params(lc->a, &f.data, &b);
                more = placebo && inv_page_has_more(&f.data);
            }
            values[ng++] = got ? jvb_done(&b) : jv_null();
        }
        if (!jv_is(&values[g], JV_NULL))
            set_member(lc->a, &items[i], "c7n:db-parameters", values[g]);
    }
    free(groups);
    free(values);
}

/* Custodian's SQS augment also names the queue after its ARN. */
void inv_sqs_names(arena *a, jv *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *arn = str_at(&items[i], "QueueArn");
        if (!arn || jv_get(&items[i], "QueueName")) continue;
        const char *c = strrchr(arn, ':');
        set_member(a, &items[i], "QueueName", jv_cstr(a, c ? c + 1 : arn));
    }
}

/* RDS instances and snapshots: Custodian moves TagList to Tags (() when
 * absent), so tag: filters and marked-for-op see them. */
void inv_rds_tags(arena *a, jv *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (jv_get(&items[i], "Tags")) continue;
        const jv *tl = jv_get(&items[i], "TagList");
        jv_builder b;
        jvb_object(&b, a);
        for (uint32_t k = 0; jv_is(&items[i], JV_OBJECT) && k < items[i].len; k++)
            if (strcmp(items[i].u.members[k].key, "TagList") != 0)
                jvb_set(&b, items[i].u.members[k].key, items[i].u.members[k].klen,
                        items[i].u.members[k].val);
        jvb_set(&b, "Tags", 4, jv_is(tl, JV_ARRAY) ? *tl : jv_array(a, 0));
        items[i] = jvb_done(&b);
    }
}

/* ---- auto scaling launch key names (key-pair unused) ---- */

static void push_name(arena *a, jv_builder *l, const jv *name)
{
    (void)a;
    if (!jv_is(name, JV_STRING)) return;
    for (uint32_t i = 0; i < l->v.len; i++)
        if (jv_equal(&l->v.u.items[i], name)) return;
    jvb_push(l, *name);
}

/* The key names an ASG's instances get: its launch configuration's
 * (autoscaling.DescribeLaunchConfigurations) or its launch template
 * version's (ec2.DescribeLaunchTemplateVersions: the version named, the
 * highest for $Latest, the default one for $Default, as Custodian's
 * get_asg_templates resolves them), under c7n:launch-key-names. */
void inv_asg_key_names(load_ctx *lc, const inv_scope *scope, jv *items, size_t n, diag_list *diags)
{
    jv lcs, ltvs;
    int have_lc =
        inv_read_listing(lc, scope, false, "autoscaling", "autoscaling",
                         "DescribeLaunchConfigurations", "LaunchConfigurations", &lcs, diags);
    int have_lt = inv_read_listing(lc, scope, false, "ec2", "ec2", "DescribeLaunchTemplateVersions",
                                   "LaunchTemplateVersions", &ltvs, diags);
    if (!have_lc && !have_lt) return;
    for (size_t i = 0; i < n; i++) {
        jv_builder names;
        jvb_array(&names, lc->a);
        const jv *lcn = jv_get(&items[i], "LaunchConfigurationName");
        for (uint32_t k = 0; lcn && k < lcs.len; k++)
            if (jv_equal(jv_get(&lcs.u.items[k], "LaunchConfigurationName"), lcn))
                push_name(lc->a, &names, jv_get(&lcs.u.items[k], "KeyName"));
        const jv *lt = jv_get(&items[i], "LaunchTemplate");
        if (!lt)
            lt = jv_get(jv_get(jv_get(&items[i], "MixedInstancesPolicy"), "LaunchTemplate"),
                        "LaunchTemplateSpecification");
        const jv *tid = jv_get(lt, "LaunchTemplateId");
        const char *ver = str_at(lt, "Version");
        if (!ver) ver = "$Default";
        double latest = -1;
        for (uint32_t k = 0; tid && k < ltvs.len; k++) {
            const jv *v = &ltvs.u.items[k];
            const jv *num = jv_get(v, "VersionNumber");
            if (jv_equal(jv_get(v, "LaunchTemplateId"), tid) && jv_is(num, JV_NUMBER) &&
                num->u.num > latest)
                latest = num->u.num;
        }
        for (uint32_t k = 0; tid && k < ltvs.len; k++) {
            const jv *v = &ltvs.u.items[k];
            if (!jv_equal(jv_get(v, "LaunchTemplateId"), tid)) continue;
            const jv *num = jv_get(v, "VersionNumber");
            bool pick = !strcmp(ver, "$Latest") ? jv_is(num, JV_NUMBER) && num->u.num == latest
                        : !strcmp(ver, "$Default")
                            ? jv_truthy(jv_get(v, "DefaultVersion"))
                            : jv_is(num, JV_NUMBER) && num->u.num == strtod(ver, NULL);
            if (pick) push_name(lc->a, &names, jv_get(jv_get(v, "LaunchTemplateData"), "KeyName"));
        }
        set_member(lc->a, &items[i], "c7n:launch-key-names", jvb_done(&names));
    }
}

/* ---- Trusted Advisor H7IgTzjTYb (fault-tolerant) ---- */

/* Volumes the "Amazon EBS Snapshots" check flags (no recent snapshot):
 * support.DescribeTrustedAdvisorCheckResult for check H7IgTzjTYb (the
 * account's, global), flaggedResources[].metadata[1] = the volume id;
 * c7n:ta-not-fault-tolerant true/false on every volume when collected. */
void inv_ebs_fault_tolerance(load_ctx *lc, const inv_scope *scope, jv *items, size_t n,
                             diag_list *diags)
{
    jv flagged;
    if (!inv_read_listing(lc, scope, true, "support", "support",
                          "DescribeTrustedAdvisorCheckResult", "result.flaggedResources", &flagged,
                          diags))
        return;
    for (size_t i = 0; i < n; i++) {
        const jv *vid = jv_get(&items[i], "VolumeId");
        bool hit = false;
        for (uint32_t k = 0; vid && k < flagged.len && !hit; k++) {
            const jv *md = jv_get(&flagged.u.items[k], "metadata");
            hit = jv_is(md, JV_ARRAY) && md->len > 1 && jv_equal(&md->u.items[1], vid);
        }
        set_member(lc->a, &items[i], "c7n:ta-not-fault-tolerant", jv_bool(hit));
    }
}
