#!/usr/bin/python3
"""Runs the official JMESPath compliance suite ($SHARED/conformance/jmespath)
through `custos query --cases` (one process for every case) and checks each
case's result (compared as JSON values, numbers numerically) or error kind.
Prints one PASS/FAIL line per case; exits 1 if any failed."""
import glob
import json
import os
import subprocess
import sys

CUSTOS = os.environ.get("CUSTOS", "build/asan/custos")
SHARED = os.environ.get("SHARED", "../shared")
OUT = os.environ.get("OUT", "/tmp")


def same(a, b):
    """JSON equality with numbers compared by value (1 == 1.0, True != 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def main():
    files = sorted(glob.glob(os.path.join(SHARED, "conformance", "jmespath", "*.json")))
    if not files:
        print("FAIL jmespath-compliance: no suite files under %s" % SHARED)
        return 1
    cases = []
    for f in files:
        with open(f) as fh:
            groups = json.load(fh)
        for gi, g in enumerate(groups):
            for ci, c in enumerate(g["cases"]):
                name = "%s#%d.%d %s" % (os.path.basename(f), gi, ci, json.dumps(c["expression"]))
                cases.append((name, g["given"], c))
    path = os.path.join(OUT, "jmespath-compliance.jsonl")
    with open(path, "w") as fh:
        for _, given, c in cases:
            fh.write(json.dumps({"expression": c["expression"], "data": given}) + "\n")
    p = subprocess.run([CUSTOS, "query", "--cases", path], capture_output=True, text=True)
    lines = p.stdout.splitlines()
    if p.returncode != 0 or len(lines) != len(cases):
        print("FAIL jmespath-compliance: custos exited %d with %d/%d lines: %s"
              % (p.returncode, len(lines), len(cases), p.stderr[-2000:]))
        return 1
    failed = 0
    for (name, _, c), line in zip(cases, lines):
        status, _, rest = line.partition(" ")
        why = None
        if "error" in c:
            kind = rest.split(" ", 1)[0]
            if status != "ERROR" or kind != c["error"]:
                why = "expected error %s, got %s" % (c["error"], line)
        elif "result" in c:
            if status != "OK":
                why = "expected %s, got %s" % (json.dumps(c["result"]), line)
            elif not same(json.loads(rest), c["result"]):
                why = "expected %s, got %s" % (json.dumps(c["result"]), rest)
        elif status not in ("OK", "ERROR"):  # benchmark-only entries: must not crash
            why = "bad output %s" % line
        if why:
            failed += 1
            print("FAIL %s: %s" % (name, why))
        else:
            print("PASS %s" % name)
    print("%d cases, %d failed" % (len(cases), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
