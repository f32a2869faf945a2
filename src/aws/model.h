/* model.h - the AWS service model tables (generated) and lookups.
 *
 * scripts/gen-aws-tables.py writes build/.../gen/aws_tables.c from the
 * service models botocore ships (python3-botocore), for exactly the
 * operations src/aws/plan.c names: per service its protocol, API version,
 * endpoint prefix, signing name, JSON target prefix and serviceId; per
 * operation its HTTP binding, input and output shapes and paginator; and
 * the shapes reachable from them.  Shapes refer to each other by index into
 * their service's `shapes`; a structure's members are the `nmembers` rows
 * of `members` from `first`.  The tables are static and read-only, so every
 * lookup here is thread-safe.
 */
#ifndef CUSTOS_AWS_MODEL_H
#define CUSTOS_AWS_MODEL_H

#include <stddef.h>

typedef enum { AWS_EC2, AWS_QUERY, AWS_JSON, AWS_REST_JSON, AWS_REST_XML } aws_protocol;

typedef enum {
    SH_STRUCT,
    SH_LIST,
    SH_MAP,
    SH_STRING,
    SH_INT,
    SH_FLOAT,
    SH_BOOL,
    SH_TIMESTAMP,
    SH_BLOB
} aws_shape_type;

/* SHF_POLICY_DOC: an IAM policy document, URL-encoded JSON on the wire,
 * printed decoded (botocore's json_decode_policies). */
enum { SHF_FLATTENED = 1, SHF_DOCUMENT = 2, SHF_EXCEPTION = 4, SHF_POLICY_DOC = 8 };

typedef enum { LOC_BODY, LOC_HEADER, LOC_URI, LOC_QUERY, LOC_STATUS, LOC_HEADERS } aws_location;

typedef struct aws_member {
    const char *name;       /* member name: the key botocore (and the CLI) uses */
    const char *wire;       /* locationName: XML tag, JSON key, header or query name */
    const char *query_name; /* ec2 queryName, or NULL */
    int shape;
    aws_location location;
    int xml_attribute;
} aws_member;

typedef struct aws_shape {
    aws_shape_type type;
    int flags; /* SHF_* */
    int nmembers, first;
    int member;              /* list member / map key shape, or -1 */
    int value;               /* map value shape, or -1 */
    const char *member_wire; /* list member / map key locationName, or NULL */
    const char *value_wire;  /* map value locationName, or NULL */
    const char *payload;     /* structure: payload member name, or NULL */
    const char *ts_format;   /* timestamp format, or NULL */
} aws_shape;

typedef struct aws_pager {
    const char *input_token[2];  /* request members */
    const char *output_token[2]; /* response expressions ("A.B", "X || Y") */
    const char *more_results;    /* response member saying more follow, or NULL */
    const char *result_key[4];   /* merged across pages */
    const char *non_aggregate[4];
    const char *limit_key;
} aws_pager;

typedef struct aws_operation {
    const char *name; /* "DescribeInstances" */
    const char *method;
    const char *uri; /* request URI template: "/{Bucket}?policy" */
    int input, output;
    const char *result_wrapper; /* query protocol: "ListUsersResult" */
    const aws_pager *pager;     /* NULL when not paginated */
} aws_operation;

typedef struct aws_service {
    const char *client; /* CLI / boto3 name: "elbv2" */
    aws_protocol protocol;
    const char *api_version;
    const char *endpoint_prefix; /* "elasticloadbalancing" */
    const char *signing_name;
    const char *target_prefix; /* json: X-Amz-Target prefix */
    const char *json_version;  /* json: "1.1" */
    const char *service_id;    /* "Elastic Load Balancing v2" */
    const char *global_endpoint;
    const aws_operation *ops;
    int nops;
    const aws_shape *shapes;
    int nshapes;
    const aws_member *members;
} aws_service;

extern const aws_service aws_services[];
extern const size_t aws_nservices;

/* By CLI name ("s3", "elbv2"); NULL when not in the tables. */
const aws_service *aws_service_find(const char *client);
const aws_operation *aws_operation_find(const aws_service *s, const char *name);
static inline const aws_shape *aws_shape_at(const aws_service *s, int i)
{
    return i >= 0 && i < s->nshapes ? &s->shapes[i] : NULL;
}
/* A structure's member by name, or NULL. */
const aws_member *aws_member_find(const aws_service *s, const aws_shape *st, const char *name);

#endif
