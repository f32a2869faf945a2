/* calls.c - the API calls behind the wider resource set, and how they join.
 *
 * Custodian builds some resource documents from more than one call, and
 * many of its filters make calls of their own.  custos reads every such
 * call from the inventory at load time and stores its answer under the key
 * the filter (or Custodian's augment) uses, so filters stay pure functions
 * of the resource document.  Three shapes, each a table below, and
 * together (with augment.c's per-resource tables) the list of calls the
 * live collector must make (inventory_calls()):
 *
 *  - per-resource calls (detail_spec, as in augment.c): one file per
 *    resource, e.g. sqs.GetQueueAttributes whose Attributes become the
 *    queue document;
 *  - listing joins (join_spec): one listing-level call for the whole
 *    region whose items are matched to resources by a field, e.g.
 *    kms.ListAliases (TargetKeyId) gives a key its AliasNames, and the
 *    Resource Groups Tagging API (tagging.GetResources, by ARN) gives
 *    Custodian's "universal_taggable" types their Tags;
 *  - account calls (account_spec): one answer per account or region
 *    stored on the aws.account document.
 *
 * Files: the custos layout reads <client>.<Operation>.json from the
 * scope's directory (global/ for global types), the placebo format
 * <service>.<Operation>_N.json, following pages while a page says more
 * follow.  A call with no file at all was not collected: its key stays
 * absent, and a filter that needs it says so (filters/needs.h) instead
 * of answering "no match".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inventory/inv_internal.h"
#include "util/buf.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- per-resource calls of the added types ---- */

/* metrics: the recorded GetMetricStatistics answer per resource (which
 * metric is the policy's; recordings only, see filters/metrics.c). */
#define METRIC_DATAPOINTS                                                                          \
    {                                                                                              \
        .client = "cloudwatch", .service = "monitoring", .operation = "GetMetricStatistics",       \
        .method = "get_metric_statistics", .select = "Datapoints", .select_strict = true,          \
        .mode = DM_SET, .key = "c7n:metric-datapoints", .dflt = DV_ARRAY, .placebo_only = true     \
    }

static const detail_spec METRIC_ONLY[] = {METRIC_DATAPOINTS};

/* consecutive-aws-backups: the instance's AWS Backup recovery points. */
static const detail_spec RDS_DETAILS[] = {
    METRIC_DATAPOINTS,
    {.client = "backup",
     .service = "backup",
     .operation = "ListRecoveryPointsByResource",
     .method = "list_recovery_points_by_resource",
     .select = "RecoveryPoints",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:AwsBackups",
     .dflt = DV_ARRAY},
};

/* A queue's id is its URL; its file is named by the URL's last segment
 * (the queue name): sqs.GetQueueAttributes.<QueueName>.json. */
static const detail_spec SQS_DETAILS[] = {
    {.client = "sqs",
     .service = "sqs",
     .operation = "GetQueueAttributes",
     .method = "get_queue_attributes",
     .select = "Attributes",
     .select_strict = true,
     .mode = DM_MERGE,
     .drop_not_found = true,
     .file_tail = true},
    METRIC_DATAPOINTS,
};
static const detail_spec SNS_DETAILS[] = {
    {.client = "sns",
     .service = "sns",
     .operation = "GetTopicAttributes",
     .method = "get_topic_attributes",
     .select = "Attributes",
     .select_strict = true,
     .mode = DM_MERGE,
     .drop_not_found = true},
    METRIC_DATAPOINTS,
};
/* ecr cross-account reads the repository policy (policyText), as
 * Custodian's ECRCrossAccountAccessFilter does; ListTagsForResource gives
 * Tags. */
static const detail_spec ECR_DETAILS[] = {
    {.client = "ecr",
     .service = "api.ecr",
     .operation = "GetRepositoryPolicy",
     .method = "get_repository_policy",
     .select = "policyText",
     .mode = DM_SET,
     .key = "Policy",
     .dflt = DV_NULL},
    {.client = "ecr",
     .service = "api.ecr",
     .operation = "ListTagsForResource",
     .method = "list_tags_for_resource",
     .select = "tags",
     .select_strict = true,
     .mode = DM_SET,
     .key = "Tags",
     .dflt = DV_ARRAY},
};

/* has-specific-managed-policy: the managed policies attached to the role
 * behind a resource (ListAttachedRolePolicies) or to a group.  Custodian
 * calls it per resource that has a role, so a recording's counter counts
 * only those; the custos layout reads each role's own file instead
 * (iam.ListAttachedRolePolicies.<RoleName>.json on aws.iam-role). */
#define ATTACHED(op, meth, cond, placebo)                                                          \
    {                                                                                              \
        .client = "iam", .service = "iam", .operation = (op), .method = (meth),                    \
        .select = "AttachedPolicies", .select_strict = true, .mode = DM_SET,                       \
        .key = "c7n:AttachedPolicies", .dflt = DV_ARRAY, .only_if = (cond),                        \
        .placebo_only = (placebo)                                                                  \
    }

static const detail_spec LAMBDA_DETAILS[] = {
    METRIC_DATAPOINTS,
    /* event-source: the function's resource policy (a policy string). */
    {.client = "lambda",
     .service = "lambda",
     .operation = "GetPolicy",
     .method = "get_policy",
     .select = "Policy",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:Policy",
     .dflt = DV_NULL},
    ATTACHED("ListAttachedRolePolicies", "list_attached_role_policies", "Role", true),
};
static const detail_spec PROFILE_DETAILS[] = {
    ATTACHED("ListAttachedRolePolicies", "list_attached_role_policies", "Roles", true),
};
static const detail_spec GROUP_DETAILS[] = {
    ATTACHED("ListAttachedGroupPolicies", "list_attached_group_policies", NULL, false),
};

/* singleton: the instance's StatusCheckFailed_System alarms. */
static const detail_spec EC2_DETAILS[] = {
    METRIC_DATAPOINTS,
    ATTACHED("ListAttachedRolePolicies", "list_attached_role_policies", "IamInstanceProfile", true),
    {.client = "cloudwatch",
     .service = "monitoring",
     .operation = "DescribeAlarmsForMetric",
     .method = "describe_alarms_for_metric",
     .mode = DM_SET,
     .key = "c7n:recover-alarms",
     .dflt = DV_NULL},
};

/* entry: a prefix list's entries. */
static const detail_spec PREFIX_DETAILS[] = {
    {.client = "ec2",
     .service = "ec2",
     .operation = "GetManagedPrefixListEntries",
     .method = "get_managed_prefix_list_entries",
     .select = "Entries",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:prefix-entries",
     .dflt = DV_ARRAY},
};

/* grant-count: the grants of each alias's key. */
static const detail_spec ALIAS_DETAILS[] = {
    {.client = "kms",
     .service = "kms",
     .operation = "ListGrants",
     .method = "list_grants",
     .select = "Grants",
     .select_strict = true,
     .mode = DM_SET,
     .key = "c7n:grants",
     .dflt = DV_ARRAY,
     .only_if = "TargetKeyId",
     .file_key = "TargetKeyId"},
};

const detail_spec *inv_more_details(const resource_type *t, size_t *n)
{
    const char *name = t ? t->name : "";
    if (strcmp(name, "aws.ec2") == 0) return *n = COUNT(EC2_DETAILS), EC2_DETAILS;
    if (strcmp(name, "aws.rds") == 0) return *n = COUNT(RDS_DETAILS), RDS_DETAILS;
    if (strcmp(name, "aws.ebs") == 0 || strcmp(name, "aws.elb") == 0 ||
        strcmp(name, "aws.app-elb") == 0)
        return *n = COUNT(METRIC_ONLY), METRIC_ONLY;
    if (strcmp(name, "aws.kms") == 0) return *n = COUNT(ALIAS_DETAILS), ALIAS_DETAILS;
    if (strcmp(name, "aws.prefix-list") == 0) return *n = COUNT(PREFIX_DETAILS), PREFIX_DETAILS;
    if (strcmp(name, "aws.lambda") == 0) return *n = COUNT(LAMBDA_DETAILS), LAMBDA_DETAILS;
    if (strcmp(name, "aws.iam-profile") == 0) return *n = COUNT(PROFILE_DETAILS), PROFILE_DETAILS;
    if (strcmp(name, "aws.iam-group") == 0) return *n = COUNT(GROUP_DETAILS), GROUP_DETAILS;
    if (strcmp(name, "aws.sqs") == 0) return *n = COUNT(SQS_DETAILS), SQS_DETAILS;
    if (strcmp(name, "aws.sns") == 0) return *n = COUNT(SNS_DETAILS), SNS_DETAILS;
    if (strcmp(name, "aws.ecr") == 0) return *n = COUNT(ECR_DETAILS), ECR_DETAILS;
    *n = 0;
    return NULL;
}

/* A growable list of file paths (in the load's arena). */
typedef struct names_list {
    const char **v;
    size_t n, cap;
} names_list;

static void nl_push(names_list *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) abort();
    }
    l->v[l->n++] = s;
}

/* ---- listing joins ---- */

#define TAGGING(tn)                                                                                \
    {                                                                                              \
        .type = (tn), .client = "resourcegroupstaggingapi", .service = "tagging",                  \
        .operation = "GetResources", .items = "ResourceTagMappingList", .item_key = "ResourceARN", \
        .take = "Tags", .key = "Tags", .mode = JOIN_TAGS                                           \
    }

static const join_spec JOINS[] = {
    {.type = "aws.kms-key",
     .client = "kms",
     .service = "kms",
     .operation = "ListAliases",
     .items = "Aliases",
     .item_key = "TargetKeyId",
     .res_key = "KeyId",
     .take = "AliasName",
     .key = "AliasNames",
     .mode = JOIN_LIST,
     .omit_empty = true},
    /* dhcp-options: the VPC's option set. */
    {.type = "aws.vpc",
     .client = "ec2",
     .service = "ec2",
     .operation = "DescribeDhcpOptions",
     .items = "DhcpOptions",
     .item_key = "DhcpOptionsId",
     .res_key = "DhcpOptionsId",
     .key = "c7n:dhcp-options",
     .mode = JOIN_FIRST},
    /* flow-logs: the flow logs whose ResourceId is the VPC. */
    {.type = "aws.vpc",
     .client = "ec2",
     .service = "ec2",
     .operation = "DescribeFlowLogs",
     .items = "FlowLogs",
     .item_key = "ResourceId",
     .res_key = "VpcId",
     .key = "c7n:flow-logs",
     .mode = JOIN_LIST},
    /* service-details: the endpoint's service (c7n:service-details). */
    {.type = "aws.vpc-endpoint",
     .client = "ec2",
     .service = "ec2",
     .operation = "DescribeVpcEndpointServices",
     .items = "ServiceDetails",
     .item_key = "ServiceName",
     .res_key = "ServiceName",
     .key = "c7n:service-details",
     .mode = JOIN_FIRST},
    /* ssm: the instance's SSM agent information (c7n:SsmState). */
    {.type = "aws.ec2",
     .client = "ssm",
     .service = "ssm",
     .operation = "DescribeInstanceInformation",
     .items = "InstanceInformationList",
     .item_key = "InstanceId",
     .res_key = "InstanceId",
     .key = "c7n:SsmState",
     .mode = JOIN_FIRST},
    /* engine, upgrade-available: the DB instance's engine version. */
    {.type = "aws.rds",
     .client = "rds",
     .service = "rds",
     .operation = "DescribeDBEngineVersions",
     .items = "DBEngineVersions",
     .item_key = "Engine",
     .res_key = "Engine",
     .item_key2 = "EngineVersion",
     .res_key2 = "EngineVersion",
     .key = "c7n:Engine",
     .mode = JOIN_FIRST},
    /* pending-maintenance: the instance's pending maintenance actions. */
    {.type = "aws.rds",
     .client = "rds",
     .service = "rds",
     .operation = "DescribePendingMaintenanceActions",
     .items = "PendingMaintenanceActions",
     .item_key = "ResourceIdentifier",
     .res_key = "DBInstanceArn",
     .key = "c7n:PendingMaintenance",
     .mode = JOIN_LIST},
    /* stale: the group in DescribeStaleSecurityGroups (per VPC). */
    {.type = "aws.security-group",
     .client = "ec2",
     .service = "ec2",
     .operation = "DescribeStaleSecurityGroups",
     .items = "StaleSecurityGroupSet",
     .item_key = "GroupId",
     .res_key = "GroupId",
     .key = "c7n:stale",
     .mode = JOIN_FIRST},
    /* modifyable: the volume's modifications. */
    {.type = "aws.ebs",
     .client = "ec2",
     .service = "ec2",
     .operation = "DescribeVolumesModifications",
     .items = "VolumesModifications",
     .item_key = "VolumeId",
     .res_key = "VolumeId",
     .key = "c7n:volume-modifications",
     .mode = JOIN_LIST},
/* iam-analyzer: Access Analyzer findings on the resource (by ARN). */
#define ANALYZER(tn)                                                                               \
    {                                                                                              \
        .type = (tn), .client = "accessanalyzer", .service = "access-analyzer",                    \
        .operation = "ListFindings", .items = "findings", .item_key = "resource",                  \
        .key = "c7n:AccessAnalysis", .mode = JOIN_LIST                                             \
    }
    ANALYZER("aws.sqs"),
    ANALYZER("aws.s3"),
    ANALYZER("aws.iam-role"),
    ANALYZER("aws.kms-key"),
    ANALYZER("aws.lambda"),
    /* Custodian's universal_taggable types get Tags from the tagging API
     * (resources whose listing has no Tags; [] when the API has none). */
    TAGGING("aws.sqs"),
    TAGGING("aws.sns"),
    TAGGING("aws.rds-subscription"),
    TAGGING("aws.rds-proxy"),
    TAGGING("aws.vpc-endpoint"),
    TAGGING("aws.prefix-list"),
    TAGGING("aws.mirror-target"),
    TAGGING("aws.kms-key"),
    TAGGING("aws.lambda"),
    TAGGING("aws.cloudtrail"),
    TAGGING("aws.elb"),
};

const join_spec *inv_joins(size_t *n)
{
    *n = COUNT(JOINS);
    return JOINS;
}

/* The path of page `page` (1-based) of a listing-level call in scope. */
static const char *op_file(load_ctx *lc, const inv_scope *scope, bool global, const char *client,
                           const char *service, const char *op, int page)
{
    if (lc->inv->kind == INV_PLACEBO)
        return inv_fmt(lc, "%s/%s.%s_%d.json", lc->inv->root, service, op, page);
    if (page > 1) return NULL;
    return inv_fmt(lc, "%s/%s/%s/%s.%s.json", lc->inv->root, scope->account->id,
                   global ? "global" : scope->region, client, op);
}

int inv_read_listing(load_ctx *lc, const inv_scope *scope, bool global, const char *client,
                     const char *service, const char *op, const char *items_path, jv *out,
                     diag_list *diags)
{
    resource_type walk = {.items_path = items_path};
    jv_builder b;
    jvb_array(&b, lc->a);
    int pages = 0;
    /* Every recorded answer, not only a page chain: a join's items are
     * matched by key, and a recording may hold one answer per call (one
     * per region, one per batch of ids). */
    for (int p = 1;; p++) {
        const char *path = op_file(lc, scope, global, client, service, op, p);
        if (!path || access(path, R_OK) != 0) break;
        pfile f = {.path = path};
        inv_parse_files(lc, &f, 1, lc->inv->kind == INV_PLACEBO);
        if (f.status != PF_OK) {
            inv_file_diag(&f, diags);
            break;
        }
        pages++;
        if (f.http >= 400 || jv_get(&f.data, "Error")) continue;
        resource_items(&walk, &f.data, &b);
    }
    *out = jvb_done(&b);
    return pages;
}

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

static void apply_join(load_ctx *lc, const join_spec *j, const resource_type *t,
                       const inv_scope *scope, jv *items, size_t n, diag_list *diags)
{
    jv list;
    if (!inv_read_listing(lc, scope, t->global, j->client, j->service, j->operation, j->items,
                          &list, diags))
        return; /* not collected: keys stay absent */
    buf arn = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (j->mode == JOIN_TAGS && jv_get(&items[i], j->key)) continue;
        const char *want = NULL;
        if (j->res_key) {
            want = str_at(&items[i], j->res_key);
        } else {
            buf_reset(&arn);
            if (resource_arn(t, &items[i], scope->account->id, scope->region, &arn))
                want = arn.data;
        }
        jv_builder l;
        jvb_array(&l, lc->a);
        const jv *one = NULL;
        for (uint32_t k = 0; want && k < list.len; k++) {
            const jv *it = &list.u.items[k];
            const char *have = str_at(it, j->item_key);
            if (!have || strcmp(have, want) != 0) continue;
            if (j->item_key2 && !jv_equal(jv_get(it, j->item_key2), jv_get(&items[i], j->res_key2)))
                continue;
            const jv *v = j->take ? jv_get(it, j->take) : it;
            if (!v) continue;
            if (j->mode == JOIN_TAGS || j->mode == JOIN_FIRST) {
                one = v;
                break;
            }
            bool dup = false;
            for (uint32_t d = 0; d < l.v.len && !dup; d++)
                dup = jv_equal(&l.v.u.items[d], v);
            if (!dup) jvb_push(&l, *v);
        }
        jv val = jvb_done(&l);
        if (j->mode == JOIN_TAGS) val = one ? *one : jv_array(lc->a, 0);
        if (j->mode == JOIN_FIRST) val = one ? *one : jv_object(lc->a, 0);
        if (j->omit_empty && val.kind == JV_ARRAY && val.len == 0) continue;
        set_member(lc->a, &items[i], j->key, val);
    }
    buf_free(&arn);
}

/* ---- per-resource answers that name their resource ---- */

/* Calls made once per resource and attribute (DescribeInstanceAttribute,
 * DescribeVpcAttribute) answer with the resource's id inside, so every
 * answer is merged into the resource it names, whatever order the calls
 * were made in (a recording's counter follows the filter's own loop, the
 * custos layout keeps one file per resource holding all attributes). */
static const struct merge_spec {
    const char *type, *client, *service, *operation;
    const char *resp_key; /* the id field in the answer */
    const char *key;      /* annotation: an object of the answers' other members */
} MERGES[] = {
    {"aws.ec2", "ec2", "ec2", "DescribeInstanceAttribute", "InstanceId", "c7n:instance-attributes"},
    {"aws.vpc", "ec2", "ec2", "DescribeVpcAttribute", "VpcId", "c7n:vpc-attributes"},
    /* ssm-inventory: TypeName AWS:Application, all pages in one file. */
    {"aws.ec2", "ssm", "ssm", "ListInventoryEntries", "InstanceId", "c7n:ssm-inventory"},
    {"aws.cloudtrail", "cloudtrail", "cloudtrail", "GetEventSelectors", "TrailARN",
     "c7n:TrailEventSelectors"},
};

static void collect_answers(load_ctx *lc, const inv_scope *scope, const resource_type *t,
                            const struct merge_spec *m, names_list *files)
{
    bool placebo = lc->inv->kind == INV_PLACEBO;
    if (placebo) {
        for (int k = 1;; k++) {
            const char *p =
                inv_fmt(lc, "%s/%s.%s_%d.json", lc->inv->root, m->service, m->operation, k);
            if (access(p, R_OK) != 0) break;
            nl_push(files, p);
        }
        return;
    }
    const char *dir = inv_fmt(lc, "%s/%s/%s", lc->inv->root, scope->account->id,
                              t->global ? "global" : scope->region);
    DIR *d = opendir(dir);
    if (!d) return;
    char prefix[256];
    snprintf(prefix, sizeof prefix, "%s.%s.", m->client, m->operation);
    struct dirent *e;
    while ((e = readdir(d)))
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            nl_push(files, inv_fmt(lc, "%s/%s", dir, e->d_name));
    closedir(d);
}

static void apply_merge(load_ctx *lc, const struct merge_spec *m, const resource_type *t,
                        const inv_scope *scope, jv *items, size_t n, diag_list *diags)
{
    names_list files = {0};
    collect_answers(lc, scope, t, m, &files);
    if (!files.n) return; /* not collected */
    pfile *pf = calloc(files.n, sizeof *pf);
    if (!pf) abort();
    for (size_t i = 0; i < files.n; i++)
        pf[i].path = files.v[i];
    inv_parse_files(lc, pf, files.n, lc->inv->kind == INV_PLACEBO);
    /* Resources the answers name get the merged object; others {} (the
     * call was collected but said nothing about them). */
    jv_builder *acc = calloc(n, sizeof *acc);
    if (!acc) abort();
    for (size_t i = 0; i < n; i++)
        jvb_object(&acc[i], lc->a);
    resource_set byid = {.type = t, .items = items, .n = n};
    resource_set_index(&byid, lc->a);
    for (size_t f = 0; f < files.n; f++) {
        inv_file_diag(&pf[f], diags);
        if (pf[f].status != PF_OK || pf[f].http >= 400) continue;
        const jv *d = &pf[f].data;
        const char *id = str_at(d, m->resp_key);
        const jv *r = id ? resource_set_find(&byid, id) : NULL;
        if (!r || !jv_is(d, JV_OBJECT)) continue;
        jv_builder *b = &acc[r - items];
        for (uint32_t k = 0; k < d->len; k++) {
            const char *key = d->u.members[k].key;
            if (strcmp(key, "ResponseMetadata") && strcmp(key, m->resp_key))
                jvb_set(b, key, d->u.members[k].klen, d->u.members[k].val);
        }
    }
    for (size_t i = 0; i < n; i++)
        set_member(lc->a, &items[i], m->key, jvb_done(&acc[i]));
    free(acc);
    free(pf);
    free(files.v);
}

void inv_apply_joins(load_ctx *lc, const resource_type *t, const inv_scope *scope, jv *items,
                     size_t n, diag_list *diags)
{
    if (!n) return;
    if (strcmp(t->name, "aws.sqs") == 0) inv_sqs_names(lc->a, items, n);
    if (strcmp(t->name, "aws.rds") == 0 || strcmp(t->name, "aws.rds-snapshot") == 0)
        inv_rds_tags(lc->a, items, n);
    if (strcmp(t->name, "aws.rds") == 0) inv_rds_parameters(lc, scope, items, n, diags);
    if (strcmp(t->name, "aws.lambda") == 0) inv_lambda_edge(lc, scope, items, n, diags);
    if (strcmp(t->name, "aws.asg") == 0) inv_asg_key_names(lc, scope, items, n, diags);
    if (strcmp(t->name, "aws.ebs") == 0) inv_ebs_fault_tolerance(lc, scope, items, n, diags);
    inv_watched_policies(lc, t, scope, items, n, diags);
    static const char *const health_types[] = {"aws.ec2", "aws.rds", "aws.elb", "aws.app-elb",
                                               "aws.ebs"};
    for (size_t k = 0; k < COUNT(health_types); k++)
        if (strcmp(t->name, health_types[k]) == 0) inv_health_events(lc, t, scope, items, n, diags);
    for (size_t k = 0; k < COUNT(JOINS); k++)
        if (strcmp(JOINS[k].type, t->name) == 0)
            apply_join(lc, &JOINS[k], t, scope, items, n, diags);
    for (size_t k = 0; k < COUNT(MERGES); k++)
        if (strcmp(MERGES[k].type, t->name) == 0)
            apply_merge(lc, &MERGES[k], t, scope, items, n, diags);
}

/* ---- account-wide calls ---- */

/* Stored on the aws.account document under `key` for the account filters
 * (filters/account_more.c).  An error answer whose code contains one of
 * `empty_codes` (comma-separated) stores {} (Custodian's "not in use"),
 * any other error stores null (the filter then never matches); no file
 * at all leaves the key absent (not collected). */
static const struct account_spec {
    const char *client, *service, *operation;
    const char *select; /* member to keep; NULL = the answer minus ResponseMetadata */
    const char *key;
    const char *empty_codes;
    bool global; /* organizations: the account's global directory */
} ACCOUNT_CALLS[] = {
    {"accessanalyzer", "access-analyzer", "ListAnalyzers", "analyzers", "c7n:analyzers", NULL,
     false},
    {"macie2", "macie2", "GetMacieSession", NULL, "c7n:macie-session", "AccessDenied", false},
    {"macie2", "macie2", "GetAdministratorAccount", "administrator", "c7n:macie-administrator",
     "AccessDenied,ResourceNotFound", false},
    {"organizations", "organizations", "DescribeOrganization", "Organization", "c7n:org",
     "AWSOrganizationsNotInUse", true},
    {"emr", "elasticmapreduce", "GetBlockPublicAccessConfiguration", NULL,
     "c7n:emr-block-public-access", NULL, false},
    {"glue", "glue", "GetDataCatalogEncryptionSettings", "DataCatalogEncryptionSettings",
     "c7n:glue-catalog-encryption", NULL, false},
    {"config", "config", "DescribeDeliveryChannels", "DeliveryChannels", "c7n:config_channels",
     NULL, false},
    {"config", "config", "DescribeConfigurationRecorders", "ConfigurationRecorders",
     "c7n:config_recorders", NULL, false},
    {"config", "config", "DescribeConfigurationRecorderStatus", "ConfigurationRecordersStatus",
     "c7n:config_status", NULL, false},
    {"ses", "email", "GetSendStatistics", "SendDataPoints", "c7n:ses-send-data-points", NULL,
     false},
    /* Not subscribed answers InvalidAccessException: {} is "not enabled". */
    {"securityhub", "securityhub", "DescribeHub", NULL, "c7n:securityhub", "InvalidAccessException",
     false},
    /* Custodian reads the first page only (list_resources without a paginator). */
    {"lakeformation", "lakeformation", "ListResources", "ResourceInfoList",
     "c7n:lakeformation-resources", NULL, false},
};

static bool code_in(const char *code, const char *list)
{
    while (list && *list) {
        const char *end = strchr(list, ',');
        size_t n = end ? (size_t)(end - list) : strlen(list);
        char one[64];
        if (n < sizeof one) {
            memcpy(one, list, n);
            one[n] = 0;
            if (strstr(code, one)) return true;
        }
        list = end ? end + 1 : NULL;
    }
    return false;
}

/* One parsed answer (f, PF_OK) of the region's detector call op; false
 * when absent or unreadable (said in diags). */
static bool detector_answer(load_ctx *lc, const inv_scope *scope, const char *op, const char *id,
                            pfile *f, diag_list *diags)
{
    const char *path =
        lc->inv->kind == INV_PLACEBO
            ? inv_fmt(lc, "%s/guardduty.%s_1.json", lc->inv->root, op)
            : (strchr(id, '/') ? NULL
                               : inv_fmt(lc, "%s/%s/%s/guardduty.%s.%s.json", lc->inv->root,
                                         scope->account->id, scope->region, op, id));
    if (!path || access(path, R_OK) != 0) return false;
    *f = (pfile){.path = path};
    inv_parse_files(lc, f, 1, lc->inv->kind == INV_PLACEBO);
    if (f->status != PF_OK) inv_file_diag(f, diags);
    return f->status == PF_OK && f->http < 400 && !jv_get(&f->data, "Error");
}

/* c7n:guard-duty, as Custodian's guard-duty filter builds it: {Detector:
 * GetDetector (minus ResponseMetadata), Administrator:
 * GetAdministratorAccount's Administrator} of the last detector of
 * ListDetectors; {} with no detector; null when ListDetectors failed; the
 * key absent when it was not collected (filters/account_services.c). */
static void guard_duty(load_ctx *lc, const inv_scope *scope, jv *item, diag_list *diags)
{
    const char *path = op_file(lc, scope, false, "guardduty", "guardduty", "ListDetectors", 1);
    if (!path || access(path, R_OK) != 0) return;
    pfile f = {.path = path};
    inv_parse_files(lc, &f, 1, lc->inv->kind == INV_PLACEBO);
    if (f.status != PF_OK) {
        inv_file_diag(&f, diags);
        return;
    }
    const jv *ids = jv_get(&f.data, "DetectorIds");
    jv val = jv_object(lc->a, 0);
    if (f.http >= 400 || jv_get(&f.data, "Error")) {
        val = jv_null();
    } else if (jv_is(ids, JV_ARRAY) && ids->len && jv_is(&ids->u.items[ids->len - 1], JV_STRING)) {
        const char *id = ids->u.items[ids->len - 1].u.str;
        jv_builder b;
        jvb_object(&b, lc->a);
        pfile d, m;
        if (detector_answer(lc, scope, "GetDetector", id, &d, diags)) {
            jv_builder db;
            jvb_object(&db, lc->a);
            for (uint32_t k = 0; jv_is(&d.data, JV_OBJECT) && k < d.data.len; k++)
                if (strcmp(d.data.u.members[k].key, "ResponseMetadata") != 0)
                    jvb_set(&db, d.data.u.members[k].key, d.data.u.members[k].klen,
                            d.data.u.members[k].val);
            jvb_set(&b, "Detector", 8, jvb_done(&db));
        }
        if (detector_answer(lc, scope, "GetAdministratorAccount", id, &m, diags)) {
            const jv *admin = jv_get(&m.data, "Administrator");
            jvb_set(&b, "Administrator", 13, admin ? *admin : jv_null());
        }
        val = jvb_done(&b);
    }
    set_member(lc->a, item, "c7n:guard-duty", val);
}

void inv_account_extras(load_ctx *lc, const inv_scope *scope, jv *item, diag_list *diags)
{
    guard_duty(lc, scope, item, diags);
    for (size_t i = 0; i < COUNT(ACCOUNT_CALLS); i++) {
        const struct account_spec *c = &ACCOUNT_CALLS[i];
        const char *path = op_file(lc, scope, c->global, c->client, c->service, c->operation, 1);
        if (!path || access(path, R_OK) != 0) continue;
        pfile f = {.path = path};
        inv_parse_files(lc, &f, 1, lc->inv->kind == INV_PLACEBO);
        if (f.status != PF_OK) {
            inv_file_diag(&f, diags);
            continue;
        }
        const char *code = str_at(jv_get(&f.data, "Error"), "Code");
        jv val;
        if (f.http >= 400 || code) {
            val = code_in(code ? code : "", c->empty_codes) ? jv_object(lc->a, 0) : jv_null();
        } else if (c->select) {
            const jv *sel = jv_get(&f.data, c->select);
            val = sel ? *sel : jv_null();
        } else {
            jv_builder b;
            jvb_object(&b, lc->a);
            for (uint32_t k = 0; jv_is(&f.data, JV_OBJECT) && k < f.data.len; k++)
                if (strcmp(f.data.u.members[k].key, "ResponseMetadata") != 0)
                    jvb_set(&b, f.data.u.members[k].key, f.data.u.members[k].klen,
                            f.data.u.members[k].val);
            val = jvb_done(&b);
        }
        set_member(lc->a, item, c->key, val);
    }
}

/* ---- resources from their per-id calls ---- */

/* When a type's listing was not collected, Custodian's get_resources(ids)
 * (how related-resource filters fetch a few resources) calls the per-id
 * describe instead: the roles of an instance profile come from GetRole,
 * keys from DescribeKey.  Those answers are resources too. */
static const struct {
    const char *type, *operation, *select;
} BY_ID[] = {
    {"aws.iam-role", "GetRole", "Role"},
    {"aws.kms-key", "DescribeKey", "KeyMetadata"},
};

int inv_listing_from_gets(load_ctx *lc, const resource_type *t, const inv_scope *scope,
                          jv_builder *items, diag_list *diags)
{
    const char *op = NULL, *sel = NULL;
    for (size_t i = 0; i < COUNT(BY_ID); i++)
        if (strcmp(BY_ID[i].type, t->name) == 0) op = BY_ID[i].operation, sel = BY_ID[i].select;
    if (!op) return 0;
    bool placebo = lc->inv->kind == INV_PLACEBO;
    const char *dir = placebo ? lc->inv->root
                              : inv_fmt(lc, "%s/%s/%s", lc->inv->root, scope->account->id,
                                        t->global ? "global" : scope->region);
    /* Placebo files in call order (so the per-resource replay that follows
     * pairs each document with its own answer); layout files by name. */
    names_list files = {0};
    if (placebo) {
        for (int k = 1;; k++) {
            const char *p = inv_fmt(lc, "%s/%s.%s_%d.json", dir, t->service, op, k);
            if (access(p, R_OK) != 0) break;
            nl_push(&files, p);
        }
    } else {
        DIR *d = opendir(dir);
        if (!d) return 0;
        char prefix[256];
        snprintf(prefix, sizeof prefix, "%s.%s.", t->client, op);
        struct dirent *e;
        while ((e = readdir(d)))
            if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
                nl_push(&files, inv_fmt(lc, "%s/%s", dir, e->d_name));
        closedir(d);
    }
    int got = 0;
    for (size_t i = 0; i < files.n; i++) {
        pfile f = {.path = files.v[i]};
        inv_parse_files(lc, &f, 1, placebo);
        if (f.status != PF_OK) {
            inv_file_diag(&f, diags);
            continue;
        }
        const jv *doc = jv_get(&f.data, sel);
        if (f.http >= 400 || !jv_is(doc, JV_OBJECT)) continue;
        got++;
        const char *id = resource_id(t, doc);
        bool dup = false;
        for (uint32_t k = 0; id && k < items->v.len && !dup; k++) {
            const char *o = resource_id(t, &items->v.u.items[k]);
            dup = o && strcmp(o, id) == 0;
        }
        if (!dup) jvb_push(items, *doc);
    }
    free(files.v);
    return got;
}

/* ---- child types ---- */

/* The per-resource file of call op for the k-th parent (placebo: the
 * replayed counter; layout: named by the parent's id). */
static const char *child_file(load_ctx *lc, const inv_scope *scope, const resource_type *t,
                              const char *parent_id, int *counter)
{
    if (lc->inv->kind == INV_PLACEBO) {
        int c = *counter + 1;
        const char *p = inv_fmt(lc, "%s/%s.%s_%d.json", lc->inv->root, t->service, t->operation, c);
        if (access(p, R_OK) != 0) {
            c = 1;
            p = inv_fmt(lc, "%s/%s.%s_1.json", lc->inv->root, t->service, t->operation);
        }
        *counter = c;
        return p;
    }
    if (!parent_id || strchr(parent_id, '/')) return NULL;
    return inv_fmt(lc, "%s/%s/%s/%s.%s.%s.json", lc->inv->root, scope->account->id,
                   t->global ? "global" : scope->region, t->client, t->operation, parent_id);
}

int inv_load_children(load_ctx *lc, const resource_type *t, const resource_set *parents,
                      const inv_scope *scope, resource_set *out, diag_list *diags)
{
    jv_builder b;
    jvb_array(&b, lc->a);
    size_t before = diags->n;
    int counter = 0;
    const resource_type *pt = resource_type_find(t->parent);
    for (size_t i = 0; i < parents->n; i++) {
        const char *pid = resource_id(pt, &parents->items[i]);
        const char *path = child_file(lc, scope, t, pid, &counter);
        if (!path || access(path, R_OK) != 0) continue;
        pfile f = {.path = path};
        inv_parse_files(lc, &f, 1, lc->inv->kind == INV_PLACEBO);
        if (f.status != PF_OK) {
            inv_file_diag(&f, diags);
            continue;
        }
        if (f.http >= 400) continue;
        jv_builder kids;
        jvb_array(&kids, lc->a);
        resource_items(t, &f.data, &kids);
        jv k = jvb_done(&kids);
        for (uint32_t x = 0; x < k.len; x++) {
            /* The same answer replayed for several parents lists each
             * child once. */
            const char *id = resource_id(t, &k.u.items[x]);
            bool dup = false;
            for (uint32_t y = 0; id && y < b.v.len && !dup; y++) {
                const char *o = resource_id(t, &b.v.u.items[y]);
                dup = o && strcmp(o, id) == 0;
            }
            if (dup) continue;
            jv item = k.u.items[x];
            if (pid) set_member(lc->a, &item, "c7n:parent-id", jv_cstr(lc->a, pid));
            jvb_push(&b, item);
        }
    }
    jv list = jvb_done(&b);
    inv_finish_set(lc->a, t, scope, list.u.items, list.len, out);
    return diags->n == before ? 0 : -1;
}

/* ---- the list of calls, for the collector and the README ---- */

static void emit(void (*fn)(const inventory_call *, void *), void *arg, const char *type,
                 const char *client, const char *op, const char *kind, const char *file,
                 const char *provides)
{
    inventory_call c = {type, client, op, kind, file, provides};
    fn(&c, arg);
}

void inventory_calls(void (*fn)(const inventory_call *c, void *arg), void *arg)
{
    buf file = BUF_INIT, what = BUF_INIT;
    for (int i = 0; resource_type_at(i); i++) {
        const resource_type *t = resource_type_at(i);
        const char *dir = t->global ? "global" : "REGION";
        if (t->operation) {
            buf_reset(&file);
            if (t->parent)
                buf_printf(&file, "%s/%s.%s.<%s id>.json", dir, t->client, t->operation, t->parent);
            else
                buf_printf(&file, "%s/%s.%s.json", dir, t->client, t->operation);
            emit(fn, arg, t->name, t->client, t->operation, t->parent ? "per parent" : "listing",
                 file.data, "the resources");
        }
        size_t nd = 0;
        const detail_spec *ds = inv_details(t, &nd);
        for (size_t k = 0; k < nd; k++) {
            buf_reset(&file);
            buf_reset(&what);
            if (ds[k].placebo_only)
                buf_puts(&file, "recordings only");
            else
                buf_printf(&file, "%s/%s.%s.<%s%s>.json", dir, ds[k].client, ds[k].operation,
                           ds[k].file_key ? ds[k].file_key : t->id_field,
                           ds[k].file_tail ? " after its last /" : "");
            buf_puts(&what, ds[k].mode == DM_SET ? ds[k].key : "merged into the document");
            emit(fn, arg, t->name, ds[k].client, ds[k].operation, "per resource", file.data,
                 what.data);
        }
        for (size_t k = 0; k < COUNT(JOINS); k++) {
            if (strcmp(JOINS[k].type, t->name) != 0) continue;
            buf_reset(&file);
            buf_printf(&file, "%s/%s.%s.json", dir, JOINS[k].client, JOINS[k].operation);
            emit(fn, arg, t->name, JOINS[k].client, JOINS[k].operation, "listing, joined",
                 file.data, JOINS[k].key);
        }
        for (size_t k = 0; k < COUNT(MERGES); k++) {
            if (strcmp(MERGES[k].type, t->name) != 0) continue;
            buf_reset(&file);
            buf_printf(&file, "%s/%s.%s.<%s>.json (every attribute in one file)", dir,
                       MERGES[k].client, MERGES[k].operation, t->id_field);
            emit(fn, arg, t->name, MERGES[k].client, MERGES[k].operation,
                 "per resource and attribute", file.data, MERGES[k].key);
        }
        for (size_t k = 0; k < COUNT(BY_ID); k++) {
            if (strcmp(BY_ID[k].type, t->name) != 0) continue;
            buf_reset(&file);
            buf_printf(&file, "%s/%s.%s.<%s>.json", dir, t->client, BY_ID[k].operation,
                       t->id_field);
            emit(fn, arg, t->name, t->client, BY_ID[k].operation,
                 "per resource (when the listing is absent)", file.data, "the resources");
        }
    }
    for (size_t k = 0; k < COUNT(ACCOUNT_CALLS); k++) {
        const struct account_spec *c = &ACCOUNT_CALLS[k];
        buf_reset(&file);
        buf_printf(&file, "%s/%s.%s.json", c->global ? "global" : "REGION", c->client,
                   c->operation);
        emit(fn, arg, "aws.account", c->client, c->operation, "account", file.data, c->key);
    }
    /* calls_types.c, and guard_duty above */
    static const struct {
        const char *type, *client, *op, *kind, *file, *key;
    } SPECIAL[] = {
        {"aws.account", "guardduty", "ListDetectors", "account",
         "REGION/guardduty.ListDetectors.json", "c7n:guard-duty"},
        {"aws.account", "guardduty", "GetDetector", "account (the last detector)",
         "REGION/guardduty.GetDetector.<DetectorId>.json", "c7n:guard-duty Detector"},
        {"aws.account", "guardduty", "GetAdministratorAccount", "account (the last detector)",
         "REGION/guardduty.GetAdministratorAccount.<DetectorId>.json",
         "c7n:guard-duty Administrator"},
        {"aws.ec2", "ec2", "DescribeTags", "listing, joined", "REGION/ec2.DescribeTags.json",
         "Tags (instances listed without them)"},
        {"aws.iam-user, aws.account", "iam", "GetCredentialReport", "account",
         "global/iam.GetCredentialReport.json", "c7n:credential-report"},
        {"aws.account", "iam", "GetAccountSummary", "account", "global/iam.GetAccountSummary.json",
         "c7n:iam_summary"},
        {"aws.iam-user", "iam", "ListEntitiesForPolicy",
         "account (each watched AWS managed policy)",
         "global/iam.ListEntitiesForPolicy.<PolicyName>.json", "custos:aws-managed-policies"},
        {"aws.account", "iam", "GetAccountPasswordPolicy", "account",
         "global/iam.GetAccountPasswordPolicy.json", "c7n:password_policy"},
        {"aws.rds", "rds", "DescribeDBParameters", "per parameter group",
         "REGION/rds.DescribeDBParameters.<DBParameterGroupName>.json", "c7n:db-parameters"},
        {"aws.lambda", "cloudfront", "ListDistributions", "listing, joined",
         "global/cloudfront.ListDistributions.json", "c7n:DistributionIds"},
        {"aws.asg", "autoscaling", "DescribeLaunchConfigurations", "listing, joined",
         "REGION/autoscaling.DescribeLaunchConfigurations.json", "c7n:launch-key-names"},
        {"aws.asg", "ec2", "DescribeLaunchTemplateVersions", "listing, joined",
         "REGION/ec2.DescribeLaunchTemplateVersions.json", "c7n:launch-key-names"},
        {"aws.ebs", "support", "DescribeTrustedAdvisorCheckResult", "account (checkId H7IgTzjTYb)",
         "global/support.DescribeTrustedAdvisorCheckResult.json", "c7n:ta-not-fault-tolerant"},
        {"aws.ec2, aws.rds, aws.elb, aws.app-elb, aws.ebs", "health", "DescribeEvents", "account",
         "global/health.DescribeEvents.json", "c7n:health-events"},
        {"aws.ec2, aws.rds, aws.elb, aws.app-elb, aws.ebs", "health", "DescribeAffectedEntities",
         "account", "global/health.DescribeAffectedEntities.json", "c7n:health-events"},
    };
    for (size_t k = 0; k < COUNT(SPECIAL); k++)
        emit(fn, arg, SPECIAL[k].type, SPECIAL[k].client, SPECIAL[k].op, SPECIAL[k].kind,
             SPECIAL[k].file, SPECIAL[k].key);
    buf_free(&file);
    buf_free(&what);
}
