#!/usr/bin/python3
"""Build a findings store the way users do: by scanning, day after day.

usage: scan_store.py --custos BIN --db URL --work DIR [-n GROUPS] [--days 30]
                     [--shared ../shared]

bench/fill_store.py writes a store directly and ANALYZEs it; a store that
`custos scan` builds is never analysed by hand, its rows arrive in scan
order, and its statistics are whatever custos keeps (issue 17).  This
script makes the second kind:

- an organisation inventory in custos's layout: 44 accounts (14 teams x
  dev/staging/prod, plus security-logging and network), prod accounts in
  two regions, skewed sizes (a few big accounts), whose security groups are
  the shared Custodian benchmark's (gen_sg.py, the same generator and
  seed); about 1.75 findings a group under the five benchmark policies,
  so -n 572000 gives about 1,000,000 findings;
- the five benchmark policies with a severity each (metadata), so the
  store has every severity;
- a second copy with about 1% of the findings different (every 400th group
  gone, a renamed copy of the next one added), as bench/store.sh does;
- --days daily scans (--as-of one day apart, ending today), the original
  and the changed copy alternating, so findings resolve and regress.

Each scan's wall time, peak RSS and rows written go to stdout, one line a
scan.  Standard library only; run with /usr/bin/python3.
"""
import argparse
import datetime
import importlib.util
import json
import os
import random
import subprocess
import sys
import time

TEAMS = ["payments", "checkout", "search", "catalog", "identity", "messaging",
         "analytics", "mobile", "web", "data-platform", "ml", "billing",
         "support", "growth"]
SEVERITY = {"a_glob": "low", "a_regex": "high", "b_ingress": "critical",
            "c_tags_or": "medium", "z_nofilter": "info"}


def accounts(rng):
    out = []
    for t in TEAMS:
        for env in ("dev", "staging", "prod"):
            out.append({"name": "%s-%s" % (t, env), "team": t, "environment": env})
    out.append({"name": "security-logging", "team": None, "environment": "prod"})
    out.append({"name": "network", "team": None, "environment": "prod"})
    for a in out:
        a["id"] = "%012d" % rng.randrange(10**11, 10**12)
        a["regions"] = ["us-east-1", "eu-west-1"] if a["environment"] == "prod" else ["us-east-1"]
    # Skewed sizes: weight 1/(rank+1)^0.9 over a shuffled order.
    order = list(range(len(out)))
    rng.shuffle(order)
    for rank, i in enumerate(order):
        out[i]["weight"] = 1.0 / (rank + 1) ** 0.9
    return out


def write_inventory(root, accs, groups, owner_of, changed):
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "accounts.yaml"), "w") as fh:
        fh.write('collected_at: "2026-11-01T00:00:00Z"\naccounts:\n')
        for a in accs:
            fh.write('  - id: "%s"\n    name: %s\n' % (a["id"], a["name"]))
            if a["team"]:
                fh.write("    team: %s\n" % a["team"])
            fh.write("    environment: %s\n    regions: [%s]\n"
                     % (a["environment"], ", ".join(a["regions"])))
    per = {}
    for k, g in enumerate(groups, 1):
        a, region = owner_of[k - 1]
        lst = per.setdefault((a["id"], region), [])
        if changed and k % 400 == 0:
            continue  # gone: its findings resolve
        lst.append(g)
        if changed and k % 400 == 1:
            c = dict(g)
            c["GroupId"] = g["GroupId"][:-4] + "beef"  # a new group, same problems
            lst.append(c)
    for (acc, region), lst in per.items():
        d = os.path.join(root, acc, region)
        os.makedirs(d, exist_ok=True)
        fixed = []
        for g in lst:
            g = dict(g)
            g["OwnerId"] = acc
            g["SecurityGroupArn"] = "arn:aws:ec2:%s:%s:security-group/%s" % (
                region, acc, g["GroupId"])
            fixed.append(g)
        with open(os.path.join(d, "ec2.DescribeSecurityGroups.json"), "w") as fh:
            json.dump({"SecurityGroups": fixed}, fh)


def build_inputs(work, n, shared):
    done = os.path.join(work, "inputs-%d.done" % n)
    if os.path.exists(done):
        return
    spec = importlib.util.spec_from_file_location(
        "gen_sg", os.path.join(shared, "bench", "custodian-sg", "gen_sg.py"))
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = random.Random(42)  # gen_sg.py's own sequence for the groups
    vpcs = ["vpc-" + gen.hexid(rng) for _ in range(max(1, n // 200))]
    sg_ids = ["sg-" + gen.hexid(rng) for _ in range(n)]
    groups = [gen.group(rng, i, vpcs, sg_ids) for i in range(n)]
    arng = random.Random(7)
    accs = accounts(arng)
    total = sum(a["weight"] for a in accs)
    cum, acc_of = 0.0, []
    for a in accs:
        cum += a["weight"] / total
        acc_of.append((cum, a))
    owner_of = []
    for i in range(n):
        x = arng.random()
        a = next((a for c, a in acc_of if x <= c), accs[-1])
        owner_of.append((a, a["regions"][i % len(a["regions"])]))
    write_inventory(os.path.join(work, "inv-a"), accs, groups, owner_of, False)
    write_inventory(os.path.join(work, "inv-b"), accs, groups, owner_of, True)
    pol = os.path.join(work, "policies")
    os.makedirs(pol, exist_ok=True)
    src = os.path.join(shared, "bench", "custodian-sg", "policies")
    for f in sorted(os.listdir(src)):
        text = open(os.path.join(src, f)).read()
        sev = SEVERITY.get(f.rsplit(".", 1)[0], "medium")
        # after "resource: aws.security-group": the severity the pack would give
        text = text.replace("    resource: aws.security-group\n",
                            "    resource: aws.security-group\n"
                            "    metadata: {severity: %s}\n" % sev, 1)
        open(os.path.join(pol, f), "w").write(text)
    open(done, "w").write("ok\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--custos", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("-n", type=int, default=572000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "shared"))
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    t0 = time.time()
    build_inputs(a.work, a.n, a.shared)
    print("inputs: %.1f s" % (time.time() - t0), flush=True)
    pol = os.path.join(a.work, "policies")
    policies = [os.path.join(pol, f) for f in sorted(os.listdir(pol))]
    today = datetime.datetime.now(datetime.timezone.utc).replace(
        hour=0, minute=0, second=0, microsecond=0)
    for d in range(a.days):
        at = today - datetime.timedelta(days=a.days - 1 - d)
        inv = os.path.join(a.work, "inv-a" if d % 2 == 0 else "inv-b")
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", os.path.join(a.work, "time"), a.custos,
               "scan", "--inventory", inv, "--policies"] + policies + [
               "--db", a.db, "--as-of", at.strftime("%Y-%m-%dT06:00:00Z"), "-v",
               "--format", "json", "-o", os.devnull]
        p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode not in (0, 3):
            sys.exit("scan_store.py: day %d failed (%d): %s" % (d + 1, p.returncode,
                                                                p.stderr[-2000:]))
        wall, rss = open(os.path.join(a.work, "time")).read().split()
        rows = next((ln.strip() for ln in p.stderr.splitlines() if "rows" in ln), "")
        print("day %2d %s: %s s, %d MB; %s" % (d + 1, os.path.basename(inv), wall,
                                              int(rss) // 1024, rows), flush=True)


if __name__ == "__main__":
    main()
