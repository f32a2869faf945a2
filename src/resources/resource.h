/* resource.h - the resource type registry.
 *
 * One table entry per Cloud Custodian resource type: its names, the API
 * operation that lists it, where the items sit in the response, the id
 * field, and how to build its ARN.  Everything type-specific that the
 * inventory reader and the engine need comes from here, so adding a type
 * is one entry.
 *
 * Two service names per type: `service` is botocore's endpoint prefix (what
 * SigV4 signs and what Custodian's placebo recordings are named after, e.g.
 * "elasticloadbalancing", "monitoring"), `client` is the boto3 client / AWS
 * CLI service name ("elb", "elbv2", "autoscaling") used in the custos
 * inventory layout's file names, because elb and elbv2 share one endpoint
 * prefix and one operation name.
 *
 * The table is static and read-only: every function here is thread-safe.
 * A resource_set is indexed by id once (resource_set_index, done by the
 * inventory at load time); resource_set_find is then O(1) on average and
 * never writes, so sets can be shared by evaluation threads.
 */
#ifndef CUSTOS_RESOURCE_H
#define CUSTOS_RESOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "json/json.h"
#include "util/buf.h"

typedef struct resource_type {
    const char *name;       /* "aws.security-group" */
    const char *service;    /* botocore endpoint prefix: "ec2" */
    const char *operation;  /* "DescribeSecurityGroups"; NULL for synthetic
                             * types (aws.account) */
    const char *items_path; /* JMESPath-lite dotted path to the list in the
                             * response, "[]" flattens: "Reservations[].Instances[]" */
    const char *id_field;   /* "GroupId" */
    const char *name_field; /* human name, may be NULL: "GroupName" */
    bool global;            /* IAM, S3 listing: not per region */
    const char *arn_fmt;    /* e.g. "arn:aws:ec2:{region}:{account}:security-group/{id}" */
    /* --- extensions (keep new fields at the end) --- */
    const char *client;     /* boto3 client / CLI name for custos file names: "elbv2" */
    const char *arn_field;  /* field carrying the ARN when the API returns it, or NULL */
    const char *date_field; /* creation date field (Custodian's `date`), or NULL */
    /* Child types (Custodian's ChildResourceManager): `operation` is called
     * once per resource of this parent type (per-resource files named by
     * the parent's id), and the items of all answers make the set. */
    const char *parent;
} resource_type;

/* Accepts "aws.ec2" and "ec2" (Custodian treats them the same). */
const resource_type *resource_type_find(const char *name);
const resource_type *resource_type_at(int i); /* NULL past the end */
int resource_type_count(void);

/* The id / name of resource r (NULL when the field is missing or not a
 * string).  name falls back to the id. */
const char *resource_id(const resource_type *t, const jv *r);
const char *resource_name(const resource_type *t, const jv *r);

/* The region a finding on r should name.  Regional types: the scope's
 * region.  S3: the bucket's own region (Location; a null constraint is
 * us-east-1, as in AWS).  Other global types (IAM, the account): "global". */
const char *resource_region(const resource_type *t, const jv *r, const char *scope_region);

/* Appends r's ARN to out: the arn_field when present, else arn_fmt with
 * {account}, {region} and {id} substituted.  Returns false (nothing
 * appended) when neither gives an ARN. */
bool resource_arn(const resource_type *t, const jv *r, const char *account, const char *region,
                  buf *out);

/* Appends to *out (an array builder) every item that t->items_path selects
 * in one API response.  Returns the number appended; 0 when the path is
 * absent (an empty listing). */
size_t resource_items(const resource_type *t, const jv *response, jv_builder *out);

typedef struct resource_index resource_index;

/* A list of resources of one type in one account/region. */
typedef struct resource_set {
    const resource_type *type;
    const char *account_id;
    const char *region;
    jv *items;
    size_t n;
    const resource_index *index; /* by id; NULL = linear lookup */
    /* The listing call was not in the inventory at all (no file): n is 0
     * because nothing was collected, not because nothing exists. */
    bool missing;
} resource_set;

/* Builds s->index in arena a (call once, before sharing s between threads). */
void resource_set_index(resource_set *s, arena *a);

/* Finds a resource by id in a set: O(1) average when indexed. */
const jv *resource_set_find(const resource_set *s, const char *id);

#endif
