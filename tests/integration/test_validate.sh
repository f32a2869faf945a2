#!/usr/bin/env bash
# test_validate.sh - `custos validate`: exit status and exact file:line:col
# of every error on a set of broken policy files, and success on good ones.
set -u
CUSTOS=${CUSTOS:-build/asan/custos}
OUT=${OUT:-/tmp}
D="$OUT/validate"
rm -rf "$D" && mkdir -p "$D/dir/sub"
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

# expect NAME EXPECTED_RC 'expected stderr line' ... -- FILES...
expect() {
  local name=$1 want_rc=$2; shift 2
  local wants=()
  while [ "$1" != "--" ]; do wants+=("$1"); shift; done
  shift
  "$CUSTOS" validate "$@" >"$D/$name.out" 2>"$D/$name.err"
  local rc=$?
  if [ "$rc" -ne "$want_rc" ]; then fail "$name" "exit $rc, want $want_rc: $(head -3 "$D/$name.err")"; return; fi
  for w in "${wants[@]}"; do
    if ! grep -qF -- "$w" "$D/$name.err" "$D/$name.out"; then
      fail "$name" "missing '$w' in: $(head -5 "$D/$name.err")"; return
    fi
  done
  pass "$name"
}

cat >"$D/good.yml" <<'Y'
policies:
  - name: sg-ssh-open-to-world
    resource: aws.security-group
    description: SSH reachable from the whole internet
    metadata: {severity: high, category: network}
    filters:
      - type: ingress
        Ports: [22]
        Cidr: {value: "0.0.0.0/0"}
    actions:
      - type: remove-permissions
        ingress: matched
  - name: old-instances
    resource: ec2
    filters:
      - "tag:Owner": absent
      - or:
          - {type: value, key: LaunchTime, value_type: age, op: gt, value: 90}
          - State.Name: stopped
      - not:
          - {type: value, key: InstanceType, op: regex, value: "^t2\\."}
    actions: [notify]
Y
expect good 0 "2 policies OK" -- "$D/good.yml"

printf 'policies:\n  - name: x\n    resource: aws.ec2\n    filters: [\n' >"$D/malformed.yml"
expect malformed_yaml 1 "malformed.yml:5:1: error: YAML syntax error" -- "$D/malformed.yml"

printf 'policies:\n  - name: a\n    resource: aws.ec2\n    filters:\n      - type: frobnicate\n' >"$D/unknown_filter.yml"
expect unknown_filter 1 "unknown_filter.yml:5:15: error: unknown filter type 'frobnicate'" -- "$D/unknown_filter.yml"

printf 'policies:\n  - name: a\n    resource: aws.ec2\n    filters:\n      - {type: value, key: A, value: 1, op: bigger}\n' >"$D/unknown_op.yml"
expect unknown_op 1 "unknown_op.yml:5:45: error: unknown op 'bigger'" -- "$D/unknown_op.yml"

printf 'policies:\n  - name: a\n    resource: aws.ec2\n    filters:\n      - type: value\n        key: A\n        op: regex\n        value: "a[b"\n' >"$D/bad_regex.yml"
expect bad_regex 1 "bad_regex.yml:8:16: error: invalid regex 'a[b': missing terminating ] for character class at offset 3" -- "$D/bad_regex.yml"

printf 'policies:\n  - name: a\n    resource: aws.ec2\n    filters:\n      - {type: value, key: A, value_type: age, value: soon, op: gt}\n    actions: notify\n' >"$D/wrong_type.yml"
expect wrong_type 1 "wrong_type.yml:5:55: error: value_type age needs a number of days" \
  "wrong_type.yml:6:14: error: 'actions' must be a list, not a string" -- "$D/wrong_type.yml"

printf 'policies:\n  - name: a\n    resource: aws.ec3\n' >"$D/unknown_resource.yml"
expect unknown_resource 1 "unknown_resource.yml:3:15: error: unknown resource type 'aws.ec3' (did you mean 'aws.ec2'?)" -- "$D/unknown_resource.yml"

printf 'policies:\n  - name: a\n    resource: aws.ec2\n    filters: [{type: ingress, Ports: [22]}]\n' >"$D/wrong_resource_filter.yml"
expect filter_not_for_resource 1 "wrong_resource_filter.yml:4:22: error: filter 'ingress' is not valid for resource type aws.ec2" -- "$D/wrong_resource_filter.yml"

printf 'policies:\n  - name: a\n    resource: aws.ec2\n    actions: [{type: explode}]\n' >"$D/unknown_action.yml"
expect unknown_action 1 "unknown_action.yml:4:22: error: unknown action type 'explode'" -- "$D/unknown_action.yml"

printf 'policies:\n  - name: a\n    resource: aws.ec2\n    metadata: {severity: urgent}\n' >"$D/bad_severity.yml"
expect bad_severity 1 "bad_severity.yml:4:26: error: metadata.severity must be one of" -- "$D/bad_severity.yml"

printf 'policy:\n  - name: a\n' >"$D/bad_top.yml"
expect unknown_top_key 1 "bad_top.yml:1:1: error: unknown top-level key 'policy' (expected policies, vars)" -- "$D/bad_top.yml"

printf 'policies:\n  - resource: aws.ec2\n    descripton: x\n' >"$D/missing_name.yml"
expect missing_name 1 "missing_name.yml:2:5: error: policy has no 'name'" \
  "missing_name.yml:3:5: error: unknown policy key 'descripton' (did you mean 'description'?)" -- "$D/missing_name.yml"

printf 'policies:\n  - name: dup-name\n    resource: aws.s3\n' >"$D/dir/one.yml"
printf 'policies:\n  - name: other\n    resource: aws.s3\n  - name: dup-name\n    resource: aws.iam-user\n' >"$D/dir/sub/two.yaml"
expect duplicate_across_files 1 "sub/two.yaml:4:11: error: duplicate policy name 'dup-name' (first defined at $D/dir/one.yml:2:11)" \
  "one.yml:2:11: error: policy name 'dup-name' is defined again at $D/dir/sub/two.yaml:4:11" -- "$D/dir"

printf 'policies:\n  - name: a\n    resource: aws.ec2\n    filters:\n      - {type: value, key: A, value: x, op: in, value_from: {url: "https://example.com/v.txt"}}\n' >"$D/remote.yml"
expect value_from_remote 1 "remote.yml:5:67: error: value_from url 'https://example.com/v.txt': only local files" -- "$D/remote.yml"

printf '111\n222\n' >"$D/accounts.txt"
printf 'policies:\n  - name: a\n    resource: aws.ec2\n    filters:\n      - {type: value, key: OwnerId, op: in, value_from: {url: accounts.txt}}\n' >"$D/local_from.yml"
expect value_from_local 0 "1 policy OK" -- "$D/local_from.yml"

printf '{"policies": [{"name": "j", "resource": "aws.ec2", "filters": [{"State.Name": "running"}]}]}\n' >"$D/p.json"
expect json_file 0 "1 policy OK" -- "$D/p.json"

expect missing_file 1 "nope.yml: error: cannot open" -- "$D/nope.yml"
expect many_errors_in_one_run 1 "unknown_op.yml:5:45" "unknown_filter.yml:5:15" "bad_regex.yml:8:16" "duplicate policy name 'a'" -- \
  "$D/unknown_op.yml" "$D/unknown_filter.yml" "$D/bad_regex.yml" "$D/wrong_type.yml" \
  "$D/unknown_resource.yml" "$D/unknown_action.yml" "$D/bad_severity.yml" "$D/bad_top.yml" \
  "$D/missing_name.yml" "$D/good.yml"

"$CUSTOS" validate --help >"$D/help.out" 2>&1 && grep -q "usage: custos validate" "$D/help.out" \
  && pass help || fail help "no usage text"
"$CUSTOS" validate >/dev/null 2>&1; [ $? -eq 1 ] && pass no_args || fail no_args "want exit 1"

[ "$fails" -eq 0 ]
