#!/usr/bin/python3
"""Generate a sample AWS organisation inventory in the custos layout.

usage: gen_org.py --out DIR [--seed 42] [--scale 1] [--epoch 2026-11-01] [--hostile]

44 accounts: 14 product teams x (dev, staging, prod) plus two shared
accounts (security/logging and network).  Each account gets realistic
resources in one or two regions (VPCs, subnets, route tables, internet
gateways, network ACLs, security groups, instances, ENIs for everything
that uses a security group, EBS volumes with a snapshot history, RDS with
DB snapshots, classic and application load balancers, Lambda, KMS with key
rotation status, CloudTrail with trail status, auto scaling groups) and
global data (S3 buckets with their per-bucket calls, IAM users with access
keys and MFA devices, roles, customer managed policies with their default
version, the account summary, the password policy, a credential report).
Every file is what `aws <client> <operation> --output json` prints.

Everything is clean for every check of the built-in pack (policies/aws)
except a known set of planted misconfigurations, listed in DIR/planted.json
as {check, resource_type, id, account, region, why}, so the pack run over
the tree must find exactly that set.  DIR/traps.json lists, in the same
shape, resources that look suspicious to a naive checker but must NOT be
reported by the named check.

Output is deterministic for a given (seed, scale, epoch): the same
arguments give byte-identical trees.  --scale N multiplies every per-scope
and per-account resource count by N (planted resources and traps are added
once); about 13,000 resources at scale 1, over 1,000,000 at scale 80.  Files are written as they are
generated; only one scope is held in memory.

Dates are relative to --epoch (midnight UTC; not "now") so the output does
not change from day to day; accounts.yaml says `collected_at: <epoch>`, the
clock custos measures ages with.  Clean data stays clean up to a day after
the epoch (latest snapshots are less than a day old, keys at most 80 days),
so `custos scan --as-of` may move the clock by up to a day.

--hostile gives every free-form value the pack reads (resource names,
security group and rule descriptions, tags, Auto Scaling group, load
balancer and trail names, IAM user, role and policy names and paths,
bucket tags, Lambda and KMS descriptions) a suffix that runs a command
when pasted unquoted into a shell (`'; touch pwned-N; echo '`, `$(...)`,
a newline, ...), each with its own marker N (security group rule
descriptions get every suffix at once); DIR/hostile.json lists the markers
with their value and kind (which HOSTILE suffix).
The planted problems and traps are the same, under those names.  It is
for tests/integration/test_runbook_shell.py.

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
FOREIGN_ACCOUNT = "999988887777"   # nobody we know
VENDOR_ACCOUNT = "444455556666"    # organization.trusted_accounts
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GIB = 1 << 30

# Per-scope counts at scale 1 (multiplied by --scale).
PER_SCOPE = {"vpc": 2, "instance": 16, "rds": 2, "elb": 1, "alb": 2, "lambda": 5,
             "kms": 3, "asg": 2}
PER_ACCOUNT = {"bucket": 8, "user": 10, "role": 8, "policy": 5}

# Where each planted problem (and each trap) lives: kind -> (account name,
# region or None for account-wide/global data).  The checks each kind
# plants are written next to the code that builds it.
PLACE = {
    # network
    "sg-ssh-prod": ("payments-prod", "us-east-1"),
    "sg-ssh-dev": ("payments-dev", "us-east-1"),
    "sg-rdp": ("search-prod", "eu-west-1"),
    "sg-db": ("checkout-prod", "us-east-1"),
    "sg-db-v6": ("catalog-dev", "us-east-1"),
    "sg-all": ("identity-prod", "eu-west-1"),
    "sg-egress": ("web-prod", "us-east-1"),
    "sg-unused": ("analytics-staging", "us-east-1"),
    "asg-imbalance": ("messaging-prod", "us-east-1"),
    "elb-imbalance": ("web-staging", "us-east-1"),
    # storage, databases, keys, trails
    "volume-unencrypted": ("billing-prod", "us-east-1"),
    "snapshot-public": ("data-platform-staging", "us-east-1"),
    "ebs-stale": ("ml-prod", "us-east-1"),
    "ebs-shrunk": ("analytics-prod", "eu-west-1"),
    "rds-public": ("growth-prod", "eu-west-1"),
    "rds-unencrypted": ("support-staging", "us-east-1"),
    "rds-stale": ("billing-staging", "us-east-1"),
    "rds-snapshot-public": ("mobile-prod", "us-east-1"),
    "trail-no-validation": ("messaging-dev", "us-east-1"),
    "trail-no-kms": ("data-platform-dev", "us-east-1"),
    "rds-no-minor-upgrade": ("catalog-staging", "us-east-1"),
    "default-sg-open": ("web-dev", "us-east-1"),
    "instance-imdsv1": ("mobile-staging", "us-east-1"),
    "trap-imds-off": ("network", "us-east-1"),
    "lambda-old-runtime": ("ml-prod", "us-east-1"),
    "elb-http-only": ("search-dev", "us-east-1"),
    "kms-rotation-off": ("payments-prod", "eu-west-1"),
    "trail-single-region": ("search-staging", None),
    "trail-stopped": ("checkout-prod", None),
    # S3
    "bucket-public-acl": ("checkout-dev", None),
    "bucket-public-policy": ("analytics-prod", None),
    "bucket-cross-account": ("ml-staging", None),
    "bucket-no-pab": ("mobile-dev", None),
    "bucket-partial-pab": ("search-dev", None),
    "bucket-unversioned": ("billing-dev", None),
    "bucket-suspended": ("web-staging", None),
    "bucket-unencrypted": ("payments-staging", None),
    "bucket-no-logging": ("support-prod", None),
    # IAM
    "user-no-mfa": ("identity-prod", None),
    "user-old-key-human": ("web-prod", None),
    "user-old-key-machine": ("web-dev", None),
    "user-unused-key": ("data-platform-prod", None),
    "user-never-used-key": ("messaging-staging", None),
    "role-trust-any": ("catalog-prod", None),
    "role-foreign": ("search-prod", None),
    "policy-admin": ("identity-staging", None),
    "root-keys": ("catalog-prod", None),
    "root-no-mfa": ("mobile-dev", None),
    "pwpolicy-missing": ("growth-dev", None),
    "pwpolicy-weak": ("ml-staging", None),
    "pwpolicy-reuse": ("billing-prod", None),
    "user-two-keys": ("support-dev", None),
    "user-stale-password": ("growth-staging", None),
    "root-used": ("payments-dev", None),
    "bucket-allows-http": ("catalog-staging", None),
    "exposed-key": ("checkout-staging", None),
    "trap-quarantine-copy": ("identity-prod", None),
    # traps (must not be reported)
    "trap-sg": ("network", "us-east-1"),
    "trap-alb-sg": ("payments-prod", "us-east-1"),
    "trap-asg": ("network", "us-east-1"),
    "trap-kms": ("network", "us-east-1"),
    "trap-ebs": ("network", "us-east-1"),
    "trap-snapshot-share": ("network", "us-east-1"),
    "trap-bucket-orgid": ("security-logging", None),
    "trap-bucket-vpce": ("data-platform-prod", None),
    "trap-bucket-srcacct": ("security-logging", None),
    "trap-bucket-org-share": ("analytics-staging", None),
    "trap-bucket-vendor": ("security-logging", None),
    "trap-users": ("network", None),
    "trap-roles": ("security-logging", None),
    "trap-policies": ("network", None),
    # public resource policies beyond S3 (Region.public_policies)
    "sns-public": ("messaging-prod", "us-east-1"),
    "trap-sns-org": ("messaging-staging", "us-east-1"),
    "ecr-public": ("ml-staging", "us-east-1"),
    "trap-ecr-org": ("network", "us-east-1"),
    "lambda-url-public": ("web-prod", "eu-west-1"),
    "trap-lambda-s3": ("web-staging", "us-east-1"),
    "kms-public": ("identity-staging", "us-east-1"),
    "trap-kms-managed": ("network", "eu-west-1"),
    "ami-public": ("data-platform-prod", "us-east-1"),
    "trap-ami-shared": ("network", "us-east-1"),
}

SG_CHECKS = ["sg-ssh-open-to-world", "sg-rdp-open-to-world", "sg-database-open-to-world",
             "sg-all-traffic-open-to-world", "sg-egress-plaintext-to-internet", "sg-unused"]


# --hostile suffixes: each breaks out of a different way of writing a value
# into a shell command.  None has a '/', so they fit in file names.  IAM
# names get the ones a credential report (CSV) can carry unquoted.
HOSTILE = ["'; touch pwned-{m}; echo '", '"; touch pwned-{m}; echo "', "$(touch pwned-{m})",
           "`touch pwned-{m}`", ";touch pwned-{m};#", "\ntouch pwned-{m}\n", " && touch pwned-{m} || !! *",
           "\\'; touch pwned-{m} #", "${{IFS}}$(touch${{IFS}}pwned-{m})"]
HOSTILE_CSV = [0, 2, 3, 4, 6, 8]


class Gen:
    def __init__(self, out, seed, scale, epoch, hostile=False):
        self.out = out
        self.hostile = hostile
        self.evil_of = {}
        self.markers = []
        self.seed = seed
        self.rng = random.Random(seed)
        self.scale = scale
        self.epoch = epoch
        self.planted = []
        self.traps = []
        self.counts = {}
        self.files = 0
        self.dirs = set()

    # ---- helpers ----
    def evil(self, s, csv_safe=False):
        """s, or with --hostile s plus a shell-injection suffix (the same
        one every time for the same s, so names stay consistent)."""
        if not self.hostile:
            return s
        key = (s, csv_safe)
        if key not in self.evil_of:
            kinds = HOSTILE_CSV if csv_safe else range(len(HOSTILE))
            kind = list(kinds)[len(self.evil_of) % len(kinds)]
            m = len(self.markers)
            v = s + HOSTILE[kind].format(m=m)
            self.markers.append({"marker": "pwned-%d" % m, "kind": kind, "value": v})
            self.evil_of[key] = v
        return self.evil_of[key]

    def evil_all(self, s):
        """s followed by every HOSTILE suffix at once (a fresh value each
        call, each suffix with its own marker)."""
        if not self.hostile:
            return s
        v, first = s, len(self.markers)
        for kind, h in enumerate(HOSTILE):
            v += h.format(m=first + kind)
        for kind in range(len(HOSTILE)):
            self.markers.append({"marker": "pwned-%d" % (first + kind), "kind": kind, "value": v})
        return v

    def hexid(self, prefix, n=17):
        return "%s-%0*x" % (prefix, n, self.rng.getrandbits(4 * n))

    def upper_id(self, prefix, n=16):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        return prefix + "".join(alphabet[self.rng.getrandbits(5)] for _ in range(n))

    def when(self, days_before, seconds=None):
        if seconds is None:
            seconds = self.rng.randrange(86400)
        return self.epoch - datetime.timedelta(days=days_before, seconds=seconds)

    @staticmethod
    def iso(t):
        return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def date(self, days_before, seconds=None):
        return self.iso(self.when(days_before, seconds))

    def recent(self, days_before):
        """A time days_before days and 1 to 20 hours before the epoch."""
        return self.when(days_before, self.rng.randrange(3600, 72000))

    def write(self, path, obj):
        d = os.path.dirname(path)
        if d not in self.dirs:
            os.makedirs(d, exist_ok=True)
            self.dirs.add(d)
        with open(path, "w") as fh:
            fh.write(json.dumps(obj, separators=(",", ":")) + "\n")
        self.files += 1

    def count(self, rtype, n=1):
        self.counts[rtype] = self.counts.get(rtype, 0) + n

    def plant(self, check, rtype, rid, acct, region, why):
        self.planted.append({"check": check, "resource_type": rtype, "id": rid,
                             "account": acct["id"], "region": region, "why": why})

    def renamed(self, rtype, acct, old, new):
        """new, after pointing planted problems and traps at it."""
        for e in self.planted + self.traps:
            if e["resource_type"] == rtype and e["account"] == acct["id"] and e["id"] == old:
                e["id"] = new
        return new

    def trap(self, checks, rtype, rid, acct, region, why):
        for c in ([checks] if isinstance(checks, str) else checks):
            self.traps.append({"check": c, "resource_type": rtype, "id": rid,
                               "account": acct["id"], "region": region, "why": why})

    def here(self, acct, region):
        return {k for k, (a, r) in PLACE.items() if a == acct["name"] and r == region}

    def tags(self, acct, name, extra=()):
        t = [{"Key": "Name", "Value": name}, {"Key": "team", "Value": acct["team"] or "security"},
             {"Key": "environment", "Value": acct["environment"]}]
        if self.hostile:
            t.append({"Key": "owner", "Value": self.evil("ops")})
        t.extend(extra)
        return t

    def public_ip(self):
        return "%d.%d.%d.%d" % (self.rng.choice([3, 18, 34, 44, 52, 54]), self.rng.randrange(256),
                                self.rng.randrange(256), self.rng.randrange(1, 255))

    def account_by_name(self, name):
        return next(a for a in self.accts if a["name"] == name)

    # ---- accounts ----
    def accounts(self):
        ids = set()
        accts = []

        def new_id():
            while True:
                i = "%012d" % self.rng.randrange(10 ** 11, 10 ** 12)
                if i not in ids and i not in (FOREIGN_ACCOUNT, VENDOR_ACCOUNT):
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
        self.org_id = "o-" + "".join(self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
        return accts

    def write_accounts_yaml(self, accts):
        lines = ["# Sample organisation: 14 product teams x dev/staging/prod + 2 shared accounts.",
                 "# Generated by examples/gen_org.py; see examples/README.md for the format.",
                 "# When the snapshot was taken: ages (keys, backups) are measured from here.",
                 'collected_at: "%s"' % self.epoch.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "organization:",
                 "  id: %s" % self.org_id,
                 '  trusted_accounts: ["%s"]   # monitoring vendor' % VENDOR_ACCOUNT,
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

    # ---- security groups ----
    def sg(self, aid, vpc_id, name, desc, ingress, egress):
        gid = self.hexid("sg")
        return {"GroupId": gid, "GroupName": name, "Description": desc, "OwnerId": aid, "VpcId": vpc_id,
                "IpPermissions": ingress, "IpPermissionsEgress": egress,
                "Tags": [{"Key": "Name", "Value": name}]}

    @staticmethod
    def perm(proto, lo=None, hi=None, cidrs=(), cidrs6=(), groups=(), prefix_lists=()):
        p = {"IpProtocol": proto}
        if proto != "-1":
            p["FromPort"], p["ToPort"] = lo, hi
        p.update({"IpRanges": [{"CidrIp": c} for c in cidrs],
                  "Ipv6Ranges": [{"CidrIpv6": c} for c in cidrs6],
                  "PrefixListIds": [{"PrefixListId": pl} for pl in prefix_lists],
                  "UserIdGroupPairs": [{"GroupId": g, "UserId": u} for g, u in groups]})
        return p

    EGRESS_ALL = None  # set below (a module-level constant needs perm())

    # ---- one region ----
    def region(self, acct, region):
        R = Region(self, acct, region)
        R.build()
        R.write()

    # ---- global (IAM, S3, account) ----
    def global_data(self, acct):
        d = os.path.join(self.out, acct["id"], "global")
        kinds = self.here(acct, None)
        self.buckets(acct, d, kinds)
        users = self.users(acct, d, kinds)
        roles = self.roles(acct, d, kinds)
        policies = self.policies(acct, d, kinds)
        self.exposed_keys(acct, d, kinds, users, policies)
        self.account_settings(acct, d, kinds, users, roles, policies)

    def buckets(self, acct, d, kinds):
        aid = acct["id"]
        owner = {"DisplayName": "aws+%s" % acct["name"], "ID": "%064x" % self.rng.getrandbits(256)}
        specs = ["clean"] * (PER_ACCOUNT["bucket"] * self.scale)
        specs += sorted(k for k in kinds if k.startswith(("bucket-", "trap-bucket-")))
        if acct["name"] == "security-logging":
            specs += ["trail-logs", "access-logs"]
        buckets = []
        for k, kind in enumerate(specs):
            if kind == "trail-logs":
                name = "org-cloudtrail-logs-%s" % aid
            elif kind == "access-logs":
                name = "org-access-logs-%s" % aid
            else:
                suffix = "data" if kind == "clean" else kind.split("-", 1)[1].replace("bucket-", "")
                name = "%s-%s-%s-%d" % (acct["slug"], acct["environment"], suffix, k)
            region = acct["regions"][k % len(acct["regions"])]
            buckets.append({"Name": name, "CreationDate": self.date(self.rng.randrange(30, 1500))})
            arn = "arn:aws:s3:::%s" % name
            stmts = [{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                      "Resource": [arn, arn + "/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]
            if kind == "bucket-allows-http":
                stmts = [{"Sid": "OwnerRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % aid},
                          "Action": "s3:GetObject", "Resource": arn + "/*"}]
                self.plant("s3-bucket-allows-http", "aws.s3", name, acct, region,
                           "bucket policy has no Deny for aws:SecureTransport false")
            grants = [{"Grantee": {"DisplayName": owner["DisplayName"], "ID": owner["ID"], "Type": "CanonicalUser"},
                       "Permission": "FULL_CONTROL"}]
            pab = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                   "RestrictPublicBuckets": True}
            versioning = {"Status": "Enabled"}
            encrypted, logging = True, {"TargetBucket": "org-access-logs-%s" % self.log_account,
                                        "TargetPrefix": name + "/"}
            P = lambda check, why: self.plant(check, "aws.s3", name, acct, region, why)
            T = lambda checks, why: self.trap(checks, "aws.s3", name, acct, region, why)
            read = lambda principal, cond=None, sid="Read": dict(
                {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [arn, arn + "/*"]}, **({"Condition": cond} if cond else {}))
            if kind == "trail-logs":
                logging["TargetBucket"] = "org-access-logs-%s" % aid
                stmts += [{"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow",
                           "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
                           "Resource": arn},
                          {"Sid": "AWSCloudTrailWrite", "Effect": "Allow",
                           "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject",
                           "Resource": arn + "/AWSLogs/*",
                           "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}]
            elif kind == "access-logs":
                logging["TargetBucket"] = "org-cloudtrail-logs-%s" % aid
                grants += [{"Grantee": {"Type": "Group", "URI": LOG_DELIVERY}, "Permission": p}
                           for p in ("WRITE", "READ_ACP")]
                stmts.append({"Sid": "S3ServerAccessLogsPolicy", "Effect": "Allow",
                              "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                              "Resource": arn + "/*",
                              "Condition": {"StringEquals": {"aws:SourceOrgID": self.org_id}}})
                T("s3-global-grants", "ACL grants WRITE/READ_ACP to the S3 log delivery group, not to everyone")
            elif kind == "bucket-public-acl":
                grants.append({"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"})
                pab = None
                P("s3-global-grants", "bucket ACL grants READ to AllUsers (anyone on the internet)")
                P("s3-public-access-block", "no public access block configured on the bucket")
            elif kind == "bucket-public-policy":
                stmts.append({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                              "Resource": arn + "/*"})
                pab = None
                P("s3-public-policy", "bucket policy allows s3:GetObject to Principal * with no condition")
                P("s3-cross-account", "Principal * is any AWS account, inside the organisation or not")
                P("s3-public-access-block", "no public access block configured on the bucket")
            elif kind == "bucket-cross-account":
                stmts.append(read({"AWS": "arn:aws:iam::%s:root" % FOREIGN_ACCOUNT}, sid="PartnerRead"))
                P("s3-cross-account", "bucket policy grants read to account %s outside the organisation" % FOREIGN_ACCOUNT)
            elif kind == "bucket-no-pab":
                pab = None
                P("s3-public-access-block", "no public access block configured on the bucket")
            elif kind == "bucket-partial-pab":
                pab = dict(pab, BlockPublicPolicy=False, RestrictPublicBuckets=False)
                P("s3-public-access-block", "public access block only blocks ACLs: BlockPublicPolicy and "
                  "RestrictPublicBuckets are off")
            elif kind == "bucket-unversioned":
                versioning = {}
                P("s3-versioning-disabled", "versioning was never enabled: overwritten or deleted objects are lost")
            elif kind == "bucket-suspended":
                versioning = {"Status": "Suspended"}
                P("s3-versioning-disabled", "versioning is suspended")
            elif kind == "bucket-unencrypted":
                encrypted = False
                P("s3-encryption-missing", "no default encryption configuration on the bucket")
            elif kind == "bucket-no-logging":
                logging = None
                P("s3-access-logging-off", "server access logging is off")
            elif kind == "trap-bucket-orgid":
                stmts.append(read("*", {"StringEquals": {"aws:PrincipalOrgID": self.org_id}}, sid="OrgRead"))
                T(["s3-public-policy", "s3-cross-account"],
                  "Principal * limited by aws:PrincipalOrgID to our own organisation")
            elif kind == "trap-bucket-vpce":
                stmts.append(read("*", {"StringEquals": {"aws:SourceVpce": self.hexid("vpce")}}, sid="VpceRead"))
                T(["s3-public-policy", "s3-cross-account"], "Principal * limited by aws:SourceVpce to one VPC endpoint")
            elif kind == "trap-bucket-srcacct":
                stmts.append({"Sid": "ConfigWrite", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
                              "Resource": arn + "/*", "Condition": {"StringEquals": {"aws:SourceAccount": aid}}})
                T(["s3-public-policy", "s3-cross-account"], "Principal * limited by aws:SourceAccount to this account")
            elif kind == "trap-bucket-org-share":
                other = self.account_by_name("analytics-prod")["id"]
                stmts.append(read({"AWS": "arn:aws:iam::%s:root" % other}, sid="ProdRead"))
                T(["s3-public-policy", "s3-cross-account"],
                  "bucket shared with account %s, another account of the organisation" % other)
            elif kind == "trap-bucket-vendor":
                stmts.append(read({"AWS": "arn:aws:iam::%s:role/vendor-audit" % VENDOR_ACCOUNT}, sid="VendorRead"))
                T(["s3-public-policy", "s3-cross-account"],
                  "bucket shared with %s, listed in organization.trusted_accounts" % VENDOR_ACCOUNT)
            w = lambda op, body: self.write(os.path.join(d, "s3.%s.%s.json" % (op, name)), body)
            w("GetBucketLocation", {"LocationConstraint": None if region == "us-east-1" else region})
            w("GetBucketTagging", {"TagSet": [{"Key": "team", "Value": acct["slug"]},
                                              {"Key": "environment", "Value": acct["environment"]}]
                                   + ([{"Key": "contact", "Value": self.evil("data-owner")}] if self.hostile else [])})
            w("GetBucketPolicy", {"Policy": json.dumps({"Version": "2012-10-17", "Statement": stmts},
                                                       separators=(",", ":"))})
            w("GetBucketAcl", {"Owner": owner, "Grants": grants})
            w("GetBucketVersioning", versioning)
            if encrypted:
                w("GetBucketEncryption", {"ServerSideEncryptionConfiguration": {"Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}]}})
            w("GetBucketLogging", {"LoggingEnabled": logging} if logging else {})
            if pab:
                w("GetPublicAccessBlock", {"PublicAccessBlockConfiguration": pab})
        self.write(os.path.join(d, "s3.ListBuckets.json"), {"Buckets": buckets, "Owner": owner})
        self.count("aws.s3", len(buckets))

    def key(self, age, used_age, active=True, service="s3", region="us-east-1"):
        """An access key created age days before the epoch, last used
        used_age days before it (None: never)."""
        created = self.date(age)
        used = None if used_age is None else self.date(used_age, self.rng.randrange(0, 3600))
        return {"id": self.upper_id("AKIA"), "active": active, "created": created, "used": used,
                "service": service, "region": region}

    def users(self, acct, d, kinds):
        aid = acct["id"]
        specs = []
        for k in range(PER_ACCOUNT["user"] * self.scale):
            specs.append(("human" if k % 2 == 0 else "machine", None, k))
        n = len(specs)
        for kind in sorted(k for k in kinds if k.startswith("user-")):
            specs.append((None, kind, n))
            n += 1
        if "trap-users" in kinds:
            for kind in ("trap-machine-200", "trap-new-unused", "trap-inactive-old"):
                specs.append((None, kind, n))
                n += 1
        users, rows = [], []
        first_machine = None
        for role, kind, k in specs:
            human = role == "human" or kind in ("user-no-mfa", "user-old-key-human", "user-stale-password")
            name = self.evil("%s.dev%d" % (acct["slug"], k) if human else "%s-ci-%d" % (acct["slug"], k), True)
            created_age = self.rng.randrange(500, 900)
            created = self.date(created_age)
            arn = "arn:aws:iam::%s:user/%s" % (aid, name)
            u = {"Path": "/%s/" % self.evil("people") if self.hostile else "/", "UserName": name, "UserId": self.upper_id("AIDA"), "Arn": arn, "CreateDate": created}
            keys = []
            P = lambda check, why: self.plant(check, "aws.iam-user", name, acct, "global", why)
            T = lambda checks, why: self.trap(checks, "aws.iam-user", name, acct, "global", why)
            mfa = human
            if role == "human":
                if k % 4 == 0:
                    keys.append(self.key(self.rng.randrange(5, 80), self.rng.randrange(0, 3), service="sts"))
            elif role == "machine":
                keys.append(self.key(self.rng.randrange(1, 80), 0))
                if first_machine is None:
                    first_machine = name
            elif kind == "user-no-mfa":
                mfa = False
                P("iam-user-console-without-mfa", "console password enabled, no MFA device")
            elif kind == "user-old-key-human":
                keys.append(self.key(120, 1, service="sts"))
                P("iam-access-key-old-human", "console user's active access key is 120 days old (limit 90)")
            elif kind == "user-old-key-machine":
                keys.append(self.key(400, 0))
                P("iam-access-key-old-machine", "CI user's active access key is 400 days old (limit 365)")
            elif kind == "user-unused-key":
                keys.append(self.key(200, 150))
                P("iam-access-key-unused", "active access key last used 150 days ago")
            elif kind == "user-never-used-key":
                keys.append(self.key(120, None))
                P("iam-access-key-unused", "active access key created 120 days ago and never used")
            elif kind == "trap-machine-200":
                keys.append(self.key(200, 0))
                T(["iam-access-key-old-machine", "iam-access-key-unused"],
                  "CI user's key is 200 days old (machine limit 365) and used today")
            elif kind == "trap-new-unused":
                keys.append(self.key(10, None))
                T("iam-access-key-unused", "key created 10 days ago, not used yet")
            elif kind == "trap-inactive-old":
                keys.append(self.key(20, 0))
                keys.append(self.key(800, 700, active=False))
                T(["iam-access-key-old-machine", "iam-access-key-unused", "iam-user-two-active-keys"],
                  "the 800-day-old, unused key is inactive; the active one is fresh and used")
            elif kind == "user-two-keys":
                keys.append(self.key(60, 0))
                keys.append(self.key(5, 0))
                P("iam-user-two-active-keys", "two active access keys (a rotation nobody finished)")
            if human:
                u["PasswordLastUsed"] = self.date(self.rng.randrange(0, 10))
            if kind == "user-stale-password":
                u["PasswordLastUsed"] = self.date(100)
                P("iam-user-password-unused", "console password last used 100 days ago (limit 45)")
            users.append(u)
            self.write(os.path.join(d, "iam.ListAccessKeys.%s.json" % name),
                       {"AccessKeyMetadata": [{"UserName": name, "AccessKeyId": key["id"],
                                               "Status": "Active" if key["active"] else "Inactive",
                                               "CreateDate": key["created"]} for key in keys],
                        "IsTruncated": False})
            self.write(os.path.join(d, "iam.ListMFADevices.%s.json" % name),
                       {"MFADevices": [{"UserName": name, "SerialNumber": "arn:aws:iam::%s:mfa/%s" % (aid, name),
                                        "EnableDate": self.date(created_age - 1)}] if mfa else [],
                        "IsTruncated": False})
            row = {"user": name, "arn": arn, "user_creation_time": created,
                   "password_enabled": "true" if human else "false",
                   "password_last_used": u.get("PasswordLastUsed", "N/A"),
                   "password_last_changed": self.date(self.rng.randrange(20, 80)) if human else "N/A",
                   "password_next_rotation": self.date(-30) if human else "N/A",
                   "mfa_active": "true" if mfa else "false"}
            for i in (1, 2):
                key = keys[i - 1] if i <= len(keys) else None
                p = "access_key_%d_" % i
                row[p + "active"] = "true" if key and key["active"] else "false"
                row[p + "last_rotated"] = key["created"] if key else "N/A"
                row[p + "last_used_date"] = key["used"] if key and key["used"] else "N/A"
                row[p + "last_used_region"] = key["region"] if key and key["used"] else "N/A"
                row[p + "last_used_service"] = key["service"] if key and key["used"] else "N/A"
            row.update({"cert_1_active": "false", "cert_1_last_rotated": "N/A",
                        "cert_2_active": "false", "cert_2_last_rotated": "N/A"})
            rows.append(row)
        if "trap-users" in kinds and first_machine:
            self.trap("iam-user-console-without-mfa", "aws.iam-user", first_machine, acct, "global",
                      "CI user without MFA, but it has no console password")
        self.write(os.path.join(d, "iam.ListUsers.json"), {"Users": users, "IsTruncated": False})
        self.count("aws.iam-user", len(users))
        root_keys, root_mfa = "root-keys" in kinds, "root-no-mfa" not in kinds
        root_used = "root-used" in kinds
        root = {"user": "<root_account>", "arn": "arn:aws:iam::%s:root" % aid, "user_creation_time": self.date(1500),
                "password_enabled": "not_supported", "password_last_used": self.date(2 if root_used else 400),
                "password_last_changed": "not_supported", "password_next_rotation": "not_supported",
                "mfa_active": "true" if root_mfa else "false",
                "access_key_1_active": "true" if root_keys else "false",
                "access_key_1_last_rotated": self.date(700) if root_keys else "N/A",
                "access_key_1_last_used_date": self.date(3) if root_keys else "N/A",
                "access_key_1_last_used_region": "us-east-1" if root_keys else "N/A",
                "access_key_1_last_used_service": "s3" if root_keys else "N/A",
                "access_key_2_active": "false", "access_key_2_last_rotated": "N/A",
                "access_key_2_last_used_date": "N/A", "access_key_2_last_used_region": "N/A",
                "access_key_2_last_used_service": "N/A",
                "cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false",
                "cert_2_last_rotated": "N/A"}
        cols = list(root.keys())
        csv = ",".join(cols) + "\n" + "\n".join(",".join(r[c] for c in cols) for r in [root] + rows)
        self.write(os.path.join(d, "iam.GetCredentialReport.json"),
                   {"Content": base64.b64encode(csv.encode()).decode(), "ReportFormat": "text/csv",
                    "GeneratedTime": self.date(0, 0)})
        return users

    def roles(self, acct, d, kinds):
        aid = acct["id"]
        specs = [None] * (PER_ACCOUNT["role"] * self.scale)
        specs += sorted(k for k in kinds if k.startswith("role-"))
        if "trap-roles" in kinds:
            specs += ["trap-vendor"]
        roles = []
        for k, kind in enumerate(specs):
            cond = None
            if kind is None:
                name = "%s-%s-%d" % (acct["slug"], ["lambda", "app", "ci-deploy", "readonly"][k % 4], k)
                if k % 4 in (0, 1):
                    princ = {"Service": "lambda.amazonaws.com" if k % 4 == 0 else "ec2.amazonaws.com"}
                else:
                    princ = {"AWS": "arn:aws:iam::%s:root" % self.security_account}
                    cond = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
                    if k == 2 and acct["name"] == "payments-prod":
                        self.trap("iam-role-cross-account-unknown", "aws.iam-role", name, acct, "global",
                                  "trusts the security account %s of our own organisation" % self.security_account)
            elif kind == "role-trust-any":
                name = "%s-partner-access" % acct["slug"]
                princ = {"AWS": "*"}
                for check, why in (("iam-role-trusts-any-principal", "trust policy lets any AWS principal "
                                    "(Principal AWS *) assume the role"),
                                   ("iam-role-cross-account-unknown", "Principal AWS * includes every account "
                                    "outside the organisation")):
                    self.plant(check, "aws.iam-role", name, acct, "global", why)
            elif kind == "role-foreign":
                name = "%s-reporting-vendor" % acct["slug"]
                princ = {"AWS": "arn:aws:iam::%s:root" % FOREIGN_ACCOUNT}
                cond = {"StringEquals": {"sts:ExternalId": "%08x" % self.rng.getrandbits(32)}}
                self.plant("iam-role-cross-account-unknown", "aws.iam-role", name, acct, "global",
                           "trusts account %s, which is neither ours nor a trusted vendor" % FOREIGN_ACCOUNT)
            else:  # trap-vendor
                name = "%s-monitoring-vendor" % acct["slug"]
                princ = {"AWS": "arn:aws:iam::%s:root" % VENDOR_ACCOUNT}
                cond = {"StringEquals": {"sts:ExternalId": "%08x" % self.rng.getrandbits(32)}}
                self.trap("iam-role-cross-account-unknown", "aws.iam-role", name, acct, "global",
                          "trusts %s, listed in organization.trusted_accounts" % VENDOR_ACCOUNT)
            st = {"Effect": "Allow", "Principal": princ, "Action": "sts:AssumeRole"}
            if cond:
                st["Condition"] = cond
            name = self.renamed("aws.iam-role", acct, name, self.evil(name))
            roles.append({"Path": "/", "RoleName": name, "RoleId": self.upper_id("AROA"),
                          "Arn": "arn:aws:iam::%s:role/%s" % (aid, name),
                          "CreateDate": self.date(self.rng.randrange(30, 900)),
                          "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [st]},
                          "MaxSessionDuration": 3600})
        self.write(os.path.join(d, "iam.ListRoles.json"), {"Roles": roles, "IsTruncated": False})
        self.count("aws.iam-role", len(roles))
        return roles

    def policies(self, acct, d, kinds):
        aid = acct["id"]
        specs = [None] * (PER_ACCOUNT["policy"] * self.scale)
        if "policy-admin" in kinds:
            specs.append("policy-admin")
        if "trap-policies" in kinds:
            specs += ["trap-s3-all", "trap-deny-all"]
        policies = []
        for k, kind in enumerate(specs):
            if kind is None:
                name = "%s-policy-%d" % (acct["slug"], k)
                bucket = "arn:aws:s3:::%s-%s-data-%d" % (acct["slug"], acct["environment"], k % 8)
                stmts = [{"Sid": "ReadData", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                          "Resource": [bucket, bucket + "/*"]},
                         {"Sid": "Queue", "Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
                          "Resource": "arn:aws:sqs:us-east-1:%s:%s-jobs" % (aid, acct["slug"])}]
            elif kind == "policy-admin":
                name = "%s-break-glass" % acct["slug"]
                stmts = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
            elif kind == "trap-s3-all":
                name = "%s-s3-operator" % acct["slug"]
                stmts = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
            else:
                name = "%s-region-guardrail" % acct["slug"]
                stmts = [{"Sid": "DenyOutsideRegions", "Effect": "Deny", "Action": "*", "Resource": "*",
                          "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}}]
            version = "v%d" % (1 + k % 3)
            name = self.evil(name)
            pol = {"PolicyName": name, "PolicyId": self.upper_id("ANPA"),
                   "Arn": "arn:aws:iam::%s:policy/%s" % (aid, name), "Path": "/", "DefaultVersionId": version,
                   "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                   "CreateDate": self.date(300), "UpdateDate": self.date(30)}
            policies.append(pol)
            if kind == "policy-admin":
                self.plant("iam-policy-allows-admin", "aws.iam-policy", pol["PolicyId"], acct, "global",
                           "policy allows Action * on Resource * (full administrator)")
            elif kind == "trap-s3-all":
                self.trap("iam-policy-allows-admin", "aws.iam-policy", pol["PolicyId"], acct, "global",
                          "s3:* on every resource is broad but not administrator")
            elif kind == "trap-deny-all":
                self.trap("iam-policy-allows-admin", "aws.iam-policy", pol["PolicyId"], acct, "global",
                          "Action * on Resource * but Effect Deny (a guardrail)")
            self.write(os.path.join(d, "iam.GetPolicyVersion.%s.json" % name),
                       {"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": stmts},
                                          "VersionId": version, "IsDefaultVersion": True,
                                          "CreateDate": pol["UpdateDate"]}})
        self.write(os.path.join(d, "iam.ListPolicies.json"), {"Policies": policies, "IsTruncated": False})
        self.count("aws.iam-policy", len(policies))
        return policies

    def side_rng(self, acct, what):
        """A random source of its own for one account and purpose, so that
        data added here changes no id drawn from self.rng."""
        return random.Random("%d/%s/%s" % (self.seed, acct["id"], what))

    QUARANTINE = ["AWSCompromisedKeyQuarantine", "AWSCompromisedKeyQuarantineV2",
                  "AWSCompromisedKeyQuarantineV3"]

    def exposed_keys(self, acct, d, kinds, users, policies):
        """Who has AWS's quarantine policies attached (iam list-entities-for-
        policy, one file per policy); appends the trap's customer policy to
        policies and rewrites ListPolicies."""
        quarantined = []
        if "exposed-key" in kinds:
            u = next(u for u in users if "-ci-" in u["UserName"])
            quarantined.append({"UserName": u["UserName"], "UserId": u["UserId"]})
            self.plant("iam-user-key-exposed", "aws.iam-user", u["UserName"], acct, "global",
                       "AWS attached AWSCompromisedKeyQuarantineV2: its access key was found in public")
        for name in self.QUARANTINE:
            self.write(os.path.join(d, "iam.ListEntitiesForPolicy.%s.json" % name),
                       {"PolicyGroups": [], "PolicyUsers": quarantined if name.endswith("V2") else [],
                        "PolicyRoles": [], "IsTruncated": False})
        if "trap-quarantine-copy" in kinds:
            # The security team's own offboarding policy, named after AWS's:
            # a customer managed policy, not the one AWS attaches.
            rng = self.side_rng(acct, "quarantine-copy")
            u = next(u for u in users if "-ci-" in u["UserName"])
            name = "AWSCompromisedKeyQuarantineV2"
            pol = {"PolicyName": name, "PolicyId": "ANPA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
                                                                    for _ in range(16)),
                   "Arn": "arn:aws:iam::%s:policy/%s" % (acct["id"], name), "Path": "/", "DefaultVersionId": "v1",
                   "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                   "CreateDate": self.date(200, 0), "UpdateDate": self.date(200, 0)}
            policies.append(pol)
            self.write(os.path.join(d, "iam.GetPolicyVersion.%s.json" % name),
                       {"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [
                           {"Effect": "Deny", "Action": ["iam:CreateAccessKey", "iam:CreateUser", "ec2:RunInstances"],
                            "Resource": "*"}]}, "VersionId": "v1", "IsDefaultVersion": True,
                           "CreateDate": pol["UpdateDate"]}})
            self.write(os.path.join(d, "iam.ListPolicies.json"), {"Policies": policies, "IsTruncated": False})
            self.count("aws.iam-policy")
            self.trap("iam-user-key-exposed", "aws.iam-user", u["UserName"], acct, "global",
                      "attached: a customer managed policy named AWSCompromisedKeyQuarantineV2, not AWS's")

    def account_settings(self, acct, d, kinds, users, roles, policies):
        humans = sum(1 for u in users if "PasswordLastUsed" in u)
        mfa = humans - (1 if "user-no-mfa" in kinds else 0)
        root_mfa = "root-no-mfa" not in kinds
        summary = {"Users": len(users), "UsersQuota": 5000, "Groups": 0, "GroupsQuota": 300,
                   "Roles": len(roles), "RolesQuota": 1000, "InstanceProfiles": 1, "InstanceProfilesQuota": 1000,
                   "ServerCertificates": 0, "ServerCertificatesQuota": 20, "UserPolicySizeQuota": 2048,
                   "GroupPolicySizeQuota": 5120, "GroupsPerUserQuota": 10, "SigningCertificatesPerUserQuota": 2,
                   "AccessKeysPerUserQuota": 2, "MFADevices": mfa + (1 if root_mfa else 0),
                   "MFADevicesInUse": mfa + (1 if root_mfa else 0), "AccountMFAEnabled": 1 if root_mfa else 0,
                   "AccountAccessKeysPresent": 1 if "root-keys" in kinds else 0,
                   "AccountSigningCertificatesPresent": 0, "AttachedPoliciesPerGroupQuota": 10,
                   "AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10,
                   "Policies": len(policies), "PoliciesQuota": 1500, "PolicySizeQuota": 6144,
                   "PolicyVersionsInUse": len(policies), "PolicyVersionsInUseQuota": 10000,
                   "VersionsPerPolicyQuota": 5, "GlobalEndpointTokenVersion": 1, "Providers": 1}
        self.write(os.path.join(d, "iam.GetAccountSummary.json"), {"SummaryMap": summary})
        A = lambda check, why: self.plant(check, "aws.account", acct["id"], acct, "global", why)
        if "root-keys" in kinds:
            A("iam-root-access-keys", "the root user has an active access key")
            A("iam-root-used-recently", "the root user's access key was used 3 days ago")
        if "root-used" in kinds:
            A("iam-root-used-recently", "the root user signed in to the console 2 days ago")
        if not root_mfa:
            A("iam-root-without-mfa", "the root user has no MFA device")
        path = os.path.join(d, "iam.GetAccountPasswordPolicy.json")
        if "pwpolicy-missing" in kinds:
            self.write(path, {"Error": {"Code": "NoSuchEntity", "Message": "The Password Policy with domain name "
                                        "%s cannot be found." % acct["id"]}})
            A("iam-password-policy-weak", "no password policy: IAM defaults allow 8-character passwords")
            return
        pp = {"MinimumPasswordLength": 14, "RequireSymbols": True, "RequireNumbers": True,
              "RequireUppercaseCharacters": True, "RequireLowercaseCharacters": True,
              "AllowUsersToChangePassword": True, "ExpirePasswords": True, "MaxPasswordAge": 90,
              "PasswordReusePrevention": 24, "HardExpiry": False}
        if "pwpolicy-weak" in kinds:
            pp.update(MinimumPasswordLength=8, RequireSymbols=False, PasswordReusePrevention=1)
            A("iam-password-policy-weak", "password policy allows 8-character passwords without symbols")
            A("iam-password-reuse-allowed", "password policy remembers only the last password")
        if "pwpolicy-reuse" in kinds:  # strong in every other way
            pp.update(PasswordReusePrevention=5)
            A("iam-password-reuse-allowed", "password policy remembers 5 passwords (CIS: 24)")
        self.write(path, {"PasswordPolicy": pp})

    def run(self):
        if os.path.exists(self.out):
            shutil.rmtree(self.out)
        os.makedirs(self.out)
        accts = self.accounts()
        self.accts = accts
        self.log_account = self.security_account = accts[-2]["id"]
        self.write_accounts_yaml(accts)
        for a in accts:
            self.global_data(a)
            self.count("aws.account")
            for r in a["regions"]:
                self.region(a, r)
        key = lambda p: (p["check"], p["account"], p["id"])
        self.planted.sort(key=key)
        self.traps.sort(key=key)
        for name, data in (("planted.json", self.planted), ("traps.json", self.traps)):
            with open(os.path.join(self.out, name), "w") as fh:
                json.dump(data, fh, indent=2)
                fh.write("\n")
        with open(os.path.join(self.out, "summary.json"), "w") as fh:
            json.dump({"seed": self.seed, "scale": self.scale, "epoch": self.epoch.strftime("%Y-%m-%d"),
                       "accounts": len(accts), "teams": len(TEAMS), "organization": self.org_id,
                       "planted": len(self.planted), "traps": len(self.traps),
                       "resources": dict(sorted(self.counts.items()))}, fh, indent=2)
            fh.write("\n")
        return accts


Gen.EGRESS_ALL = Gen.perm("-1", cidrs=["0.0.0.0/0"])


class Region:
    """One account/region: built in memory, then written."""

    def __init__(self, g, acct, region):
        self.g, self.acct, self.region = g, acct, region
        self.aid = acct["id"]
        self.dir = os.path.join(g.out, acct["id"], region)
        self.kinds = g.here(acct, region)
        self.azs = [region + "a", region + "b"]
        for k in ("vpcs", "subnets", "rts", "igws", "nacls", "sgs", "instances", "enis", "volumes",
                  "snapshots", "snap_perms", "rdss", "dbsnaps", "dbsnap_attrs", "elbs", "albs", "lambdas",
                  "keys", "key_meta", "rotation", "asgs"):
            setattr(self, k, [])
        self.ebs_key = None
        self.ips = {}  # subnet id -> last host number used
        east = region == "us-east-1"
        self.internal_domain = "ec2.internal" if east else region + ".compute.internal"
        self.public_domain = "compute-1.amazonaws.com" if east else region + ".compute.amazonaws.com"

    # ---- small helpers ----
    def P(self, check, rtype, rid, why):
        self.g.plant(check, rtype, rid, self.acct, self.region, why)

    def T(self, checks, rtype, rid, why):
        self.g.trap(checks, rtype, rid, self.acct, self.region, why)

    def name(self, what):
        return self.g.evil("%s-%s" % (self.acct["slug"], what))

    def gref(self, groups):
        return [{"GroupId": sg["GroupId"], "GroupName": sg["GroupName"]} for sg in groups]

    def eni(self, sn, groups, desc, itype="interface", requester=None, attach=None, public=False):
        g = self.g
        n = self.ips[sn["SubnetId"]] = self.ips.get(sn["SubnetId"], 9) + 1
        ip = "10.%s.%d" % (".".join(sn["CidrBlock"].split(".")[1:3]), n)
        e = {"AvailabilityZone": sn["AvailabilityZone"], "Description": desc, "Groups": self.gref(groups),
             "InterfaceType": itype, "Ipv6Addresses": [],
             "MacAddress": "0a:%s" % ":".join("%02x" % g.rng.getrandbits(8) for _ in range(5)),
             "NetworkInterfaceId": g.hexid("eni"), "OwnerId": self.aid,
             "PrivateDnsName": "ip-%s.%s" % (ip.replace(".", "-"), self.internal_domain), "PrivateIpAddress": ip,
             "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
             "RequesterManaged": requester is not None, "SourceDestCheck": True, "Status": "in-use",
             "SubnetId": sn["SubnetId"], "TagSet": [], "VpcId": sn["VpcId"]}
        if requester:
            e["RequesterId"] = requester
        if public:
            pip = g.public_ip()
            e["Association"] = {"IpOwnerId": "amazon", "PublicDnsName": "ec2-%s.%s"
                                % (pip.replace(".", "-"), self.public_domain), "PublicIp": pip}
            e["PrivateIpAddresses"][0]["Association"] = e["Association"]
        e["Attachment"] = dict({"AttachmentId": g.hexid("eni-attach"), "DeleteOnTermination": True,
                                "DeviceIndex": 0 if attach and "InstanceId" in attach else 1,
                                "Status": "attached", "AttachTime": g.date(g.rng.randrange(10, 300))},
                               **(attach or {"InstanceOwnerId": requester or self.aid}))
        self.enis.append(e)
        return e

    # ---- build ----
    def build(self):
        self.network()
        self.planted_groups()
        self.compute()
        self.databases()
        self.load_balancers()
        self.lambdas_keys_trails()
        self.hardening()
        self.public_policies()
        self.check_groups_used()

    def hardening(self):
        """Plants by changing resources that exist (draws no random numbers,
        so every other id stays the same)."""
        k = self.kinds
        if "rds-no-minor-upgrade" in k:
            db = self.rdss[0]
            db["AutoMinorVersionUpgrade"] = False
            self.P("rds-auto-minor-upgrade-off", "aws.rds", db["DBInstanceIdentifier"],
                   "AutoMinorVersionUpgrade is false: engine security fixes wait for a person")
        if "default-sg-open" in k:
            sg = self.vpcl[0]["g"]["default"]
            # What AWS creates: members talk to each other, everything goes out.
            sg["IpPermissions"] = [Gen.perm("-1", groups=[(sg["GroupId"], self.aid)])]
            sg["IpPermissionsEgress"] = [Gen.EGRESS_ALL]
            self.P("vpc-default-sg-allows-traffic", "aws.security-group", sg["GroupId"],
                   "the default security group still has AWS's default rules (self-ingress, all egress)")
        if "instance-imdsv1" in k:
            inst = self.instances[0]
            inst["MetadataOptions"]["HttpTokens"] = "optional"
            self.P("ec2-imdsv2-not-required", "aws.ec2", inst["InstanceId"],
                   "HttpTokens optional: IMDSv1 answers, so an SSRF can read the role's credentials")
        if "lambda-old-runtime" in k:
            fn = self.lambdas[0]
            fn["Runtime"] = "python3.8"
            self.P("lambda-runtime-deprecated", "aws.lambda", fn["FunctionName"],
                   "runs on python3.8, deprecated by AWS in 2024")
        if "elb-http-only" in k:
            lb = self.elbs[0]
            lb["ListenerDescriptions"] = [{"Listener": {"Protocol": "HTTP", "LoadBalancerPort": 80,
                                                        "InstanceProtocol": "HTTP", "InstancePort": 8080},
                                           "PolicyNames": []}]
            self.P("elb-no-secure-listener", "aws.elb", lb["LoadBalancerName"],
                   "its only listener is HTTP on port 80")
        if "trap-imds-off" in k:
            inst = self.instances[0]
            inst["MetadataOptions"].update(HttpTokens="optional", HttpEndpoint="disabled")
            self.T("ec2-imdsv2-not-required", "aws.ec2", inst["InstanceId"],
                   "HttpTokens optional but the metadata endpoint is disabled altogether")

    # ---- resource policies beyond S3 (draws only from a random source of
    # its own, so every other id stays the same) ----
    def public_policies(self):
        g, k, aid, region = self.g, self.kinds, self.aid, self.region
        rng = g.side_rng(self.acct, "public/" + region)
        org = g.org_id
        doc = lambda stmts: json.dumps({"Version": "2012-10-17", "Statement": stmts}, separators=(",", ":"))
        # SNS: one topic per scope with AWS's default policy ({"AWS": "*"}
        # limited by AWS:SourceOwner, itself a look-alike everywhere).
        self.topics, self.topic_attrs = [], []
        arn = "arn:aws:sns:%s:%s:%s" % (region, aid, self.name("alerts"))
        stmts = [{"Sid": "__default_statement_ID", "Effect": "Allow", "Principal": {"AWS": "*"},
                  "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                             "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                             "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
                  "Resource": arn, "Condition": {"StringEquals": {"AWS:SourceOwner": aid}}}]
        if "sns-public" in k:
            stmts.append({"Sid": "anyone-publishes", "Effect": "Allow", "Principal": "*", "Action": "SNS:Publish",
                          "Resource": arn})
            self.P("sns-public-policy", "aws.sns", arn, "topic policy lets Principal * publish, no condition")
        if "trap-sns-org" in k:
            stmts.append({"Sid": "org-publishes", "Effect": "Allow", "Principal": {"AWS": "*"},
                          "Action": "SNS:Publish", "Resource": arn,
                          "Condition": {"StringEquals": {"aws:PrincipalOrgID": org}}})
            self.T("sns-public-policy", "aws.sns", arn, "{\"AWS\": \"*\"} limited by aws:PrincipalOrgID (ours)")
        self.topics.append({"TopicArn": arn})
        self.topic_attrs.append({"Attributes": {"Policy": doc(stmts).replace('"2012-10-17"', '"2008-10-17"'),
                                                "Owner": aid, "SubscriptionsPending": "0", "TopicArn": arn,
                                                "SubscriptionsConfirmed": "1", "SubscriptionsDeleted": "0",
                                                "DisplayName": ""}})
        # ECR: one repository per scope, no policy, except the planted ones.
        self.repos, self.repo_policies = [], []
        name = self.name("api")
        repo = {"repositoryArn": "arn:aws:ecr:%s:%s:repository/%s" % (region, aid, name), "registryId": aid,
                "repositoryName": name, "repositoryUri": "%s.dkr.ecr.%s.amazonaws.com/%s" % (aid, region, name),
                "createdAt": g.date(300, 0), "imageTagMutability": "IMMUTABLE",
                "imageScanningConfiguration": {"scanOnPush": True}, "encryptionConfiguration": {"encryptionType": "AES256"}}
        pull = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        pol = None
        if "ecr-public" in k:
            pol = [{"Sid": "public-pull", "Effect": "Allow", "Principal": "*", "Action": pull}]
            self.P("ecr-public-policy", "aws.ecr", name, "repository policy lets Principal * pull images")
        if "trap-ecr-org" in k:
            pol = [{"Sid": "org-pull", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": pull,
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": org}}}]
            self.T("ecr-public-policy", "aws.ecr", name, "{\"AWS\": \"*\"} pull limited by aws:PrincipalOrgID")
        self.repos.append(repo)
        self.repo_policies.append(
            {"registryId": aid, "repositoryName": name, "policyText": doc(pol)} if pol else
            {"Error": {"Code": "RepositoryPolicyNotFoundException",
                       "Message": "Repository policy does not exist for the repository with name '%s' in the registry "
                                  "with id '%s'" % (name, aid)}})
        # Lambda: no resource policy, except the planted ones.
        self.fn_policies = []
        for n, fn in enumerate(self.lambdas):
            fa = fn["FunctionArn"]
            st = None
            if n == 0 and "lambda-url-public" in k:
                st = [{"Sid": "FunctionURLAllowPublicAccess", "Effect": "Allow", "Principal": "*",
                       "Action": "lambda:InvokeFunctionUrl", "Resource": fa,
                       "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}}]
                self.P("lambda-public-policy", "aws.lambda", fn["FunctionName"],
                       "function URL with AuthType NONE: Principal * may invoke it")
            if n == 0 and "trap-lambda-s3" in k:
                bucket = "%s-%s-data-0" % (self.acct["slug"], self.acct["environment"])
                st = [{"Sid": "s3-invoke", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
                       "Resource": fa, "Condition": {"StringEquals": {"AWS:SourceAccount": aid},
                                                     "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::" + bucket}}}]
                self.T("lambda-public-policy", "aws.lambda", fn["FunctionName"],
                       "Principal * limited by AWS:SourceArn (our bucket) and AWS:SourceAccount")
            self.fn_policies.append(
                {"Policy": json.dumps({"Version": "2012-10-17", "Id": "default", "Statement": st},
                                      separators=(",", ":")),
                 "RevisionId": "%08x-%04x-%04x-%04x-%012x" % tuple(rng.getrandbits(b) for b in (32, 16, 16, 16, 48))}
                if st else
                {"Error": {"Code": "ResourceNotFoundException",
                           "Message": "The resource you requested does not exist."}})
        # KMS: every key's default policy; AWS managed keys' grant
        # {"AWS": "*"} limited by kms:CallerAccount and kms:ViaService.
        self.key_policies = []
        customers = [m["KeyMetadata"] for m in self.key_meta if m["KeyMetadata"]["KeyManager"] == "CUSTOMER"]
        public_key = customers[0]["KeyId"] if "kms-public" in k and customers else None
        root = {"AWS": "arn:aws:iam::%s:root" % aid}
        for m in self.key_meta:
            meta = m["KeyMetadata"]
            if meta["KeyManager"] == "AWS":
                st = [{"Sid": "Allow access through EBS for all principals in the account that are authorized to use EBS",
                       "Effect": "Allow", "Principal": {"AWS": "*"},
                       "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                                  "kms:CreateGrant", "kms:DescribeKey"], "Resource": "*",
                       "Condition": {"StringEquals": {"kms:CallerAccount": aid,
                                                      "kms:ViaService": "ec2.%s.amazonaws.com" % region}}},
                      {"Sid": "Allow direct access to key metadata to the account", "Effect": "Allow",
                       "Principal": root, "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                       "Resource": "*"}]
                if "trap-kms-managed" in k:
                    self.T("kms-key-public-policy", "aws.kms-key", meta["KeyId"],
                           "AWS managed key: {\"AWS\": \"*\"} limited by kms:CallerAccount and kms:ViaService")
            else:
                st = [{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": root, "Action": "kms:*",
                       "Resource": "*"}]
                if meta["KeyId"] == public_key:
                    st.append({"Sid": "Allow use of the key", "Effect": "Allow", "Principal": {"AWS": "*"},
                               "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"})
                    self.P("kms-key-public-policy", "aws.kms-key", meta["KeyId"],
                           "key policy lets {\"AWS\": \"*\"} (any AWS account) decrypt, no condition")
            self.key_policies.append((meta["KeyId"], {"Policy": json.dumps(
                {"Version": "2012-10-17", "Id": "key-default-1", "Statement": st}, indent=2), "PolicyName": "default"}))
        # AMIs: one image per scope, private; the planted one public.
        self.images = []
        img = {"Architecture": "arm64", "CreationDate": g.date(40, 0).replace("+00:00", ".000Z"),
               "ImageId": "ami-%017x" % rng.getrandbits(68), "ImageLocation": "%s/%s" % (aid, self.name("base")),
               "ImageType": "machine", "Public": False, "OwnerId": aid, "PlatformDetails": "Linux/UNIX",
               "UsageOperation": "RunInstances", "State": "available", "BlockDeviceMappings": [
                   {"DeviceName": "/dev/xvda", "Ebs": {"DeleteOnTermination": True, "SnapshotId":
                                                       "snap-%017x" % rng.getrandbits(68), "VolumeSize": 8,
                                                       "VolumeType": "gp3", "Encrypted": True}}],
               "EnaSupport": True, "Hypervisor": "xen", "Name": self.name("base"), "RootDeviceName": "/dev/xvda",
               "RootDeviceType": "ebs", "SriovNetSupport": "simple", "VirtualizationType": "hvm",
               "ImdsSupport": "v2.0"}
        if "ami-public" in k:
            img["Public"] = True
            self.P("ami-public", "aws.ami", img["ImageId"], "the image's launch permission includes Group all")
        if "trap-ami-shared" in k:
            self.T("ami-public", "aws.ami", img["ImageId"], "shared with the security account only (Public false)")
        self.images.append(img)

    def write_public(self):
        g, d = self.g, self.dir
        j = os.path.join
        g.write(j(d, "sns.ListTopics.json"), {"Topics": self.topics})
        g.count("aws.sns", len(self.topics))
        for t, attrs in zip(self.topics, self.topic_attrs):
            g.write(j(d, "sns.GetTopicAttributes.%s.json" % t["TopicArn"]), attrs)
        g.write(j(d, "ecr.DescribeRepositories.json"), {"repositories": self.repos})
        g.count("aws.ecr", len(self.repos))
        for r, pol in zip(self.repos, self.repo_policies):
            g.write(j(d, "ecr.GetRepositoryPolicy.%s.json" % r["repositoryName"]), pol)
        for fn, pol in zip(self.lambdas, self.fn_policies):
            g.write(j(d, "lambda.GetPolicy.%s.json" % fn["FunctionName"]), pol)
        for kid, pol in self.key_policies:
            g.write(j(d, "kms.GetKeyPolicy.%s.json" % kid), pol)
        g.write(j(d, "ec2.DescribeImages.json"), {"Images": self.images})
        g.count("aws.ami", len(self.images))

    def network(self):
        g, aid, s = self.g, self.aid, self.g.scale
        self.vpcl = []
        for v in range(PER_SCOPE["vpc"] * s):
            self.vpcl.append(self.vpc(v, "10.%d.0.0/16" % (v % 250), igw=True))
        if "sg-ssh-dev" in self.kinds:
            # An isolated VPC (no internet gateway): the dev half of the ranking scenario.
            self.isolated = self.vpc(len(self.vpcl), "10.200.0.0/16", igw=False)

    def vpc(self, v, cidr, igw):
        g, aid, acct = self.g, self.aid, self.acct
        vpc_id = g.hexid("vpc")
        self.vpcs.append({"CidrBlock": cidr, "DhcpOptionsId": "dopt-0a1b2c3d", "State": "available",
                          "VpcId": vpc_id, "OwnerId": aid, "InstanceTenancy": "default",
                          "CidrBlockAssociationSet": [{"AssociationId": g.hexid("vpc-cidr-assoc"), "CidrBlock": cidr,
                                                       "CidrBlockState": {"State": "associated"}}],
                          "IsDefault": False,
                          "Tags": g.tags(acct, "%s-vpc-%d" % (acct["name"], v) if igw else "%s-isolated" % acct["name"])})
        igw_id = None
        if igw:
            igw_id = g.hexid("igw")
            self.igws.append({"Attachments": [{"State": "available", "VpcId": vpc_id}],
                              "InternetGatewayId": igw_id, "OwnerId": aid,
                              "Tags": g.tags(acct, "%s-igw-%d" % (acct["name"], v))})
        pub, priv = [], []
        base = cidr.split(".")[1]
        for k in range(4 if igw else 2):
            public = igw and k < 2
            sn = {"AvailabilityZone": self.azs[k % 2], "AvailableIpAddressCount": 250,
                  "CidrBlock": "10.%s.%d.0/24" % (base, k), "DefaultForAz": False,
                  "MapPublicIpOnLaunch": public, "State": "available", "SubnetId": g.hexid("subnet"),
                  "VpcId": vpc_id, "OwnerId": aid,
                  "Tags": g.tags(acct, "%s-%s-%s" % (acct["name"], "public" if public else "private",
                                                     self.azs[k % 2][-1]))}
            sn["SubnetArn"] = "arn:aws:ec2:%s:%s:subnet/%s" % (self.region, aid, sn["SubnetId"])
            self.subnets.append(sn)
            (pub if public else priv).append(sn)
        local = {"DestinationCidrBlock": cidr, "GatewayId": "local", "Origin": "CreateRouteTable",
                 "State": "active"}
        assoc = lambda rt, sn: {"Main": False, "RouteTableAssociationId": g.hexid("rtbassoc"), "RouteTableId": rt,
                                "SubnetId": sn["SubnetId"], "AssociationState": {"State": "associated"}}
        priv_rt = g.hexid("rtb")
        if igw:
            pub_rt = g.hexid("rtb")
            self.rts.append({"Associations": [assoc(pub_rt, sn) for sn in pub], "PropagatingVgws": [],
                             "RouteTableId": pub_rt,
                             "Routes": [local, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw_id,
                                                "Origin": "CreateRoute", "State": "active"}],
                             "Tags": g.tags(acct, "public"), "VpcId": vpc_id, "OwnerId": aid})
        self.rts.append({"Associations": [{"Main": True, "RouteTableAssociationId": g.hexid("rtbassoc"),
                                           "RouteTableId": priv_rt, "AssociationState": {"State": "associated"}}] +
                                         [assoc(priv_rt, sn) for sn in priv],
                         "PropagatingVgws": [], "RouteTableId": priv_rt, "Routes": [local],
                         "Tags": g.tags(acct, "private"), "VpcId": vpc_id, "OwnerId": aid})
        acl_id = g.hexid("acl")
        entries = []
        for egress in (True, False):
            entries += [{"CidrBlock": "0.0.0.0/0", "Egress": egress, "Protocol": "-1", "RuleAction": "allow",
                         "RuleNumber": 100},
                        {"CidrBlock": "0.0.0.0/0", "Egress": egress, "Protocol": "-1", "RuleAction": "deny",
                         "RuleNumber": 32767}]
        self.nacls.append({"Associations": [{"NetworkAclAssociationId": g.hexid("aclassoc"), "NetworkAclId": acl_id,
                                             "SubnetId": sn["SubnetId"]} for sn in pub + priv],
                           "Entries": entries, "IsDefault": True, "NetworkAclId": acl_id, "Tags": [],
                           "VpcId": vpc_id, "OwnerId": aid})
        # Security groups: default (no rules, CIS), ALB (443 from the world),
        # app/db/cache tiers referencing each other, an internal service
        # group and the VPC endpoints' group.
        sg, perm, slug = g.sg, g.perm, self.acct["slug"]
        egress = [Gen.EGRESS_ALL]
        grp = {"default": sg(aid, vpc_id, "default", "default VPC security group", [], [])}
        if igw:
            grp["alb"] = sg(aid, vpc_id, "%s-alb-%d" % (slug, v), "load balancer",
                            [perm("tcp", 443, 443, cidrs=["0.0.0.0/0"], cidrs6=["::/0"])], egress)
            grp["app"] = sg(aid, vpc_id, "%s-app-%d" % (slug, v), "application tier",
                            [perm("tcp", 8080, 8080, groups=[(grp["alb"]["GroupId"], aid)])], egress)
            grp["db"] = sg(aid, vpc_id, "%s-db-%d" % (slug, v), "database tier",
                           [perm("tcp", 5432, 5432, groups=[(grp["app"]["GroupId"], aid)])], egress)
            grp["cache"] = sg(aid, vpc_id, "%s-cache-%d" % (slug, v), "cache tier",
                              [perm("tcp", 6379, 6379, groups=[(grp["app"]["GroupId"], aid)])], egress)
            grp["svc"] = sg(aid, vpc_id, "%s-svc-%d" % (slug, v), "internal service",
                            [perm("tcp", 8000, 8000, cidrs=[cidr])], egress)
            grp["vpce"] = sg(aid, vpc_id, "%s-endpoints-%d" % (slug, v), "VPC interface endpoints",
                             [perm("tcp", 443, 443, cidrs=[cidr])], egress)
        self.sgs.extend(grp.values())
        return {"id": vpc_id, "cidr": cidr, "pub": pub, "priv": priv, "g": grp, "v": v,
                "extra": []}  # extra: groups added to the first instances of the VPC

    def add_sg(self, vpc, name, desc, ingress, egress=None, attach=True):
        if self.g.hostile:  # rule descriptions travel in --ip-permissions
            ev = self.g.evil_all
            ingress = [dict(p, IpRanges=[dict(r, Description=ev("ops")) for r in p["IpRanges"]],
                            Ipv6Ranges=[dict(r, Description=ev("ops6")) for r in p["Ipv6Ranges"]])
                       for p in ingress]
        sg = self.g.sg(self.aid, vpc["id"], self.name(name), self.g.evil(desc), ingress,
                       [Gen.EGRESS_ALL] if egress is None else egress)
        self.sgs.append(sg)
        if attach:
            vpc["extra"].append(sg)
        return sg

    def planted_groups(self):
        g, perm, k = self.g, self.g.perm, self.kinds
        vpc = self.vpcl[0]
        sgid = "aws.security-group"
        world = ["0.0.0.0/0"]
        if "sg-ssh-prod" in k:
            self.ssh_prod = self.add_sg(vpc, "bastion-ssh", "ssh for the web fleet",
                                        [perm("tcp", 22, 22, cidrs=world)], attach=False)
            self.P("sg-ssh-open-to-world", sgid, self.ssh_prod["GroupId"],
                   "SSH (tcp/22) open to 0.0.0.0/0 on 40 instances with public IPs in a public subnet (prod)")
        if "sg-ssh-dev" in k:
            iso = self.isolated
            sg = self.add_sg(iso, "admin-ssh", "ssh from anywhere (isolated VPC)",
                             [perm("tcp", 22, 22, cidrs=world)], attach=False)
            iso["ssh"] = sg
            self.P("sg-ssh-open-to-world", sgid, sg["GroupId"],
                   "SSH (tcp/22) open to 0.0.0.0/0, but in a dev VPC with no internet gateway and on one "
                   "private instance")
        if "sg-rdp" in k:
            sg = self.add_sg(vpc, "windows-admin", "temporary admin access", [perm("tcp", 3389, 3389, cidrs=world)])
            self.P("sg-rdp-open-to-world", sgid, sg["GroupId"], "RDP (tcp/3389) open to 0.0.0.0/0")
        if "sg-db" in k:
            sg = self.add_sg(vpc, "analytics-db-access", "BI tool access",
                             [perm("tcp", 5432, 5432, cidrs=world), perm("tcp", 443, 443, cidrs=[vpc["cidr"]])])
            self.P("sg-database-open-to-world", sgid, sg["GroupId"], "PostgreSQL (tcp/5432) open to 0.0.0.0/0")
        if "sg-db-v6" in k:
            sg = self.add_sg(vpc, "mysql-dualstack", "MySQL for the partner app",
                             [perm("tcp", 3306, 3306, cidrs=[vpc["cidr"]], cidrs6=["::/0"])])
            self.P("sg-database-open-to-world", sgid, sg["GroupId"], "MySQL (tcp/3306) open to ::/0 (IPv6)")
        if "sg-all" in k:
            sg = self.add_sg(vpc, "debug-all-open", "debugging, remove", [perm("-1", cidrs=world)])
            why = "all traffic (IpProtocol -1) open to 0.0.0.0/0, so %s too"
            self.P("sg-all-traffic-open-to-world", sgid, sg["GroupId"], "all traffic (IpProtocol -1) open to 0.0.0.0/0")
            self.P("sg-ssh-open-to-world", sgid, sg["GroupId"], why % "SSH (tcp/22)")
            self.P("sg-rdp-open-to-world", sgid, sg["GroupId"], why % "RDP (tcp/3389)")
            self.P("sg-database-open-to-world", sgid, sg["GroupId"], why % "every database port")
        if "sg-egress" in k:
            sg = self.add_sg(vpc, "legacy-ftp-client", "talks to a partner's FTP and HTTP servers",
                             [perm("tcp", 8080, 8080, cidrs=[vpc["cidr"]])],
                             [perm("tcp", 80, 80, cidrs=world), perm("tcp", 21, 21, cidrs=world),
                              perm("tcp", 443, 443, cidrs=world)])
            self.P("sg-egress-plaintext-to-internet", sgid, sg["GroupId"],
                   "egress to 0.0.0.0/0 on tcp/80 (HTTP) and tcp/21 (FTP): plaintext to the internet")
        if "sg-unused" in k:
            sg = self.add_sg(vpc, "old-migration", "left over from the 2024 migration",
                             [perm("tcp", 8443, 8443, cidrs=[vpc["cidr"]])], attach=False)
            self.P("sg-unused", sgid, sg["GroupId"], "no network interface uses this security group")
        if "trap-sg" in k:
            self_ref = self.add_sg(vpc, "cluster-internal", "nodes talk to each other", [])
            self_ref["IpPermissions"] = [perm("-1", groups=[(self_ref["GroupId"], self.aid)])]
            self.T(SG_CHECKS, sgid, self_ref["GroupId"], "only rule: all traffic from members of the same group")
            overlap = self.add_sg(vpc, "ops-internal", "ops tooling",
                                  [perm("tcp", 22, 22, cidrs=["10.0.0.0/8"]), perm("tcp", 0, 1023, cidrs=["10.0.0.0/8"])])
            self.T(SG_CHECKS, sgid, overlap["GroupId"],
                   "overlapping rules tcp/22 and tcp/0-1023, both from 10.0.0.0/8 only: not open to the world")
            meta = self.add_sg(vpc, "imds-client", "instances reaching the metadata service",
                               [perm("tcp", 8080, 8080, cidrs=[vpc["cidr"]])],
                               [perm("tcp", 80, 80, cidrs=["169.254.169.254/32"]), perm("tcp", 443, 443, cidrs=world)])
            self.T(SG_CHECKS, sgid, meta["GroupId"], "egress tcp/80 only to the EC2 metadata endpoint 169.254.169.254/32")
            pl = self.add_sg(vpc, "s3-endpoint-client", "S3 through the gateway endpoint",
                             [perm("tcp", 8080, 8080, cidrs=[vpc["cidr"]])],
                             [perm("tcp", 80, 80, prefix_lists=["pl-63a5400a"]),
                              perm("tcp", 443, 443, prefix_lists=["pl-63a5400a"])])
            self.T(SG_CHECKS, sgid, pl["GroupId"],
                   "egress tcp/80 and 443 only to the S3 VPC endpoint prefix list pl-63a5400a")
        if "trap-alb-sg" in k:
            self.T(SG_CHECKS, sgid, vpc["g"]["alb"]["GroupId"],
                   "tcp/443 open to the world on internet-facing load balancers: expected")

    # ---- instances, volumes, snapshots ----
    def instance(self, vpc, sn, groups, name, public=False, asg=None):
        g, aid, acct = self.g, self.aid, self.acct
        iid, vol_id = g.hexid("i"), g.hexid("vol")
        launch = g.date(g.rng.randrange(1, 200))
        tags = [("aws:autoscaling:groupName", asg)] if asg else []
        e = self.eni(sn, groups, "", attach={"InstanceId": iid, "InstanceOwnerId": aid}, public=public)
        inst = {"AmiLaunchIndex": 0, "ImageId": "ami-0abcdef1234567890",
                "InstanceId": iid, "InstanceType": g.rng.choice(["t3.medium", "m6i.large", "c6i.xlarge"]),
                "LaunchTime": launch, "Monitoring": {"State": "enabled"},
                "Placement": {"AvailabilityZone": sn["AvailabilityZone"], "GroupName": "", "Tenancy": "default"},
                "PrivateDnsName": e["PrivateDnsName"], "PrivateIpAddress": e["PrivateIpAddress"],
                "PublicDnsName": "", "State": {"Code": 16, "Name": "running"},
                "SubnetId": sn["SubnetId"], "VpcId": vpc["id"], "Architecture": "x86_64",
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"AttachTime": launch, "DeleteOnTermination": True,
                                                                            "Status": "attached", "VolumeId": vol_id}}],
                "EbsOptimized": True, "EnaSupport": True, "Hypervisor": "xen",
                "IamInstanceProfile": {"Arn": "arn:aws:iam::%s:instance-profile/%s-app" % (aid, acct["slug"]),
                                       "Id": g.upper_id("AIPA", 17)},
                "NetworkInterfaces": [{"Attachment": {"AttachTime": launch, "AttachmentId": e["Attachment"]["AttachmentId"],
                                                      "DeleteOnTermination": True, "DeviceIndex": 0, "Status": "attached"},
                                       "Description": "", "Groups": e["Groups"], "MacAddress": e["MacAddress"],
                                       "NetworkInterfaceId": e["NetworkInterfaceId"], "OwnerId": aid,
                                       "PrivateDnsName": e["PrivateDnsName"], "PrivateIpAddress": e["PrivateIpAddress"],
                                       "SourceDestCheck": True, "Status": "in-use", "SubnetId": sn["SubnetId"],
                                       "VpcId": vpc["id"], "InterfaceType": "interface"}],
                "RootDeviceName": "/dev/xvda", "RootDeviceType": "ebs", "SecurityGroups": e["Groups"],
                "SourceDestCheck": True, "VirtualizationType": "hvm",
                "MetadataOptions": {"State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 1,
                                    "HttpEndpoint": "enabled"},
                "Tags": g.tags(acct, name, [{"Key": k, "Value": v} for k, v in tags])}
        if public:
            a = e["Association"]
            inst["PublicIpAddress"], inst["PublicDnsName"] = a["PublicIp"], a["PublicDnsName"]
            inst["NetworkInterfaces"][0]["Association"] = a
        self.instances.append(inst)
        self.volume(vol_id, sn["AvailabilityZone"], 50, True, name + "-root", attached=(iid, launch))
        return inst

    def volume(self, vol_id, az, size, encrypted, name, attached=None, history="clean"):
        g = self.g
        created = attached[1] if attached else g.date(90)
        vol = {"Attachments": [], "AvailabilityZone": az, "CreateTime": created, "Encrypted": encrypted,
               "Size": size, "SnapshotId": "", "State": "available", "VolumeId": vol_id,
               "Iops": 3000, "VolumeType": "gp3", "MultiAttachEnabled": False, "Throughput": 125,
               "Tags": g.tags(self.acct, name)}
        if encrypted:
            vol["KmsKeyId"] = self.ebs_key_arn()
        if attached:
            vol["State"] = "in-use"
            vol["Attachments"] = [{"AttachTime": attached[1], "Device": "/dev/xvda", "InstanceId": attached[0],
                                   "State": "attached", "VolumeId": vol_id, "DeleteOnTermination": True}]
        self.volumes.append(vol)
        self.snapshot_history(vol, history)
        return vol

    def ebs_key_arn(self):
        if self.ebs_key is None:
            self.ebs_key = "%08x-%04x-%04x-%04x-%012x" % tuple(self.g.rng.getrandbits(b) for b in (32, 16, 16, 16, 48))
        return "arn:aws:kms:%s:%s:key/%s" % (self.region, self.aid, self.ebs_key)

    def snapshot_history(self, vol, history):
        """Three daily snapshots (newest first); sizes grow slowly, except
        where a planted problem or trap says otherwise."""
        g = self.g
        ages = {"stale": [20, 21, 22], "trap-stale": [0, 30, 60]}.get(history, [0, 1, 2])
        used = vol["Size"] * GIB * g.rng.randrange(30, 70) // 100
        sizes = [used - used * k // 200 for k in range(3)]
        if history == "shrunk":
            sizes[0] = sizes[1] * 3 // 10
        elif history == "trap-shrunk":
            sizes[0] = sizes[1] * 9 // 10
        for age, size in zip(ages, sizes):
            snap = {"Description": "Created by DLM policy %s: daily" % "policy-0d1e2f3a4b5c6d7e8",
                    "Encrypted": vol["Encrypted"], "OwnerId": self.aid, "Progress": "100%",
                    "SnapshotId": g.hexid("snap"), "StartTime": g.iso(g.recent(age)), "State": "completed",
                    "VolumeId": vol["VolumeId"], "VolumeSize": vol["Size"], "StorageTier": "standard",
                    "FullSnapshotSizeInBytes": size,
                    "Tags": [{"Key": "dlm:managed", "Value": "true"}, {"Key": "team", "Value": self.acct["slug"]}]}
            if vol["Encrypted"]:
                snap["KmsKeyId"] = vol["KmsKeyId"]
            self.snapshots.append(snap)
            self.snap_perms.append([])
            if not vol["Encrypted"]:
                self.P("ebs-snapshot-unencrypted", "aws.ebs-snapshot", snap["SnapshotId"],
                       "snapshot of unencrypted volume %s is not encrypted" % vol["VolumeId"])

    def compute(self):
        g, s, k = self.g, self.g.scale, self.kinds
        # Regular instances, spread over the VPCs and their private subnets.
        per_vpc = {v["id"]: 0 for v in self.vpcl}
        self.by_vpc_az = {}
        for i in range(PER_SCOPE["instance"] * s):
            vpc = self.vpcl[i % len(self.vpcl)]
            j = per_vpc[vpc["id"]]
            per_vpc[vpc["id"]] += 1
            sn = vpc["priv"][j % 2]
            groups = [vpc["g"]["app"]] + ([vpc["g"]["svc"]] if j % 4 == 0 else [])
            if j < 2:  # the first two instances of a VPC also carry its extra groups
                groups += vpc["extra"]
            inst = self.instance(vpc, sn, groups, self.name("app-%d" % i))
            self.by_vpc_az.setdefault((vpc["id"], sn["AvailabilityZone"]), []).append(inst)
        if "sg-ssh-prod" in k:
            vpc = self.vpcl[0]
            for i in range(40):
                self.instance(vpc, vpc["pub"][0], [vpc["g"]["app"], self.ssh_prod], self.name("web-%d" % i),
                              public=True)
        if "sg-ssh-dev" in k:
            iso = self.isolated
            self.instance(iso, iso["priv"][0], [iso["ssh"]], self.name("build-runner"))
        # Auto scaling groups: one instance per AZ (clean), all in one AZ
        # (planted), 2/1 (trap: a skew of one is normal).
        specs = [("clean", [1, 1])] * (PER_SCOPE["asg"] * s)
        if "asg-imbalance" in k:
            specs.append(("planted", [4, 0]))
        if "trap-asg" in k:
            specs.append(("trap", [2, 1]))
        for n, (kind, split) in enumerate(specs):
            vpc = self.vpcl[n % len(self.vpcl)]
            name = self.name("workers-%d" % n if kind == "clean" else "batch-%d" % n)
            lt = {"LaunchTemplateId": g.hexid("lt"), "LaunchTemplateName": name, "Version": "3"}
            members = []
            for az_i, cnt in enumerate(split):
                for _ in range(cnt):
                    inst = self.instance(vpc, vpc["priv"][az_i], [vpc["g"]["app"]], name, asg=name)
                    members.append({"AvailabilityZone": inst["Placement"]["AvailabilityZone"], "HealthStatus": "Healthy",
                                    "InstanceId": inst["InstanceId"], "InstanceType": inst["InstanceType"],
                                    "LaunchTemplate": lt, "LifecycleState": "InService", "ProtectedFromScaleIn": False})
            arn = "arn:aws:autoscaling:%s:%s:autoScalingGroup:%s:autoScalingGroupName/%s" % (
                self.region, self.aid, "-".join(g.hexid("u", w)[2:] for w in (8, 4, 4, 4, 12)), name)
            self.asgs.append({"AutoScalingGroupName": name, "AutoScalingGroupARN": arn, "LaunchTemplate": lt,
                              "MinSize": len(members), "MaxSize": 2 * len(members) + 2,
                              "DesiredCapacity": len(members), "DefaultCooldown": 300, "AvailabilityZones": self.azs,
                              "LoadBalancerNames": [], "TargetGroupARNs": [], "HealthCheckType": "EC2",
                              "HealthCheckGracePeriod": 300, "Instances": members,
                              "CreatedTime": g.date(g.rng.randrange(10, 300)), "SuspendedProcesses": [],
                              "VPCZoneIdentifier": ",".join(sn["SubnetId"] for sn in vpc["priv"]), "EnabledMetrics": [],
                              "Tags": [{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": "team",
                                        "Value": self.acct["slug"], "PropagateAtLaunch": True}],
                              "TerminationPolicies": ["Default"], "NewInstancesProtectedFromScaleIn": False,
                              "ServiceLinkedRoleARN": "arn:aws:iam::%s:role/aws-service-role/autoscaling.amazonaws.com/"
                                                      "AWSServiceRoleForAutoScaling" % self.aid})
            if kind == "planted":
                self.P("asg-az-imbalance", "aws.asg", name, "all 4 instances in %s, none in %s" % tuple(self.azs))
            elif kind == "trap":
                self.T("asg-az-imbalance", "aws.asg", name, "2 instances in %s, 1 in %s: a skew of one is fine"
                       % tuple(self.azs))
        # Volumes outside instances and special snapshot histories.
        if "volume-unencrypted" in k:
            vid = g.hexid("vol")
            self.volume(vid, self.azs[0], 500, False, self.name("data-export"))
            self.P("ebs-unencrypted", "aws.ebs", vid, "EBS volume stores data unencrypted (Encrypted: false)")
        for kind, history, check, why in (
                ("ebs-stale", "stale", "ebs-backup-stale", "latest snapshot is 20 days old (limit 7)"),
                ("ebs-shrunk", "shrunk", "ebs-backup-shrunk", "latest snapshot is 30% of the size of the previous one"),
                ("trap-ebs", "trap-stale", "ebs-backup-stale", "latest snapshot is from today; older ones are 30 and "
                 "60 days old"),
                ("trap-ebs", "trap-shrunk", "ebs-backup-shrunk", "latest snapshot is 10% smaller than the previous "
                 "one (normal churn)")):
            if kind in k:
                vid = g.hexid("vol")
                self.volume(vid, self.azs[1], 200, True, self.name("data-%s" % history), history=history)
                (self.T if kind.startswith("trap") else self.P)(check, "aws.ebs", vid, why)
        # Snapshot copies shared with other accounts (VolumeId vol-ffffffff).
        for kind, perms, encrypted in (("snapshot-public", [{"Group": "all"}], False),
                                       ("trap-snapshot-share", [{"UserId": self.g.security_account}], True)):
            if kind not in k:
                continue
            sid = g.hexid("snap")
            snap = {"Description": "Copied for sharing", "Encrypted": encrypted, "OwnerId": self.aid,
                    "Progress": "100%", "SnapshotId": sid, "StartTime": g.date(12), "State": "completed",
                    "VolumeId": "vol-ffffffff", "VolumeSize": 100, "StorageTier": "standard",
                    "FullSnapshotSizeInBytes": 40 * GIB, "Tags": g.tags(self.acct, self.name("share"))}
            if encrypted:
                snap["KmsKeyId"] = "arn:aws:kms:%s:%s:key/%s" % (self.region, self.aid, g.hexid("k", 32)[2:])
            self.snapshots.append(snap)
            self.snap_perms.append(perms)
            if kind == "snapshot-public":
                self.P("ebs-snapshot-public", "aws.ebs-snapshot", sid,
                       "snapshot is public: createVolumePermission grants Group all")
                self.P("ebs-snapshot-unencrypted", "aws.ebs-snapshot", sid,
                       "snapshot is not encrypted (public snapshots cannot be)")
            else:
                self.T("ebs-snapshot-public", "aws.ebs-snapshot", sid,
                       "shared with the security account of our organisation only, not public")

    # ---- RDS ----
    def databases(self):
        g, k = self.g, self.kinds
        specs = [("clean", k_) for k_ in range(PER_SCOPE["rds"] * g.scale)]
        specs += [(kind, n) for n, kind in enumerate(sorted(x for x in k if x in
                                                            ("rds-public", "rds-unencrypted", "rds-stale")))]
        for kind, n in specs:
            vpc = self.vpcl[n % len(self.vpcl)]
            ident = {"clean": "%s-db-%d" % (self.acct["slug"], n), "rds-public": self.name("reporting"),
                     "rds-unencrypted": self.name("legacy-orders"), "rds-stale": self.name("ledger")}[kind]
            public = kind == "rds-public"
            encrypted = kind != "rds-unencrypted"
            subnets = vpc["pub"] if public else vpc["priv"]
            sn = subnets[0]
            e = self.eni(sn, [vpc["g"]["db"]], "RDSNetworkInterface", requester="amazon-rds", public=public)
            r = {"DBInstanceIdentifier": ident, "DBInstanceClass": "db.r6g.large", "Engine": "postgres",
                 "DBInstanceStatus": "available", "MasterUsername": "app",
                 "Endpoint": {"Address": "%s.%s.%s.rds.amazonaws.com" % (ident, g.hexid("c", 12)[2:], self.region),
                              "Port": 5432, "HostedZoneId": "Z2R2ITUGPM61AM"},
                 "AllocatedStorage": 100, "InstanceCreateTime": g.date(g.rng.randrange(30, 400)),
                 "PreferredBackupWindow": "03:00-03:30",
                 "BackupRetentionPeriod": 0 if kind == "rds-stale" else 7,
                 "DBSecurityGroups": [], "VpcSecurityGroups": [{"VpcSecurityGroupId": vpc["g"]["db"]["GroupId"],
                                                                "Status": "active"}],
                 "AvailabilityZone": sn["AvailabilityZone"],
                 "DBSubnetGroup": {"DBSubnetGroupName": self.name("public" if public else "private"),
                                   "DBSubnetGroupDescription": "database subnets", "VpcId": vpc["id"],
                                   "SubnetGroupStatus": "Complete",
                                   "Subnets": [{"SubnetIdentifier": x["SubnetId"],
                                                "SubnetAvailabilityZone": {"Name": x["AvailabilityZone"]},
                                                "SubnetStatus": "Active"} for x in subnets]},
                 "MultiAZ": self.acct["environment"] == "prod", "EngineVersion": "16.4",
                 "AutoMinorVersionUpgrade": True, "PubliclyAccessible": public, "StorageType": "gp3",
                 "DbInstancePort": 0, "StorageEncrypted": encrypted, "DbiResourceId": "db-" + g.upper_id("", 26),
                 "DBInstanceArn": "arn:aws:rds:%s:%s:db:%s" % (self.region, self.aid, ident),
                 "IAMDatabaseAuthenticationEnabled": True, "DeletionProtection": self.acct["environment"] == "prod",
                 "TagList": g.tags(self.acct, ident)}
            if encrypted:
                r["KmsKeyId"] = "arn:aws:kms:%s:%s:key/%s" % (self.region, self.aid, g.hexid("k", 32)[2:])
            self.rdss.append(r)
            if public:
                self.P("rds-publicly-accessible", "aws.rds", ident,
                       "RDS instance is publicly accessible (public IP %s)" % e["Association"]["PublicIp"])
            if not encrypted:
                self.P("rds-unencrypted", "aws.rds", ident, "RDS storage is not encrypted")
            if kind == "rds-stale":
                self.dbsnap(r, 10, manual="before-migration")
                self.P("rds-backup-stale", "aws.rds", ident,
                       "automated backups are off; the latest snapshot is 10 days old (limit 2)")
            else:
                for age in range(3):
                    self.dbsnap(r, age)
        db0 = self.rdss[0]
        if "rds-snapshot-public" in k:
            sid = self.dbsnap(db0, 15, manual="export-for-vendor", restore=["all"])
            self.P("rds-snapshot-public", "aws.rds-snapshot", sid,
                   "DB snapshot's restore attribute includes all: any AWS account can copy the database")
        if "trap-snapshot-share" in k:
            sid = self.dbsnap(db0, 5, manual="for-security-review", restore=[g.security_account])
            self.T("rds-snapshot-public", "aws.rds-snapshot", sid,
                   "shared with the security account of our organisation only, not public")

    def dbsnap(self, db, age, manual=None, restore=()):
        g = self.g
        t = g.recent(age)
        if manual:
            sid = "%s-%s" % (db["DBInstanceIdentifier"], manual)
        else:
            sid = "rds:%s-%s" % (db["DBInstanceIdentifier"], t.strftime("%Y-%m-%d-%H-%M"))
        snap = {"DBSnapshotIdentifier": sid, "DBInstanceIdentifier": db["DBInstanceIdentifier"],
                "SnapshotCreateTime": g.iso(t), "Engine": db["Engine"], "AllocatedStorage": db["AllocatedStorage"],
                "Status": "available", "Port": 5432, "AvailabilityZone": db["AvailabilityZone"],
                "VpcId": db["DBSubnetGroup"]["VpcId"], "InstanceCreateTime": db["InstanceCreateTime"],
                "MasterUsername": db["MasterUsername"], "EngineVersion": db["EngineVersion"],
                "LicenseModel": "postgresql-license", "SnapshotType": "manual" if manual else "automated",
                "OptionGroupName": "default:postgres-16", "PercentProgress": 100, "StorageType": "gp3",
                "Encrypted": db["StorageEncrypted"],
                "DBSnapshotArn": "arn:aws:rds:%s:%s:snapshot:%s" % (self.region, self.aid, sid),
                "IAMDatabaseAuthenticationEnabled": True, "ProcessorFeatures": [], "DbiResourceId": db["DbiResourceId"],
                "TagList": [], "OriginalSnapshotCreateTime": g.iso(t), "SnapshotTarget": "region",
                "StorageThroughput": 125}
        if db["StorageEncrypted"]:
            snap["KmsKeyId"] = db["KmsKeyId"]
        self.dbsnaps.append(snap)
        self.dbsnap_attrs.append({"DBSnapshotAttributesResult": {
            "DBSnapshotIdentifier": sid,
            "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": list(restore)}]}})
        return sid

    # ---- load balancers ----
    def load_balancers(self):
        g, s, k = self.g, self.g.scale, self.kinds
        specs = [("clean", n) for n in range(PER_SCOPE["elb"] * s)]
        if "elb-imbalance" in k:
            specs.append(("planted", len(specs)))
        for kind, n in specs:
            vpc = self.vpcl[n % len(self.vpcl)]
            name = self.name("legacy-%d" % n)
            if kind == "clean":
                members = [self.by_vpc_az[(vpc["id"], az)][n % 2] for az in self.azs]
            else:
                members = [self.instance(vpc, vpc["priv"][0], [vpc["g"]["app"]], self.name("legacy-web-%d" % i))
                           for i in range(4)]
                self.P("elb-az-imbalance", "aws.elb", name, "all 4 registered instances are in %s; %s has none"
                       % tuple(self.azs))
            for sn in vpc["priv"]:
                self.eni(sn, [vpc["g"]["alb"]], "ELB %s" % name, requester="amazon-elb",
                         attach={"InstanceOwnerId": "amazon-elb"})
            self.elbs.append({"LoadBalancerName": name, "DNSName": "internal-%s-%d.%s.elb.amazonaws.com"
                              % (name, g.rng.randrange(10 ** 9), self.region),
                              "CanonicalHostedZoneNameID": "Z35SXDOTRQ7X7K",
                              "ListenerDescriptions": [{"Listener": {"Protocol": "HTTPS", "LoadBalancerPort": 443,
                                                                     "InstanceProtocol": "HTTP", "InstancePort": 8080,
                                                                     "SSLCertificateId": "arn:aws:acm:%s:%s:certificate/%s"
                                                                     % (self.region, self.aid, g.hexid("c", 32)[2:])},
                                                        "PolicyNames": ["ELBSecurityPolicy-TLS-1-2-2017-01"]}],
                              "Policies": {"AppCookieStickinessPolicies": [], "LBCookieStickinessPolicies": [],
                                           "OtherPolicies": ["ELBSecurityPolicy-TLS-1-2-2017-01"]},
                              "BackendServerDescriptions": [], "AvailabilityZones": list(self.azs),
                              "Subnets": [sn["SubnetId"] for sn in vpc["priv"]], "VPCId": vpc["id"],
                              "Instances": [{"InstanceId": i["InstanceId"]} for i in members],
                              "HealthCheck": {"Target": "HTTP:8080/health", "Interval": 30, "Timeout": 5,
                                              "UnhealthyThreshold": 2, "HealthyThreshold": 3},
                              "SourceSecurityGroup": {"OwnerAlias": self.aid, "GroupName": vpc["g"]["alb"]["GroupName"]},
                              "SecurityGroups": [vpc["g"]["alb"]["GroupId"]],
                              "CreatedTime": g.date(g.rng.randrange(100, 900)), "Scheme": "internal"})
        for n in range(PER_SCOPE["alb"] * s):
            vpc = self.vpcl[n % len(self.vpcl)]
            name = self.name("web-%d" % n)
            suffix = g.hexid("x", 16)[2:]
            arn = "arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/%s/%s" % (self.region, self.aid, name, suffix)
            for sn in vpc["pub"]:
                self.eni(sn, [vpc["g"]["alb"]], "ELB app/%s/%s" % (name, suffix), requester="amazon-elb",
                         attach={"InstanceOwnerId": "amazon-elb"}, public=True)
            self.albs.append({"LoadBalancerArn": arn, "DNSName": "%s-%d.%s.elb.amazonaws.com"
                              % (name, g.rng.randrange(10 ** 9), self.region),
                              "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K", "CreatedTime": g.date(g.rng.randrange(10, 500)),
                              "LoadBalancerName": name, "Scheme": "internet-facing", "VpcId": vpc["id"],
                              "State": {"Code": "active"}, "Type": "application",
                              "AvailabilityZones": [{"ZoneName": sn["AvailabilityZone"], "SubnetId": sn["SubnetId"],
                                                     "LoadBalancerAddresses": []} for sn in vpc["pub"]],
                              "SecurityGroups": [vpc["g"]["alb"]["GroupId"]], "IpAddressType": "ipv4"})

    # ---- Lambda, KMS, CloudTrail, endpoints, caches ----
    def lambdas_keys_trails(self):
        g, s, k, aid, region = self.g, self.g.scale, self.kinds, self.aid, self.region
        for n in range(PER_SCOPE["lambda"] * s):
            vpc = self.vpcl[n % len(self.vpcl)]
            fn = self.name("worker-%d" % n)
            self.lambdas.append({"FunctionName": fn, "FunctionArn": "arn:aws:lambda:%s:%s:function:%s" % (region, aid, fn),
                                 "Runtime": "python3.12", "Role": "arn:aws:iam::%s:role/%s-lambda-0" % (aid, self.acct["slug"]),
                                 "Handler": "app.handler", "CodeSize": 10240 + n, "Description": g.evil(""), "Timeout": 30,
                                 "MemorySize": 512,
                                 "LastModified": g.date(g.rng.randrange(1, 60)).replace("+00:00", ".000+0000"),
                                 "CodeSha256": base64.b64encode(g.rng.getrandbits(256).to_bytes(32, "big")).decode(),
                                 "Version": "$LATEST", "TracingConfig": {"Mode": "Active"}, "PackageType": "Zip",
                                 "Architectures": ["arm64"], "EphemeralStorage": {"Size": 512},
                                 "VpcConfig": {"SubnetIds": [sn["SubnetId"] for sn in vpc["priv"]],
                                               "SecurityGroupIds": [vpc["g"]["app"]["GroupId"]], "VpcId": vpc["id"]}})
        # Per VPC: the Lambda hyperplane ENIs (one per subnet and group
        # set), an SSM interface endpoint, an ElastiCache node.
        for vpc in self.vpcl:
            if any(f["VpcConfig"]["VpcId"] == vpc["id"] for f in self.lambdas):
                for sn in vpc["priv"]:
                    self.eni(sn, [vpc["g"]["app"]], "AWS Lambda VPC ENI-%s" % g.hexid("x", 12)[2:], itype="lambda",
                             requester="%s:awslambda_%d" % (g.upper_id("AROA"), g.rng.randrange(10 ** 9)),
                             attach={"InstanceOwnerId": "amazon-aws"})
            vpce = g.hexid("vpce")
            for sn in vpc["priv"]:
                self.eni(sn, [vpc["g"]["vpce"]], "VPC Endpoint Interface %s" % vpce, itype="vpc_endpoint",
                         requester="727180483921", attach={"InstanceOwnerId": "amazon-aws"})
            self.eni(vpc["priv"][0], [vpc["g"]["cache"]], "ElastiCache %s-001" % self.name("cache-%d" % vpc["v"]),
                     requester="amazon-elasticache", attach={"InstanceOwnerId": "amazon-elasticache"})
        # KMS: customer keys rotate yearly, the AWS managed EBS key too.
        def key(kid, desc, manager="CUSTOMER", spec="SYMMETRIC_DEFAULT", enabled=True, rotation=True):
            arn = "arn:aws:kms:%s:%s:key/%s" % (region, aid, kid)
            self.keys.append({"KeyId": kid, "KeyArn": arn})
            meta = {"AWSAccountId": aid, "KeyId": kid, "Arn": arn,
                    "CreationDate": g.date(g.rng.randrange(30, 700)), "Enabled": enabled, "Description": g.evil(desc),
                    "KeyUsage": "ENCRYPT_DECRYPT" if spec == "SYMMETRIC_DEFAULT" else "SIGN_VERIFY",
                    "KeyState": "Enabled" if enabled else "Disabled", "Origin": "AWS_KMS", "KeyManager": manager,
                    "CustomerMasterKeySpec": spec, "KeySpec": spec, "MultiRegion": False}
            if spec == "SYMMETRIC_DEFAULT":
                meta["EncryptionAlgorithms"] = ["SYMMETRIC_DEFAULT"]
            else:
                meta["SigningAlgorithms"] = ["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256"]
            self.key_meta.append({"KeyMetadata": meta})
            self.rotation.append({"KeyRotationEnabled": rotation, "KeyId": arn})
            return kid
        newid = lambda: "%08x-%04x-%04x-%04x-%012x" % tuple(g.rng.getrandbits(b) for b in (32, 16, 16, 16, 48))
        for n in range(PER_SCOPE["kms"] * s):
            key(newid(), "%s data key %d" % (self.acct["slug"], n))
        self.ebs_key_arn()
        key(self.ebs_key, "Default key that protects my EBS volumes when no other key is defined", manager="AWS")
        if "kms-rotation-off" in k:
            kid = key(newid(), "%s payments tokenisation key" % self.acct["slug"], rotation=False)
            self.P("kms-key-rotation-off", "aws.kms-key", kid, "customer managed symmetric key without automatic rotation")
        if "trap-kms" in k:
            kid = key(newid(), "release signing key", spec="RSA_2048", rotation=False)
            self.T("kms-key-rotation-off", "aws.kms-key", kid, "asymmetric key: AWS cannot rotate it automatically")
            kid = key(newid(), "retired data key", enabled=False, rotation=False)
            self.T("kms-key-rotation-off", "aws.kms-key", kid, "disabled key (pending retirement)")
        # CloudTrail: the account's multi-region trail, seen in every region.
        name = g.evil("org-audit")
        single = self.acct["name"] == PLACE["trail-single-region"][0]
        stopped = self.acct["name"] == PLACE["trail-stopped"][0]
        home = self.acct["regions"][0]
        arn = "arn:aws:cloudtrail:%s:%s:trail/%s" % (home, aid, name)
        if not single or region == home:
            self.trails = [{"Name": name, "S3BucketName": "org-cloudtrail-logs-%s" % g.log_account,
                            "IncludeGlobalServiceEvents": True, "IsMultiRegionTrail": not single, "HomeRegion": home,
                            "TrailARN": arn, "LogFileValidationEnabled": "trail-no-validation" not in k,
                            "HasCustomEventSelectors": False, "HasInsightSelectors": False,
                            "IsOrganizationTrail": False,
                            "KmsKeyId": "arn:aws:kms:us-east-1:%s:key/%s" % (g.log_account, "0" * 8 + "-0000-4000-8000-"
                                                                             + "0" * 12)}]
            if "trail-no-kms" in k:
                del self.trails[0]["KmsKeyId"]
        else:
            self.trails = []
        started = g.date(400)
        self.trail_status = {"IsLogging": not stopped, "LatestDeliveryTime": g.date(0, 300),
                             "StartLoggingTime": started, "LatestDigestDeliveryTime": g.date(0, 1800),
                             "LatestDeliveryAttemptTime": g.date(0, 300).replace("+00:00", "Z"),
                             "LatestNotificationAttemptTime": "", "LatestNotificationAttemptSucceeded": "",
                             "LatestDeliveryAttemptSucceeded": g.date(0, 300).replace("+00:00", "Z"),
                             "TimeLoggingStarted": started.replace("+00:00", "Z"), "TimeLoggingStopped": ""}
        if stopped:
            stop = g.date(45)
            self.trail_status.update(StopLoggingTime=stop, TimeLoggingStopped=stop.replace("+00:00", "Z"))
        if region == home:
            if single:
                self.g.plant("cloudtrail-not-all-regions", "aws.account", aid, self.acct, "global",
                             "the only trail (%s) logs %s only" % (name, home))
            if stopped:
                self.g.plant("cloudtrail-not-all-regions", "aws.account", aid, self.acct, "global",
                             "the multi-region trail %s was stopped 45 days ago (IsLogging false)" % name)
        if "trail-no-validation" in k:
            self.P("cloudtrail-log-validation-off", "aws.cloudtrail", arn,
                   "CloudTrail log file validation is disabled: tampering with logs goes unnoticed")
        if "trail-no-kms" in k and region == home:
            self.P("cloudtrail-not-kms-encrypted", "aws.cloudtrail", arn,
                   "the trail's logs have no KMS key (S3-managed encryption only)")

    def check_groups_used(self):
        """Every non-default group is used by some ENI, except the planted
        unused one: a guard against the generator planting by accident."""
        used = {x["GroupId"] for e in self.enis for x in e["Groups"]}
        planted_unused = {p["id"] for p in self.g.planted if p["check"] == "sg-unused"}
        for sg in self.sgs:
            if sg["GroupName"] != "default" and sg["GroupId"] not in used and sg["GroupId"] not in planted_unused:
                raise AssertionError("security group %s (%s) is unused" % (sg["GroupId"], sg["GroupName"]))

    # ---- write ----
    def write(self):
        g, d = self.g, self.dir
        j = os.path.join

        def emit(name, obj, rtype, n=None):
            g.write(j(d, name), obj)
            g.count(rtype, len(next(iter(obj.values()))) if n is None else n)
        emit("ec2.DescribeVpcs.json", {"Vpcs": self.vpcs}, "aws.vpc")
        emit("ec2.DescribeSubnets.json", {"Subnets": self.subnets}, "aws.subnet")
        emit("ec2.DescribeRouteTables.json", {"RouteTables": self.rts}, "aws.route-table")
        emit("ec2.DescribeInternetGateways.json", {"InternetGateways": self.igws}, "aws.internet-gateway")
        emit("ec2.DescribeNetworkAcls.json", {"NetworkAcls": self.nacls}, "aws.network-acl")
        emit("ec2.DescribeSecurityGroups.json", {"SecurityGroups": self.sgs}, "aws.security-group")
        emit("ec2.DescribeInstances.json",
             {"Reservations": [{"Groups": [], "Instances": self.instances[k:k + 5], "OwnerId": self.aid,
                                "ReservationId": g.hexid("r")} for k in range(0, len(self.instances), 5)]},
             "aws.ec2", len(self.instances))
        emit("ec2.DescribeNetworkInterfaces.json", {"NetworkInterfaces": self.enis}, "aws.eni")
        emit("ec2.DescribeVolumes.json", {"Volumes": self.volumes}, "aws.ebs")
        emit("ec2.DescribeSnapshots.json", {"Snapshots": self.snapshots}, "aws.ebs-snapshot")
        for snap, perms in zip(self.snapshots, self.snap_perms):
            g.write(j(d, "ec2.DescribeSnapshotAttribute.%s.json" % snap["SnapshotId"]),
                    {"CreateVolumePermissions": perms, "SnapshotId": snap["SnapshotId"]})
        emit("rds.DescribeDBInstances.json", {"DBInstances": self.rdss}, "aws.rds")
        emit("rds.DescribeDBSnapshots.json", {"DBSnapshots": self.dbsnaps}, "aws.rds-snapshot")
        for attrs in self.dbsnap_attrs:
            sid = attrs["DBSnapshotAttributesResult"]["DBSnapshotIdentifier"]
            g.write(j(d, "rds.DescribeDBSnapshotAttributes.%s.json" % sid), attrs)
        emit("elb.DescribeLoadBalancers.json", {"LoadBalancerDescriptions": self.elbs}, "aws.elb")
        emit("elbv2.DescribeLoadBalancers.json", {"LoadBalancers": self.albs}, "aws.app-elb")
        emit("lambda.ListFunctions.json", {"Functions": self.lambdas}, "aws.lambda")
        emit("kms.ListKeys.json", {"Keys": self.keys, "Truncated": False}, "aws.kms-key")
        for km, rot in zip(self.key_meta, self.rotation):
            kid = km["KeyMetadata"]["KeyId"]
            g.write(j(d, "kms.DescribeKey.%s.json" % kid), km)
            g.write(j(d, "kms.GetKeyRotationStatus.%s.json" % kid), rot)
        emit("cloudtrail.DescribeTrails.json", {"trailList": self.trails}, "aws.cloudtrail")
        for t in self.trails:
            g.write(j(d, "cloudtrail.GetTrailStatus.%s.json" % t["Name"]), self.trail_status)
        emit("autoscaling.DescribeAutoScalingGroups.json", {"AutoScalingGroups": self.asgs}, "aws.asg")
        self.write_public()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--epoch", default="2026-11-01")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--hostile", action="store_true",
                    help="shell-injection suffixes on every free-form value (see above)")
    a = ap.parse_args()
    if a.scale < 1:
        ap.error("--scale must be >= 1")
    epoch = datetime.datetime.strptime(a.epoch, "%Y-%m-%d")
    g = Gen(a.out, a.seed, a.scale, epoch, hostile=a.hostile)
    accts = g.run()
    if a.hostile:
        with open(os.path.join(a.out, "hostile.json"), "w") as fh:
            json.dump(g.markers, fh, indent=0)
    if not a.quiet:
        total = sum(g.counts.values())
        print("wrote %s: %d accounts, %d resources in %d files, %d planted problems, %d traps"
              % (a.out, len(accts), total, g.files, len(g.planted), len(g.traps)))
        for k in sorted(g.counts):
            print("  %-22s %d" % (k, g.counts[k]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
