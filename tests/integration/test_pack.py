#!/usr/bin/python3
"""The built-in pack end to end, through the CLI, on the sample organisation.

- every pack check has a fix line and a runbook, and the README's checks
  table is exactly `custos checks --format markdown`;
- `custos scan` (no --policies: the embedded pack) gives every finding a
  fingerprint, a priority and reasons, sorted by priority, with the fix and
  runbook rendered (no holes, the real ids and regions filled in);
- fingerprints are stable across scans and across --account narrowing;
- ranking: the planted critical problems in prod accounts come first, and
  the same check on a reachable prod group outranks a dev group in a VPC
  without an internet gateway;
- `custos explain` prints a finding by fingerprint prefix, and fails
  clearly on bad or unknown ids.
"""
import json
import os
import re
import subprocess
import sys

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(ROOT)
CUSTOS = os.environ.get("CUSTOS", "build/release/custos")
OUT = os.environ.get("OUT", "build/test-out")
ORG = os.path.join(OUT, "pack-org")
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}")


def run(*args):
    return subprocess.run([CUSTOS, *args], capture_output=True, text=True)


def main():
    subprocess.run(["/usr/bin/python3", "examples/gen_org.py", "--out", ORG, "--quiet"], check=True)
    planted = json.load(open(os.path.join(ORG, "planted.json")))
    accounts = yaml.safe_load(open(os.path.join(ORG, "accounts.yaml")))["accounts"]
    env = {str(a["id"]): a.get("environment") for a in accounts}

    # --- the pack's checks ---
    r = run("checks", "--format", "json")
    checks = json.loads(r.stdout) if r.returncode == 0 else []
    check("checks_lists_pack", r.returncode == 0 and len(checks) >= 30, r.stderr[:300])
    missing = [c["name"] for c in checks if not c["runbook"]]
    check("every_check_has_runbook", not missing, f"no runbook: {missing}")
    # --- the auditor's view: CIS AWS Foundations v3.0 ---
    r = run("checks", "--framework", "cis-aws-3.0", "--format", "json")
    fw = json.loads(r.stdout) if r.returncode == 0 else {}
    reqs = fw.get("requirements", [])
    check("framework_lists_every_requirement", len(reqs) == 62 and len({q["id"] for q in reqs}) == 62,
          f"{len(reqs)} requirements, exit {r.returncode}: {r.stderr[:200]}")
    check("framework_manual_ones", sorted(q["id"] for q in reqs if q["status"] == "manual")
          == ["1.1", "1.18", "1.21", "1.3", "2.1.3"], str([q["id"] for q in reqs if q["status"] == "manual"]))
    by_id = {q["id"]: q for q in reqs}
    want = {"1.4": "iam-root-access-keys", "1.9": "iam-password-reuse-allowed",
            "1.13": "iam-user-two-active-keys", "2.3.2": "rds-auto-minor-upgrade-off",
            "3.5": "cloudtrail-not-kms-encrypted", "5.4": "vpc-default-sg-allows-traffic",
            "5.6": "ec2-imdsv2-not-required", "1.7": "iam-root-used-recently",
            "1.12": "iam-user-password-unused", "2.1.1": "s3-bucket-allows-http"}
    wrong = {k: by_id.get(k, {}).get("checks") for k, v in want.items()
             if v not in by_id.get(k, {}).get("checks", [])}
    check("framework_maps_checks", not wrong, str(wrong))
    check("framework_counts_add_up", fw.get("covered", 0) + fw.get("not_covered", 0) + fw.get("manual", 0)
          == 62 and fw.get("covered", 0) >= 23, str({k: fw.get(k) for k in ("covered", "not_covered", "manual")}))
    bad = "policies:\n  - name: p\n    resource: aws.s3\n    metadata: {compliance: {cis-aws-3.0: ['9.99']}}\n"
    with open(os.path.join(OUT, "bad-ref.yml"), "w") as fh:
        fh.write(bad)
    r = run("checks", "--framework", "cis-aws-3.0", "--policies", os.path.join(OUT, "bad-ref.yml"))
    check("framework_rejects_unknown_reference", r.returncode == 1 and "'9.99'" in r.stderr, r.stderr[:200])
    # --- the auditor's view of a store: custos compliance ---
    cdb = "sqlite:" + os.path.join(OUT, "compliance.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(cdb[7:] + suffix):
            os.unlink(cdb[7:] + suffix)
    r = run("scan", "--inventory", ORG, "--db", cdb, "--format", "json", "-o", os.devnull)
    r = run("compliance", "--framework", "cis-aws-3.0", "--db", cdb, "--format", "json")
    comp = json.loads(r.stdout) if r.returncode == 0 else {}
    by_acc = {a["name"]: {q["id"]: q for q in a["requirements"]} for a in comp.get("accounts", [])}
    check("compliance_every_account", len(by_acc) == len(accounts), f"{len(by_acc)} accounts: {r.stderr[:200]}")
    # Each planted CIS problem fails its requirement in its account, nowhere else.
    cis_of = {c["name"]: c.get("compliance", {}).get("cis-aws-3.0", []) for c in checks}
    name_of = {str(a["id"]): a["name"] for a in accounts}
    want_fail = {(name_of[p["account"]], ref) for p in planted for ref in cis_of.get(p["check"], [])}
    got_fail = {(acc, rid) for acc, reqs in by_acc.items() for rid, q in reqs.items() if q["status"] == "fail"}
    check("compliance_fails_exactly_the_planted", got_fail == want_fail,
          f"missing {sorted(want_fail - got_fail)[:4]} extra {sorted(got_fail - want_fail)[:4]}")
    net = by_acc.get("network", {})
    check("compliance_statuses", net.get("1.1", {}).get("status") == "manual" and
          net.get("1.2", {}).get("status") == "not-covered" and net.get("1.4", {}).get("status") == "pass",
          str({k: net.get(k) for k in ("1.1", "1.2", "1.4")}))
    r = run("compliance", "--framework", "cis-aws-3.0", "--db", cdb, "--account", "network")
    check("compliance_table_one_account", r.returncode == 0 and "network" in r.stdout and
          "billing-prod" not in r.stdout, r.stdout[:300])
    r = run("compliance", "--framework", "nope", "--db", cdb)
    check("compliance_unknown_framework", r.returncode == 1 and "unknown framework" in r.stderr, r.stderr)
    r = run("checks", "--format", "markdown")
    readme = open("README.md").read()
    m = re.search(r"<!-- checks:begin -->\n(.*?)<!-- checks:end -->", readme, re.S)
    check("readme_checks_table_current", m is not None and m.group(1) == r.stdout,
          "README table differs from `custos checks --format markdown`")

    # --- scan with the embedded pack ---
    r = run("scan", "--inventory", ORG, "--format", "json")
    check("scan_exit_status", r.returncode == 0, f"exit {r.returncode}: {r.stderr[:300]}")
    findings = json.loads(r.stdout)["findings"] if r.stdout else []
    names = {c["name"] for c in checks}
    check("scan_uses_pack", findings and all(f["policy"] in names for f in findings))
    fp_ok = all(re.fullmatch(r"[0-9a-f]{16}", f.get("fingerprint", "")) for f in findings)
    check("fingerprints_present", fp_ok)
    check("fingerprints_unique", len({f["fingerprint"] for f in findings}) == len(findings))
    prios = [f.get("priority", -1) for f in findings]
    check("priorities_in_range", all(0 <= p <= 100 for p in prios))
    check("sorted_by_priority", prios == sorted(prios, reverse=True))
    check("reasons_present", all(f.get("reasons") for f in findings))
    bad = [f["policy"] for f in findings
           if not f.get("fix") or not f.get("runbook") or "runbook_error" in f]
    check("fix_and_runbook_rendered", not bad, f"missing/failed: {sorted(set(bad))[:5]}")
    holes = [f["policy"] for f in findings
             if "{{" in f.get("runbook", "") or "{{" in f.get("fix", "")]
    check("no_unfilled_placeholders", not holes, str(sorted(set(holes))[:5]))
    not_specific = [f["policy"] for f in findings
                    if (f["id"] not in f.get("runbook", "")
                        and f.get("name", f["id"]) not in f.get("runbook", ""))
                    or (f["region"] != "global" and f["region"] not in f.get("runbook", ""))]
    check("runbooks_name_the_resource", not not_specific, str(sorted(set(not_specific))[:5]))
    covered = {f["policy"] for f in findings}
    check("every_check_fires_on_sample_org", names <= covered, f"never fired: {sorted(names - covered)}")

    # --- stability ---
    r2 = run("scan", "--inventory", ORG, "--format", "json")
    again = json.loads(r2.stdout)["findings"] if r2.returncode == 0 else []
    check("fingerprints_stable", [f["fingerprint"] for f in again] == [f["fingerprint"] for f in findings])
    acct = findings[0]["account"] if findings else ""
    r3 = run("scan", "--inventory", ORG, "--format", "json", "--account", acct)
    narrow = {f["fingerprint"] for f in json.loads(r3.stdout)["findings"]} if r3.returncode == 0 else set()
    wide = {f["fingerprint"] for f in findings if f["account"] == acct}
    check("fingerprints_independent_of_scope", narrow == wide and narrow, f"{len(narrow)} vs {len(wide)}")

    # --- ranking ---
    def is_prod(f):
        return env.get(f["account"]) == "prod"
    prod_crit = {(p["check"], p["id"]) for p in planted if p.get("severity", None) in (None, "critical")
                 and env.get(str(p["account"])) == "prod"}
    crit_names = {c["name"] for c in checks if c["severity"] == "critical"}
    prod_crit = {k for k in prod_crit if k[0] in crit_names}
    top = [(f["policy"], f["id"]) for f in findings[:len(prod_crit)]]
    check("prod_criticals_first", prod_crit and set(top) == prod_crit,
          f"top {len(prod_crit)}: {top[:6]} ... expected {sorted(prod_crit)[:6]}")
    ssh = [f for f in findings if f["policy"] == "sg-ssh-open-to-world"]
    prod_ssh = [f for f in ssh if is_prod(f)]
    dev_ssh = [f for f in ssh if env.get(f["account"]) == "dev"]
    check("reachable_prod_group_outranks_unreachable_dev",
          prod_ssh and dev_ssh and max(f["priority"] for f in prod_ssh) >= min(f["priority"] for f in dev_ssh) + 20,
          f"prod {[f['priority'] for f in prod_ssh]} dev {[f['priority'] for f in dev_ssh]}")
    best = max(prod_ssh, key=lambda f: f["priority"]) if prod_ssh else {"reasons": []}
    check("reasons_explain_exposure",
          any("reachable from the internet" in x for x in best["reasons"])
          and any(re.search(r"attached to \d+ instances", x) for x in best["reasons"]),
          str(best["reasons"]))
    dev_reasons = dev_ssh[0]["reasons"] if dev_ssh else []
    check("reasons_explain_no_igw", any("no internet gateway" in x for x in dev_reasons), str(dev_reasons))

    # --- evidence from every `or` branch: a group open over IPv4 and IPv6
    # gets both grants, so its runbook revokes both ---
    dual = os.path.join(OUT, "dual-stack-sg.json")
    grant = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [], "Ipv6Ranges": [],
             "PrefixListIds": [], "UserIdGroupPairs": []}
    json.dump([{"GroupId": "sg-dual", "GroupName": "dual", "OwnerId": "123456789012", "VpcId": "vpc-1",
                "IpPermissionsEgress": [],
                "IpPermissions": [dict(grant, IpRanges=[{"CidrIp": "0.0.0.0/0"}]),
                                  dict(grant, Ipv6Ranges=[{"CidrIpv6": "::/0"}])]}], open(dual, "w"))
    r = run("eval", "--policy", "sg-ssh-open-to-world", dual, "--format", "json")
    got = json.loads(r.stdout)["findings"] if r.returncode == 0 else []
    ok = len(got) == 1 and len(got[0]["evidence"]) == 2 and "::/0" in got[0]["runbook"] \
        and "0.0.0.0/0" in got[0]["runbook"]
    check("dual_stack_runbook_revokes_both", ok, r.stderr[:200] or json.dumps(got)[:300])

    # --- explain ---
    if findings:
        f0 = findings[0]
        r = run("explain", f0["fingerprint"][:8], "--inventory", ORG)
        check("explain_by_prefix", r.returncode == 0 and f0["id"] in r.stdout
              and f0["policy"] in r.stdout and f0["runbook"].strip().splitlines()[0] in r.stdout,
              r.stderr[:300])
        r = run("explain", f0["fingerprint"], "--inventory", ORG, "--format", "json")
        check("explain_json_matches_scan", r.returncode == 0 and json.loads(r.stdout) == f0)
    r = run("explain", "zz-not-hex", "--inventory", ORG)
    check("explain_rejects_bad_id", r.returncode == 1 and "not a finding id" in r.stderr, r.stderr)
    r = run("explain", "0000000000000000", "--inventory", ORG)
    check("explain_unknown_id", r.returncode == 1 and "no finding" in r.stderr, r.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
