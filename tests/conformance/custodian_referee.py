#!/usr/bin/env python3
"""Regenerates a Custodian conformance corpus's expected ids with Cloud
Custodian itself (test-time only: custos never needs c7n at run time).

For each case of cases.json it runs the case's policy with c7n over the
case's placebo recording (the same replay Custodian's own tests use, with
the case's account id and region) and records the ids of the resources
Custodian matched (the type's id field).  It prints a summary, and with
--write updates expected_ids/expected_count in place, so new cases taken
from Custodian's suite as it moves get their answers from the referee, not
from custos.

Needs c7n importable: `pip install c7n` (PyPI), or a fetched source tree
(`--c7n-src DIR`, the checkout's root) with Debian's python3-boto3,
python3-botocore, python3-jsonschema, python3-dateutil, python3-yaml,
python3-tabulate, python3-jmespath and python3-placebo (or placebo from
the tree's test requirements).  Without c7n it exits 77 ("skipped"), so it
is never part of `make check`.

    python3 tests/conformance/custodian_referee.py \\
        --corpus ../shared/conformance/custodian-wide [--c7n-src ~/cloud-custodian] \\
        [--only SUBSTRING] [--write]
"""
import argparse
import json
import os
import sys
import tempfile


def load_c7n(src):
    if src:
        sys.path.insert(0, os.path.abspath(src))
    try:
        try:
            import tabulate  # noqa: F401
        except ImportError:  # only c7n's report formatting uses it
            import types
            sys.modules["tabulate"] = types.SimpleNamespace(tabulate=None)
        from c7n.config import Config
        from c7n.policy import Policy
        from c7n.resources import load_resources
    except ImportError as e:
        print("SKIP referee: c7n not importable (%s)" % e)
        sys.exit(77)
    return Config, Policy, load_resources


class Replay:
    """Answers each call from <service>.<Operation>_N.json the way
    Custodian's recordings are replayed: the N-th call of an operation gets
    file N, and numbering restarts at 1 when file N does not exist.  (A few
    lines of our own rather than the placebo package, which Debian lacks.)"""

    def __init__(self, root):
        self.root = root
        self.count = {}

    def load(self, service, op):
        n = self.count.get((service, op), 0) + 1
        path = os.path.join(self.root, "%s.%s_%d.json" % (service, op, n))
        if not os.path.exists(path):
            n = 1
            path = os.path.join(self.root, "%s.%s_1.json" % (service, op))
        self.count[(service, op)] = n
        if not os.path.exists(path):
            raise IOError("no recording for %s.%s in %s" % (service, op, self.root))
        with open(path) as f:
            return json.load(f, object_hook=datetimes)

    def __call__(self, model, **kwargs):
        service = model.service_model.endpoint_prefix
        rec = self.load(service, model.name)
        from botocore.awsrequest import AWSResponse
        status = rec.get("status_code", 200)
        resp = AWSResponse("https://replay", status, {}, None)
        return resp, rec["data"]


def datetimes(d):
    if d.get("__class__") == "datetime":
        import datetime
        from dateutil.tz import tzutc
        return datetime.datetime(d["year"], d["month"], d["day"], d["hour"], d["minute"],
                                 d["second"], d.get("microsecond", 0), tzinfo=tzutc())
    return d


def replay_session(placebo_dir, region):
    """A boto3 session whose every call is answered from placebo_dir."""
    import boto3
    session = boto3.Session(region_name=region, aws_access_key_id="referee",
                            aws_secret_access_key="referee")
    replay = Replay(placebo_dir)
    session.events.register("before-call.*.*", replay)
    return session


def run_case(case, corpus, Config, Policy):
    cfg = case.get("config", {})
    region = cfg.get("region", "us-east-1")
    account = cfg.get("account_id", "123456789012")
    data = os.path.join(corpus, "placebo", case["placebo"])
    with tempfile.TemporaryDirectory() as out:
        conf = Config.empty(region=region, account_id=account, output_dir=out,
                            cache="", log_group=None)
        from c7n.utils import reset_session_cache
        reset_session_cache()  # c7n caches one session per thread
        session = replay_session(data, region)
        pol = Policy(dict(case["policy"]), conf, session_factory=lambda *a, **k: session)
        pol.validate()
        resources = pol.run()
        id_field = case.get("id_field") or pol.resource_manager.get_model().id
        return sorted({r[id_field] for r in resources})


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", required=True, help="directory holding cases.json and placebo/")
    ap.add_argument("--c7n-src", help="a Cloud Custodian source checkout to import c7n from")
    ap.add_argument("--only", help="run cases whose id contains this")
    ap.add_argument("--write", action="store_true", help="update cases.json with the results")
    args = ap.parse_args()
    Config, Policy, load_resources = load_c7n(args.c7n_src)
    load_resources(("aws.*",))
    path = os.path.join(args.corpus, "cases.json")
    doc = json.load(open(path))
    changed = failed = 0
    for case in doc["cases"]:
        if args.only and args.only not in case["id"]:
            continue
        try:
            ids = run_case(case, args.corpus, Config, Policy)
        except Exception as e:  # the referee could not run it: say so, keep the case
            failed += 1
            print("ERROR %s: %s: %s" % (case["id"], type(e).__name__, str(e)[:200]))
            continue
        same = ids == sorted(set(case.get("expected_ids", [])))
        print("%s %s %s" % ("SAME" if same else "DIFF", case["id"], "" if same else ids))
        if not same:
            changed += 1
            case["expected_ids"] = ids
            case["expected_count"] = len(ids)
            case["expected_from"] = "c7n-run"
    if args.write and changed:
        with open(path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
    print("referee: %d differ, %d could not run%s" % (changed, failed,
                                                       " (written)" if args.write else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
