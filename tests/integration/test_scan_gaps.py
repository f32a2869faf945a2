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
its findings open, and a collection.json that is not JSON is an error.

Per account and region, on SQLite and PostgreSQL (CUSTOS_TEST_PG): two
accounts x two regions, one open finding in each; then every group is gone
but one call was not collected (payments-prod eu-west-1): exactly that
finding stays open and the other three are resolved (a gap in one account
or region never stops resolution elsewhere).  The gap is in the JSON
report (code and message), in the table, stored with the scan and shown by
`custos serve` (HTML, escaped, and JSON), and cleared by the next complete
collection."""
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

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


ACCOUNTS2 = ACCOUNTS + """  - id: "222222222222"
    name: web-dev
    team: web
    environment: dev
"""
PAIRS = [("111111111111", "us-east-1"), ("111111111111", "eu-west-1"),
         ("222222222222", "us-east-1"), ("222222222222", "eu-west-1")]
HOSTILE = "User is not authorized <script>alert(1)</script>\x1b[31m"


def sg_of(account):
    doc = json.loads(json.dumps(SG))
    doc["SecurityGroups"][0]["OwnerId"] = account
    return doc


def inventory2(name, present, gaps, day):
    d = os.path.join(OUT, name)
    os.makedirs(d)
    open(os.path.join(d, "accounts.yaml"), "w").write("collected_at: 2026-01-%02dT00:00:00Z\n" % day + ACCOUNTS2)
    for acc, reg in PAIRS:
        os.makedirs(os.path.join(d, acc, reg))
        json.dump(sg_of(acc) if present else {"SecurityGroups": []},
                  open(os.path.join(d, acc, reg, "ec2.DescribeSecurityGroups.json"), "w"))
    for g in gaps:  # what was not collected has no file
        os.remove(os.path.join(d, g["account"], g["region"], "ec2.DescribeSecurityGroups.json"))
    json.dump({"complete": not gaps, "not_collected": gaps}, open(os.path.join(d, "collection.json"), "w"))
    return d


def statuses(db):
    p = subprocess.run([CUSTOS, "findings", "--db", db, "--status", "all", "--format", "json"],
                       capture_output=True, text=True)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        return {"error": p.stderr[-300:]}
    fs = doc.get("findings", doc) if isinstance(doc, dict) else doc
    return {(f.get("account"), f.get("region")): f.get("status") for f in fs}


def last_seen(db):
    p = subprocess.run([CUSTOS, "findings", "--db", db, "--status", "all", "--format", "json"],
                       capture_output=True, text=True)
    try:
        fs = json.loads(p.stdout)["findings"]
    except (ValueError, KeyError):
        return {"error": p.stderr[-300:]}
    return {(f.get("account"), f.get("region")): f.get("last_seen") for f in fs}


def pg_url(name):
    return peers.pg_url("scan_gaps", name)


def dashboard(db, tag):
    (html, js), log = peers.dashboard(CUSTOS, db, os.path.join(OUT, tag + "-serve.log"))
    return html, js, log


def per_region(tag, db):
    gap = [{"account": "111111111111", "region": "eu-west-1", "service": "ec2",
            "operation": "DescribeSecurityGroups", "code": "AccessDenied", "message": HOSTILE}]
    p = scan(inventory2(tag + "-r1", True, [], 1), db)
    st = statuses(db)
    report("%s_region_first_scan_four_new" % tag,
           p.returncode in (0, 3) and sorted(st.values()) == ["new"] * 4, "%s; %s" % (st, p.stderr[-300:]))
    inv = inventory2(tag + "-r2", False, gap, 2)
    p = scan(inv, db)
    st = statuses(db)
    want = {("111111111111", "us-east-1"): "resolved", ("111111111111", "eu-west-1"): "new",
            ("222222222222", "us-east-1"): "resolved", ("222222222222", "eu-west-1"): "resolved"}
    report("%s_region_gap_holds_only_its_account_region" % tag, p.returncode in (0, 3) and st == want,
           "%s; %s" % (st, p.stderr[-500:]))
    # Not seen by scan 2: its last sighting stays scan 1's (the data was
    # not collected, so it was not seen again).
    ls = last_seen(db).get(("111111111111", "eu-west-1"))
    report("%s_held_finding_keeps_last_seen" % tag, ls == "2026-01-01T00:00:00Z", str(ls))
    try:
        nc = json.loads(p.stdout).get("not_collected")
    except ValueError:
        nc = "no json: " + p.stdout[:200]
    want_nc = [{"account": "111111111111", "account_name": "payments-prod", "region": "eu-west-1",
                "service": "ec2", "operation": "DescribeSecurityGroups", "code": "AccessDenied",
                "message": HOSTILE}]
    report("%s_json_report_lists_gap" % tag, nc == want_nc, str(nc))
    t = subprocess.run([CUSTOS, "scan", "--inventory", inv, "--no-store", "--policy", "sg-ssh-open-to-world",
                        "--format", "table"], capture_output=True, text=True)
    line = "not collected: payments-prod eu-west-1 ec2 DescribeSecurityGroups: AccessDenied"
    report("%s_table_lists_gap" % tag, line in t.stdout and "\x1b" not in t.stdout, t.stdout[-500:])
    html, js, log = dashboard(db, tag + "-gap")
    report("%s_dashboard_says_not_collected" % tag,
           html is not None and re.search(r"not collected: <a href=\"/account/111111111111\">payments-prod</a> "
                                          r"eu-west-1 ec2: <strong>AccessDenied</strong>", html) is not None
           and "<script>alert" not in html and "&lt;script&gt;alert(1)" in html,
           (html or "")[-800:] + log[-300:])
    jg = (js or {}).get("not_collected")
    report("%s_dashboard_json_gap" % tag,
           isinstance(jg, list) and len(jg) == 1 and jg[0].get("account") == "111111111111"
           and jg[0].get("region") == "eu-west-1" and jg[0].get("code") == "AccessDenied"
           and jg[0].get("message") == HOSTILE, str(jg)[:400] + log[-300:])
    p = scan(inventory2(tag + "-r3", False, [], 3), db)
    st = statuses(db)
    report("%s_region_collected_again_resolved" % tag,
           p.returncode in (0, 3) and sorted(st.values()) == ["resolved"] * 4, "%s; %s" % (st, p.stderr[-300:]))
    html, js, log = dashboard(db, tag + "-clear")
    report("%s_dashboard_gap_cleared" % tag, html is not None and "Not collected" not in html
           and (js or {}).get("not_collected") == [], str((js or {}).get("not_collected")) + log[-300:])


def backends():
    per_region("sqlite", "sqlite:" + os.path.join(OUT, "regions.db"))
    if os.environ.get("CUSTOS_TEST_PG"):
        per_region("pg", pg_url("regions"))
    else:
        report("pg_server_available", False, os.environ.get(
            "CUSTOS_TEST_PG_ERROR", "CUSTOS_TEST_PG is not set: tests/run.sh starts PostgreSQL"))


main()
backends()
sys.exit(1 if failures else 0)
