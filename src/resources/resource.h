/* resource.h - the resource type registry.
 *
 * One table entry per Cloud Custodian resource type: its names, the API
 * operation that lists it, where the items sit in the response, the id
 * field, and how to build its ARN.  Everything type-specific that the
 * inventory reader and the engine need comes from here, so adding a type
 * is one entry.
 */
#ifndef CUSTOS_RESOURCE_H
#define CUSTOS_RESOURCE_H

#include <stdbool.h>

#include "json/json.h"

typedef struct resource_type {
    const char *name;       /* "aws.security-group" */
    const char *service;    /* botocore endpoint prefix: "ec2" */
    const char *operation;  /* "DescribeSecurityGroups" */
    const char *items_path; /* JMESPath-lite dotted path to the list in the
                             * response, "[]" flattens: "Reservations[].Instances" */
    const char *id_field;   /* "GroupId" */
    const char *name_field; /* human name, may be NULL: "GroupName" */
    bool global;            /* IAM, S3 listing: not per region */
    const char *arn_fmt;    /* e.g. "arn:aws:ec2:{region}:{account}:security-group/{id}" */
} resource_type;

/* Accepts "aws.ec2" and "ec2" (Custodian treats them the same). */
const resource_type *resource_type_find(const char *name);
const resource_type *resource_type_at(int i); /* NULL past the end */

/* A list of resources of one type in one account/region. */
typedef struct resource_set {
    const resource_type *type;
    const char *account_id;
    const char *region;
    jv *items;
    size_t n;
} resource_set;

/* Finds a resource by id in a set (linear unless indexed; see inventory.c). */
const jv *resource_set_find(const resource_set *s, const char *id);

#endif
