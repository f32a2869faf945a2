#!/usr/bin/python3
"""`custos fix` (issue 13) against a real AWS peer: moto_server with IAM auth on,
the AWS CLI as referee, a real SQLite store (and PostgreSQL for the audit log).

The organisation, built in moto with the CLI before auth is switched on:
  123456789012  the base account: user `custos`, allowed to assume custos-read
                and custos-remediate anywhere
  111111111111  payments-dev, remediate: true; custos-read (the read template's
                policy) and custos-remediate (the remediation template's policy):
                  sg `web`: tcp 22 from 0.0.0.0/0 and 10.0.0.0/8 in one rule,
                    tcp 443 from 0.0.0.0/0 (only 22/0.0.0.0/0 may go)
                  sg `moved`: tcp 22 world-open, changed between plan and apply
                  bucket c13-open (no public access block)
                  bucket c13-policy: statements PublicRead (matched) and Admin,
                    whose condition holds shell metacharacters
                  user ci-deploy: one active key (matched), one inactive
                  an EBS snapshot shared with all and 999999999999 (remove: all)
                    and one with 999999999999 and 888888888888 (remove:
                    [999999999999]: 888888888888 stays), an AMI
                    launchable by all, an RDS snapshot restorable by
                    999999999999 (set-permissions remove: all)
                  a Lambda function with a public statement and an S3 one
                    (remove-statements by Sid: RemovePermission)
                  an SNS topic, an ECR repository and a KMS key with a public
                    statement (remove-statements: matched or by Sid)
                  sg c13-unused (delete), `web` gets mark-for-op and a tag
                    with shell metacharacters, c13-marked is unmarked
  222222222222  search-dev, remediate: true, but its custos-remediate role may
                only read: the revoke is a recorded AccessDenied
  333333333333  shop-prod, environment prod, remediate: true: needs --allow-prod
  444444444444  legacy-dev without remediate: true: never changed
Checks: the plan's exact calls, states and CLI lines (shell words, nothing
expanded); nothing changes on plan; --max-changes; apply changes exactly the
planned grants/blocks/keys/statements (referee: the CLI); changed-since-plan;
AccessDenied recorded, nothing else changed; prod and opt-in honoured; a second
apply makes no call; an edited plan is refused; `custos audit` holds every step
before and after with who and request ids; the log refuses UPDATE/DELETE
(SQLite and PostgreSQL).
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aws_peer import Cli, Report, admin_env, with_moto  # noqa: E402
from test_collect_moto import in_account, READ_POLICY  # noqa: E402

CUSTOS = os.environ.get("CUSTOS", os.path.join(HERE, "../../build/asan/custos"))
OUT = os.path.join(os.environ.get("OUT", "/tmp/custos-test-out"), "fix-moto")
report = Report()
HOSTILE = "it's $(touch /tmp/c13-pwned) `id` ; rm -rf ~ \"x\" \\ \n!"


def role_actions(name):
    path = os.path.join(HERE, "../../deploy/aws/%s.yaml" % name)
    return [line.strip()[2:] for line in open(path) if line.startswith("                  - ")]


# moto 5.2 authorises ?publicAccessBlock as its bucket defaults (its
# ACTION_MAP keys it as public_access_block, which no query string holds):
# GET as s3:ListBucket, PUT as s3:CreateBucket.  The template keeps AWS's
# names; the test's role adds moto's for those two only.
MOTO_NAMES = {"s3:PutBucketPublicAccessBlock": ["s3:PutPublicAccessBlock", "s3:CreateBucket"],
              "s3:GetBucketPublicAccessBlock": ["s3:GetPublicAccessBlock", "s3:ListBucket"]}
FIX_ACTIONS = role_actions("custos-remediate-role")
FIX_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": sorted(
    set(FIX_ACTIONS) | {m for a in FIX_ACTIONS for m in MOTO_NAMES.get(a, [])})}]}
READ_ONLY_FIX = {"Version": "2012-10-17", "Statement": [dict(FIX_POLICY["Statement"][0], Action=[
    a for a in FIX_POLICY["Statement"][0]["Action"] if ":Describe" in a or ":Get" in a or ":List" in a])]}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
ACCOUNTS = {"111111111111": ("payments-dev", "dev", True), "222222222222": ("search-dev", "dev", True),
            "333333333333": ("shop-prod", "prod", True), "444444444444": ("legacy-dev", "dev", False)}

POLICIES = """policies:
  - name: sg-ssh-world
    resource: aws.security-group
    filters:
      - type: ingress
        Ports: [22]
        Cidr: {value: "0.0.0.0/0"}
    actions:
      - type: remove-permissions
        ingress: matched
  - name: bucket-no-public-block
    resource: aws.s3
    filters:
      - {type: value, key: Name, value: c13-open}
    actions:
      - type: set-public-block
  - name: bucket-public-statement
    resource: aws.s3
    filters:
      - type: has-statement
        statement_ids: [PublicRead]
    actions:
      - type: remove-statements
        statement_ids: matched
  - name: snapshot-shared
    resource: aws.ebs-snapshot
    filters:
      - {type: value, key: Description, value: c13-shared}
    actions:
      - type: set-permissions
        remove: all
  - name: snapshot-shared-one
    resource: aws.ebs-snapshot
    filters:
      - {type: value, key: Description, value: c13-shared-two}
    actions:
      - type: set-permissions
        remove: ["999999999999"]
  - name: fn-public
    resource: aws.lambda
    filters:
      - {type: value, key: FunctionName, value: c13-fn}
    actions:
      - type: remove-statements
        statement_ids: [PublicInvoke]
  - name: ami-public
    resource: aws.ami
    filters:
      - {type: value, key: Name, value: c13-public-ami}
    actions:
      - remove-launch-permissions
  - name: rds-snapshot-shared
    resource: aws.rds-snapshot
    filters:
      - {type: value, key: DBSnapshotIdentifier, value: c13-snap}
    actions:
      - type: set-permissions
        remove: all
  - name: sg-unused
    resource: aws.security-group
    filters:
      - {type: value, key: GroupName, value: c13-unused}
    actions:
      - delete
  - name: sg-web-staged
    resource: aws.security-group
    filters:
      - {type: value, key: GroupName, value: web}
    actions:
      - {type: mark-for-op, op: delete, days: 7}
      - {type: tag, key: owner, value: "it's $(touch /tmp/c13-pwned) <b>x</b>"}
  - name: sg-unmark
    resource: aws.security-group
    filters:
      - {type: value, key: GroupName, value: c13-marked}
    actions:
      - unmark
  - name: topic-public
    resource: aws.sns
    filters:
      - type: has-statement
        statement_ids: [PublicPublish]
    actions:
      - type: remove-statements
        statement_ids: matched
  - name: repo-public
    resource: aws.ecr
    filters:
      - {type: value, key: repositoryName, value: c13-repo}
    actions:
      - type: remove-statements
        statement_ids: [PublicPull]
  - name: key-public
    resource: aws.kms-key
    filters:
      - type: cross-account
    actions:
      - type: remove-statements
        statement_ids: [PublicDecrypt]
  - name: user-active-keys
    resource: aws.iam-user
    filters:
      - {type: value, key: UserName, value: ci-deploy}
      - type: access-key
        key: Status
        value: Active
    actions:
      - type: remove-keys
        disable: true
        matched: true
"""


def accounts_yaml():
    lines = ["collect:", "  role: custos-read", "remediate:", "  role: custos-remediate",
             "  session_name: custos-fix-test", "accounts:"]
    for aid, (name, env, rem) in ACCOUNTS.items():
        lines += ['  - id: "%s"' % aid, "    name: %s" % name, "    team: t", "    environment: %s" % env,
                  "    regions: [us-east-1]"]
        if rem:
            lines.append("    remediate: true")
    return "\n".join(lines) + "\n"


def world_sg(acc, vpc, name, extra=()):
    g = acc("ec2", "create-security-group", "--group-name", name, "--description", name, "--vpc-id", vpc,
            "--region", "us-east-1")["GroupId"]
    perms = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]
              + list(extra)}]
    acc("ec2", "authorize-security-group-ingress", "--group-id", g, "--ip-permissions", json.dumps(perms),
        "--region", "us-east-1")
    return g


def build_org(py, endpoint, env):
    admin = Cli(py, endpoint, env)
    admin("iam", "create-user", "--user-name", "custos")
    admin("iam", "put-user-policy", "--user-name", "custos", "--policy-name", "assume",
          "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": [
                  "arn:aws:iam::*:role/custos-read", "arn:aws:iam::*:role/custos-remediate",
                  "arn:aws:iam::111111111111:role/tester"]},
              {"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}]}))
    key = admin("iam", "create-access-key", "--user-name", "custos")["AccessKey"]
    ids = {}
    for aid in ACCOUNTS:
        acc = Cli(py, endpoint, dict(env, **in_account(admin, aid)))
        for role, pol in (("custos-read", READ_POLICY),
                          ("custos-remediate", READ_ONLY_FIX if aid == "222222222222" else FIX_POLICY)):
            acc("iam", "create-role", "--role-name", role, "--assume-role-policy-document", json.dumps(TRUST))
            acc("iam", "put-role-policy", "--role-name", role, "--policy-name", "p",
                "--policy-document", json.dumps(pol))
        vpc = acc("ec2", "describe-vpcs", "--region", "us-east-1")["Vpcs"][0]["VpcId"]
        if aid != "111111111111":
            ids[aid] = world_sg(acc, vpc, "open-" + aid)
            acc.close()
            continue
        ids["web"] = world_sg(acc, vpc, "web", [{"CidrIp": "10.0.0.0/8", "Description": HOSTILE}])
        acc("ec2", "authorize-security-group-ingress", "--group-id", ids["web"], "--protocol", "tcp",
            "--port", "443", "--cidr", "0.0.0.0/0", "--region", "us-east-1")
        ids["moved"] = world_sg(acc, vpc, "moved")
        r = ("--region", "us-east-1")
        for name in ("c13-unused", "c13-marked"):
            ids[name] = acc("ec2", "create-security-group", "--group-name", name, "--description", name,
                            "--vpc-id", vpc, *r)["GroupId"]
        acc("ec2", "create-tags", "--resources", ids["c13-marked"], "--tags", "Key=maid_status,Value=x",
            "Key=team,Value=web", *r)
        vol = acc("ec2", "create-volume", "--size", "8", "--availability-zone", "us-east-1a", *r)["VolumeId"]
        ids["snap"] = acc("ec2", "create-snapshot", "--volume-id", vol, "--description", "c13-shared",
                          *r)["SnapshotId"]
        acc("ec2", "modify-snapshot-attribute", "--snapshot-id", ids["snap"], "--attribute",
            "createVolumePermission", "--operation-type", "add", "--group-names", "all", "--user-ids",
            "999999999999", *r)
        ids["snap2"] = acc("ec2", "create-snapshot", "--volume-id", vol, "--description", "c13-shared-two",
                           *r)["SnapshotId"]
        acc("ec2", "modify-snapshot-attribute", "--snapshot-id", ids["snap2"], "--attribute",
            "createVolumePermission", "--operation-type", "add", "--user-ids", "999999999999", "888888888888", *r)
        fn_role = acc("iam", "create-role", "--role-name", "c13-fn", "--assume-role-policy-document", json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
                "Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        zipf = os.path.join(OUT, "fn.zip")
        with zipfile.ZipFile(zipf, "w") as z:
            z.writestr("app.py", "def handler(e, c):\n    return 1\n")
        acc("lambda", "create-function", "--function-name", "c13-fn", "--runtime", "python3.12", "--role", fn_role,
            "--handler", "app.handler", "--zip-file", "fileb://" + zipf, *r)
        acc("lambda", "add-permission", "--function-name", "c13-fn", "--statement-id", "PublicInvoke", "--action",
            "lambda:InvokeFunction", "--principal", "*", *r)
        acc("lambda", "add-permission", "--function-name", "c13-fn", "--statement-id", "S3Invoke", "--action",
            "lambda:InvokeFunction", "--principal", "s3.amazonaws.com", "--source-account", "111111111111", *r)
        ids["ami"] = acc("ec2", "register-image", "--name", "c13-public-ami", "--root-device-name", "/dev/xvda",
                         "--block-device-mappings", json.dumps([{"DeviceName": "/dev/xvda", "Ebs": {
                             "SnapshotId": ids["snap"]}}]), *r)["ImageId"]
        acc("ec2", "modify-image-attribute", "--image-id", ids["ami"], "--launch-permission",
            "Add=[{Group=all}]", *r)
        acc("rds", "create-db-instance", "--db-instance-identifier", "c13-db", "--db-instance-class",
            "db.t3.micro", "--engine", "postgres", "--master-username", "u", "--master-user-password",
            "password123", "--allocated-storage", "20", *r)
        acc("rds", "create-db-snapshot", "--db-instance-identifier", "c13-db", "--db-snapshot-identifier",
            "c13-snap", *r)
        acc("rds", "modify-db-snapshot-attribute", "--db-snapshot-identifier", "c13-snap", "--attribute-name",
            "restore", "--values-to-add", "999999999999", *r)
        # The test's own hand between plan and apply (not custos's).
        acc("iam", "create-role", "--role-name", "tester", "--assume-role-policy-document", json.dumps(TRUST))
        acc("iam", "put-role-policy", "--role-name", "tester", "--policy-name", "p", "--policy-document",
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": [
                "ec2:AuthorizeSecurityGroupIngress", "ec2:Describe*", "rds:Describe*", "sns:Get*", "ecr:Get*",
                "kms:Get*", "lambda:Get*"]}]}))
        for b in ("c13-open", "c13-policy"):
            acc("s3api", "create-bucket", "--bucket", b)
        acc("s3api", "put-bucket-policy", "--bucket", "c13-policy", "--policy", json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::c13-policy/*"},
                {"Sid": "Admin", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                 "Action": "s3:*", "Resource": "arn:aws:s3:::c13-policy/*",
                 "Condition": {"StringLike": {"aws:UserAgent": HOSTILE}}}]}))
        ids["topic"] = acc("sns", "create-topic", "--name", "c13-topic", *r)["TopicArn"]
        acc("sns", "set-topic-attributes", "--topic-arn", ids["topic"], "--attribute-name", "Policy",
            "--attribute-value", json.dumps({"Version": "2012-10-17", "Statement": [
                {"Sid": "PublicPublish", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "SNS:Publish",
                 "Resource": ids["topic"]},
                {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                 "Action": "SNS:Publish", "Resource": ids["topic"]}]}), *r)
        acc("ecr", "create-repository", "--repository-name", "c13-repo", *r)
        acc("ecr", "set-repository-policy", "--repository-name", "c13-repo", "--policy-text", json.dumps({
            "Version": "2012-10-17", "Statement": [{"Sid": "PublicPull", "Effect": "Allow", "Principal": "*",
                                                    "Action": ["ecr:BatchGetImage"]}]}), *r)
        ids["kms"] = acc("kms", "create-key", "--description", "c13-key", *r)["KeyMetadata"]["KeyId"]
        acc("kms", "put-key-policy", "--key-id", ids["kms"], "--policy-name", "default", "--policy", json.dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "PublicDecrypt", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt",
                 "Resource": "*"}]}), *r)
        acc("iam", "create-user", "--user-name", "ci-deploy")
        k1 = acc("iam", "create-access-key", "--user-name", "ci-deploy")["AccessKey"]["AccessKeyId"]
        k2 = acc("iam", "create-access-key", "--user-name", "ci-deploy")["AccessKey"]["AccessKeyId"]
        acc("iam", "update-access-key", "--user-name", "ci-deploy", "--access-key-id", k2, "--status", "Inactive")
        ids["key"], ids["key2"] = k1, k2
        acc.close()
    admin.close()
    req = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0",
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()
    return key, ids


def custos(env, *args, timeout=240):
    p = subprocess.run([CUSTOS] + list(args), env=env, capture_output=True, text=True, timeout=timeout)
    open(os.path.join(OUT, "custos.log"), "a").write("$ custos %s\nexit %d\n%s%s\n" % (
        " ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def main():
    def body(py, endpoint):
        base = admin_env()
        key, ids = build_org(py, endpoint, base)
        report("org_built_auth_on", True)
        run(py, endpoint, base, key, ids)
    with_moto(OUT, report, body)


def referee(py, endpoint, base, key, aid):
    """The CLI acting in account aid as the read role (auth on)."""
    admin = Cli(py, endpoint, dict(base, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
                                   AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"]))
    c = admin("sts", "assume-role", "--role-arn", "arn:aws:iam::%s:role/custos-read" % aid,
              "--role-session-name", "referee")["Credentials"]
    admin.close()
    return Cli(py, endpoint, dict(base, AWS_ACCESS_KEY_ID=c["AccessKeyId"],
                                  AWS_SECRET_ACCESS_KEY=c["SecretAccessKey"], AWS_SESSION_TOKEN=c["SessionToken"]))


def grants(cli, gid):
    g = cli("ec2", "describe-security-groups", "--group-ids", gid, "--region", "us-east-1")["SecurityGroups"][0]
    return sorted((p["IpProtocol"], p.get("FromPort"), r["CidrIp"]) for p in g["IpPermissions"]
                  for r in p.get("IpRanges", []))


def world(cli):
    """Everything the referee can see that fix may change, per account."""
    out = {}
    for aid in ACCOUNTS:
        c = referee(*cli, aid)
        sgs = c("ec2", "describe-security-groups", "--region", "us-east-1")["SecurityGroups"]
        out[aid] = {g["GroupId"]: sorted(json.dumps(p, sort_keys=True) for p in g["IpPermissions"]) for g in sgs}
        c.close()
    return out


def step_of(plan, op, rid):
    return [s for s in plan["steps"] if s["operation"] == op and s["resource_id"] == rid]


def run(py, endpoint, base, key, ids):
    env = dict(base, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"],
               AWS_ENDPOINT_URL=endpoint)
    acc_yaml, pol, db = (os.path.join(OUT, f) for f in ("accounts.yaml", "fix.yml", "fix.db"))
    open(acc_yaml, "w").write(accounts_yaml())
    open(pol, "w").write(POLICIES)
    url = "sqlite:" + db
    p = custos(env, "scan", "--collect", "--accounts", acc_yaml, "--inventory", os.path.join(OUT, "inv"),
               "-p", pol, "--db", url, "--format", "json")
    report("scan_collect", p.returncode in (0, 3), p.stderr[-800:])
    cliargs = (py, endpoint, base, key)
    r1 = referee(*cliargs, "111111111111")
    web_before = grants(r1, ids["web"])
    before_world = world(cliargs)
    plan_path = os.path.join(OUT, "plan.json")
    p = custos(env, "fix", "plan", "-p", pol, "--db", url, "--accounts", acc_yaml, "-o", plan_path)
    report("plan_exit_0", p.returncode == 0, p.stderr[-800:])
    if p.returncode != 0:
        return
    plan = json.load(open(plan_path))
    runbook_plan(env, url, pol, plan, ids)
    report("plan_changes_nothing", world(cliargs) == before_world, "")
    web = step_of(plan, "RevokeSecurityGroupIngress", ids["web"])
    report("plan_sg_exact_grant", len(web) == 1 and web[0]["params"] == {"GroupId": ids["web"], "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
        json.dumps(web))
    report("plan_sg_before_after", web and len(web[0]["before"]) == 3 and len(web[0]["after"]) == 2,
           json.dumps(web)[:800])
    pab = step_of(plan, "PutPublicAccessBlock", "c13-open")
    report("plan_public_block", len(pab) == 1 and pab[0]["params"]["PublicAccessBlockConfiguration"] == {
        k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}
        and pab[0]["before"]["BlockPublicAcls"] is False, json.dumps(pab))
    keys = step_of(plan, "UpdateAccessKey", "ci-deploy")
    report("plan_key_matched_only", len(keys) == 1 and keys[0]["params"] == {
        "UserName": "ci-deploy", "AccessKeyId": ids["key"], "Status": "Inactive"}, json.dumps(keys))
    s2 = step_of(plan, "ModifySnapshotAttribute", ids["snap2"])
    report("plan_snapshot_by_account", len(s2) == 1 and s2[0]["params"].get("UserIds") == ["999999999999"] and
           "GroupNames" not in s2[0]["params"] and s2[0]["after"] == [{"UserId": "888888888888"}], json.dumps(s2))
    fn = step_of(plan, "RemovePermission", "c13-fn")
    report("plan_lambda_remove_by_sid", len(fn) == 1 and fn[0]["params"] == {
        "FunctionName": "c13-fn", "StatementId": "PublicInvoke"} and
        [x["Sid"] for x in fn[0]["after"]["Statement"]] == ["S3Invoke"], json.dumps(fn)[:800])
    stm = step_of(plan, "PutBucketPolicy", "c13-policy")
    left = json.loads(stm[0]["params"]["Policy"])["Statement"] if stm else []
    report("plan_statement_removed", len(stm) == 1 and [s["Sid"] for s in left] == ["Admin"], json.dumps(stm)[:800])
    # The CLI lines: shell words that give the call's values back, nothing run.
    ok, why = True, ""
    for s in plan["steps"]:
        sh = subprocess.run(["bash", "-c", 'aws() { python3 -c "import json,sys; print(json.dumps(sys.argv[1:]))" '
                             '"$@"; }; ' + s["cli"]], capture_output=True, text=True)
        words = json.loads(sh.stdout) if sh.returncode == 0 and sh.stdout.strip() else []
        if len(words) < 2:
            ok, why = False, "bash: %s for %s" % (sh.stdout + sh.stderr, s["cli"])
            continue
        for k, v in s["params"].items():
            flag = "--" + re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", re.sub(r"(.)([A-Z][a-z]+)", r"\1-\2", k)).lower()
            val = words[words.index(flag) + 1] if flag in words else None
            if (val if isinstance(v, str) else json.loads(val or "null")) != v:
                ok, why = False, "%s: %s != %s" % (flag, val, v)
    report("cli_equivalents_shell_words", ok and not os.path.exists("/tmp/c13-pwned"), why)
    report("cli_hostile_policy_quoted", stm and "$(touch" in stm[0]["cli"] and "\n" not in stm[0]["cli"],
           stm[0]["cli"] if stm else "")
    table = custos(env, "fix", "plan", "-p", pol, "--db", url, "--accounts", acc_yaml, "--format", "table")
    report("plan_table", table.returncode == 0 and "RevokeSecurityGroupIngress" in table.stdout and
           "aws ec2 revoke-security-group-ingress" in table.stdout, table.stdout[-600:] + table.stderr[-300:])
    # Edited plan refused.
    bad = json.load(open(plan_path))
    bad["steps"][0]["params"]["GroupId"] = "sg-00000000"
    bad_path = os.path.join(OUT, "edited.json")
    json.dump(bad, open(bad_path, "w"))
    p = custos(env, "fix", "apply", bad_path, "--db", url, "--accounts", acc_yaml)
    report("edited_plan_refused", p.returncode == 1 and "hash" in p.stderr, p.stderr[-400:])
    # Changed between plan and apply: `moved` gets another rule.
    adm = referee(*cliargs, "111111111111")
    r1.close()
    c = Cli(py, endpoint, dict(base, **in_account_auth(py, endpoint, base, key)))
    c("ec2", "authorize-security-group-ingress", "--group-id", ids["moved"], "--protocol", "tcp", "--port",
      "8080", "--cidr", "10.1.0.0/16", "--region", "us-east-1")
    c.close()
    # --max-changes 1: one call.
    p = custos(env, "fix", "apply", plan_path, "-p", pol, "--db", url, "--accounts", acc_yaml, "--max-changes", "1",
               "--format", "json")
    rep = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
    total_calls = rep.get("calls", 0)
    report("max_changes_one_call", rep.get("calls") == 1 and sum(
        s["result"] == "max-changes" for s in rep.get("steps", [])) >= 3, p.stdout[-1500:] + p.stderr[-500:])
    p = custos(env, "fix", "apply", plan_path, "-p", pol, "--db", url, "--accounts", acc_yaml, "--max-changes", "50",
               "--format", "json")
    rep = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
    total_calls += rep.get("calls", 0)
    res = {(s["operation"], s["resource_id"]): s["result"] for s in rep.get("steps", [])}
    report("apply_results", res.get(("RevokeSecurityGroupIngress", ids["web"])) in ("fixed", "already-applied")
           and res.get(("PutPublicAccessBlock", "c13-open")) in ("fixed", "already-applied")
           and res.get(("UpdateAccessKey", "ci-deploy")) in ("fixed", "already-applied")
           and res.get(("PutBucketPolicy", "c13-policy")) in ("fixed", "already-applied")
           and res.get(("RevokeSecurityGroupIngress", ids["moved"])) == "changed-since-plan"
           and res.get(("RevokeSecurityGroupIngress", ids["222222222222"])) == "error"
           and res.get(("RevokeSecurityGroupIngress", ids["333333333333"])) == "prod-needs-allow-prod"
           and res.get(("RevokeSecurityGroupIngress", ids["444444444444"])) == "not-enabled"
           and all(res.get(k) in ("fixed", "already-applied") for k in (
               ("ModifySnapshotAttribute", ids["snap"]), ("ModifyImageAttribute", ids["ami"]),
               ("ModifyDBSnapshotAttribute", "c13-snap"), ("DeleteSecurityGroup", ids["c13-unused"]),
               ("CreateTags", ids["web"]), ("DeleteTags", ids["c13-marked"]),
               ("SetTopicAttributes", ids["topic"]), ("DeleteRepositoryPolicy", "c13-repo"),
               ("PutKeyPolicy", ids["kms"]), ("ModifySnapshotAttribute", ids["snap2"]),
               ("RemovePermission", "c13-fn")))
           and p.returncode == 1, str(res) + p.stderr[-500:])
    read_again(env, url, plan, rep, ids)
    denied = [s for s in rep.get("steps", []) if s["resource_id"] == ids["222222222222"]]
    report("access_denied_recorded", denied and "AccessDenied" in (denied[0]["message"] or "")
           or denied and "UnauthorizedOperation" in (denied[0]["message"] or ""), json.dumps(denied))
    # The referee: exactly the planned change.
    r1 = adm
    after = grants(r1, ids["web"])
    report("sg_only_world_22_gone", after == sorted(set(web_before) - {("tcp", 22, "0.0.0.0/0")})
           and ("tcp", 22, "10.0.0.0/8") in after and ("tcp", 443, "0.0.0.0/0") in after,
           "%s -> %s" % (web_before, after))
    pab_now = r1("s3api", "get-public-access-block", "--bucket", "c13-open")["PublicAccessBlockConfiguration"]
    report("bucket_public_block_on", all(pab_now.values()) and len(pab_now) == 4, json.dumps(pab_now))
    ks = {k["AccessKeyId"]: k["Status"] for k in r1("iam", "list-access-keys", "--user-name", "ci-deploy")[
        "AccessKeyMetadata"]}
    report("key_inactive", ks.get(ids["key"]) == "Inactive" and ks.get(ids["key2"]) == "Inactive", json.dumps(ks))
    polnow = json.loads(r1("s3api", "get-bucket-policy", "--bucket", "c13-policy")["Policy"])
    report("policy_admin_statement_kept", [s["Sid"] for s in polnow["Statement"]] == ["Admin"] and
           polnow["Statement"][0]["Condition"]["StringLike"]["aws:UserAgent"] == HOSTILE, json.dumps(polnow)[:500])
    report("moved_group_untouched", ("tcp", 22, "0.0.0.0/0") in grants(r1, ids["moved"]), "")
    t = Cli(py, endpoint, dict(base, **in_account_auth(py, endpoint, base, key)))
    r = ("--region", "us-east-1")
    sp = t("ec2", "describe-snapshot-attribute", "--snapshot-id", ids["snap"], "--attribute",
           "createVolumePermission", *r).get("CreateVolumePermissions")
    report("snapshot_shared_with_nobody", sp == [], json.dumps(sp))
    sp2 = t("ec2", "describe-snapshot-attribute", "--snapshot-id", ids["snap2"], "--attribute",
            "createVolumePermission", *r).get("CreateVolumePermissions")
    report("snapshot_by_account_only_that_one", sp2 == [{"UserId": "888888888888"}], json.dumps(sp2))
    fnp = json.loads(t("lambda", "get-policy", "--function-name", "c13-fn", *r)["Policy"])
    report("lambda_public_statement_gone", [x["Sid"] for x in fnp["Statement"]] == ["S3Invoke"], json.dumps(fnp))
    lp = t("ec2", "describe-image-attribute", "--image-id", ids["ami"], "--attribute", "launchPermission",
           *r).get("LaunchPermissions")
    report("ami_not_public", lp == [], json.dumps(lp))
    ra = t("rds", "describe-db-snapshot-attributes", "--db-snapshot-identifier", "c13-snap", *r)[
        "DBSnapshotAttributesResult"]["DBSnapshotAttributes"]
    report("rds_snapshot_restore_nobody", all(a["AttributeValues"] == [] for a in ra
                                              if a["AttributeName"] == "restore"), json.dumps(ra))
    left = t("ec2", "describe-security-groups", "--filters", "Name=group-name,Values=c13-unused", *r)
    report("unused_group_deleted", left["SecurityGroups"] == [], json.dumps(left)[:300])
    def tags(rid):
        return {x["Key"]: x["Value"] for x in t("ec2", "describe-tags", "--filters", "Name=resource-id,Values=" + rid,
                                                  *r)["Tags"]}
    wt, mt = tags(ids["web"]), tags(ids["c13-marked"])
    due = time.strftime("%Y/%m/%d", time.gmtime(plan["created_at"] + 7 * 86400))
    report("mark_for_op_and_tag", wt.get("maid_status") == "Resource does not meet policy: delete@" + due
           and wt.get("owner") == "it's $(touch /tmp/c13-pwned) <b>x</b>", json.dumps(wt))
    report("unmark_only_its_key", "maid_status" not in mt and mt.get("team") == "web", json.dumps(mt))
    tp = json.loads(t("sns", "get-topic-attributes", "--topic-arn", ids["topic"], *r)["Attributes"]["Policy"])
    report("topic_public_statement_gone", [x["Sid"] for x in tp["Statement"]] == ["Owner"], json.dumps(tp))
    try:
        t("ecr", "get-repository-policy", "--repository-name", "c13-repo", *r)
        report("repo_policy_deleted", False, "still there")
    except RuntimeError as e:
        report("repo_policy_deleted", "RepositoryPolicyNotFound" in str(e), str(e))
    kp = json.loads(t("kms", "get-key-policy", "--key-id", ids["kms"], "--policy-name", "default", *r)["Policy"])
    report("key_public_statement_gone", [x["Sid"] for x in kp["Statement"]] == ["root"], json.dumps(kp))
    t.close()
    r1.close()
    now_world = world(cliargs)
    report("other_accounts_unchanged", all(now_world[a] == before_world[a] for a in
                                           ("222222222222", "333333333333", "444444444444")), "")
    # A third apply changes nothing: the only call is the denied one again
    # (a failure is reported, never retried within a run).
    rep_path = os.path.join(OUT, "third-apply.json")
    p = custos(env, "fix", "apply", plan_path, "-p", pol, "--db", url, "--accounts", acc_yaml, "--format",
               "json", "-o", rep_path)
    rep = json.load(open(rep_path)) if os.path.exists(rep_path) else {}
    report("apply_report_to_output_file", rep and not p.stdout.strip(), p.stdout[-300:])
    total_calls += rep.get("calls", 0)
    called = [s for s in rep.get("steps", []) if s["result"] not in (
        "already-applied", "changed-since-plan", "prod-needs-allow-prod", "not-enabled")]
    report("second_apply_changes_nothing", rep.get("fixed") == 0 and world(cliargs) == now_world and
           [s["resource_id"] for s in called] == [ids["222222222222"]] and rep.get("calls") == 1,
           p.stdout[-800:])
    # The audit log.
    p = custos(env, "audit", "--db", url, "--format", "json")
    log = json.loads(p.stdout) if p.returncode == 0 else []
    calls = [e for e in log if e["phase"] in ("before", "after")]
    befores = {(e["plan_hash"], e["step"]) for e in calls if e["phase"] == "before"}
    afters = {(e["plan_hash"], e["step"]) for e in calls if e["phase"] == "after"}
    report("audit_before_and_after_each_call", befores and befores == afters and len(calls) == 2 * total_calls,
           json.dumps(calls)[:1500])
    report("audit_who_is_remediation_role", calls and all("assumed-role/custos-remediate" in (e["who"] or "")
                                                          for e in calls), [e["who"] for e in calls])
    ok_calls = [e for e in calls if e["phase"] == "after" and e["result"] == "fixed"]
    report("audit_request_ids", len(ok_calls) == total_calls - 2 and all(e["request_id"] for e in ok_calls),
           json.dumps(ok_calls)[:800])
    report("audit_states", all(e["state_before"] is not None for e in calls) and all(
        (e["state_after"] is None) == (e["operation"] in ("DeleteSecurityGroup", "DeleteRepositoryPolicy"))
        for e in ok_calls),
        [(e["operation"], e["state_before"], e["state_after"]) for e in calls])
    report("audit_access_denied", any(e["result"] == "error" and e["resource_id"] == ids["222222222222"]
                                      for e in calls), "")
    skips = {e["result"] for e in log if e["phase"] == "skip"}
    report("audit_skips", {"changed-since-plan", "prod-needs-allow-prod", "not-enabled", "max-changes",
                           "already-applied"} <= skips, sorted(skips))
    t = custos(env, "audit", "--db", url, "--format", "table")
    report("audit_table", t.returncode == 0 and "RevokeSecurityGroupIngress" in t.stdout, t.stdout[-500:])
    dashboard(env, url, log)
    con = sqlite3.connect(db)
    for stmt in ("UPDATE audit_log SET result = 'x'", "DELETE FROM audit_log"):
        try:
            con.execute(stmt)
            con.commit()
            report("sqlite_refuses_" + stmt.split()[0].lower(), False, "allowed")
        except sqlite3.DatabaseError as e:
            report("sqlite_refuses_" + stmt.split()[0].lower(), "append-only" in str(e), str(e))
            con.rollback()
    con.close()
    # No remediate: true, no apply, even with --allow-prod.
    p = custos(env, "fix", "--apply", "-p", pol, "--db", url, "--accounts", acc_yaml, "--account", "legacy-dev",
               "--allow-prod", "--format", "json")
    rep = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
    report("no_apply_without_opt_in", rep.get("calls") == 0 and rep.get("steps") and
           all(s["result"] == "not-enabled" for s in rep["steps"]), p.stdout[-500:] + p.stderr[-300:])
    p = custos(env, "fix", "-p", pol, "--db", url, "--accounts", acc_yaml)
    report("fix_without_apply_flag_refused", p.returncode == 1 and "--apply" in p.stderr, p.stderr)
    pg_audit(env, pol, acc_yaml)


def runbook_plan(env, url, pol, plan, ids):
    """A finding whose policy has actions: its runbook says custos fix can
    apply them and whether its account allows it, and its shell block is
    the plan command for that finding, which works as written (run in a
    directory holding accounts.yaml, the store as $CUSTOS_DB)."""
    fp = {(s["policy"], s["resource_id"]): s["fingerprint"] for s in plan["steps"]}
    web, legacy = fp[("sg-ssh-world", ids["web"])], fp[("sg-ssh-world", ids["444444444444"])]
    text = {f: custos(env, "explain", f, "--db", url).stdout for f in (web, legacy)}
    block = re.search(r"\*\*Fix with custos\*\*.*?```sh\n(.*?)```", text[web], re.S)
    report("runbook_fix_with_custos", block and "(remove-permissions)" in block.group(0) and
           "(this one does)" in block.group(0) and "custos will not change it" in text[legacy], text[web][-900:])
    lines = block.group(1).splitlines() if block else []
    report("runbook_plan_command", len(lines) == 2 and lines[0].startswith("custos fix plan --finding %s -p " % web),
           lines)
    here = os.path.join(OUT, "runbook")
    os.makedirs(here)
    shutil.copy(os.path.join(OUT, "accounts.yaml"), here)
    p = subprocess.run(["bash", "-c", lines[0].replace("custos ", '"$CUSTOS_BIN" ', 1) if lines else "false"],
                       cwd=here, env=dict(env, CUSTOS_DB=url, CUSTOS_BIN=os.path.abspath(CUSTOS)),
                       capture_output=True, text=True)
    got = json.load(open(os.path.join(here, "plan.json"))) if p.returncode == 0 else {"steps": []}
    report("runbook_plan_command_works", [s["fingerprint"] for s in got["steps"]] == [web] and
           got["steps"][0]["operation"] == "RevokeSecurityGroupIngress", p.stderr[-500:])


def read_again(env, url, plan, rep, ids):
    """After the apply, the findings changed were collected again and their
    policies run: resolved in the store when fixed, still open when not
    (tags only), and nothing else touched (the changed-since-plan group,
    the denied, prod and not-enabled accounts stay open)."""
    fp = {(s["policy"], s["resource_id"]): s["fingerprint"] for s in plan["steps"]}
    checks = {c["fingerprint"]: c for c in rep.get("rechecks", [])}
    # Policies whose filters read what the fix changed (or the resource is gone).
    fixed = [("sg-ssh-world", ids["web"]), ("bucket-public-statement", "c13-policy"),
             ("user-active-keys", "ci-deploy"), ("sg-unused", ids["c13-unused"]), ("topic-public", ids["topic"]),
             ("key-public", ids["kms"])]
    # Policies that pick the resource by name: it still matches after the fix.
    by_name = [("sg-web-staged", ids["web"]), ("bucket-no-public-block", "c13-open"),
               ("snapshot-shared", ids["snap"]), ("rds-snapshot-shared", "c13-snap")]
    report("read_again_resolved", all(checks.get(fp[k], {}).get("result") == "resolved" for k in fixed),
           json.dumps(rep.get("rechecks"))[:3000])
    report("read_again_still_found", all(checks.get(fp[k], {}).get("result") == "still-found" for k in by_name),
           json.dumps([checks.get(fp[k]) for k in by_name]))
    untouched = [fp[("sg-ssh-world", ids[a])] for a in ("moved", "222222222222", "333333333333", "444444444444")]
    report("read_again_only_changed", not any(f in checks for f in untouched), json.dumps(list(checks))[:500])
    p = custos(env, "findings", "--db", url, "--status", "all", "--format", "json")
    stored = {f["fingerprint"]: f["status"] for f in json.loads(p.stdout)["findings"]} if p.returncode == 0 else {}
    report("read_again_store_resolved", all(stored.get(fp[k]) == "resolved" for k in fixed) and
           all(stored.get(fp[k]) in ("new", "open") for k in by_name), json.dumps(stored)[:1500] + p.stderr)
    report("read_again_store_others_open", all(stored.get(f) in ("new", "open") for f in untouched),
           json.dumps({f: stored.get(f) for f in untouched}))
    p = custos(env, "audit", "--db", url, "--format", "json")
    log = json.loads(p.stdout) if p.returncode == 0 else []
    rows = {e["fingerprint"]: e["result"] for e in log if e["phase"] == "recheck"}
    report("read_again_audited", all(rows.get(fp[k]) == "resolved" for k in fixed), json.dumps(rows)[:800])


def dashboard(env, url, log):
    """/audit and /api/audit of custos serve: the same entries, escaped,
    read-only (a POST is not a route)."""
    srv = subprocess.Popen([CUSTOS, "serve", "--db", url, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=env)
    try:
        m = re.match(r"custos serve: http://127.0.0.1:(\d+)/", srv.stdout.readline())
        base = "http://127.0.0.1:%s" % (m.group(1) if m else "0")
        page = urllib.request.urlopen(base + "/audit").read().decode()
        api = json.loads(urllib.request.urlopen(base + "/api/audit").read())
        report("dashboard_audit_page", page.count('data-testid="audit-row"') == len(log) and
               "RevokeSecurityGroupIngress" in page and "custos-remediate" in page, page[:300])
        report("dashboard_audit_escaped", "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page, "")
        report("dashboard_api_audit", [e["id"] for e in api] == [e["id"] for e in log] and
               [e["result"] for e in api] == [e["result"] for e in log], json.dumps(api)[:300])
        try:
            urllib.request.urlopen(urllib.request.Request(base + "/audit", data=b"x", method="POST"))
            report("dashboard_audit_read_only", False, "POST accepted")
        except urllib.error.HTTPError as e:
            report("dashboard_audit_read_only", e.code in (403, 404, 405), e.code)
    finally:
        srv.terminate()
        srv.wait()


def in_account_auth(py, endpoint, base, key):
    """Credentials of the role `tester` in 111111111111 with auth on (the
    test's own change between plan and apply)."""
    admin = Cli(py, endpoint, dict(base, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
                                   AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"]))
    c = admin("sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/tester",
              "--role-session-name", "change")["Credentials"]
    admin.close()
    return {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
            "AWS_SESSION_TOKEN": c["SessionToken"]}


def pg_audit(env, pol, acc_yaml):
    """The same audit log on PostgreSQL: a plan applied with a PG store is
    logged there, and the log refuses UPDATE and DELETE."""
    pg = os.environ.get("CUSTOS_TEST_PG")
    if not pg:
        why = os.environ.get("CUSTOS_TEST_PG_ERROR")
        print(("FAIL pg_audit: %s" % why) if why else "SKIP pg_audit: CUSTOS_TEST_PG not set")
        return
    inv = os.path.join(OUT, "inv")
    p = custos(env, "scan", "--inventory", inv, "-p", pol, "--db", pg, "--format", "json")
    p = custos(env, "fix", "--apply", "-p", pol, "--db", pg, "--accounts", acc_yaml, "--account", "search-dev",
               "--format", "json")
    rep = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
    report("pg_apply_logged_denied", rep.get("calls") == 1 and rep["steps"][0]["result"] == "error",
           p.stdout[-500:] + p.stderr[-300:])
    p = custos(env, "audit", "--db", pg, "--format", "json")
    log = json.loads(p.stdout) if p.returncode == 0 else []
    report("pg_audit_rows", [e["phase"] for e in log][-2:] == ["before", "after"], p.stdout[-500:] + p.stderr)
    for stmt in ("UPDATE audit_log SET result = 'x'", "DELETE FROM audit_log"):
        q = subprocess.run(["psql", pg, "-v", "ON_ERROR_STOP=1", "-c", stmt], capture_output=True, text=True)
        report("pg_refuses_" + stmt.split()[0].lower(), q.returncode != 0 and "append-only" in q.stderr,
               q.stdout + q.stderr)


if __name__ == "__main__":
    main()
    sys.exit(1 if report.failures else 0)
