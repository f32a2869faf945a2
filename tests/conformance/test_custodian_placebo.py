"""Kind B of the Cloud Custodian corpus: whole policies over Custodian's
recorded API responses, through `custos scan --inventory placebo:DIR`."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from custodian_common import CORPUS, OUT, run, report  # noqa: E402

work = os.path.join(OUT, "custodian-placebo")
os.makedirs(work, exist_ok=True)
cases = json.load(open(os.path.join(CORPUS, "cases-placebo.json")))["cases"]
results = []
for i, case in enumerate(cases):
    pol = os.path.join(work, "p%d.json" % i)
    with open(pol, "w") as f:
        json.dump({"policies": [case["policy"]]}, f)
    cfg = case.get("config", {})
    args = ["scan", "--inventory", "placebo:" + os.path.join(CORPUS, "placebo", case["placebo"]),
            "--policies", pol, "--format", "json",
            "--account-id", cfg.get("account_id", "123456789012"),
            "--region", cfg.get("region", "us-east-1")]
    rc, out, err = run(args)
    if rc != 0:
        results.append((case["id"], False, "exit %d: %s" % (rc, err.strip()[:300])))
        continue
    ids = sorted(f["id"] for f in json.loads(out)["findings"])
    ok = ids == sorted(case["expected_ids"]) and len(ids) == case["expected_count"]
    results.append((case["id"], ok, "expected %s, got %s" % (case["expected_ids"], ids)))
if len(results) != 30:
    results.append(("corpus-size", False, "expected 30 cases, found %d" % len(results)))
sys.exit(report(results))
