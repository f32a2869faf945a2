#!/usr/bin/env bash
# The sample organisation generator (examples/gen_org.py): deterministic
# output, the 44-account / 14-team shape, --scale multiplying resources,
# and a planted.json that names resources present in the tree.
set -u
cd "$(dirname "$0")/../.."
OUT=${OUT:-build/test-out}
W="$OUT/sample-org-it"
rm -rf "$W" && mkdir -p "$W"
PY=/usr/bin/python3
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

tree_hash() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1); }

$PY examples/gen_org.py --out "$W/a" --seed 42 --quiet || fail generate "gen_org.py exited $?"
$PY examples/gen_org.py --out "$W/b" --seed 42 --quiet
$PY examples/gen_org.py --out "$W/c" --seed 43 --quiet
ha=$(tree_hash "$W/a"); hb=$(tree_hash "$W/b"); hc=$(tree_hash "$W/c")
if [ "$ha" = "$hb" ]; then pass same_seed_same_tree; else fail same_seed_same_tree "$ha != $hb"; fi
if [ "$ha" != "$hc" ]; then pass other_seed_other_tree; else fail other_seed_other_tree "seed ignored"; fi

$PY - "$W/a" <<'PYEOF' && pass accounts_yaml_shape || fail accounts_yaml_shape "see above"
import sys, yaml, os
d = sys.argv[1]
doc = yaml.safe_load(open(os.path.join(d, "accounts.yaml")))
accts = doc["accounts"]
teams = {a["team"] for a in accts if a.get("team")}
ids = [a["id"] for a in accts]
assert len(accts) == 44, len(accts)
assert len(teams) == 14, teams
assert len(set(ids)) == 44 and all(isinstance(i, str) and len(i) == 12 and i.isdigit() for i in ids)
for t in teams:
    envs = sorted(a["environment"] for a in accts if a.get("team") == t)
    assert envs == ["dev", "prod", "staging"], (t, envs)
    assert "email" in doc["teams"][t]["contacts"] and "webhook" in doc["teams"][t]["contacts"]
shared = [a for a in accts if not a.get("team")]
assert len(shared) == 2 and all(a["contacts"]["email"] for a in shared)
for a in accts:
    assert os.path.isdir(os.path.join(d, a["id"], "global")), a["id"]
    for r in a["regions"]:
        assert os.path.isfile(os.path.join(d, a["id"], r, "ec2.DescribeInstances.json"))
PYEOF

$PY examples/gen_org.py --out "$W/s2" --seed 42 --scale 2 --quiet
$PY - "$W/a" "$W/s2" <<'PYEOF' && pass scale_multiplies || fail scale_multiplies "see above"
import sys, json, glob, os
def count(d, pattern, key, inner=None):
    n = 0
    for f in glob.glob(os.path.join(d, "*", "*", pattern)):
        doc = json.load(open(f))
        if inner:
            n += sum(len(x[inner]) for x in doc[key])
        else:
            n += len(doc[key])
    return n
a, b = sys.argv[1], sys.argv[2]
for pattern, key, inner in [("ec2.DescribeVpcs.json", "Vpcs", None),
                            ("ec2.DescribeInstances.json", "Reservations", "Instances"),
                            ("lambda.ListFunctions.json", "Functions", None),
                            ("iam.ListPolicies.json", "Policies", None)]:
    x, y = count(a, pattern, key, inner), count(b, pattern, key, inner)
    # planted resources (an isolated VPC, a fleet of 40 instances, ...) are added once
    assert x > 0 and 1.8 * x <= y <= 2 * x, (pattern, x, y)
sa = json.load(open(os.path.join(a, "summary.json")))["resources"]
sb = json.load(open(os.path.join(b, "summary.json")))["resources"]
assert sum(sb.values()) > 1.9 * sum(sa.values()), (sum(sa.values()), sum(sb.values()))
assert sum(sa.values()) >= 10000
PYEOF

$PY - "$W/a" <<'PYEOF' && pass planted_and_traps_present || fail planted_and_traps_present "see above"
import sys, json, os, glob
d = sys.argv[1]
planted = json.load(open(os.path.join(d, "planted.json")))
traps = json.load(open(os.path.join(d, "traps.json")))
assert len(planted) >= 37 and len(traps) >= 20, (len(planted), len(traps))
checks = {p["check"] for p in planted}
assert len(checks) >= 37, checks
# A resource is (account, region, id): one account's trap may share a name
# with another's planted resource (web-worker-0 in two accounts).
key = lambda p: (p["check"], p["account"], p["region"], p["id"])
assert not {key(p) for p in planted} & {key(t) for t in traps}
for p in planted + traps:
    assert set(p) == {"check", "resource_type", "id", "account", "region", "why"}, p
    hit = False
    for f in glob.glob(os.path.join(d, p["account"], "*", "*.json")):
        if p["id"] in open(f).read():
            hit = True
            break
    assert hit, p
PYEOF

$PY - "$W/a" <<'PYEOF' && pass aws_shapes || fail aws_shapes "see above"
# Every file has only the members botocore's output shape declares, at
# every depth (structures and lists), so the AWS CLI could have printed it.
# Newer than Debian's botocore: FullSnapshotSizeInBytes, GetKeyRotationStatus's
# KeyId, GetKeyPolicy's PolicyName.  Policy documents are strings in the model; the CLI prints them as JSON.
import sys, json, os, glob
import botocore.session
d = sys.argv[1]
s = botocore.session.get_session()
NEWER = {"FullSnapshotSizeInBytes", "KeyId", "PolicyName"}
bad, seen = [], set()

def walk(v, shape, path):
    if shape.type_name == "structure" and isinstance(v, dict):
        for k, x in v.items():
            if k not in shape.members:
                if k not in NEWER:
                    bad.append(path + "." + k)
            else:
                walk(x, shape.members[k], path + "." + k)
    elif shape.type_name == "list" and isinstance(v, list):
        for x in v[:3]:
            walk(x, shape.member, path + "[]")

for f in sorted(glob.glob(os.path.join(d, "*", "*", "*.json"))):
    client, op = os.path.basename(f).split(".")[:2]
    doc = json.load(open(f))
    if (client, op, "Error" in doc) in seen:
        continue
    seen.add((client, op, "Error" in doc))
    if "Error" in doc:
        continue
    walk(doc, s.get_service_model(client).operation_model(op).output_shape, client + "." + op)
assert len(seen) >= 40, len(seen)
assert not bad, bad[:10]
PYEOF

rm -rf "$W"
[ "$fails" -eq 0 ]
