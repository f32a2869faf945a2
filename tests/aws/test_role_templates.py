#!/usr/bin/python3
"""The role templates in deploy/aws grant exactly the calls custos makes.

deploy/aws/custos-read-role.yaml (CloudFormation, StackSet-ready) and
custos-read-role.tf (Terraform) are generated from src/aws/plan.c by
scripts/gen-role-templates.py, as is the remediation role of custos fix
(custos-remediate-role.*: plan.c's WRITE lines and the reads of
src/remediate/session.c).  Checks: both are current (regenerated, they
are byte-identical); they grant the same actions; one action per planned
call (no wildcard, nothing else); and that set is enough: the account of
tests/aws/test_collect_moto.py whose role has the template's policy is
collected with no gap (checked there)."""
import os
import re
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
failures = 0


def report(name, ok, why=""):
    global failures
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))
    failures += 0 if ok else 1


p = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts/gen-role-templates.py"), "--check"],
                   capture_output=True, text=True)
report("templates_current", p.returncode == 0, p.stdout + p.stderr)
cfn = open(os.path.join(ROOT, "deploy/aws/custos-read-role.yaml")).read()
tf = open(os.path.join(ROOT, "deploy/aws/custos-read-role.tf")).read()
cfn_actions = re.findall(r"^ {18}- ([a-z0-9-]+:[A-Za-z0-9]+)$", cfn, re.M)
tf_actions = re.findall(r'^ {6}"([a-z0-9-]+:[A-Za-z0-9]+)",$', tf, re.M)
report("same_actions_in_both", cfn_actions == tf_actions and cfn_actions, "%s vs %s" % (cfn_actions[:3], tf_actions[:3]))
plan = open(os.path.join(ROOT, "src/aws/plan.c")).read()
calls = set(re.findall(r'\bOP\("([a-z0-9]+)", "([A-Za-z0-9]+)"', plan))
calls |= {("s3", o) for o in re.findall(r'\bS3B\("([A-Za-z0-9]+)"\)', plan)}
calls.add(("ec2", "DescribeRegions"))
# elb and elbv2 share the IAM prefix elasticloadbalancing: one action each
calls = {("elasticloadbalancing" if c in ("elb", "elbv2") else c, o) for c, o in calls}
report("one_action_per_call", len(cfn_actions) == len(set(cfn_actions)) == len(calls),
       "%d actions, %d calls" % (len(cfn_actions), len(calls)))
report("read_only_no_wildcards", all(re.match(r"[a-z0-9-]+:(Describe|Get|List|Generate)[A-Za-z]+$", a)
                                     for a in cfn_actions) and "*" not in "".join(cfn_actions),
       [a for a in cfn_actions if not re.match(r"[a-z0-9-]+:(Describe|Get|List|Generate)", a)])
report("assumes_from_one_principal", "sts:AssumeRole" in cfn and "CollectorPrincipal" in cfn
       and "var.collector_principal" in tf, "")
# The remediation role (custos fix): the WRITE lines of plan.c and the reads
# src/remediate/session.c makes, nothing else; the read role none of them.
rcfn = open(os.path.join(ROOT, "deploy/aws/custos-remediate-role.yaml")).read()
rtf = open(os.path.join(ROOT, "deploy/aws/custos-remediate-role.tf")).read()
r_actions = re.findall(r"^ {18}- ([a-z0-9-]+:[A-Za-z0-9]+)$", rcfn, re.M)
report("remediate_same_actions_in_both", r_actions and r_actions == re.findall(
    r'^ {6}"([a-z0-9-]+:[A-Za-z0-9]+)",$', rtf, re.M), r_actions)
writes = set(re.findall(r'\bWRITE\("([a-z0-9]+)", "([A-Za-z0-9]+)"', plan))
session = open(os.path.join(ROOT, "src/remediate/session.c")).read()
reads = set(re.findall(r'read_call(?:_input)?\([^"]*"([a-z0-9]+)", "([A-Za-z0-9]+)"', session))
renamed = {"s3:PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
           "s3:GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock"}
want = sorted({renamed.get("%s:%s" % c, "%s:%s" % c) for c in writes | reads})
report("remediate_exactly_writes_and_reads", writes and r_actions == want, "%s vs %s" % (r_actions, want))
write_names = {renamed.get("%s:%s" % c, "%s:%s" % c) for c in writes}
report("read_role_has_no_write", not (write_names & set(cfn_actions)), write_names & set(cfn_actions))
report("remediate_role_separate", "custos-remediate" in rcfn and "custos-read" not in rcfn
       and "*" not in "".join(r_actions), "")
sys.exit(1 if failures else 0)
