/* test_exposure.c - the exposure model over hand-built scopes. */
#include <stdlib.h>
#include <string.h>

#include "inventory/scope.h"
#include "exposure/exposure.h"
#include "resources/resource.h"
#include "t.h"
#include "filter_test.h" /* A and J() */
#include "util/buf.h"

/* One network: vpc-pub (igw-1) with subnet-pub routed to it explicitly,
 * subnet-priv on a NAT-only table and subnet-main on the main table (no
 * gateway); vpc-dark (no gateway at all); vpc-m whose main table routes to
 * igw-2 (subnet-m relies on it).  subnet-acl has a network ACL denying
 * tcp 0-1023 before allowing everything. */
static const char *SUBNETS = "[{\"SubnetId\":\"subnet-pub\",\"VpcId\":\"vpc-pub\"},"
                             "{\"SubnetId\":\"subnet-priv\",\"VpcId\":\"vpc-pub\"},"
                             "{\"SubnetId\":\"subnet-main\",\"VpcId\":\"vpc-pub\"},"
                             "{\"SubnetId\":\"subnet-acl\",\"VpcId\":\"vpc-pub\"},"
                             "{\"SubnetId\":\"subnet-dark\",\"VpcId\":\"vpc-dark\"},"
                             "{\"SubnetId\":\"subnet-m\",\"VpcId\":\"vpc-m\"}]";
static const char *ROUTES =
    "[{\"RouteTableId\":\"rtb-pub\",\"VpcId\":\"vpc-pub\",\"Associations\":["
    "{\"SubnetId\":\"subnet-pub\",\"Main\":false},{\"SubnetId\":\"subnet-acl\",\"Main\":false}],"
    "\"Routes\":[{\"DestinationCidrBlock\":\"10.0.0.0/16\",\"GatewayId\":\"local\"},"
    "{\"DestinationCidrBlock\":\"0.0.0.0/0\",\"GatewayId\":\"igw-1\",\"State\":\"active\"}]},"
    "{\"RouteTableId\":\"rtb-priv\",\"VpcId\":\"vpc-pub\",\"Associations\":["
    "{\"SubnetId\":\"subnet-priv\",\"Main\":false}],\"Routes\":[{\"DestinationCidrBlock\":"
    "\"0.0.0.0/0\",\"NatGatewayId\":\"nat-1\"}]},"
    "{\"RouteTableId\":\"rtb-main\",\"VpcId\":\"vpc-pub\",\"Associations\":[{\"Main\":true}],"
    "\"Routes\":[{\"DestinationCidrBlock\":\"10.0.0.0/16\",\"GatewayId\":\"local\"}]},"
    "{\"RouteTableId\":\"rtb-dark\",\"VpcId\":\"vpc-dark\",\"Associations\":[{\"Main\":true}],"
    "\"Routes\":[{\"DestinationCidrBlock\":\"10.1.0.0/16\",\"GatewayId\":\"local\"}]},"
    "{\"RouteTableId\":\"rtb-m\",\"VpcId\":\"vpc-m\",\"Associations\":[{\"Main\":true}],"
    "\"Routes\":[{\"DestinationIpv6CidrBlock\":\"::/0\",\"GatewayId\":\"igw-2\"}]}]";
static const char *IGWS =
    "[{\"InternetGatewayId\":\"igw-1\",\"Attachments\":[{\"VpcId\":\"vpc-pub\",\"State\":"
    "\"available\"}]},{\"InternetGatewayId\":\"igw-2\",\"Attachments\":[{\"VpcId\":\"vpc-m\"}]}]";
static const char *NACLS =
    "[{\"NetworkAclId\":\"acl-default\",\"VpcId\":\"vpc-pub\",\"IsDefault\":true,"
    "\"Associations\":[{\"SubnetId\":\"subnet-pub\"}],\"Entries\":["
    "{\"RuleNumber\":100,\"Egress\":false,\"RuleAction\":\"allow\",\"Protocol\":\"-1\","
    "\"CidrBlock\":\"0.0.0.0/0\"},{\"RuleNumber\":32767,\"Egress\":false,\"RuleAction\":"
    "\"deny\",\"Protocol\":\"-1\",\"CidrBlock\":\"0.0.0.0/0\"},"
    /* Numbers no AWS entry has (CI's fuzzer found the first): ignored, and
     * never converted to int out of range. */
    "{\"RuleNumber\":10111111111111111111111111110,\"Egress\":false,\"RuleAction\":\"deny\","
    "\"Protocol\":\"-1\",\"CidrBlock\":\"0.0.0.0/0\"},"
    "{\"RuleNumber\":-1e300,\"Egress\":false,\"RuleAction\":\"deny\",\"Protocol\":1e40,"
    "\"CidrBlock\":\"0.0.0.0/0\"},"
    "{\"RuleNumber\":60,\"Egress\":false,\"RuleAction\":\"deny\",\"Protocol\":\"6\","
    "\"PortRange\":{\"From\":-1e30,\"To\":1e30},\"CidrBlock\":\"10.0.0.0/8\"}]},"
    "{\"NetworkAclId\":\"acl-strict\",\"VpcId\":\"vpc-pub\",\"IsDefault\":false,"
    "\"Associations\":[{\"SubnetId\":\"subnet-acl\"}],\"Entries\":["
    "{\"RuleNumber\":200,\"Egress\":false,\"RuleAction\":\"allow\",\"Protocol\":\"-1\","
    "\"CidrBlock\":\"0.0.0.0/0\"},"
    "{\"RuleNumber\":100,\"Egress\":false,\"RuleAction\":\"deny\",\"Protocol\":\"6\","
    "\"PortRange\":{\"From\":0,\"To\":1023},\"CidrBlock\":\"0.0.0.0/0\"},"
    "{\"RuleNumber\":50,\"Egress\":false,\"RuleAction\":\"allow\",\"Protocol\":\"6\","
    "\"PortRange\":{\"From\":22,\"To\":22},\"CidrBlock\":\"10.0.0.0/8\"},"
    "{\"RuleNumber\":32767,\"Egress\":false,\"RuleAction\":\"deny\",\"Protocol\":\"-1\","
    "\"CidrBlock\":\"0.0.0.0/0\"}]}]";
static const char *GROUPS =
    "[{\"GroupId\":\"sg-web\",\"VpcId\":\"vpc-pub\",\"IpPermissions\":[{\"IpProtocol\":\"tcp\","
    "\"FromPort\":443,\"ToPort\":443,\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]},"
    "{\"GroupId\":\"sg-internal\",\"VpcId\":\"vpc-pub\",\"IpPermissions\":[{\"IpProtocol\":"
    "\"tcp\",\"FromPort\":22,\"ToPort\":22,\"IpRanges\":[{\"CidrIp\":\"10.0.0.0/8\"}]}]},"
    "{\"GroupId\":\"sg-db\",\"VpcId\":\"vpc-pub\",\"IpPermissions\":[{\"IpProtocol\":\"tcp\","
    "\"FromPort\":5432,\"ToPort\":5432,\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]}]";

static buf enis_text, ec2_text;

/* An interface: id, subnet, vpc, public IP ("" none), instance ("" none), group. */
static void add_eni(const char *id, const char *subnet, const char *vpc, const char *ip,
                    const char *inst, const char *group)
{
    buf_printf(&enis_text, "%s{\"NetworkInterfaceId\":\"%s\",\"SubnetId\":\"%s\",\"VpcId\":\"%s\"",
               enis_text.len > 1 ? "," : "", id, subnet, vpc);
    if (*ip) buf_printf(&enis_text, ",\"Association\":{\"PublicIp\":\"%s\"}", ip);
    if (*inst) buf_printf(&enis_text, ",\"Attachment\":{\"InstanceId\":\"%s\"}", inst);
    buf_printf(&enis_text, ",\"Groups\":[{\"GroupId\":\"%s\"}]}", group);
}

static scope_ctx *SC;

static void build_scope(void)
{
    buf_puts(&enis_text, "[");
    add_eni("eni-pub", "subnet-pub", "vpc-pub", "54.1.2.3", "i-pub", "sg-ssh");
    add_eni("eni-dark", "subnet-dark", "vpc-dark", "", "i-dark", "sg-dark");
    add_eni("eni-acl", "subnet-acl", "vpc-pub", "54.1.2.4", "i-acl", "sg-acl");
    add_eni("eni-priv", "subnet-priv", "vpc-pub", "54.1.2.5", "i-priv", "sg-priv");
    add_eni("eni-main", "subnet-main", "vpc-pub", "54.1.2.6", "i-main", "sg-main");
    add_eni("eni-m", "subnet-m", "vpc-m", "54.1.2.7", "i-m", "sg-m");
    add_eni("eni-web", "subnet-pub", "vpc-pub", "54.1.2.8", "i-web", "sg-web");
    add_eni("eni-int", "subnet-pub", "vpc-pub", "54.1.2.9", "i-int", "sg-internal");
    for (int i = 0; i < 40; i++) {
        char id[32], inst[32];
        snprintf(id, sizeof id, "eni-fleet%d", i);
        snprintf(inst, sizeof inst, "i-fleet%d", i);
        add_eni(id, "subnet-priv", "vpc-pub", "", inst, "sg-fleet");
    }
    /* A second interface of one fleet instance: still 40 instances. */
    add_eni("eni-fleet0b", "subnet-priv", "vpc-pub", "", "i-fleet0", "sg-fleet");
    buf_puts(&enis_text, "]");
    /* i-bare has no interface data: the instance stands for it. */
    buf_puts(&ec2_text, "[{\"InstanceId\":\"i-web\",\"VpcId\":\"vpc-pub\",\"State\":{\"Name\":"
                        "\"running\"}},{\"InstanceId\":\"i-bare\",\"VpcId\":\"vpc-pub\","
                        "\"SubnetId\":\"subnet-pub\",\"PublicIpAddress\":\"3.3.3.3\","
                        "\"State\":{\"Name\":\"running\"},\"SecurityGroups\":[{\"GroupId\":"
                        "\"sg-web\"}]},{\"InstanceId\":\"i-int\",\"VpcId\":\"vpc-pub\"}]");
    static resource_set sets[10];
    const char *types[][2] = {
        {"aws.subnet", SUBNETS},
        {"aws.route-table", ROUTES},
        {"aws.internet-gateway", IGWS},
        {"aws.network-acl", NACLS},
        {"aws.security-group", GROUPS},
        {"aws.eni", enis_text.data},
        {"aws.ec2", ec2_text.data},
        {"aws.app-elb",
         "[{\"LoadBalancerArn\":\"arn:alb/web\",\"LoadBalancerName\":\"web\",\"Scheme\":"
         "\"internet-facing\",\"VpcId\":\"vpc-pub\",\"SecurityGroups\":[\"sg-alb\"],"
         "\"AvailabilityZones\":[{\"ZoneName\":\"us-east-1a\",\"SubnetId\":\"subnet-pub\"}]},"
         "{\"LoadBalancerArn\":\"arn:alb/int\",\"LoadBalancerName\":\"int\",\"Scheme\":"
         "\"internal\",\"VpcId\":\"vpc-pub\",\"SecurityGroups\":[\"sg-intlb\"],"
         "\"AvailabilityZones\":[{\"SubnetId\":\"subnet-pub\"}]}]"},
        {"aws.elb", "[{\"LoadBalancerName\":\"classic\",\"Scheme\":\"internet-facing\","
                    "\"VPCId\":\"vpc-pub\",\"Subnets\":[\"subnet-pub\"],\"SecurityGroups\":"
                    "[\"sg-web\"],\"Instances\":[{\"InstanceId\":\"i-web\"}]}]"},
    };
    size_t n = sizeof types / sizeof *types;
    for (size_t i = 0; i < n; i++) {
        jv arr = J(types[i][1]);
        sets[i] = (resource_set){.type = resource_type_find(types[i][0]),
                                 .account_id = "111122223333",
                                 .region = "us-east-1",
                                 .items = arr.u.items,
                                 .n = arr.len};
        resource_set_index(&sets[i], A);
    }
    SC = scope_new_static(A, "111122223333", "us-east-1", sets, n, NULL, 0, NULL);
}

static exposure of(const char *type, const char *doc, const char *evidence)
{
    exposure e;
    jv r = J(doc), ev = evidence ? J(evidence) : jv_null();
    exposure_of(SC, resource_type_find(type), &r, evidence ? &ev : NULL, &e);
    return e;
}

static exposure of_sg(const char *gid, const char *vpc, const char *evidence)
{
    char doc[128];
    snprintf(doc, sizeof doc, "{\"GroupId\":\"%s\",\"VpcId\":\"%s\"}", gid, vpc);
    return of("aws.security-group", doc, evidence);
}

#define SSH_EV "[{\"IpProtocol\":\"tcp\",\"FromPort\":22,\"ToPort\":22}]"
#define HTTPS_EV "[{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443}]"

TEST(public_subnet_public_ip_reachable)
{
    exposure e = of_sg("sg-ssh", "vpc-pub", SSH_EV);
    CHECK(e.known && e.vpc_has_igw && e.public_address && e.igw_route && e.nacl_allows);
    CHECK(e.reachable);
    CHECK(e.enis == 1 && e.instances == 1 && e.load_balancers == 0);
    CHECK_STR(e.path, "i-pub (54.1.2.3) in subnet-pub via igw-1");
}

TEST(no_igw_not_reachable)
{
    exposure e = of_sg("sg-dark", "vpc-dark", SSH_EV);
    CHECK(e.known && e.enis == 1 && e.instances == 1);
    CHECK(!e.vpc_has_igw && !e.public_address && !e.igw_route && !e.reachable);
    CHECK(strstr(e.path, "no route to an internet gateway") != NULL);
}

TEST(nacl_deny_on_port)
{
    exposure e = of_sg("sg-acl", "vpc-pub", SSH_EV);
    CHECK(e.public_address && e.igw_route && !e.nacl_allows && !e.reachable);
    CHECK(strstr(e.path, "acl-strict") != NULL);
    /* 443 is denied too; 8443 is past the deny range. */
    e = of_sg("sg-acl", "vpc-pub", HTTPS_EV);
    CHECK(!e.nacl_allows && !e.reachable);
    e = of_sg("sg-acl", "vpc-pub", "[{\"IpProtocol\":\"tcp\",\"FromPort\":8443,\"ToPort\":8443}]");
    CHECK(e.nacl_allows && e.reachable);
    /* A range that straddles the deny still lets 1024.. in. */
    e = of_sg("sg-acl", "vpc-pub", "[{\"IpProtocol\":\"tcp\",\"FromPort\":0,\"ToPort\":2000}]");
    CHECK(e.reachable);
    e = of_sg("sg-acl", "vpc-pub", "[{\"IpProtocol\":\"tcp\",\"FromPort\":0,\"ToPort\":1023}]");
    CHECK(!e.reachable);
    /* udp is not denied; all traffic includes it. */
    e = of_sg("sg-acl", "vpc-pub", "[{\"IpProtocol\":\"udp\",\"FromPort\":53,\"ToPort\":53}]");
    CHECK(e.reachable);
    e = of_sg("sg-acl", "vpc-pub", "[{\"IpProtocol\":\"-1\"}]");
    CHECK(e.reachable);
}

TEST(blast_radius_forty_instances)
{
    exposure e = of_sg("sg-fleet", "vpc-pub", SSH_EV);
    CHECK(e.known && e.instances == 40 && e.enis == 41 && e.load_balancers == 0);
    CHECK(!e.public_address && !e.igw_route && !e.reachable); /* private subnet, no IPs */
    /* A group nothing uses. */
    e = of_sg("sg-nothing", "vpc-pub", SSH_EV);
    CHECK(e.known && e.enis == 0 && e.instances == 0 && e.vpc_has_igw && !e.reachable);
    CHECK_STR(e.path, "");
}

TEST(internet_facing_alb)
{
    exposure e = of_sg("sg-alb", "vpc-pub", HTTPS_EV);
    CHECK(e.load_balancers == 1 && e.enis == 0 && e.public_address && e.reachable);
    CHECK(strstr(e.path, "internet-facing load balancer web") != NULL);
    e = of_sg("sg-intlb", "vpc-pub", HTTPS_EV);
    CHECK(e.load_balancers == 1 && !e.public_address && e.igw_route && !e.reachable);
    e = of("aws.app-elb", "{\"LoadBalancerArn\":\"arn:alb/web\"}", NULL);
    CHECK(e.known && e.load_balancers == 1 && e.public_address); /* sg-alb not in data: allows */
    CHECK(e.reachable);
    /* sg-web: an interface, the bare instance and the classic ELB. */
    e = of_sg("sg-web", "vpc-pub", HTTPS_EV);
    CHECK(e.enis == 1 && e.instances == 2 && e.load_balancers == 1 && e.reachable);
    e = of("aws.elb",
           "{\"LoadBalancerName\":\"classic\",\"Instances\":[{\"InstanceId\":"
           "\"i-web\"}]}",
           NULL);
    CHECK(e.load_balancers == 1 && e.instances == 1 && e.reachable);
}

TEST(private_subnets)
{
    /* Explicit association with a NAT-only table. */
    exposure e = of_sg("sg-priv", "vpc-pub", SSH_EV);
    CHECK(e.public_address && e.vpc_has_igw && !e.igw_route && !e.reachable);
    /* No association: the VPC's main table, which has no gateway route. */
    e = of_sg("sg-main", "vpc-pub", SSH_EV);
    CHECK(e.public_address && !e.igw_route && !e.reachable);
    /* Main table fallback that does route to a gateway (IPv6 default). */
    e = of_sg("sg-m", "vpc-m", SSH_EV);
    CHECK(e.igw_route && e.reachable);
    CHECK(strstr(e.path, "igw-2") != NULL);
}

TEST(instances_need_an_open_group)
{
    /* i-web's group opens 443 to the world. */
    exposure e = of("aws.ec2", "{\"InstanceId\":\"i-web\",\"VpcId\":\"vpc-pub\"}", NULL);
    CHECK(e.known && e.instances == 1 && e.enis == 1 && e.load_balancers == 1 && e.reachable);
    /* i-int: public IP and route, but its group only allows 10.0.0.0/8. */
    e = of("aws.ec2", "{\"InstanceId\":\"i-int\",\"VpcId\":\"vpc-pub\"}", NULL);
    CHECK(e.public_address && e.igw_route && !e.reachable);
    CHECK(strstr(e.path, "no security group open") != NULL);
    /* An instance without interface data. */
    e = of("aws.ec2", "{\"InstanceId\":\"i-bare\",\"VpcId\":\"vpc-pub\"}", NULL);
    CHECK(e.enis == 0 && e.public_address && e.reachable);
    e = of("aws.eni", "{\"NetworkInterfaceId\":\"eni-pub\"}", NULL);
    CHECK(e.known && e.enis == 1 && e.instances == 1 && e.public_address); /* sg-ssh unknown */
}

TEST(databases)
{
    const char *db = "{\"DBInstanceIdentifier\":\"orders\",\"PubliclyAccessible\":true,"
                     "\"Endpoint\":{\"Address\":\"orders.x.rds.amazonaws.com\",\"Port\":5432},"
                     "\"VpcSecurityGroups\":[{\"VpcSecurityGroupId\":\"sg-db\"}],"
                     "\"DBSubnetGroup\":{\"VpcId\":\"vpc-pub\",\"Subnets\":[{\"SubnetIdentifier\":"
                     "\"subnet-priv\"},{\"SubnetIdentifier\":\"subnet-pub\"}]}}";
    exposure e = of("aws.rds", db, NULL);
    CHECK(e.known && e.public_address && e.igw_route && e.reachable);
    const char *internal = "{\"DBInstanceIdentifier\":\"orders\",\"PubliclyAccessible\":false,"
                           "\"Endpoint\":{\"Port\":5432},\"VpcSecurityGroups\":[{"
                           "\"VpcSecurityGroupId\":\"sg-db\"}],\"DBSubnetGroup\":{\"VpcId\":"
                           "\"vpc-pub\",\"Subnets\":[{\"SubnetIdentifier\":\"subnet-pub\"}]}}";
    e = of("aws.rds", internal, NULL);
    CHECK(!e.public_address && !e.reachable);
    /* Port 3306 is not what sg-db opens. */
    const char *mysql = "{\"DBInstanceIdentifier\":\"m\",\"PubliclyAccessible\":true,"
                        "\"Endpoint\":{\"Port\":3306},\"VpcSecurityGroups\":[{"
                        "\"VpcSecurityGroupId\":\"sg-db\"}],\"DBSubnetGroup\":{\"VpcId\":"
                        "\"vpc-pub\",\"Subnets\":[{\"SubnetIdentifier\":\"subnet-pub\"}]}}";
    e = of("aws.rds", mysql, NULL);
    CHECK(e.public_address && !e.reachable);
}

TEST(unknown_types_and_no_scope)
{
    exposure e = of("aws.s3", "{\"Name\":\"b\"}", NULL);
    CHECK(!e.known);
    jv r = J("{\"GroupId\":\"sg-ssh\"}");
    exposure_of(NULL, resource_type_find("aws.security-group"), &r, NULL, &e);
    CHECK(!e.known && !e.reachable && e.enis == 0);
    /* A scope with no network data at all. */
    scope_ctx *empty = scope_new_static(A, "111122223333", "us-east-1", NULL, 0, NULL, 0, NULL);
    exposure_of(empty, resource_type_find("aws.security-group"), &r, NULL, &e);
    CHECK(!e.known);
    scope_free_static(empty);
}

int main(void)
{
    A = arena_new(0);
    build_scope();
    RUN(public_subnet_public_ip_reachable);
    RUN(no_igw_not_reachable);
    RUN(nacl_deny_on_port);
    RUN(blast_radius_forty_instances);
    RUN(internet_facing_alb);
    RUN(private_subnets);
    RUN(instances_need_an_open_group);
    RUN(databases);
    RUN(unknown_types_and_no_scope);
    scope_free_static(SC);
    buf_free(&enis_text);
    buf_free(&ec2_text);
    arena_free(A);
    T_EXIT();
}
