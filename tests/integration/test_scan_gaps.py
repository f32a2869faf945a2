#!/usr/bin/python3
"""The store never resolves a finding whose data was not collected.

Three scans of one account into a real store (SQLite, custos's own):
  1. the inventory has a security group with SSH open to the world: the
     finding is new;
  2. `custos collect` could not read the security groups (collection.json:
     ec2 DescribeSecurityGroups AccessDenied), so the file is absent: the
     finding must stay open, not resolved, and scan says what was not
     collected;
  3. collected again and the group is gone: the finding is resolved.
Also: a whole account not collected (AssumeRole denied, region "*") keeps
its findings open, and a collection.json that is not JSON is an error."""
import json
import os
import shutil
import subprocess
import sys

CUSTOS = os.environ.get("CUSTOS", "build/asan/custos")
OUT = os.path.join(os.environ.get("OUT", "/tmp/custos-test-out"), "scan-gaps")
failures = 0
ACCOUNTS = """accounts:
  - id: "111111111111"
    name: payments-prod
    team: payments
    environment: prod
"""
SG = {"SecurityGroups": [{"GroupId": "sg-0123456789abcdef0", "GroupName": "ssh-world", "Description": "d",
                          "OwnerId": "111111111111", "VpcId": "vpc-1", "IpPermissionsEgress": [], "Tags": [],
                          "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [],
                                             "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                                             "PrefixListIds": []}]}]}


def report(name, ok, why=""):
    global failures
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))
    failures += 0 if ok else 1


def inventory(name, sgs, gaps):
    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, "111111111111", "us-east-1"))
    open(os.path.join(d, "accounts.yaml"), "w").write(ACCOUNTS)
    if sgs is not None:
        json.dump(sgs, open(os.path.join(d, "111111111111", "us-east-1", "ec2.DescribeSecurityGroups.json"), "w"))
    if gaps is not None:
        json.dump({"complete": not gaps, "not_collected": gaps}, open(os.path.join(d, "collection.json"), "w"))
    return d


def scan(inv, db):
    p = subprocess.run([CUSTOS, "scan", "--inventory", inv, "--db", db, "--policy", "sg-ssh-open-to-world",
                        "--format", "json"], capture_output=True, text=True)
    return p


def status(db):
    p = subprocess.run([CUSTOS, "findings", "--db", db, "--status", "all", "--format", "json"],
                       capture_output=True, text=True)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return "no json: %s %s" % (p.stdout[:200], p.stderr[-300:])
    fs = doc.get("findings", doc) if isinstance(doc, dict) else doc
    st = [f.get("status") for f in fs if f.get("policy") == "sg-ssh-open-to-world"]
    return st[0] if len(st) == 1 else "findings: %s" % st


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    gap = [{"account": "111111111111", "region": "us-east-1", "service": "ec2",
            "operation": "DescribeSecurityGroups", "code": "AccessDenied", "message": "denied"}]
    whole = [{"account": "111111111111", "region": "*", "service": "*", "operation": "*",
              "code": "AccessDenied", "message": "AssumeRole denied"}]
    for label, second in (("call", gap), ("account", whole)):
        db = "sqlite:" + os.path.join(OUT, label + ".db")
        p = scan(inventory(label + "-1", SG, []), db)
        report("%s_first_scan_new" % label, p.returncode in (0, 3) and status(db) == "new",
               "exit %d, %s; %s" % (p.returncode, status(db), p.stderr[-300:]))
        p = scan(inventory(label + "-2", None, second), db)
        report("%s_not_collected_not_resolved" % label, p.returncode in (0, 3) and status(db) in ("new", "open"),
               "exit %d, %s; %s" % (p.returncode, status(db), p.stderr[-400:]))
        said = ("not collected: payments-prod us-east-1 ec2: AccessDenied" if label == "call"
                else "not collected: payments-prod (all of it)")
        report("%s_scan_says_not_collected" % label, said in p.stderr, p.stderr[-400:])
        p = scan(inventory(label + "-3", {"SecurityGroups": []}, []), db)
        report("%s_collected_and_gone_resolved" % label, p.returncode in (0, 3) and status(db) == "resolved",
               "exit %d, %s; %s" % (p.returncode, status(db), p.stderr[-300:]))
    # The control: the same absent file without the gap in collection.json
    # (data collected, the group gone) resolves the finding, so the check
    # above could fail.
    db = "sqlite:" + os.path.join(OUT, "control.db")
    scan(inventory("control-1", SG, []), db)
    p = scan(inventory("control-2", {"SecurityGroups": []}, []), db)
    report("control_collected_empty_resolves", status(db) == "resolved", "%s; %s" % (status(db), p.stderr[-300:]))
    bad = inventory("bad", SG, [])
    open(os.path.join(bad, "collection.json"), "w").write("{not json")
    p = scan(bad, "sqlite:" + os.path.join(OUT, "bad.db"))
    report("bad_collection_json_is_an_error", p.returncode == 1 and "collection.json" in p.stderr,
           "exit %d: %s" % (p.returncode, p.stderr[-300:]))


main()
sys.exit(1 if failures else 0)
