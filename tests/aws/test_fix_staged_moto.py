#!/usr/bin/python3
"""Staged remediation (issue 13) against moto_server with IAM auth on, over
three simulated weeks (--as-of), the AWS CLI as referee: "mark, then
disable when due", as Custodian's mark-for-op / marked-for-op.

Account 111111111111 (payments-dev, remediate: true) has two users with an
active access key: ci-deploy, and legacy-svc tagged custos-opt-out=true.
The clock starts 91 days after the keys were made (they are stale):

  week 1  scan + fix --apply: stale-key-mark tags ci-deploy with
          custos_stale_key = "Resource does not meet policy:
          remove-keys@<week 1 + 14 days>" (iam TagUser); the key stays
          Active; the read-again resolves stale-key-mark (now marked)
  week 2  scan + fix plan: nothing is due, the plan has no step, the tag
          is unchanged (the deadline is not pushed back)
  week 3  scan + fix plan: stale-key-disable (marked-for-op, due) plans
          UpdateAccessKey Inactive for ci-deploy's key only; apply: the key
          is Inactive (referee), the finding resolved by the read-again
legacy-svc (opted out) is never in a plan, never tagged, its key Active.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aws_peer import Cli, Report, admin_env, with_moto  # noqa: E402
from test_collect_moto import in_account, READ_POLICY  # noqa: E402
from test_fix_moto import FIX_POLICY, TRUST  # noqa: E402

CUSTOS = os.environ.get("CUSTOS", os.path.join(HERE, "../../build/asan/custos"))
OUT = os.path.join(os.environ.get("OUT", "/tmp/custos-test-out"), "fix-staged-moto")
report = Report()
AID = "111111111111"

POLICIES = """policies:
  - name: stale-key-mark
    resource: aws.iam-user
    filters:
      - "tag:custos-opt-out": absent
      - "tag:custos_stale_key": absent
      - type: access-key
        key: Status
        value: Active
      - type: access-key
        match-operator: and
        key: CreateDate
        value_type: age
        op: gt
        value: 90
    actions:
      - type: mark-for-op
        tag: custos_stale_key
        op: remove-keys
        days: 14
  - name: stale-key-disable
    resource: aws.iam-user
    filters:
      - "tag:custos-opt-out": absent
      - type: marked-for-op
        tag: custos_stale_key
        op: remove-keys
      - type: access-key
        key: Status
        value: Active
    actions:
      - type: remove-keys
        disable: true
        age: 90
"""

ACCOUNTS = """collect:
  role: custos-read
remediate:
  role: custos-remediate
accounts:
  - id: "111111111111"
    name: payments-dev
    team: payments
    environment: dev
    regions: [us-east-1]
    remediate: true
"""


def build_org(py, endpoint, env):
    admin = Cli(py, endpoint, env)
    admin("iam", "create-user", "--user-name", "custos")
    admin("iam", "put-user-policy", "--user-name", "custos", "--policy-name", "assume",
          "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": [
                  "arn:aws:iam::*:role/custos-read", "arn:aws:iam::*:role/custos-remediate"]},
              {"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}]}))
    key = admin("iam", "create-access-key", "--user-name", "custos")["AccessKey"]
    acc = Cli(py, endpoint, dict(env, **in_account(admin, AID)))
    for role, pol in (("custos-read", READ_POLICY), ("custos-remediate", FIX_POLICY)):
        acc("iam", "create-role", "--role-name", role, "--assume-role-policy-document", json.dumps(TRUST))
        acc("iam", "put-role-policy", "--role-name", role, "--policy-name", "p", "--policy-document",
            json.dumps(pol))
    keys = {}
    for user in ("ci-deploy", "legacy-svc"):
        acc("iam", "create-user", "--user-name", user)
        keys[user] = acc("iam", "create-access-key", "--user-name", user)["AccessKey"]["AccessKeyId"]
    acc("iam", "tag-user", "--user-name", "legacy-svc", "--tags", "Key=custos-opt-out,Value=true")
    acc.close()
    admin.close()
    req = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0",
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()
    return key, keys


def custos(env, *args):
    p = subprocess.run([CUSTOS] + list(args), env=env, capture_output=True, text=True, timeout=300)
    open(os.path.join(OUT, "custos.log"), "a").write("$ custos %s\nexit %d\n%s%s\n" % (
        " ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def referee(py, endpoint, base, key):
    admin = Cli(py, endpoint, dict(base, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
                                   AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"]))
    c = admin("sts", "assume-role", "--role-arn", "arn:aws:iam::%s:role/custos-read" % AID,
              "--role-session-name", "referee")["Credentials"]
    admin.close()
    return Cli(py, endpoint, dict(base, AWS_ACCESS_KEY_ID=c["AccessKeyId"],
                                  AWS_SECRET_ACCESS_KEY=c["SecretAccessKey"], AWS_SESSION_TOKEN=c["SessionToken"]))


def world(ref):
    """Each user's key statuses and tags, as the CLI reads them."""
    out = {}
    for user in ("ci-deploy", "legacy-svc"):
        ks = ref("iam", "list-access-keys", "--user-name", user)["AccessKeyMetadata"]
        tags = ref("iam", "get-user", "--user-name", user)["User"].get("Tags", [])
        out[user] = {"keys": {k["AccessKeyId"]: k["Status"] for k in ks},
                     "tags": {t["Key"]: t["Value"] for t in tags}}
    return out


def day(t):
    return time.strftime("%Y-%m-%d", time.gmtime(t))


def week(env, files, n, as_of, apply):
    """One week: collect + scan at as_of, then fix plan (and apply)."""
    acc_yaml, pol, url, inv = files
    p = custos(env, "scan", "--collect", "--accounts", acc_yaml, "--inventory", inv, "-p", pol, "--db", url,
               "--as-of", as_of, "--format", "json")
    report("week%d_scan" % n, p.returncode in (0, 3), p.stderr[-800:])
    plan_path = os.path.join(OUT, "plan-%d.json" % n)
    p = custos(env, "fix", "plan", "-p", pol, "--db", url, "--accounts", acc_yaml, "--as-of", as_of, "-o",
               plan_path)
    plan = json.load(open(plan_path)) if p.returncode == 0 else {"steps": []}
    rep = {}
    if apply:
        p = custos(env, "fix", "apply", plan_path, "-p", pol, "--db", url, "--accounts", acc_yaml, "--as-of",
                   as_of, "--format", "json")
        rep = json.loads(p.stdout) if p.stdout.strip().startswith("{") else {}
    return plan, rep


def run(py, endpoint, base, key, keys):
    env = dict(base, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"],
               AWS_ENDPOINT_URL=endpoint)
    files = tuple(os.path.join(OUT, f) for f in ("accounts.yaml", "staged.yml")) + (
        "sqlite:" + os.path.join(OUT, "staged.db"), os.path.join(OUT, "inv"))
    open(files[0], "w").write(ACCOUNTS)
    open(files[1], "w").write(POLICIES)
    ref = referee(py, endpoint, base, key)
    t0 = time.time() + 91 * 86400
    due = time.strftime("%Y/%m/%d", time.gmtime(t0 + 14 * 86400))
    mark = "Resource does not meet policy: remove-keys@" + due

    plan, rep = week(env, files, 1, day(t0), True)
    steps = [(s["policy"], s["operation"], s["params"].get("UserName")) for s in plan["steps"]]
    report("week1_plan_marks_only_ci_deploy", steps == [("stale-key-mark", "TagUser", "ci-deploy")] and
           plan["steps"][0]["params"]["Tags"] == [{"Key": "custos_stale_key", "Value": mark}], json.dumps(plan)[:1500])
    report("week1_plan_cli", plan["steps"] and plan["steps"][0]["cli"].startswith("aws iam tag-user "),
           plan["steps"][0]["cli"] if plan["steps"] else "")
    w1 = world(ref)
    report("week1_tagged_key_active", w1["ci-deploy"]["tags"].get("custos_stale_key") == mark and
           w1["ci-deploy"]["keys"][keys["ci-deploy"]] == "Active", json.dumps(w1))
    report("week1_applied", [s["result"] for s in rep.get("steps", [])] == ["fixed"], json.dumps(rep)[:800])
    report("week1_read_again_resolves_mark", [c["result"] for c in rep.get("rechecks", [])] == ["resolved"],
           json.dumps(rep.get("rechecks")))

    plan, rep = week(env, files, 2, day(t0 + 7 * 86400), True)
    report("week2_nothing_due", plan["steps"] == [] and rep.get("calls") == 0, json.dumps(plan)[:800])
    w2 = world(ref)
    report("week2_unchanged", w2 == w1, json.dumps(w2))

    plan, rep = week(env, files, 3, day(t0 + 14 * 86400), True)
    steps = [(s["policy"], s["operation"], s["params"].get("UserName"), s["params"].get("AccessKeyId"))
             for s in plan["steps"]]
    report("week3_plan_disables_key", steps == [("stale-key-disable", "UpdateAccessKey", "ci-deploy",
                                                 keys["ci-deploy"])], json.dumps(plan)[:1500])
    w3 = world(ref)
    report("week3_key_inactive", w3["ci-deploy"]["keys"][keys["ci-deploy"]] == "Inactive", json.dumps(w3))
    report("week3_read_again_resolves", [c["result"] for c in rep.get("rechecks", [])] == ["resolved"],
           json.dumps(rep)[:1500])
    report("opted_out_never_touched", all(w["legacy-svc"] == {"keys": {keys["legacy-svc"]: "Active"},
                                                              "tags": {"custos-opt-out": "true"}}
                                          for w in (w1, w2, w3)), json.dumps(w3["legacy-svc"]))
    p = custos(env, "audit", "--db", files[2], "--format", "json")
    log = json.loads(p.stdout) if p.returncode == 0 else []
    report("opted_out_never_planned", log and not any("legacy-svc" in json.dumps(e) for e in log),
           json.dumps(log)[:500])
    calls = [(e["operation"], e["result"]) for e in log if e["phase"] == "after"]
    report("audit_two_calls", calls == [("TagUser", "fixed"), ("UpdateAccessKey", "fixed")], json.dumps(calls))
    ref.close()


def main():
    def body(py, endpoint):
        base = admin_env()
        key, keys = build_org(py, endpoint, base)
        run(py, endpoint, base, key, keys)
    with_moto(OUT, report, body)


if __name__ == "__main__":
    main()
    sys.exit(1 if report.failures else 0)
