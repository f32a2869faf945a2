#!/usr/bin/python3
"""`custos collect` against a real AWS peer: moto_server with IAM auth on.

The organisation, built in moto on loopback:
  123456789012  the base account: user `custos` (access key given to custos)
  111111111111  role custos-read (the policy of deploy/aws/custos-read-role.yaml,
                exactly the calls of src/aws/plan.c): a security group with
                SSH open to the world (planted), one open to 10.0.0.0/8 only
                (a look-alike), a public-read bucket (planted)
  222222222222  role custos-read without any rds permission: rds calls get
                a real AccessDenied
  333333333333  its role_arn names a role the base user may not assume:
                AssumeRole is denied, so the whole account is a gap
Then moto's auth is switched on (POST /moto-api/reset-auth, body 0) and
custos collects through a fault-injecting proxy (tests/aws/fault_proxy.py).
Checks: every file custos wrote equals, as JSON, what the AWS CLI (the
referee, run in its own Python by cli_referee.py) prints for that call;
collection.json names the gaps and the exit status is 5 (partial); the scan
finds the planted problems and not the look-alike; the secret key appears
in nothing custos wrote or printed; under 30% throttling (and under 5xx and
connection resets) the inventory is identical to the fault-free one.
moto_server or the CLI not on PATH: both are installed into build/aws-venv
(tests/aws/aws_peer.py); neither there nor installable is a FAIL, never a
skip.
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aws_peer import Cli, Report, cli_python, moto_server, start_moto  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

CUSTOS = os.environ.get("CUSTOS", os.path.join(HERE, "../../build/asan/custos"))
OUT = os.path.join(os.environ.get("OUT", "/tmp/custos-test-out"), "collect-moto")
report = Report()
SECRET = "c9SecretNeverPrinted/abcdefghijklmnopqrstuv"


def template_actions():
    """The actions deploy/aws/custos-read-role.yaml grants (generated from
    src/aws/plan.c by scripts/gen-role-templates.py): the test's role is
    the template's, so a call the template forgets is a gap here."""
    path = os.path.join(HERE, "../../deploy/aws/custos-read-role.yaml")
    return [line.strip()[2:] for line in open(path) if line.startswith("                  - ")]


# moto 5.2 checks three S3 calls against other action names than AWS's
# (moto/s3/responses.py ACTION_MAP: ?encryption and ?replication fall to
# ListBucket, ?publicAccessBlock is GetPublicAccessBlock).  The template
# keeps AWS's names; the test's role adds moto's for those three only.
MOTO_S3_NAMES = {"s3:GetEncryptionConfiguration": "s3:ListBucket", "s3:GetReplicationConfiguration": "s3:ListBucket",
                 "s3:GetBucketPublicAccessBlock": "s3:GetPublicAccessBlock"}
READ_ACTIONS = template_actions()
READ_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*", "Action": sorted(
    set(READ_ACTIONS) | {MOTO_S3_NAMES[a] for a in READ_ACTIONS if a in MOTO_S3_NAMES})}]}
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}


def in_account(cli, account):
    """CLI env acting in another account (AssumeRole with auth still off)."""
    c = cli("sts", "assume-role", "--role-arn", "arn:aws:iam::%s:role/setup" % account,
            "--role-session-name", "setup")["Credentials"]
    return {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
            "AWS_SESSION_TOKEN": c["SessionToken"]}


def public_policies(acc, aid, region):
    """Resource policies beyond S3: one public (planted) and one limited by
    a condition (look-alike) each for SNS, ECR and KMS; a Lambda function
    with a public URL; a public AMI."""
    r = ["--region", region]
    anyone = {"AWS": "*"}
    org = {"StringEquals": {"aws:PrincipalOrgID": "o-c9test0001"}}
    for name, cond in (("c9-public-topic", None), ("c9-org-topic", org)):
        arn = acc("sns", "create-topic", "--name", name, *r)["TopicArn"]
        st = dict({"Effect": "Allow", "Principal": anyone, "Action": "SNS:Publish", "Resource": arn},
                  **({"Condition": cond} if cond else {}))
        acc("sns", "set-topic-attributes", "--topic-arn", arn, "--attribute-name", "Policy", "--attribute-value",
            json.dumps({"Version": "2012-10-17", "Statement": [st]}), *r)
    for name, cond in (("c9-public-repo", None), ("c9-org-repo", org)):
        acc("ecr", "create-repository", "--repository-name", name, *r)
        st = dict({"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]},
                  **({"Condition": cond} if cond else {}))
        acc("ecr", "set-repository-policy", "--repository-name", name, "--policy-text",
            json.dumps({"Version": "2012-10-17", "Statement": [st]}), *r)
    root = {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % aid}, "Action": "kms:*",
            "Resource": "*"}
    for desc, cond in (("c9-public-key", None), ("c9-caller-key", {"StringEquals": {"kms:CallerAccount": aid}})):
        kid = acc("kms", "create-key", "--description", desc, *r)["KeyMetadata"]["KeyId"]
        st = dict({"Sid": "use", "Effect": "Allow", "Principal": anyone, "Action": "kms:Decrypt", "Resource": "*"},
                  **({"Condition": cond} if cond else {}))
        acc("kms", "put-key-policy", "--key-id", kid, "--policy-name", "default", "--policy",
            json.dumps({"Version": "2012-10-17", "Statement": [root, st]}), *r)
        acc("kms", "tag-resource", "--key-id", kid, "--tags", "TagKey=test,TagValue=%s" % desc, *r)
    role = acc("iam", "create-role", "--role-name", "c9-fn", "--assume-role-policy-document", json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    zipf = os.path.join(OUT, "fn.zip")
    with zipfile.ZipFile(zipf, "w") as z:
        z.writestr("app.py", "def handler(e, c):\n    return 1\n")
    for name in ("c9-url-fn", "c9-s3-fn"):
        acc("lambda", "create-function", "--function-name", name, "--runtime", "python3.12", "--role", role,
            "--handler", "app.handler", "--zip-file", "fileb://" + zipf, *r)
    acc("lambda", "create-function-url-config", "--function-name", "c9-url-fn", "--auth-type", "NONE", *r)
    acc("lambda", "add-permission", "--function-name", "c9-url-fn", "--statement-id", "FunctionURLAllowPublicAccess",
        "--action", "lambda:InvokeFunctionUrl", "--principal", "*", "--function-url-auth-type", "NONE", *r)
    acc("lambda", "add-permission", "--function-name", "c9-s3-fn", "--statement-id", "s3-invoke",
        "--action", "lambda:InvokeFunction", "--principal", "s3.amazonaws.com", "--source-arn",
        "arn:aws:s3:::c9-public-bucket", "--source-account", aid, *r)
    snap = acc("ec2", "create-snapshot", "--volume-id", acc("ec2", "create-volume", "--size", "8",
                                                                "--availability-zone", region + "a", *r)["VolumeId"],
               *r)["SnapshotId"]
    for name in ("c9-public-ami", "c9-private-ami"):
        img = acc("ec2", "register-image", "--name", name, "--root-device-name", "/dev/xvda",
                  "--block-device-mappings", json.dumps([{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": snap}}]),
                  *r)["ImageId"]
        if name == "c9-public-ami":
            acc("ec2", "modify-image-attribute", "--image-id", img, "--launch-permission", "Add=[{Group=all}]", *r)


def build_org(py, endpoint, env):
    admin = Cli(py, endpoint, env)
    admin("iam", "create-user", "--user-name", "custos")
    admin("iam", "put-user-policy", "--user-name", "custos", "--policy-name", "assume",
          "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": "arn:aws:iam::*:role/custos-read"},
              {"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}]}))
    key = admin("iam", "create-access-key", "--user-name", "custos")["AccessKey"]
    for account, policy in (("111111111111", READ_POLICY), ("222222222222", {
            "Version": "2012-10-17", "Statement": [dict(READ_POLICY["Statement"][0], Action=[
                a for a in READ_POLICY["Statement"][0]["Action"] if not a.startswith("rds:")])]})):
        acc = Cli(py, endpoint, dict(env, **in_account(admin, account)))
        acc("iam", "create-role", "--role-name", "custos-read", "--assume-role-policy-document", json.dumps(TRUST))
        acc("iam", "put-role-policy", "--role-name", "custos-read", "--policy-name", "read",
            "--policy-document", json.dumps(policy))
        if account == "111111111111":
            vpc = acc("ec2", "describe-vpcs", "--region", "us-east-1")["Vpcs"][0]["VpcId"]
            for name, cidr in (("ssh-world", "0.0.0.0/0"), ("ssh-internal", "10.0.0.0/8")):
                g = acc("ec2", "create-security-group", "--group-name", name, "--description", name,
                        "--vpc-id", vpc, "--region", "us-east-1")["GroupId"]
                acc("ec2", "authorize-security-group-ingress", "--group-id", g, "--protocol", "tcp",
                    "--port", "22", "--cidr", cidr, "--region", "us-east-1")
            acc("s3api", "create-bucket", "--bucket", "c9-public-bucket")
            acc("s3api", "put-bucket-acl", "--bucket", "c9-public-bucket", "--acl", "public-read")
            acc("iam", "create-user", "--user-name", "dev1")
            # AWS quarantined a user whose key leaked (planted); dev1 has
            # a customer policy of the same name (the look-alike).
            acc("iam", "create-user", "--user-name", "leaked-ci")
            acc("iam", "create-access-key", "--user-name", "leaked-ci")
            acc("iam", "attach-user-policy", "--user-name", "leaked-ci", "--policy-arn",
                "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2")
            copy = acc("iam", "create-policy", "--policy-name", "AWSCompromisedKeyQuarantineV2",
                       "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [
                           {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}))["Policy"]["Arn"]
            acc("iam", "attach-user-policy", "--user-name", "dev1", "--policy-arn", copy)
            public_policies(acc, "111111111111", "us-east-1")
            # Detection services on here; 222222222222 has neither.
            acc("guardduty", "create-detector", "--enable", "--region", "us-east-1")
            acc("securityhub", "enable-security-hub", "--region", "us-east-1")
            # AWS Config recording everything, delivering to a bucket.
            acc("configservice", "put-configuration-recorder", "--region", "us-east-1",
                "--configuration-recorder", json.dumps({
                    "name": "default", "roleARN": "arn:aws:iam::111111111111:role/config",
                    "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}}))
            acc("s3api", "create-bucket", "--bucket", "c9-config-logs")
            acc("configservice", "put-delivery-channel", "--region", "us-east-1", "--delivery-channel",
                json.dumps({"name": "default", "s3BucketName": "c9-config-logs"}))
            acc("configservice", "start-configuration-recorder", "--region", "us-east-1",
                "--configuration-recorder-name", "default")
        acc.close()
    admin.close()
    req = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0",
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()
    return key


ACCOUNTS_YAML = """# the test organisation
collect:
  role: custos-read
  session_name: custos-test
accounts:
  - id: "111111111111"
    name: payments-prod
    team: payments
    environment: prod
    regions: [us-east-1]
  - id: "222222222222"
    name: search-dev
    team: search
    environment: dev
    regions: [eu-west-1]
  - id: "333333333333"
    name: legacy
    role_arn: arn:aws:iam::333333333333:role/missing
    regions: [us-east-1]
"""


def collect(env, out, *extra):
    t = time.time()
    p = subprocess.run([CUSTOS, "collect", "--accounts", os.path.join(OUT, "accounts.yaml"), "--out", out,
                        "--concurrency", "16", "--timeout", "5"] + list(extra), env=env, capture_output=True,
                       text=True, timeout=240)
    print("  detail: collect %s: exit %d in %.1f s: %s" % (os.path.basename(out), p.returncode, time.time() - t,
                                                       p.stderr.strip().splitlines()[-1:] if p.stderr else ""))
    return p, time.time() - t


def load_tree(root):
    tree = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f in ("collection.json", "accounts.yaml"):
                continue
            p = os.path.join(d, f)
            tree[os.path.relpath(p, root)] = json.load(open(p))
    return tree


def volatile_free(doc):
    """Without RoleLastUsed, which moto (like AWS) moves on every AssumeRole:
    the collection itself changes it between two reads."""
    if isinstance(doc, dict):
        return {k: volatile_free(v) for k, v in doc.items() if k != "RoleLastUsed"}
    if isinstance(doc, list):
        return [volatile_free(v) for v in doc]
    return doc


def stable(tree):
    """Without what changes between two collections by itself."""
    t = {k: volatile_free(v) for k, v in tree.items()}
    for k in list(t):
        if k.endswith("iam.GetCredentialReport.json"):
            t[k] = {kk: v for kk, v in t[k].items() if kk not in ("GeneratedTime", "Content")}
    return t


def cli_args(rel, inv):
    """The AWS CLI call that wrote file rel (None when not comparable)."""
    account, region, name = rel.split("/")
    parts = name[:-5].split(".", 2)
    client, op = parts[0], parts[1]
    key = parts[2] if len(parts) > 2 else None
    kebab = "".join("-" + c.lower() if c.isupper() else c for c in op).lstrip("-")
    for a, b in (("d-b-", "db-"), ("m-f-a", "mfa"), ("a-c-l", "acl")):
        kebab = kebab.replace(a, b)
    cli_name = {"s3": "s3api", "config": "configservice"}.get(client, client)
    cmd = [cli_name, kebab, "--region", "us-east-1" if region == "global" else region]
    per = {"DescribeSnapshotAttribute": ["--snapshot-id", key, "--attribute", "createVolumePermission"],
           "DescribeDBSnapshotAttributes": ["--db-snapshot-identifier", key],
           "DescribeKey": ["--key-id", key], "GetKeyRotationStatus": ["--key-id", key],
           "GetKeyPolicy": ["--key-id", key, "--policy-name", "default"], "GetPolicy": ["--function-name", key],
           "GetTopicAttributes": ["--topic-arn", key], "GetRepositoryPolicy": ["--repository-name", key],
           "GetUser": ["--user-name", key], "ListAccessKeys": ["--user-name", key],
           "ListMFADevices": ["--user-name", key], "GetRole": ["--role-name", key],
           "ListEntitiesForPolicy": ["--policy-arn", "arn:aws:iam::aws:policy/%s" % key, "--entity-filter", "User"],
           "GetDetector": ["--detector-id", key], "GetAdministratorAccount": ["--detector-id", key]}
    top = {"DescribeSnapshots": ["--owner-ids", "self"], "DescribeImages": ["--owners", "self"],
           "ListPolicies": ["--scope", "Local"]}
    if op in per:
        return cmd + per[op]
    if client == "s3" and key:
        return cmd + ["--bucket", key]
    if op in top:
        return cmd + top[op]
    if key or op in ("GetCredentialReport", "GetTrailStatus", "GetPolicyVersion"):
        return None
    return cmd


# The models the referee holds custos to: the ones its tables are generated
# from (scripts/gen-aws-tables.py's default, Debian python3-botocore).  The
# AWS CLI on the machine may carry newer models (pip's awscli with botocore
# 1.4x has SecurityGroupArn, ListBuckets Prefix, ...): its output is read
# through the reference model's shapes, so members those models do not have
# are left out (and listed), and everything they do have must be equal.
MODELS = "/usr/lib/python3/dist-packages/botocore/data"
_shapes = {}


def model_shapes(client):
    if client not in _shapes:
        dirs = sorted(glob.glob(os.path.join(MODELS, client, "*", "service-2.json")))
        _shapes[client] = json.load(open(dirs[-1])) if dirs else None
    return _shapes[client]


def project(doc, client, op, dropped):
    """doc with only the members the reference model's output shape has."""
    model = model_shapes(client)
    if model is None or op not in model["operations"] or "output" not in model["operations"][op]:
        return doc
    shapes = model["shapes"]

    def walk(v, name, path):
        sh = shapes.get(name, {})
        t = sh.get("type")
        if t == "structure" and isinstance(v, dict):
            out = {}
            for k, x in v.items():
                if k in sh.get("members", {}):
                    out[k] = walk(x, sh["members"][k]["shape"], path + "." + k)
                else:
                    dropped.add("%s %s%s.%s" % (client, op, path, k))
            return out
        if t == "list" and isinstance(v, list):
            return [walk(x, sh["member"]["shape"], path + "[]") for x in v]
        if t == "map" and isinstance(v, dict):
            return {k: walk(x, sh["value"]["shape"], path + "{}") for k, x in v.items()}
        return v

    return walk(doc, model["operations"][op]["output"]["shape"], "")


def json_diff(got, want, path=""):
    """The first place two JSON values differ, as text."""
    if isinstance(got, dict) and isinstance(want, dict):
        for k in sorted(set(got) | set(want)):
            if got.get(k, "<absent>") != want.get(k, "<absent>"):
                return json_diff(got.get(k, "<absent>"), want.get(k, "<absent>"), path + "." + k)
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                return json_diff(g, w, "%s[%d]" % (path, i))
    return "%s: custos %s, CLI %s" % (path, json.dumps(got)[:200], json.dumps(want)[:200])


def referee(py, endpoint, env, inv, assumed):
    tree = load_tree(inv)
    compared = mismatches = 0
    first = ""
    clis = {}
    per_op = {}
    dropped = set()
    for rel in sorted(tree):
        account = rel.split("/")[0]
        args = cli_args(rel, inv)
        op = rel.split("/")[-1].split(".")[1]
        if not args or "Error" in tree[rel] or per_op.get((account, op), 0) >= 3:
            continue
        per_op[(account, op)] = per_op.get((account, op), 0) + 1
        if account not in clis:
            clis[account] = Cli(py, endpoint, dict(env, **assumed[account]))
        try:
            want = clis[account](*args)
        except RuntimeError as e:
            want = {"cli error": str(e)}
        compared += 1
        if "cli error" not in want:
            want = project(want, rel.split("/")[-1].split(".")[0], op, dropped)
        want, have = volatile_free(want), volatile_free(tree[rel])
        if want != have:
            mismatches += 1
            print("  detail: differs from the CLI: %s: %s" % (rel, json_diff(have, want)))
            if not first:
                first = "%s: %s" % (rel, json_diff(have, want))
    for c in clis.values():
        c.close()
    for d in sorted(dropped):
        print("  detail: the CLI's newer model has %s (not in the reference models, left out)" % d)
    return compared, mismatches, first


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    try:
        moto, py = moto_server(), cli_python()
    except (OSError, subprocess.CalledProcessError) as e:
        report("moto_server_and_aws_cli", False, "neither on PATH nor installable into build/aws-venv: %s" % e)
        return
    # A small, known organisation (fast); AWS managed policies loaded (the
    # quarantine policy is attached).
    server, endpoint, log = start_moto(moto, os.path.join(OUT, "moto.log"),
                                       MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    try:
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        base_env.update(AWS_ACCESS_KEY_ID="AKIAADMIN0000000000", AWS_SECRET_ACCESS_KEY="admin-secret",
                        AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                        AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
        key = build_org(py, endpoint, base_env)
        report("org_built_auth_on", True)
        run(py, endpoint, base_env, key)
    finally:
        server.terminate()
        server.wait()


def run(py, endpoint, base_env, key):
    open(os.path.join(OUT, "accounts.yaml"), "w").write(ACCOUNTS_YAML)
    proxy = FaultProxy(int(endpoint.rsplit(":", 1)[1])).start()
    env = dict(base_env, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"],
               AWS_ENDPOINT_URL="http://127.0.0.1:%d" % proxy.port)
    global SECRET
    SECRET = key["SecretAccessKey"]
    clean = os.path.join(OUT, "inv")
    p, secs = collect(env, clean)
    open(os.path.join(OUT, "collect.log"), "w").write(p.stdout + p.stderr)
    report("collect_partial_exit_5", p.returncode == 5, "exit %d: %s" % (p.returncode, p.stderr[-800:]))
    if not os.path.exists(os.path.join(clean, "collection.json")):
        report("collection_json_written", False, p.stderr[-500:])
        return
    col = json.load(open(os.path.join(clean, "collection.json")))
    gaps = col["not_collected"]
    report("gap_rds_access_denied", any(g["account"] == "222222222222" and g["service"] == "rds"
                                        and "AccessDenied" in g["code"] for g in gaps), json.dumps(gaps)[:600])
    report("no_gap_in_full_role_account", not any(g["account"] == "111111111111" for g in gaps),
           json.dumps([g for g in gaps if g["account"] == "111111111111"])[:600])
    acc = {a["id"]: a["status"] for a in col["accounts"]}
    report("account_statuses", acc.get("111111111111") == "collected" and acc.get("222222222222") == "partial"
           and acc.get("333333333333") == "not_collected", json.dumps(acc))
    report("gap_whole_account_assume_denied", any(g["account"] == "333333333333" and g["region"] == "*"
                                                  for g in gaps), json.dumps(gaps)[:400])
    report("complete_false", col["complete"] is False, str(col["complete"]))
    tree = load_tree(clean)
    report("assumed_into_other_accounts",
           "111111111111/us-east-1/ec2.DescribeSecurityGroups.json" in tree and
           "222222222222/eu-west-1/ec2.DescribeSecurityGroups.json" in tree, sorted(tree)[:5])
    sgs = tree.get("111111111111/us-east-1/ec2.DescribeSecurityGroups.json", {}).get("SecurityGroups", [])
    report("planted_sg_collected", any(g["GroupName"] == "ssh-world" for g in sgs), json.dumps(sgs)[:300])
    report("empty_response_is_object",
           tree.get("111111111111/global/s3.GetBucketVersioning.c9-public-bucket.json") == {},
           json.dumps(tree.get("111111111111/global/s3.GetBucketVersioning.c9-public-bucket.json")))
    # The referee: the CLI acting in each account (assumed with auth on).
    assumed = {}
    admin = Cli(py, endpoint, dict(base_env, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
                                   AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"]))
    for a in ("111111111111", "222222222222"):
        c = admin("sts", "assume-role", "--role-arn", "arn:aws:iam::%s:role/custos-read" % a,
                  "--role-session-name", "referee")["Credentials"]
        assumed[a] = {"AWS_ACCESS_KEY_ID": c["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": c["SecretAccessKey"],
                      "AWS_SESSION_TOKEN": c["SessionToken"]}
    admin.close()
    n, bad, first = referee(py, endpoint, base_env, clean, assumed)
    report("files_equal_aws_cli_output", n >= 40 and bad == 0, "%d of %d differ; %s" % (bad, n, first))
    # The scan of what was collected.
    s = subprocess.run([CUSTOS, "scan", "--inventory", clean, "--no-store", "--format", "json"],
                       capture_output=True, text=True)
    found = json.loads(s.stdout).get("findings", []) if s.stdout.strip().startswith("{") else []
    names = {(f["policy"], f.get("name") or f["id"]) for f in found}
    report("scan_runs", s.returncode in (0, 3), "exit %d: %s" % (s.returncode, s.stderr[-400:]))
    report("finds_planted_open_ssh", any(p == "sg-ssh-open-to-world" and n == "ssh-world" for p, n in names),
           sorted(names)[:10])
    report("no_finding_on_lookalike", not any(n == "ssh-internal" and "ssh" in p for p, n in names),
           sorted(x for x in names if x[1] == "ssh-internal"))
    report("finds_public_bucket", any(n == "c9-public-bucket" and "grant" in p for p, n in names),
           sorted(p for p, n in names if n == "c9-public-bucket"))
    report("finds_quarantined_user", ("iam-user-key-exposed", "leaked-ci") in names,
           sorted(x for x in names if x[0] == "iam-user-key-exposed"))
    for check, planted, lookalike in (("sns-public-policy", "c9-public-topic", "c9-org-topic"),
                                      ("ecr-public-policy", "c9-public-repo", "c9-org-repo"),
                                      ("lambda-public-policy", "c9-url-fn", "c9-s3-fn"),
                                      ("ami-public", "c9-public-ami", "c9-private-ami")):
        hit = {n for p, n in names if p == check}
        report("finds_%s" % check.replace("-", "_"), any(planted in n for n in hit) and
               not any(lookalike in n for n in hit), sorted(hit))
    # Detection services: Custodian's guard-duty and securityhub filters
    # over what was collected (enabled in 111111111111 us-east-1 only).
    # aws.account is one document per account, read in its first region
    # and reported as global (src/inventory/inventory.c).
    det = os.path.join(OUT, "detection.yml")
    with open(det, "w") as fh:
        fh.write("policies:\n"
                 "  - {name: gd-off, resource: account, filters: [{not: [{type: guard-duty, "
                 "Detector.Status: ENABLED}]}]}\n"
                 "  - {name: hub-off, resource: account, filters: [{type: securityhub, enabled: false}]}\n"
                 "  - {name: config-off, resource: account, filters: [{type: check-config, "
                 "all-resources: true, global-resources: true}]}\n")
    s2 = subprocess.run([CUSTOS, "scan", "--inventory", clean, "--no-store", "--format", "json", "--policies", det],
                        capture_output=True, text=True)
    got = sorted((f["policy"], f["account"], f["region"]) for f in
                 (json.loads(s2.stdout).get("findings", []) if s2.stdout.strip().startswith("{") else []))
    report("detection_services_off_where_off",
           got == [("config-off", "222222222222", "global"), ("gd-off", "222222222222", "global"),
                   ("hub-off", "222222222222", "global")],
           "%s; %s" % (got, s2.stderr[-300:]))
    keys = {f["id"] for f in found if f["policy"] == "kms-key-public-policy"}
    descs = {f["id"]: f.get("evidence") for f in found if f["policy"] == "kms-key-public-policy"}
    report("finds_kms_key_public_policy", len(keys) == 1, json.dumps(descs)[:300])
    report("no_quarantine_finding_on_lookalike", ("iam-user-key-exposed", "dev1") not in names,
           "dev1 has only a customer policy named AWSCompromisedKeyQuarantineV2")
    # Faults: 30% throttling, then 5xx and resets: the same inventory.
    for label, odds in (("throttle30", {"throttle": 0.3}), ("5xx_resets", {"error503": 0.1, "reset": 0.1})):
        proxy.configure(**odds)
        out = os.path.join(OUT, "inv-" + label)
        p, _ = collect(env, out)
        got = stable(load_tree(out))
        same = got == stable(tree)
        if not same:
            diff = sorted(set(got) ^ set(stable(tree)))[:5] or [
                k + ": " + json_diff(got[k], stable(tree)[k]) for k in sorted(got) if got[k] != stable(tree)[k]][:2]
            print("  detail: %s" % diff)
        report("faults_%s_same_inventory" % label, p.returncode == 5 and same,
               "exit %d, %s; proxy %s" % (p.returncode, "same" if same else "differs", proxy.stats))
        proxy.stats = {k: 0 for k in proxy.stats}
    # A call the server answers with the same 500 every time costs at most
    # the retry time (here 3 s), not ten attempts of backoff.
    proxy.configure(always500="Action=DescribeVolumes")
    out = os.path.join(OUT, "inv-always500")
    p, secs = collect(env, out, "--retry-time", "3")
    col = json.load(open(os.path.join(out, "collection.json"))) if os.path.exists(
        os.path.join(out, "collection.json")) else {"not_collected": []}
    vol = [g for g in col["not_collected"] if g["operation"] == "DescribeVolumes" and g["account"] == "111111111111"]
    report("deterministic_500_gives_up_in_retry_time",
           p.returncode == 5 and secs < 20 and vol and "retry time exhausted" in vol[0]["message"]
           and proxy.stats["always500"] >= 2,
           "exit %d in %.1f s; %s; proxy %s" % (p.returncode, secs, vol, proxy.stats))
    proxy.stats = {k: 0 for k in proxy.stats}
    proxy.configure()
    # Atomic: a second collection over an existing DIR replaces it whole.
    marker = os.path.join(clean, "stale-marker")
    open(marker, "w").write("x")
    p, _ = collect(env, clean)
    report("replaces_previous_inventory", p.returncode == 5 and not os.path.exists(marker)
           and os.path.exists(os.path.join(clean, "collection.json")), p.stderr[-300:])
    leftovers = [d for d in os.listdir(OUT) if ".collect-" in d]
    report("no_half_inventory_left", not leftovers, leftovers)
    # scan --collect: collect and scan in one step, the gaps said, exit 5.
    sinv = os.path.join(OUT, "scan-inv")
    p = subprocess.run([CUSTOS, "scan", "--collect", "--accounts", os.path.join(OUT, "accounts.yaml"),
                        "--inventory", sinv, "--db", "sqlite:" + os.path.join(OUT, "scan.db"), "--format", "json"],
                       env=env, capture_output=True, text=True, timeout=240)
    open(os.path.join(OUT, "scan-collect.log"), "w").write(p.stdout + p.stderr)
    found = json.loads(p.stdout).get("findings", []) if p.stdout.strip().startswith("{") else []
    report("scan_collect_exit_5_and_finds", p.returncode == 5 and os.path.exists(os.path.join(sinv, "collection.json"))
           and any(f["policy"] == "sg-ssh-open-to-world" for f in found), "exit %d: %s" % (p.returncode, p.stderr[-500:]))
    report("scan_collect_says_gaps", "not collected: search-dev eu-west-1 rds: AccessDenied" in p.stderr
           and "not collected: legacy (all of it)" in p.stderr, p.stderr[-600:])
    # Secrets: nowhere in what custos wrote or printed.
    hits = []
    for d, _, files in os.walk(OUT):
        for f in files:
            if f in ("moto.log",):
                continue
            if SECRET.encode() in open(os.path.join(d, f), "rb").read():
                hits.append(os.path.join(d, f))
    report("secret_never_written", not hits, hits[:5])
    # A bad accounts.yaml: a clear error with file and line, exit 1.
    bad = os.path.join(OUT, "bad.yaml")
    open(bad, "w").write("collect:\n  role: r\n  regions: 7\naccounts:\n  - id: \"1\"\n")
    p = subprocess.run([CUSTOS, "collect", "--accounts", bad, "--out", os.path.join(OUT, "x")], env=env,
                       capture_output=True, text=True)
    report("bad_config_exit_1_with_line", p.returncode == 1 and "bad.yaml:3" in p.stderr and "bad.yaml:5" in p.stderr,
           "exit %d: %s" % (p.returncode, p.stderr))
    proxy.stop()


if __name__ == "__main__":
    main()
    sys.exit(1 if report.failures else 0)
