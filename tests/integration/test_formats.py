#!/usr/bin/python3
"""SARIF and OCSF output validated against the published JSON schemas.

The schemas are vendored under tests/data/schemas (see its README for where
each came from).  Documents come from two places:
- `test_export --dump DIR` (the unit test's hand-built findings: quotes,
  newlines, non-ASCII, an invalid UTF-8 byte, NULL optional fields);
- the CLI end to end, `custos scan --db` then `custos findings --format`.
Each document must validate; deliberately broken copies must NOT, so a
validator that accepts anything is caught.  Formats the installed
jsonschema cannot check are checked here by hand (URI references, times).
"""
import copy
import hashlib
import json
import os
import re
import subprocess
import sys

import jsonschema

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(ROOT)
CUSTOS = os.path.abspath(os.environ.get("CUSTOS", "build/release/custos"))
OUT = os.path.join(os.environ.get("OUT", "build/test-out"), "formats")
SCHEMAS = "tests/data/schemas"
# sha256 of the vendored files: they are published documents, never edited.
SARIF_SHA256 = "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {str(why)[:600]}")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def errors(validator, doc):
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))


def describe(errs):
    return "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errs[:3])


# RFC 3986 URI-reference (relative-ref branch: no scheme, path of pchars).
# The first segment may not hold ":" (it would read as a scheme).
PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
PCHAR_NC = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-Fa-f]{2})"
RELATIVE_PATH = re.compile(rf"^{PCHAR_NC}+(?:/{PCHAR}*)*$")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def validators(schema):
    """The validator the schema declares, with format checking."""
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


# ---------------------------------------------------------------- SARIF


def sarif_checks(tag, doc, schema):
    v = validators(schema)
    errs = errors(v, doc)
    check(f"{tag}_sarif_valid_{type(v).__name__}", not errs, describe(errs))
    # GitHub's guidance names Draft 7 for SARIF; the errata schema declares
    # Draft 4.  Both must agree.
    v7 = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errs = errors(v7, doc)
    check(f"{tag}_sarif_valid_Draft7Validator", not errs, describe(errs))
    results = doc["runs"][0].get("results", [])
    uris = [l["physicalLocation"]["artifactLocation"]["uri"] for r in results for l in r["locations"]]
    bad = [u for u in uris if not RELATIVE_PATH.match(u)]
    check(f"{tag}_sarif_uris_are_relative_references", uris and not bad, bad[:3])
    times = [r["properties"][k] for r in results for k in ("first_seen", "last_seen")]
    check(f"{tag}_sarif_times_iso8601", times and all(ISO_UTC.match(t) for t in times), times[:3])
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    ok = all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    check(f"{tag}_sarif_rule_index_consistent", ok)
    fps = [r["partialFingerprints"]["custos/v1"] for r in results]
    check(f"{tag}_sarif_fingerprints", all(re.fullmatch(r"[0-9a-f]{16}", f) for f in fps), fps[:3])
    sev = [rule["properties"]["security-severity"] for rule in rules]
    check(f"{tag}_sarif_security_severity_numeric", all(0 <= float(s) <= 10 for s in sev), sev)

    # Broken copies must fail: the validator is really checking.
    broken = []
    d = copy.deepcopy(doc)
    d["runs"][0]["results"][0]["level"] = "fatal"  # not in the enum
    broken.append(("bad_level", d))
    d = copy.deepcopy(doc)
    del d["runs"][0]["tool"]  # required
    broken.append(("no_tool", d))
    d = copy.deepcopy(doc)
    d["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    broken.append(("line_zero", d))
    d = copy.deepcopy(doc)
    d["runs"][0]["results"][0]["unknownProperty"] = 1  # additionalProperties false
    broken.append(("extra_property", d))
    d = copy.deepcopy(doc)
    d["version"] = "2.0.0"
    broken.append(("wrong_version", d))
    for name, d in broken:
        check(f"{tag}_sarif_broken_{name}_rejected", errors(v, d) and errors(v7, d))


# ---------------------------------------------------------------- OCSF


def ocsf_checks(tag, events, schema):
    v = validators(schema)
    check(f"{tag}_ocsf_is_array_of_events", isinstance(events, list) and events, type(events))
    bad = [(i, errors(v, ev)) for i, ev in enumerate(events)]
    bad = [(i, e) for i, e in bad if e]
    check(f"{tag}_ocsf_{len(events)}_events_valid_{type(v).__name__}", not bad,
          bad and f"event {bad[0][0]}: {describe(bad[0][1])}")
    if not events:
        return
    ev = events[0]
    broken = []
    d = copy.deepcopy(ev)
    d["class_uid"] = 2001  # another class
    broken.append(("wrong_class", d))
    d = copy.deepcopy(ev)
    del d["finding_info"]  # required
    broken.append(("no_finding_info", d))
    d = copy.deepcopy(ev)
    d["severity_id"] = 7  # not in the enum
    broken.append(("bad_severity", d))
    d = copy.deepcopy(ev)
    d["time"] = "2024-05-01T00:00:00Z"  # timestamp_t is an integer
    broken.append(("string_time", d))
    d = copy.deepcopy(ev)
    d["finding_info"]["no_such_attribute"] = 1  # additionalProperties false
    broken.append(("extra_attribute", d))
    d = copy.deepcopy(ev)
    d["status_id"] = 5  # not a Detection Finding status in 1.3.0
    broken.append(("bad_status", d))
    d = copy.deepcopy(ev)
    del d["cloud"]["provider"]  # required by the cloud object
    broken.append(("cloud_without_provider", d))
    d = copy.deepcopy(ev)
    d["resources"] = [{"type": "aws.ec2"}]  # at least one of name, uid
    broken.append(("anonymous_resource", d))
    d = copy.deepcopy(ev)
    d["metadata"]["product"] = {"name": "custos"}  # vendor_name is required
    broken.append(("product_without_vendor", d))
    for name, d in broken:
        check(f"{tag}_ocsf_broken_{name}_rejected", errors(v, d))


# ---------------------------------------------------------------- sources


def from_unit_test(sarif_schema, ocsf_schema):
    exe = os.path.join(os.path.dirname(CUSTOS), "tests", "unit", "test_export")
    d = os.path.join(OUT, "unit")
    os.makedirs(d, exist_ok=True)
    r = subprocess.run([exe, "--dump", d], capture_output=True, text=True)
    check("unit_dump", r.returncode == 0, r.stderr)
    if r.returncode != 0:
        return
    sarif_checks("unit", load(os.path.join(d, "sample.sarif")), sarif_schema)
    ocsf_checks("unit", load(os.path.join(d, "sample.ocsf.json")), ocsf_schema)


def from_cli(sarif_schema, ocsf_schema):
    """`custos scan --db` on the sample organisation, then `custos findings
    --format sarif|ocsf`: the real pipeline, store included."""
    r = subprocess.run([CUSTOS, "findings", "--help"], capture_output=True, text=True)
    check("cli_findings_exists", r.returncode == 0, r.stderr[-300:])
    org = os.path.join(OUT, "org")
    db_path = os.path.join(OUT, "f.db")
    if os.path.exists(db_path):
        os.remove(db_path)
    subprocess.run(["/usr/bin/python3", "examples/gen_org.py", "--out", org, "--quiet"], check=True)
    db = "sqlite:" + db_path
    r = subprocess.run([CUSTOS, "scan", "--inventory", org, "--db", db], capture_output=True, text=True)
    check("cli_scan_into_store", r.returncode in (0, 3) and os.path.exists(db_path), r.stderr[-400:])
    docs = {}
    for fmt in ("sarif", "ocsf"):
        r = subprocess.run([CUSTOS, "findings", "--db", db, "--format", fmt], capture_output=True, text=True)
        ok = r.returncode == 0
        try:
            docs[fmt] = json.loads(r.stdout) if ok else None
        except ValueError as e:
            ok, docs[fmt] = False, None
            r.stderr = str(e)
        check(f"cli_findings_{fmt}", ok and docs[fmt] is not None, r.stderr[-400:])
    if docs.get("sarif"):
        results = docs["sarif"]["runs"][0].get("results", [])
        check("cli_sarif_has_results", len(results) > 0)
        sarif_checks("cli", docs["sarif"], sarif_schema)
    if docs.get("ocsf") is not None:
        ocsf_checks("cli", docs["ocsf"], ocsf_schema)
    if docs.get("sarif") and docs.get("ocsf") is not None:
        n = len(docs["sarif"]["runs"][0].get("results", []))
        check("cli_same_findings_in_both", n == len(docs["ocsf"]), f"{n} vs {len(docs['ocsf'])}")
        fps = {r["partialFingerprints"]["custos/v1"] for r in docs["sarif"]["runs"][0]["results"]}
        uids = {e["finding_info"]["uid"] for e in docs["ocsf"]}
        check("cli_same_fingerprints_in_both", fps == uids)


def main():
    path = os.path.join(SCHEMAS, "sarif-schema-2.1.0.json")
    raw = open(path, "rb").read()
    check("sarif_schema_is_the_published_file", hashlib.sha256(raw).hexdigest() == SARIF_SHA256)
    sarif_schema = json.loads(raw)
    ocsf_path = os.path.join(SCHEMAS, "ocsf-1.3.0-detection_finding.schema.json")
    r = subprocess.run(["/usr/bin/python3", os.path.join(SCHEMAS, "ocsf", "gen_schema.py"), "--check"],
                       capture_output=True, text=True)
    check("ocsf_schema_is_generated_from_the_extract", r.returncode == 0, r.stderr or "stale: rerun gen_schema.py")
    ocsf_schema = load(ocsf_path)
    check("ocsf_schema_declares_draft7", ocsf_schema.get("$schema") == "http://json-schema.org/draft-07/schema#")
    from_unit_test(sarif_schema, ocsf_schema)
    from_cli(sarif_schema, ocsf_schema)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
