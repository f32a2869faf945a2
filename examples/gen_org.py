#!/usr/bin/python3
"""Generate a sample AWS organisation inventory in the custos layout.

usage: gen_org.py --out DIR [--seed 42] [--scale 1] [--epoch 2026-11-01]

44 accounts: 14 product teams x (dev, staging, prod) plus two shared
accounts (security/logging and network).  Each account gets realistic
resources in one or two regions (VPCs, subnets, route tables, internet
gateways, network ACLs, security groups, instances, ENIs, EBS volumes and
snapshots, RDS, classic and application load balancers, Lambda, KMS,
CloudTrail, auto scaling groups) and global data (S3 buckets with their
per-bucket calls, IAM users/roles/policies, a credential report).

Everything is clean except a known set of planted misconfigurations, listed
in DIR/planted.json as {check, resource_type, id, account, region, why}, so
a security policy pack run over the tree must find exactly that set.

Output is deterministic for a given (seed, scale, epoch): the same
arguments give byte-identical trees.  --scale N multiplies every per-scope
and per-account resource count by N (planted resources are added once);
about 8,000 resources at scale 1, over 1,000,000 at scale 130.  Files are
written as they are generated; only one scope is held in memory.

Dates are relative to --epoch (not "now") so the output does not change from
day to day: clean access keys and credentials are at most 30 days older
than the epoch, planted old ones over 1,000 days.

Standard library only; run with /usr/bin/python3.
"""
import argparse
import base64
import datetime
import json
import os
import random
import shutil
import sys

TEAMS = ["payments", "checkout", "search", "catalog", "identity", "messaging",
         "analytics", "mobile", "web", "data-platform", "ml", "billing",
         "support", "growth"]
ENVS = ["dev", "staging", "prod"]
PROD_REGIONS = ["us-east-1", "eu-west-1"]
OTHER_REGIONS = ["us-east-1"]
FOREIGN_ACCOUNT = "999988887777"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"

# Per-scope counts at scale 1 (multiplied by --scale).
PER_SCOPE = {"vpc": 2, "sg_per_vpc": 6, "instance": 20, "spare_eni": 2,
             "snapshot": 5, "rds": 2, "elb": 1, "alb": 2, "lambda": 5,
             "kms": 3, "asg": 2}
PER_ACCOUNT = {"bucket": 8, "user": 10, "role": 8, "policy": 5}

# Planted problems: (check, team or shared account, env, region, kind).
PLANTED = [
    ("sg-ssh-open-to-world", "payments", "prod", "us-east-1", "sg-ssh"),
    ("sg-rdp-open-to-world", "search", "prod", "eu-west-1", "sg-rdp"),
    ("s3-global-grants", "checkout", "dev", None, "bucket-public-acl"),
    ("s3-public-policy", "analytics", "prod", None, "bucket-public-policy"),
    ("s3-cross-account", "ml", "staging", None, "bucket-cross-account"),
    ("s3-public-access-block", "mobile", "dev", None, "bucket-no-pab"),
    ("ebs-unencrypted", "billing", "prod", "us-east-1", "volume-unencrypted"),
    ("ebs-snapshot-public", "data-platform", "staging", "us-east-1", "snapshot-public"),
    ("rds-publicly-accessible", "growth", "prod", "eu-west-1", "rds-public"),
    ("rds-unencrypted", "support", "staging", "us-east-1", "rds-unencrypted"),
    ("iam-user-console-without-mfa", "identity", "prod", None, "user-no-mfa"),
    ("iam-access-key-old", "web", "dev", None, "user-old-key"),
    ("iam-role-trusts-any-principal", "catalog", "prod", None, "role-trust-any"),
    ("cloudtrail-log-validation-off", "messaging", "dev", "us-east-1", "trail-no-validation"),
]


class Gen:
    def __init__(self, out, seed, scale, epoch):
        self.out = out
        self.seed = seed
        self.rng = random.Random(seed)
        self.scale = scale
        self.epoch = epoch
        self.planted = []
        self.counts = {}
        self.files = 0

    # ---- helpers ----
    def hexid(self, prefix, n=17):
        return "%s-%0*x" % (prefix, n, self.rng.getrandbits(4 * n))

    def date(self, days_before, seconds=None):
        if seconds is None:
            seconds = self.rng.randrange(86400)
        t = self.epoch - datetime.timedelta(days=days_before, seconds=seconds)
        return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def write(self, path, obj):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as fh:
            json.dump(obj, fh, separators=(",", ":"))
            fh.write("\n")
        self.files += 1

    def count(self, rtype, n=1):
        self.counts[rtype] = self.counts.get(rtype, 0) + n

    def plant(self, check, rtype, rid, acct, region, why):
        self.planted.append({"check": check, "resource_type": rtype, "id": rid,
                             "account": acct["id"], "region": region, "why": why})

    def tags(self, acct, name, extra=()):
        t = [{"Key": "Name", "Value": name}, {"Key": "team", "Value": acct["team"] or "security"},
             {"Key": "environment", "Value": acct["environment"]}]
        t.extend(extra)
        return t

    # ---- accounts ----
    def accounts(self):
        ids = set()
        accts = []

        def new_id():
            while True:
                i = "%012d" % self.rng.randrange(10 ** 11, 10 ** 12)
                if i not in ids and i != FOREIGN_ACCOUNT:
                    ids.add(i)
                    return i
        for team in TEAMS:
            for env in ENVS:
                accts.append({"id": new_id(), "name": "%s-%s" % (team, env), "team": team,
                              "environment": env,
                              "regions": PROD_REGIONS if env == "prod" else OTHER_REGIONS})
        # Shared accounts belong to no product team; the security team is
        # their contact.
        accts.append({"id": new_id(), "name": "security-logging", "team": None,
                      "environment": "shared", "regions": ["us-east-1"]})
        accts.append({"id": new_id(), "name": "network", "team": None,
                      "environment": "shared", "regions": ["us-east-1", "eu-west-1"]})
        for a in accts:
            a["slug"] = a["team"] or a["name"]
        return accts

    def write_accounts_yaml(self, accts):
        lines = ["# Sample organisation: 14 product teams x dev/staging/prod + 2 shared accounts.",
                 "# Generated by examples/gen_org.py; see examples/README.md for the format.",
                 "teams:"]
        for team in TEAMS:
            lines += ["  %s:" % team,
                      "    contacts:",
                      "      email: %s-oncall@example.com" % team,
                      "      webhook: https://hooks.example.com/services/%s" % team]
        lines.append("accounts:")
        for a in accts:
            lines += ['  - id: "%s"' % a["id"], "    name: %s" % a["name"]]
            if a["team"]:
                lines.append("    team: %s" % a["team"])
            else:
                lines += ["    contacts:", "      email: security-oncall@example.com",
                          "      webhook: https://hooks.example.com/services/security"]
            lines += ["    environment: %s" % a["environment"],
                      "    regions: [%s]" % ", ".join(a["regions"])]
        with open(os.path.join(self.out, "accounts.yaml"), "w") as fh:
            fh.write("\n".join(lines) + "\n")

    def planted_here(self, acct, region):
        return [p for p in PLANTED
                if (p[1] == acct["team"] and p[2] == acct["environment"] and p[3] == region)]

    # ---- one region ----
    def region(self, acct, region):
        d = os.path.join(self.out, acct["id"], region)
        s = self.scale
        kinds = {p[4]: p[0] for p in self.planted_here(acct, region)}
        aid = acct["id"]
        azs = [region + "a", region + "b"]
        vpcs, subnets, rts, igws, nacls, sgs = [], [], [], [], [], []
        app_sgs = []
        for v in range(PER_SCOPE["vpc"] * s):
            vpc_id = self.hexid("vpc")
            cidr = "10.%d.0.0/16" % (v % 250)
            vpcs.append({"VpcId": vpc_id, "CidrBlock": cidr, "State": "available",
                         "OwnerId": aid, "IsDefault": False, "InstanceTenancy": "default",
                         "Tags": self.tags(acct, "%s-vpc-%d" % (acct["name"], v))})
            igw = self.hexid("igw")
            igws.append({"InternetGatewayId": igw, "OwnerId": aid,
                         "Attachments": [{"State": "available", "VpcId": vpc_id}],
                         "Tags": self.tags(acct, "%s-igw-%d" % (acct["name"], v))})
            pub_rt, priv_rt = self.hexid("rtb"), self.hexid("rtb")
            vpc_subnets = []
            for k in range(4):
                public = k < 2
                sn = {"SubnetId": self.hexid("subnet"), "VpcId": vpc_id,
                      "CidrBlock": "10.%d.%d.0/24" % (v % 250, k), "AvailabilityZone": azs[k % 2],
                      "AvailableIpAddressCount": 250, "MapPublicIpOnLaunch": False,
                      "State": "available", "OwnerId": aid, "DefaultForAz": False,
                      "Tags": self.tags(acct, "%s-%s-%d" % (acct["name"], "public" if public else "private", k))}
                sn["SubnetArn"] = "arn:aws:ec2:%s:%s:subnet/%s" % (region, aid, sn["SubnetId"])
                subnets.append(sn)
                vpc_subnets.append((sn, public))
            local = {"DestinationCidrBlock": cidr, "GatewayId": "local", "Origin": "CreateRouteTable", "State": "active"}
            rts.append({"RouteTableId": pub_rt, "VpcId": vpc_id, "OwnerId": aid,
                        "Routes": [local, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw,
                                           "Origin": "CreateRoute", "State": "active"}],
                        "Associations": [{"Main": False, "RouteTableAssociationId": self.hexid("rtbassoc"),
                                          "RouteTableId": pub_rt, "SubnetId": sn["SubnetId"],
                                          "AssociationState": {"State": "associated"}}
                                         for sn, pub in vpc_subnets if pub],
                        "Tags": self.tags(acct, "public")})
            rts.append({"RouteTableId": priv_rt, "VpcId": vpc_id, "OwnerId": aid, "Routes": [local],
                        "Associations": [{"Main": True, "RouteTableAssociationId": self.hexid("rtbassoc"),
                                          "RouteTableId": priv_rt,
                                          "AssociationState": {"State": "associated"}}] +
                                        [{"Main": False, "RouteTableAssociationId": self.hexid("rtbassoc"),
                                          "RouteTableId": priv_rt, "SubnetId": sn["SubnetId"],
                                          "AssociationState": {"State": "associated"}}
                                         for sn, pub in vpc_subnets if not pub],
                        "Tags": self.tags(acct, "private")})
            nacls.append({"NetworkAclId": self.hexid("acl"), "VpcId": vpc_id, "IsDefault": True, "OwnerId": aid,
                          "Entries": [{"CidrBlock": "0.0.0.0/0", "Egress": e, "Protocol": "-1",
                                       "RuleAction": "allow", "RuleNumber": 100} for e in (True, False)],
                          "Associations": [{"NetworkAclAssociationId": self.hexid("aclassoc"),
                                            "NetworkAclId": "", "SubnetId": sn["SubnetId"]}
                                           for sn, _ in vpc_subnets]})
            nacls[-1]["Associations"] = [dict(x, NetworkAclId=nacls[-1]["NetworkAclId"]) for x in nacls[-1]["Associations"]]
            # Security groups: default (no rules, CIS), ALB (443 from the world), app, db, cache.
            egress_all = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                           "PrefixListIds": [], "UserIdGroupPairs": []}]
            default = self.sg(aid, vpc_id, "default", "default VPC security group", [], [])
            alb = self.sg(aid, vpc_id, "%s-alb-%d" % (acct["slug"], v), "load balancer",
                          [self.perm("tcp", 443, 443, cidrs=["0.0.0.0/0"])], egress_all)
            app = self.sg(aid, vpc_id, "%s-app-%d" % (acct["slug"], v), "application tier",
                          [self.perm("tcp", 8080, 8080, groups=[(alb["GroupId"], aid)])], egress_all)
            db = self.sg(aid, vpc_id, "%s-db-%d" % (acct["slug"], v), "database tier",
                         [self.perm("tcp", 5432, 5432, groups=[(app["GroupId"], aid)])], egress_all)
            cache = self.sg(aid, vpc_id, "%s-cache-%d" % (acct["slug"], v), "cache tier",
                            [self.perm("tcp", 6379, 6379, groups=[(app["GroupId"], aid)])], egress_all)
            vpc_sgs = [default, alb, app, db, cache]
            for extra in range(PER_SCOPE["sg_per_vpc"] - 5):
                vpc_sgs.append(self.sg(aid, vpc_id, "%s-svc-%d-%d" % (acct["slug"], v, extra), "internal service",
                                       [self.perm("tcp", 8000 + extra % 1000, 8000 + extra % 1000,
                                                  cidrs=[cidr])], egress_all))
            sgs.extend(vpc_sgs)
            app_sgs.append((vpc_id, vpc_subnets, alb, app, db))
        # Planted security groups.
        if "sg-ssh" in kinds or "sg-rdp" in kinds:
            vpc_id, vpc_subnets, alb, app, db = app_sgs[0]
            port, kind = (22, "sg-ssh") if "sg-ssh" in kinds else (3389, "sg-rdp")
            bad = self.sg(aid, vpc_id, "%s-admin-access" % acct["slug"], "temporary admin access",
                          [self.perm("tcp", port, port, cidrs=["0.0.0.0/0"])],
                          [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                            "PrefixListIds": [], "UserIdGroupPairs": []}])
            sgs.append(bad)
            self.plant(kinds[kind], "aws.security-group", bad["GroupId"], acct, region,
                       "%s (tcp/%d) open to 0.0.0.0/0 on instances in %s" % ("SSH" if port == 22 else "RDP", port, acct["environment"]))
            app_sgs[0] = (vpc_id, vpc_subnets, alb, app, db, bad)
        # Instances, ENIs, volumes.
        instances, enis, volumes = [], [], []
        private_subnets = [(vpc, [sn for sn, pub in subs if not pub], entry) for vpc, subs, *entry in app_sgs]
        for i in range(PER_SCOPE["instance"] * s):
            vpc_id, subs, entry = private_subnets[i % len(private_subnets)]
            sn = subs[i % len(subs)]
            groups = [entry[1]] + ([entry[3]] if len(entry) > 3 and i % 4 == 0 else [])
            iid, eni_id, vol_id = self.hexid("i"), self.hexid("eni"), self.hexid("vol")
            ip = "10.%d.%d.%d" % (int(sn["CidrBlock"].split(".")[1]), int(sn["CidrBlock"].split(".")[2]), 10 + i % 240)
            launch = self.date(self.rng.randrange(1, 200))
            gref = [{"GroupId": g["GroupId"], "GroupName": g["GroupName"]} for g in groups]
            instances.append({
                "InstanceId": iid, "ImageId": "ami-0abcdef1234567890", "InstanceType": self.rng.choice(["t3.medium", "m6i.large", "c6i.xlarge"]),
                "LaunchTime": launch, "State": {"Code": 16, "Name": "running"}, "PrivateIpAddress": ip,
                "PrivateDnsName": "ip-%s.ec2.internal" % ip.replace(".", "-"), "PublicDnsName": "",
                "SubnetId": sn["SubnetId"], "VpcId": vpc_id, "Placement": {"AvailabilityZone": sn["AvailabilityZone"], "Tenancy": "default"},
                "Monitoring": {"State": "enabled"}, "SecurityGroups": gref,
                "IamInstanceProfile": {"Arn": "arn:aws:iam::%s:instance-profile/%s-app" % (aid, acct["slug"]), "Id": self.hexid("AIPA", 16).upper()},
                "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1, "State": "applied"},
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeId": vol_id, "Status": "attached", "DeleteOnTermination": True, "AttachTime": launch}}],
                "NetworkInterfaces": [{"NetworkInterfaceId": eni_id, "SubnetId": sn["SubnetId"], "VpcId": vpc_id, "Status": "in-use",
                                       "PrivateIpAddress": ip, "Groups": gref,
                                       "Attachment": {"AttachmentId": self.hexid("eni-attach"), "DeviceIndex": 0, "Status": "attached"}}],
                "EbsOptimized": True, "Architecture": "x86_64", "RootDeviceName": "/dev/xvda", "RootDeviceType": "ebs",
                "Tags": self.tags(acct, "%s-app-%d" % (acct["slug"], i))})
            enis.append({"NetworkInterfaceId": eni_id, "SubnetId": sn["SubnetId"], "VpcId": vpc_id, "AvailabilityZone": sn["AvailabilityZone"],
                         "Description": "", "Groups": gref, "InterfaceType": "interface", "OwnerId": aid, "PrivateIpAddress": ip,
                         "Status": "in-use", "RequesterManaged": False, "SourceDestCheck": True,
                         "Attachment": {"AttachmentId": self.hexid("eni-attach"), "DeviceIndex": 0, "InstanceId": iid,
                                        "InstanceOwnerId": aid, "Status": "attached", "DeleteOnTermination": True}})
            volumes.append({"VolumeId": vol_id, "Size": 50, "AvailabilityZone": sn["AvailabilityZone"], "State": "in-use",
                            "CreateTime": launch, "Encrypted": True, "KmsKeyId": "arn:aws:kms:%s:%s:alias/aws/ebs" % (region, aid),
                            "VolumeType": "gp3", "Iops": 3000, "MultiAttachEnabled": False,
                            "Attachments": [{"AttachTime": launch, "Device": "/dev/xvda", "InstanceId": iid, "State": "attached",
                                             "VolumeId": vol_id, "DeleteOnTermination": True}],
                            "Tags": self.tags(acct, "%s-app-%d-root" % (acct["slug"], i))})
        for k in range(PER_SCOPE["spare_eni"] * s):
            vpc_id, subs, entry = private_subnets[k % len(private_subnets)]
            sn = subs[0]
            enis.append({"NetworkInterfaceId": self.hexid("eni"), "SubnetId": sn["SubnetId"], "VpcId": vpc_id,
                         "AvailabilityZone": sn["AvailabilityZone"], "Description": "VPC endpoint interface",
                         "Groups": [{"GroupId": entry[2]["GroupId"], "GroupName": entry[2]["GroupName"]}],
                         "InterfaceType": "vpc_endpoint", "OwnerId": aid, "PrivateIpAddress": "10.0.1.%d" % (200 + k % 50),
                         "Status": "in-use", "RequesterManaged": True, "SourceDestCheck": True})
        if "volume-unencrypted" in kinds:
            vid = self.hexid("vol")
            volumes.append({"VolumeId": vid, "Size": 500, "AvailabilityZone": azs[0], "State": "available",
                            "CreateTime": self.date(90), "Encrypted": False, "VolumeType": "gp2", "Iops": 1500,
                            "MultiAttachEnabled": False, "Attachments": [],
                            "Tags": self.tags(acct, "%s-data-export" % acct["slug"])})
            self.plant(kinds["volume-unencrypted"], "aws.ebs", vid, acct, region,
                       "EBS volume stores data unencrypted (Encrypted: false)")
        snapshots = []
        snap_attrs = []
        for k in range(PER_SCOPE["snapshot"] * s):
            v = volumes[k % len(volumes)]
            snapshots.append({"SnapshotId": self.hexid("snap"), "VolumeId": v["VolumeId"], "VolumeSize": v["Size"],
                              "State": "completed", "Progress": "100%", "StartTime": self.date(self.rng.randrange(1, 30)),
                              "OwnerId": aid, "Encrypted": v["Encrypted"], "StorageTier": "standard",
                              "Description": "daily backup", "Tags": self.tags(acct, "backup-%d" % k)})
            snap_attrs.append([])
        if "snapshot-public" in kinds:
            sid = self.hexid("snap")
            snapshots.append({"SnapshotId": sid, "VolumeId": volumes[0]["VolumeId"], "VolumeSize": 50, "State": "completed",
                              "Progress": "100%", "StartTime": self.date(12), "OwnerId": aid, "Encrypted": False,
                              "StorageTier": "standard", "Description": "shared with vendor",
                              "Tags": self.tags(acct, "vendor-share")})
            snap_attrs.append([{"Group": "all"}])
            self.plant(kinds["snapshot-public"], "aws.ebs-snapshot", sid, acct, region,
                       "EBS snapshot is public: createVolumePermission grants Group all")
            self.plant("ebs-snapshot-unencrypted", "aws.ebs-snapshot", sid, acct, region,
                       "public snapshots cannot be encrypted: this one is not")
        # RDS.
        rdss = []
        for k in range(PER_SCOPE["rds"] * s + (1 if ("rds-public" in kinds or "rds-unencrypted" in kinds) else 0)):
            vpc_id, subs, entry = private_subnets[k % len(private_subnets)]
            ident = "%s-db-%d" % (acct["slug"], k)
            public = encrypted_off = False
            if k == PER_SCOPE["rds"] * s:
                public, encrypted_off = "rds-public" in kinds, "rds-unencrypted" in kinds
                ident = "%s-reporting" % acct["slug"]
            r = {"DBInstanceIdentifier": ident, "DBInstanceClass": "db.r6g.large", "Engine": "postgres", "EngineVersion": "16.4",
                 "DBInstanceStatus": "available", "MasterUsername": "app",
                 "Endpoint": {"Address": "%s.%s.%s.rds.amazonaws.com" % (ident, self.hexid("c", 12)[2:], region), "Port": 5432},
                 "AllocatedStorage": 100, "InstanceCreateTime": self.date(self.rng.randrange(30, 400)),
                 "BackupRetentionPeriod": 7, "MultiAZ": acct["environment"] == "prod",
                 "VpcSecurityGroups": [{"VpcSecurityGroupId": entry[2]["GroupId"], "Status": "active"}],
                 "DBSubnetGroup": {"DBSubnetGroupName": "%s-private" % acct["slug"], "VpcId": vpc_id, "SubnetGroupStatus": "Complete",
                                   "Subnets": [{"SubnetIdentifier": sn["SubnetId"], "SubnetAvailabilityZone": {"Name": sn["AvailabilityZone"]},
                                                "SubnetStatus": "Active"} for sn in subs]},
                 "PubliclyAccessible": public, "StorageType": "gp3", "StorageEncrypted": not encrypted_off,
                 "DBInstanceArn": "arn:aws:rds:%s:%s:db:%s" % (region, aid, ident), "IAMDatabaseAuthenticationEnabled": True,
                 "DeletionProtection": acct["environment"] == "prod", "AutoMinorVersionUpgrade": True,
                 "TagList": self.tags(acct, ident)}
            if not encrypted_off:
                r["KmsKeyId"] = "arn:aws:kms:%s:%s:key/%s" % (region, aid, self.hexid("k", 32)[2:])
            rdss.append(r)
            if public:
                self.plant(kinds["rds-public"], "aws.rds", ident, acct, region, "RDS instance is publicly accessible")
            if encrypted_off:
                self.plant(kinds["rds-unencrypted"], "aws.rds", ident, acct, region, "RDS storage is not encrypted")
        # Load balancers.
        elbs, albs = [], []
        for k in range(PER_SCOPE["elb"] * s):
            vpc_id, subs, alb_sg, app_sg = app_sgs[k % len(app_sgs)][:4]
            name = "%s-legacy-%d" % (acct["slug"], k)
            elbs.append({"LoadBalancerName": name, "DNSName": "internal-%s.%s.elb.amazonaws.com" % (name, region),
                         "Scheme": "internal", "VPCId": vpc_id, "CreatedTime": self.date(self.rng.randrange(100, 900)),
                         "ListenerDescriptions": [{"Listener": {"Protocol": "HTTPS", "LoadBalancerPort": 443, "InstanceProtocol": "HTTP",
                                                                "InstancePort": 8080,
                                                                "SSLCertificateId": "arn:aws:acm:%s:%s:certificate/%s" % (region, aid, self.hexid("c", 32)[2:])},
                                                   "PolicyNames": ["ELBSecurityPolicy-TLS-1-2-2017-01"]}],
                         "Subnets": [sn["SubnetId"] for sn, pub in subs if not pub], "SecurityGroups": [alb_sg["GroupId"]],
                         "Instances": [], "AvailabilityZones": azs,
                         "HealthCheck": {"Target": "HTTP:8080/health", "Interval": 30, "Timeout": 5, "UnhealthyThreshold": 2, "HealthyThreshold": 3}})
        for k in range(PER_SCOPE["alb"] * s):
            vpc_id, subs, alb_sg, app_sg = app_sgs[k % len(app_sgs)][:4]
            name = "%s-web-%d" % (acct["slug"], k)
            arn = "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/%s/%s" % (region, aid, name, self.hexid("x", 16)[2:])
            albs.append({"LoadBalancerArn": arn, "DNSName": "%s.%s.elb.amazonaws.com" % (name, region),
                         "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K", "CreatedTime": self.date(self.rng.randrange(10, 500)),
                         "LoadBalancerName": name, "Scheme": "internet-facing", "VpcId": vpc_id, "State": {"Code": "active"},
                         "Type": "application", "IpAddressType": "ipv4", "SecurityGroups": [alb_sg["GroupId"]],
                         "AvailabilityZones": [{"ZoneName": sn["AvailabilityZone"], "SubnetId": sn["SubnetId"]} for sn, pub in subs if pub]})
        # Lambda, KMS, CloudTrail, ASGs.
        lambdas = []
        for k in range(PER_SCOPE["lambda"] * s):
            vpc_id, subs, alb_sg, app_sg = app_sgs[k % len(app_sgs)][:4]
            fn = "%s-worker-%d" % (acct["slug"], k)
            lambdas.append({"FunctionName": fn, "FunctionArn": "arn:aws:lambda:%s:%s:function:%s" % (region, aid, fn),
                            "Runtime": "python3.12", "Role": "arn:aws:iam::%s:role/%s-lambda" % (aid, acct["slug"]),
                            "Handler": "app.handler", "CodeSize": 10240 + k, "Description": "", "Timeout": 30, "MemorySize": 512,
                            "LastModified": self.date(self.rng.randrange(1, 60)).replace("+00:00", ".000+0000"),
                            "CodeSha256": base64.b64encode(self.rng.getrandbits(256).to_bytes(32, "big")).decode(),
                            "Version": "$LATEST", "TracingConfig": {"Mode": "Active"}, "PackageType": "Zip",
                            "Architectures": ["arm64"], "EphemeralStorage": {"Size": 512},
                            "VpcConfig": {"SubnetIds": [sn["SubnetId"] for sn, pub in subs if not pub],
                                          "SecurityGroupIds": [app_sg["GroupId"]], "VpcId": vpc_id}})
        keys, key_meta = [], []
        for k in range(PER_SCOPE["kms"] * s):
            kid = "%08x-%04x-%04x-%04x-%012x" % tuple(self.rng.getrandbits(b) for b in (32, 16, 16, 16, 48))
            arn = "arn:aws:kms:%s:%s:key/%s" % (region, aid, kid)
            keys.append({"KeyId": kid, "KeyArn": arn})
            key_meta.append({"KeyMetadata": {"AWSAccountId": aid, "KeyId": kid, "Arn": arn, "CreationDate": self.date(self.rng.randrange(30, 700)),
                                             "Enabled": True, "Description": "%s data key %d" % (acct["slug"], k),
                                             "KeyUsage": "ENCRYPT_DECRYPT", "KeyState": "Enabled", "Origin": "AWS_KMS",
                                             "KeyManager": "CUSTOMER", "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                                             "KeySpec": "SYMMETRIC_DEFAULT", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                                             "MultiRegion": False}})
        trail_name = "org-audit"
        trails = [{"Name": trail_name, "S3BucketName": "org-cloudtrail-logs-%s" % self.log_account, "IncludeGlobalServiceEvents": True,
                   "IsMultiRegionTrail": True, "HomeRegion": "us-east-1",
                   "TrailARN": "arn:aws:cloudtrail:us-east-1:%s:trail/%s" % (aid, trail_name),
                   "LogFileValidationEnabled": "trail-no-validation" not in kinds, "HasCustomEventSelectors": False,
                   "HasInsightSelectors": False, "IsOrganizationTrail": False,
                   "KmsKeyId": "arn:aws:kms:us-east-1:%s:key/%s" % (self.log_account, "0" * 8 + "-0000-4000-8000-" + "0" * 12)}]
        if "trail-no-validation" in kinds:
            self.plant(kinds["trail-no-validation"], "aws.cloudtrail", trails[0]["TrailARN"], acct, region,
                       "CloudTrail log file validation is disabled: tampering with logs goes unnoticed")
        asgs = []
        for k in range(PER_SCOPE["asg"] * s):
            vpc_id, subs, alb_sg, app_sg = app_sgs[k % len(app_sgs)][:4]
            name = "%s-workers-%d" % (acct["slug"], k)
            asgs.append({"AutoScalingGroupName": name,
                         "AutoScalingGroupARN": "arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s" % (region, aid, self.hexid("u", 32)[2:], name),
                         "LaunchTemplate": {"LaunchTemplateId": self.hexid("lt"), "LaunchTemplateName": name, "Version": "$Latest"},
                         "MinSize": 0, "MaxSize": 4, "DesiredCapacity": 0, "DefaultCooldown": 300, "AvailabilityZones": azs,
                         "LoadBalancerNames": [], "TargetGroupARNs": [], "HealthCheckType": "EC2", "HealthCheckGracePeriod": 300,
                         "Instances": [], "CreatedTime": self.date(self.rng.randrange(10, 300)), "SuspendedProcesses": [],
                         "VPCZoneIdentifier": ",".join(sn["SubnetId"] for sn, pub in subs if not pub), "EnabledMetrics": [],
                         "Tags": [{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": "team", "Value": acct["slug"],
                                   "PropagateAtLaunch": True}], "NewInstancesProtectedFromScaleIn": False})
        # Write the region.
        self.emit(d, "ec2.DescribeVpcs.json", {"Vpcs": vpcs}, "aws.vpc")
        self.emit(d, "ec2.DescribeSubnets.json", {"Subnets": subnets}, "aws.subnet")
        self.emit(d, "ec2.DescribeRouteTables.json", {"RouteTables": rts}, "aws.route-table")
        self.emit(d, "ec2.DescribeInternetGateways.json", {"InternetGateways": igws}, "aws.internet-gateway")
        self.emit(d, "ec2.DescribeNetworkAcls.json", {"NetworkAcls": nacls}, "aws.network-acl")
        self.emit(d, "ec2.DescribeSecurityGroups.json", {"SecurityGroups": sgs}, "aws.security-group")
        self.emit(d, "ec2.DescribeInstances.json",
                  {"Reservations": [{"ReservationId": self.hexid("r"), "OwnerId": aid, "Groups": [],
                                     "Instances": instances[k:k + 5]} for k in range(0, len(instances), 5)]},
                  "aws.ec2", len(instances))
        self.emit(d, "ec2.DescribeNetworkInterfaces.json", {"NetworkInterfaces": enis}, "aws.eni")
        self.emit(d, "ec2.DescribeVolumes.json", {"Volumes": volumes}, "aws.ebs")
        self.emit(d, "ec2.DescribeSnapshots.json", {"Snapshots": snapshots}, "aws.ebs-snapshot")
        for snap, perms in zip(snapshots, snap_attrs):
            self.write(os.path.join(d, "ec2.DescribeSnapshotAttribute.%s.json" % snap["SnapshotId"]),
                       {"SnapshotId": snap["SnapshotId"], "CreateVolumePermissions": perms})
        self.emit(d, "rds.DescribeDBInstances.json", {"DBInstances": rdss}, "aws.rds")
        self.emit(d, "elb.DescribeLoadBalancers.json", {"LoadBalancerDescriptions": elbs}, "aws.elb")
        self.emit(d, "elbv2.DescribeLoadBalancers.json", {"LoadBalancers": albs}, "aws.app-elb")
        self.emit(d, "lambda.ListFunctions.json", {"Functions": lambdas}, "aws.lambda")
        self.emit(d, "kms.ListKeys.json", {"Keys": keys, "Truncated": False}, "aws.kms-key")
        for km in key_meta:
            self.write(os.path.join(d, "kms.DescribeKey.%s.json" % km["KeyMetadata"]["KeyId"]), km)
        self.emit(d, "cloudtrail.DescribeTrails.json", {"trailList": trails}, "aws.cloudtrail")
        self.emit(d, "autoscaling.DescribeAutoScalingGroups.json", {"AutoScalingGroups": asgs}, "aws.asg")

    def sg(self, aid, vpc_id, name, desc, ingress, egress):
        gid = self.hexid("sg")
        return {"GroupId": gid, "GroupName": name, "Description": desc, "OwnerId": aid, "VpcId": vpc_id,
                "IpPermissions": ingress, "IpPermissionsEgress": egress,
                "Tags": [{"Key": "Name", "Value": name}]}

    @staticmethod
    def perm(proto, lo, hi, cidrs=(), groups=()):
        return {"IpProtocol": proto, "FromPort": lo, "ToPort": hi,
                "IpRanges": [{"CidrIp": c} for c in cidrs], "Ipv6Ranges": [], "PrefixListIds": [],
                "UserIdGroupPairs": [{"GroupId": g, "UserId": u} for g, u in groups]}

    def emit(self, d, name, obj, rtype, n=None):
        self.write(os.path.join(d, name), obj)
        if n is None:
            n = len(next(iter(obj.values())))
        self.count(rtype, n)

    # ---- global (IAM, S3) ----
    def global_data(self, acct):
        d = os.path.join(self.out, acct["id"], "global")
        aid = acct["id"]
        s = self.scale
        kinds = {p[4]: p[0] for p in PLANTED
                 if p[1] == acct["team"] and p[2] == acct["environment"] and p[3] is None}
        owner = {"DisplayName": "aws+%s" % acct["name"], "ID": "%064x" % self.rng.getrandbits(256)}
        buckets = []
        specs = [("clean", None)] * (PER_ACCOUNT["bucket"] * s)
        for kind in ("bucket-public-acl", "bucket-public-policy", "bucket-cross-account", "bucket-no-pab"):
            if kind in kinds:
                specs.append((kind, kinds[kind]))
        if acct["name"] == "security-logging":
            specs.append(("log-bucket", None))
        for k, (kind, check) in enumerate(specs):
            if kind == "log-bucket":
                name = "org-cloudtrail-logs-%s" % aid
            else:
                name = "%s-%s-%s-%d" % (acct["slug"], acct["environment"], "data" if kind == "clean" else kind.split("-", 1)[1], k)
            region = acct["regions"][k % len(acct["regions"])]
            buckets.append({"Name": name, "CreationDate": self.date(self.rng.randrange(30, 1500))})
            arn = "arn:aws:s3:::%s" % name
            tls = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": [arn, arn + "/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
            stmts = [tls]
            grants = [{"Grantee": {"DisplayName": owner["DisplayName"], "ID": owner["ID"], "Type": "CanonicalUser"},
                       "Permission": "FULL_CONTROL"}]
            pab = True
            if kind == "log-bucket":
                stmts.append({"Sid": "CloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                              "Action": "s3:PutObject", "Resource": arn + "/AWSLogs/*",
                              "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}})
            elif kind == "bucket-public-acl":
                grants.append({"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"})
                pab = False
                self.plant(check, "aws.s3", name, acct, region, "bucket ACL grants READ to AllUsers (anyone on the internet)")
                self.plant("s3-public-access-block", "aws.s3", name, acct, region, "public access block is off")
            elif kind == "bucket-public-policy":
                stmts.append({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                              "Resource": arn + "/*"})
                pab = False
                self.plant(check, "aws.s3", name, acct, region, "bucket policy allows s3:GetObject to Principal *")
                self.plant("s3-cross-account", "aws.s3", name, acct, region, "Principal * is any AWS account")
                self.plant("s3-public-access-block", "aws.s3", name, acct, region, "public access block is off")
            elif kind == "bucket-cross-account":
                stmts.append({"Sid": "VendorRead", "Effect": "Allow",
                              "Principal": {"AWS": "arn:aws:iam::%s:root" % FOREIGN_ACCOUNT},
                              "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": [arn, arn + "/*"]})
                self.plant(check, "aws.s3", name, acct, region,
                           "bucket policy grants read to account %s outside the organisation" % FOREIGN_ACCOUNT)
            elif kind == "bucket-no-pab":
                pab = False
                self.plant(check, "aws.s3", name, acct, region, "no public access block configured on the bucket")
            self.write(os.path.join(d, "s3.GetBucketLocation.%s.json" % name),
                       {"LocationConstraint": None if region == "us-east-1" else region})
            self.write(os.path.join(d, "s3.GetBucketTagging.%s.json" % name),
                       {"TagSet": [{"Key": "team", "Value": acct["slug"]}, {"Key": "environment", "Value": acct["environment"]}]})
            self.write(os.path.join(d, "s3.GetBucketPolicy.%s.json" % name),
                       {"Policy": json.dumps({"Version": "2012-10-17", "Statement": stmts}, separators=(",", ":"))})
            self.write(os.path.join(d, "s3.GetBucketAcl.%s.json" % name), {"Owner": owner, "Grants": grants})
            self.write(os.path.join(d, "s3.GetBucketVersioning.%s.json" % name), {"Status": "Enabled"})
            self.write(os.path.join(d, "s3.GetBucketEncryption.%s.json" % name),
                       {"ServerSideEncryptionConfiguration": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
                                                                         "BucketKeyEnabled": True}]}})
            self.write(os.path.join(d, "s3.GetBucketLogging.%s.json" % name),
                       {"LoggingEnabled": {"TargetBucket": "org-access-logs-%s" % self.log_account, "TargetPrefix": name + "/"}})
            if pab:
                self.write(os.path.join(d, "s3.GetPublicAccessBlock.%s.json" % name),
                           {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                                               "BlockPublicPolicy": True, "RestrictPublicBuckets": True}})
        self.write(os.path.join(d, "s3.ListBuckets.json"), {"Buckets": buckets, "Owner": owner})
        self.count("aws.s3", len(buckets))
        # IAM users and the credential report.
        users, rows = [], []
        n_users = PER_ACCOUNT["user"] * s
        extra = [k for k in ("user-no-mfa", "user-old-key") if k in kinds]
        for k in range(n_users + len(extra)):
            kind = extra[k - n_users] if k >= n_users else None
            human = kind == "user-no-mfa" or (kind is None and k % 2 == 0)
            name = ("%s.%s%d" % (acct["slug"], "dev", k)) if human else "%s-ci-%d" % (acct["slug"], k)
            created = self.date(self.rng.randrange(200, 900))
            arn = "arn:aws:iam::%s:user/%s" % (aid, name)
            u = {"Path": "/", "UserName": name, "UserId": "AIDA" + ("%016X" % self.rng.getrandbits(64)), "Arn": arn, "CreateDate": created}
            if human:
                u["PasswordLastUsed"] = self.date(self.rng.randrange(0, 10))
            users.append(u)
            key_age = 1200 if kind == "user-old-key" else self.rng.randrange(1, 30)
            rows.append({"user": name, "arn": arn, "user_creation_time": created,
                         "password_enabled": "true" if human else "false",
                         "password_last_used": u.get("PasswordLastUsed", "N/A"),
                         "password_last_changed": self.date(20) if human else "N/A",
                         "password_next_rotation": "N/A",
                         "mfa_active": "false" if kind == "user-no-mfa" else ("true" if human else "false"),
                         "access_key_1_active": "false" if human else "true",
                         "access_key_1_last_rotated": "N/A" if human else self.date(key_age),
                         "access_key_1_last_used_date": "N/A" if human else self.date(0),
                         "access_key_1_last_used_region": "N/A" if human else "us-east-1",
                         "access_key_1_last_used_service": "N/A" if human else "s3",
                         "access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
                         "access_key_2_last_used_date": "N/A", "access_key_2_last_used_region": "N/A",
                         "access_key_2_last_used_service": "N/A",
                         "cert_1_active": "false", "cert_1_last_rotated": "N/A",
                         "cert_2_active": "false", "cert_2_last_rotated": "N/A"})
            if kind == "user-no-mfa":
                self.plant(kinds[kind], "aws.iam-user", name, acct, "global",
                           "console password enabled without MFA")
            if kind == "user-old-key":
                self.plant(kinds[kind], "aws.iam-user", name, acct, "global",
                           "active access key last rotated %d days before the epoch" % key_age)
        self.write(os.path.join(d, "iam.ListUsers.json"), {"Users": users, "IsTruncated": False})
        self.count("aws.iam-user", len(users))
        root = {"user": "<root_account>", "arn": "arn:aws:iam::%s:root" % aid, "user_creation_time": self.date(1500),
                "password_enabled": "not_supported", "password_last_used": self.date(400), "password_last_changed": "not_supported",
                "password_next_rotation": "not_supported", "mfa_active": "true", "access_key_1_active": "false",
                "access_key_1_last_rotated": "N/A", "access_key_1_last_used_date": "N/A", "access_key_1_last_used_region": "N/A",
                "access_key_1_last_used_service": "N/A", "access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
                "access_key_2_last_used_date": "N/A", "access_key_2_last_used_region": "N/A", "access_key_2_last_used_service": "N/A",
                "cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false", "cert_2_last_rotated": "N/A"}
        cols = list(root.keys())
        csv = ",".join(cols) + "\n" + "\n".join(",".join(r[c] for c in cols) for r in [root] + rows)
        self.write(os.path.join(d, "iam.GetCredentialReport.json"),
                   {"Content": base64.b64encode(csv.encode()).decode(), "ReportFormat": "text/csv",
                    "GeneratedTime": self.date(0, 0)})
        # Roles.
        roles = []
        n_roles = PER_ACCOUNT["role"] * s
        for k in range(n_roles + (1 if "role-trust-any" in kinds else 0)):
            if k < n_roles:
                name = "%s-%s-%d" % (acct["slug"], ["lambda", "app", "ci-deploy", "readonly"][k % 4], k)
                if k % 4 in (0, 1):
                    princ = {"Service": "lambda.amazonaws.com" if k % 4 == 0 else "ec2.amazonaws.com"}
                    cond = None
                else:
                    princ = {"AWS": "arn:aws:iam::%s:root" % self.security_account}
                    cond = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
            else:
                name = "%s-partner-access" % acct["slug"]
                princ, cond = {"AWS": "*"}, None
                self.plant(kinds["role-trust-any"], "aws.iam-role", name, acct, "global",
                           "role trust policy lets any AWS principal (Principal AWS *) assume it")
            st = {"Effect": "Allow", "Principal": princ, "Action": "sts:AssumeRole"}
            if cond:
                st["Condition"] = cond
            roles.append({"Path": "/", "RoleName": name, "RoleId": "AROA" + ("%016X" % self.rng.getrandbits(64)),
                          "Arn": "arn:aws:iam::%s:role/%s" % (aid, name), "CreateDate": self.date(self.rng.randrange(30, 900)),
                          "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [st]},
                          "MaxSessionDuration": 3600})
        self.write(os.path.join(d, "iam.ListRoles.json"), {"Roles": roles, "IsTruncated": False})
        self.count("aws.iam-role", len(roles))
        policies = []
        for k in range(PER_ACCOUNT["policy"] * s):
            name = "%s-policy-%d" % (acct["slug"], k)
            policies.append({"PolicyName": name, "PolicyId": "ANPA" + ("%016X" % self.rng.getrandbits(64)),
                             "Arn": "arn:aws:iam::%s:policy/%s" % (aid, name), "Path": "/", "DefaultVersionId": "v1",
                             "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                             "CreateDate": self.date(300), "UpdateDate": self.date(30)})
        self.write(os.path.join(d, "iam.ListPolicies.json"), {"Policies": policies, "IsTruncated": False})
        self.count("aws.iam-policy", len(policies))

    def run(self):
        if os.path.exists(self.out):
            shutil.rmtree(self.out)
        os.makedirs(self.out)
        accts = self.accounts()
        self.log_account = accts[-2]["id"]
        self.security_account = accts[-2]["id"]
        self.write_accounts_yaml(accts)
        for a in accts:
            self.global_data(a)
            self.count("aws.account")
            for r in a["regions"]:
                self.region(a, r)
        self.planted.sort(key=lambda p: (p["check"], p["account"], p["id"]))
        with open(os.path.join(self.out, "planted.json"), "w") as fh:
            json.dump(self.planted, fh, indent=2)
            fh.write("\n")
        with open(os.path.join(self.out, "summary.json"), "w") as fh:
            json.dump({"seed": self.seed, "scale": self.scale, "epoch": self.epoch.strftime("%Y-%m-%d"),
                       "accounts": len(accts), "teams": len(TEAMS),
                       "resources": dict(sorted(self.counts.items()))}, fh, indent=2)
            fh.write("\n")
        return accts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--epoch", default="2026-11-01")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    if a.scale < 1:
        ap.error("--scale must be >= 1")
    epoch = datetime.datetime.strptime(a.epoch, "%Y-%m-%d")
    g = Gen(a.out, a.seed, a.scale, epoch)
    accts = g.run()
    if not a.quiet:
        total = sum(g.counts.values())
        print("wrote %s: %d accounts, %d resources in %d files, %d planted problems"
              % (a.out, len(accts), total, g.files, len(g.planted)))
        for k in sorted(g.counts):
            print("  %-22s %d" % (k, g.counts[k]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
