"""Shared helpers for the Cloud Custodian conformance tests."""
import datetime
import os
import subprocess

SHARED = os.environ.get("SHARED") or os.path.join(os.path.dirname(__file__), "../../../shared")
CUSTOS = os.environ.get("CUSTOS") or "build/asan/custos"
OUT = os.environ.get("OUT") or "/tmp/custos-test-out"
CORPUS = os.path.join(SHARED, "conformance", "custodian")


def resolve_relative_dates(v, now=None):
    """Replaces {"$ago_days": N, "$format": F} objects as the corpus README says."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    if isinstance(v, dict):
        if "$ago_days" in v:
            t = now - datetime.timedelta(days=v["$ago_days"])
            fmt = v.get("$format", "iso")
            if fmt == "epoch":
                return int(t.timestamp())
            if fmt == "epoch_str":
                return str(int(t.timestamp()))
            return t.isoformat()
        return {k: resolve_relative_dates(x, now) for k, x in v.items()}
    if isinstance(v, list):
        return [resolve_relative_dates(x, now) for x in v]
    return v


def run(args, stdin=None):
    p = subprocess.run([CUSTOS] + args, input=stdin, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def report(results):
    """results: list of (name, ok, why). Prints PASS/FAIL lines; returns exit code."""
    failed = 0
    for name, ok, why in results:
        if ok:
            print("PASS %s" % name)
        else:
            failed += 1
            print("FAIL %s: %s" % (name, why))
    return 1 if failed else 0
