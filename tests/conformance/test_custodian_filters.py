"""Kind A of the Cloud Custodian corpus: one filter over one in-memory
resource, run through `custos eval` exactly as a user would run it."""
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(__file__))
from custodian_common import CORPUS, OUT, resolve_relative_dates, run, report  # noqa: E402

work = os.path.join(OUT, "custodian-filters")
os.makedirs(work, exist_ok=True)
cases = json.load(open(os.path.join(CORPUS, "cases-filters.json")))["cases"]


def one(i_case):
    i, case = i_case
    pol = os.path.join(work, "p%d.json" % i)
    res = os.path.join(work, "r%d.json" % i)
    with open(pol, "w") as f:
        json.dump({"policies": [{"name": "x", "resource": case["resource_type"],
                                 "filters": [case["filter"]]}]}, f)
    with open(res, "w") as f:
        json.dump([resolve_relative_dates(case["resource"])], f)
    rc, out, err = run(["eval", "--policies", pol, res, "--format", "json"])
    if rc != 0:
        return case["id"], False, "exit %d: %s" % (rc, err.strip()[:300])
    try:
        got = len(json.loads(out)["findings"]) == 1
    except (ValueError, KeyError) as e:
        return case["id"], False, "bad JSON output: %s" % e
    ok = got == case["match"]
    return case["id"], ok, "expected match=%s, got %s" % (case["match"], got)


with ThreadPoolExecutor(max_workers=4) as ex:
    results = list(ex.map(one, enumerate(cases)))
if len(results) != 104:
    results.append(("corpus-size", False, "expected 104 cases, found %d" % len(results)))
sys.exit(report(results))
