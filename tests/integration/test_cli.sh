#!/usr/bin/env bash
# The scan and eval commands as a user runs them: formats, exit codes,
# filters, and clear errors on bad input.
set -u
C=${CUSTOS:-build/asan/custos}
T=${OUT:-/tmp/custos-test-out}/cli
rm -rf "$T"; mkdir -p "$T"
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
expect_rc() { # name want_rc actual_rc
  if [ "$3" -eq "$2" ]; then pass "$1"; else fail "$1" "exit status $3, expected $2"; fi
}
contains() { # name file needle
  if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1" "'$3' not in output: $(head -c 300 "$2")"; fi
}

cat >"$T/p.yml" <<'Y'
policies:
  - name: open-ssh
    resource: aws.security-group
    description: SSH open to the world
    metadata: {severity: high, category: network}
    filters:
      - type: value
        key: GroupName
        value: "web-*"
        op: glob
  - name: everything
    resource: security-group
Y
cat >"$T/r.json" <<'J'
[{"GroupId": "sg-1", "GroupName": "web-a, \"quoted\""}, {"GroupId": "sg-2", "GroupName": "db"}]
J

"$C" eval --policies "$T/p.yml" "$T/r.json" --format json >"$T/out.json" 2>"$T/err"
expect_rc eval-exit-0-without-fail-on 0 $?
/usr/bin/python3 - "$T/out.json" <<'PY' && pass eval-json-shape || fail eval-json-shape "unexpected JSON"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
assert d["summary"]["findings"] == 3, d["summary"]
assert [x["policy"] for x in f] == ["open-ssh", "everything", "everything"], f
assert f[0]["id"] == "sg-1" and f[0]["severity"] == "high" and f[0]["resource"] == "aws.security-group"
assert f[1]["severity"] == "medium"          # default severity
for x in f:
    for k in ("policy", "resource", "id", "account", "region", "severity", "evidence"):
        assert k in x, (k, x)
assert f[0]["account"] == "123456789012" and f[0]["region"] == "us-east-1"
PY

"$C" eval --policies "$T/p.yml" "$T/r.json" --format json --fail-on high >/dev/null 2>&1
expect_rc fail-on-high-gives-3 3 $?
"$C" eval --policies "$T/p.yml" "$T/r.json" --format json --fail-on critical >/dev/null 2>&1
expect_rc fail-on-critical-gives-0 0 $?
"$C" eval --policies "$T/p.yml" --policy open-ssh --format json <"$T/r.json" >"$T/o2.json" 2>&1
expect_rc eval-stdin 0 $?
contains eval-policy-filter "$T/o2.json" '"findings":1'

"$C" eval --policies "$T/p.yml" "$T/r.json" --format csv >"$T/out.csv"
contains csv-header "$T/out.csv" "severity,policy,resource,id,name,account,team,environment,region,evidence"
contains csv-quoting "$T/out.csv" '"web-a, ""quoted"""'
"$C" eval --policies "$T/p.yml" "$T/r.json" --format table >"$T/out.txt"
contains table-header "$T/out.txt" "SEVERITY"
contains table-summary "$T/out.txt" "3 findings (critical 0, high 1, medium 2"

printf '[{"GroupId": "sg-1",\n  "GroupName": }]' >"$T/bad.json"
"$C" eval --policies "$T/p.yml" "$T/bad.json" 2>"$T/err" >/dev/null
expect_rc bad-json-exit-1 1 $?
contains bad-json-position "$T/err" "bad.json:2:16"

printf 'policies:\n  - name: x\n    resource: aws.security-group\n    filters:\n      - type: nosuchfilter\n' >"$T/badp.yml"
"$C" eval --policies "$T/badp.yml" "$T/r.json" 2>"$T/err" >/dev/null
expect_rc bad-policy-exit-1 1 $?
contains bad-policy-position "$T/err" "badp.yml:5:"

"$C" eval --policies "$T/p.yml" "$T/r.json" --format xml 2>"$T/err" >/dev/null
expect_rc bad-format-exit-1 1 $?
contains bad-format-message "$T/err" "unknown --format 'xml'"
"$C" eval --policies "$T/p.yml" "$T/r.json" --fail-on urgent 2>"$T/err" >/dev/null
expect_rc bad-fail-on-exit-1 1 $?
"$C" eval --policies "$T/p.yml" --policy nope "$T/r.json" 2>"$T/err" >/dev/null
expect_rc unknown-policy-exit-1 1 $?
contains unknown-policy-message "$T/err" "no policy named 'nope'"

"$C" scan --policies "$T/p.yml" 2>"$T/err" >/dev/null
expect_rc scan-needs-inventory 1 $?
"$C" scan --inventory "$T/does-not-exist" --policies "$T/p.yml" 2>"$T/err" >/dev/null
expect_rc scan-missing-inventory 1 $?
contains scan-missing-inventory-names-dir "$T/err" "does-not-exist"
"$C" bogus >/dev/null 2>&1
expect_rc unknown-command 1 $?
"$C" scan --help >"$T/help" 2>&1
expect_rc scan-help 0 $?
contains scan-help-text "$T/help" "--fail-on"

# value_type resource_count is set-level: it keeps or drops all of a
# policy's matches in one account/region together.
cat >"$T/rc.yml" <<'Y'
policies:
  - name: many-open
    resource: aws.security-group
    filters:
      - {type: ingress, Ports: [22]}
      - {type: value, value_type: resource_count, op: gte, value: 3}
  - name: few-open
    resource: aws.security-group
    filters:
      - {type: ingress, Ports: [22]}
      - {type: value, value_type: resource_count, op: gte, value: 4}
Y
cat >"$T/rc.json" <<'J'
[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]},
 {"GroupId":"sg-2","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"10.0.0.0/8"}]}]},
 {"GroupId":"sg-3","IpPermissions":[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]},
 {"GroupId":"sg-4","IpPermissions":[]}]
J
"$C" eval --policies "$T/rc.yml" "$T/rc.json" --format csv | tail -n +2 | cut -d, -f2,4 | tr '\n' ' ' >"$T/rc.out"
if [ "$(cat "$T/rc.out")" = "many-open,sg-1 many-open,sg-2 many-open,sg-3 " ]; then pass resource-count-set-level; else
  fail resource-count-set-level "got $(cat "$T/rc.out")"; fi


# ---- messages: prefixes, suggestions, read-only commands ----
"$C" scan --inventroy x >"$T/out" 2>"$T/err"
expect_rc mistyped-option-exit-1 1 $?
contains mistyped-option-suggests "$T/err" "custos scan: unknown option '--inventroy'; did you mean '--inventory'?"
contains mistyped-option-hint "$T/err" "Run 'custos scan --help'"
"$C" findings --severity >"$T/out" 2>"$T/err"
contains option-needs-value "$T/err" "custos findings: option '--severity' needs a value"
"$C" scan --inventory "$T/no-such-dir" --no-store >"$T/out" 2>"$T/err"
expect_rc missing-inventory-exit-1 1 $?
contains missing-inventory-prefixed "$T/err" "custos scan: $T/no-such-dir: cannot open inventory directory"
CA=$(readlink -f "$C")
mkdir -p "$T/empty" && (cd "$T/empty" && CUSTOS_DB= "$CA" explain 0000 >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
expect_rc explain-without-store-exit-1 1 "$(cat "$T/rc")"
contains explain-without-store-says-so "$T/err" "custos explain: no findings store at custos.db"
for cmd in findings diff history; do
  (cd "$T/empty" && CUSTOS_DB= "$CA" $cmd >/dev/null 2>&1)
done
if [ -z "$(ls -A "$T/empty")" ]; then pass read-commands-create-no-store; else
  fail read-commands-create-no-store "created: $(ls -A "$T/empty")"; fi
[ "$fails" -eq 0 ]
