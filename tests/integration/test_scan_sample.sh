#!/usr/bin/env bash
# custos scan over the generated sample organisation, as a user runs it:
# account/region/policy filters, regions of global resources, exit codes.
set -u
cd "$(dirname "$0")/../.."
C=${CUSTOS:-build/asan/custos}
T=${OUT:-/tmp/custos-test-out}/scan-sample
rm -rf "$T"; mkdir -p "$T"
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
check() { if eval "$2"; then pass "$1"; else fail "$1" "$2"; fi; }

# Ages are measured from accounts.yaml's collected_at (the generator's epoch).
/usr/bin/python3 examples/gen_org.py --out "$T/org" --seed 7 >/dev/null || { echo "FAIL generate"; exit 1; }
"$C" scan --inventory "$T/org" --policies policies/aws --format json -o "$T/all.json"
check exit-0-by-default "[ $? -eq 0 ]"
"$C" scan --inventory "$T/org" --policies policies/aws --format json --fail-on critical >/dev/null
check fail-on-critical-3 "[ $? -eq 3 ]"

# Every planted problem of a policy in policies/aws is found, in its region
# (nothing extra is tests/unit/test_sample_org.c's job).
/usr/bin/python3 - "$T/all.json" "$T/org/planted.json" <<'PY' && pass planted-found-in-region || fail planted-found-in-region "see above"
import json, sys, glob, yaml
names = {p["name"] for f in glob.glob("policies/aws/*.yml") for p in yaml.safe_load(open(f))["policies"]}
got = {(f["policy"], f["id"], f["account"], f["region"]) for f in json.load(open(sys.argv[1]))["findings"]}
want = {(p["check"], p["id"], p["account"], p["region"]) for p in json.load(open(sys.argv[2])) if p["check"] in names}
if not want or want - got:
    print("missing:", sorted(want - got)[:5], "of", len(want))
    sys.exit(1)
PY

"$C" scan --inventory "$T/org" --policies policies/aws --format csv --region global -o "$T/global.csv"
types=$(tail -n +2 "$T/global.csv" | cut -d, -f3 | sort -u | tr '\n' ' ')
check region-global-only-global-types "[ -n '$types' ] && [ -z \"\$(echo '$types' | tr ' ' '\\n' | grep -v -x -e aws.iam-role -e aws.iam-user -e aws.iam-policy -e aws.account -e '')\" ]"
"$C" scan --inventory "$T/org" --policies policies/aws --format csv --region eu-west-1 -o "$T/eu.csv"
regions=$(tail -n +2 "$T/eu.csv" | cut -d, -f9 | sort -u | tr '\n' ' ')
check region-filter "[ '$regions' = 'eu-west-1 global ' ]"
acct=$(/usr/bin/python3 -c "import json,sys; print(json.load(open('$T/all.json'))['findings'][0]['account'])")
"$C" scan --inventory "$T/org" --policies policies/aws --format csv --account "$acct" -o "$T/acct.csv"
check account-filter "[ \$(tail -n +2 '$T/acct.csv' | cut -d, -f6 | sort -u) = $acct ]"
"$C" scan --inventory "$T/org" --policies policies/aws --account nosuch 2>"$T/err" >/dev/null
check unknown-account-exit-1 "[ $? -eq 1 ] && grep -q \"no account 'nosuch'\" '$T/err'"
"$C" scan --inventory "$T/org" --policies policies/aws --format table >"$T/table.txt"
check table-summary "grep -q 'findings (critical' '$T/table.txt'"

# A broken inventory file is named with its line and column, and nothing is printed as findings.
f=$(ls "$T"/org/*/us-east-1/ec2.DescribeSecurityGroups.json | head -1)
printf '{"SecurityGroups": [\n  {"GroupId": }\n]}' >"$f"
"$C" scan --inventory "$T/org" --policies policies/aws --format json >"$T/bad.out" 2>"$T/bad.err"
check bad-inventory-exit-1 "[ $? -eq 1 ]"
check bad-inventory-position "grep -q 'ec2.DescribeSecurityGroups.json:2:15' '$T/bad.err'"
check bad-inventory-no-output "[ ! -s '$T/bad.out' ]"
[ "$fails" -eq 0 ]
