"""The security-group benchmark shared with Cloud Custodian, at N=10,000:
custos must select exactly the ids Cloud Custodian selects for all five
policies, evaluated together in one scan."""
import glob
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from custodian_common import OUT, SHARED, run, report  # noqa: E402

bench = os.path.join(SHARED, "bench", "custodian-sg")
data = os.path.join(OUT, "sg-10000")
if not os.path.exists(os.path.join(data, "ec2.DescribeSecurityGroups_10.json")):
    os.makedirs(data, exist_ok=True)
    subprocess.run(["/usr/bin/python3", os.path.join(bench, "gen_sg.py"), "10000", data],
                   check=True, capture_output=True)
policies = sorted(glob.glob(os.path.join(bench, "policies", "*.yml")))
rc, out, err = run(["scan", "--inventory", "placebo:" + data, "--format", "json"] + policies)
results = []
if rc != 0:
    results.append(("scan", False, "exit %d: %s" % (rc, err.strip()[:300])))
else:
    found = {}
    for f in json.loads(out)["findings"]:
        found.setdefault(f["policy"], []).append(f["id"])
    names = {"a_glob": "sg-name-glob", "a_regex": "sg-name-regex",
             "b_ingress": "sg-admin-ports-open-to-world", "c_tags_or": "sg-tag-or",
             "z_nofilter": "sg-all"}
    for stem, name in sorted(names.items()):
        want = open(os.path.join(bench, "expected-10000", stem + ".ids")).read().split()
        got = sorted(found.get(name, []))
        diff = sorted(set(want) ^ set(got))[:5]
        results.append((stem, got == sorted(want),
                        "expected %d ids, got %d; first differences %s" % (len(want), len(got), diff)))
sys.exit(report(results))
