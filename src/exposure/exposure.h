/* exposure.h - can the internet reach a resource, and how much depends on it.
 *
 * Priority needs facts, not guesses: a security group open to the world
 * matters when something uses it and a packet can actually arrive.  The
 * exposure model is built once per scope (account/region) from its network
 * sets (ENIs, instances, subnets, route tables, internet gateways, network
 * ACLs, load balancers), memoised with scope_memo, and answers per
 * resource:
 *
 *  - blast radius: how many network interfaces, instances and load
 *    balancers use a security group (or sit behind a load balancer);
 *  - exposure: is there one path from the internet to it, i.e. an attached
 *    interface with a public address (public/Elastic IP, or an
 *    internet-facing load balancer), in a subnet whose route table (its
 *    explicit association, else the VPC's main table) sends 0.0.0.0/0 or
 *    ::/0 to an internet gateway, whose network ACL allows the port inbound
 *    from the internet (rules in number order, first match wins), and a
 *    security group allowing it (for a group finding: the evidence's
 *    ports).
 *
 * Supported types: aws.security-group, aws.ec2, aws.eni, aws.rds, aws.elb,
 * aws.app-elb.  Others get known = false, and so does every resource of a
 * scope with no network data (no interfaces, instances, load balancers or
 * subnets).  For a group the evidence's rules are what the internet is
 * allowed to reach; for the other types their groups' ingress rules open
 * to public addresses are (a database: on its Endpoint.Port).  Instances
 * without interface data stand for their primary interface.  The
 * approximations (any internet-gateway route counts, IPv4 network ACL
 * entries only, missing route/ACL data assumed open) are listed in
 * exposure.c; each errs towards "exposed".  Thread-safe; the model is
 * read-only once built.
 */
#ifndef CUSTOS_EXPOSURE_H
#define CUSTOS_EXPOSURE_H

#include <stdbool.h>

#include "inventory/scope.h"
#include "json/json.h"
#include "resources/resource.h"

typedef struct exposure {
    bool known;              /* false: type not modelled or no network data */
    unsigned enis;           /* network interfaces using it */
    unsigned instances;      /* distinct EC2 instances using it */
    unsigned load_balancers; /* load balancers using it */
    bool vpc_has_igw;        /* its VPC has an internet gateway attached */
    bool public_address;     /* some attachment has a public IP / is internet-facing */
    bool igw_route;          /* some attachment's subnet routes to an internet gateway */
    bool nacl_allows;        /* ... and its network ACL lets the port(s) in */
    bool reachable;          /* all of the above on one attachment */
    /* One reachable (or nearest to reachable) path, for the reasons line,
     * e.g. "i-0abc (54.1.2.3) in subnet-0123 via igw-0456"; "" when none. */
    char path[192];
    /* The EC2 instance on that path ("" when the path is a load balancer or
     * there is none): what a runbook's `ssm start-session --target` needs. */
    char instance[32];
} exposure;

/* Fills *out for resource r of type t in scope sc.  evidence (may be NULL
 * or null) is the finding's evidence: for a security group, the offending
 * permissions ([{IpProtocol, FromPort, ToPort, ...}]) give the ports to
 * test; without it any port counts. */
void exposure_of(scope_ctx *sc, const resource_type *t, const jv *r, const jv *evidence,
                 exposure *out);

#endif
