#!/usr/bin/env bash
# Paginated recordings are scanned page by page in parallel: the listing
# must still be exactly the NextToken chain from _1, never a later
# recording of the same call, and findings keep page order.
set -u
C=${CUSTOS:-build/asan/custos}
T=${OUT:-/tmp/custos-test-out}/placebo-pages
rm -rf "$T"; mkdir -p "$T/chain" "$T/two-runs"
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
page() { # file next-token ids...
  local f=$1 tok=$2; shift 2
  local items="" sep=""
  for id in "$@"; do items="$items$sep{\"GroupId\": \"$id\", \"GroupName\": \"g-$id\", \"IpPermissions\": []}"; sep=","; done
  local next=""
  [ -n "$tok" ] && next=", \"NextToken\": \"$tok\""
  echo "{\"status_code\": 200, \"data\": {\"SecurityGroups\": [$items]$next}}" >"$f"
}
printf 'policies:\n  - name: all\n    resource: aws.security-group\n' >"$T/p.yml"
ids() { "$C" scan --inventory "placebo:$1" --policies "$T/p.yml" --format csv -j "$2" | tail -n +2 | cut -d, -f4 | tr '\n' ' '; }

# _1 -> _2 -> _3 chained, _4 is a separate recording that must not be read.
page "$T/chain/ec2.DescribeSecurityGroups_1.json" t1 sg-1 sg-2
page "$T/chain/ec2.DescribeSecurityGroups_2.json" t2 sg-3
page "$T/chain/ec2.DescribeSecurityGroups_3.json" "" sg-4 sg-5
page "$T/chain/ec2.DescribeSecurityGroups_4.json" "" sg-99
for j in 1 2 4; do
  got=$(ids "$T/chain" $j)
  [ "$got" = "sg-1 sg-2 sg-3 sg-4 sg-5 " ] && pass "chain-threads-$j" || fail "chain-threads-$j" "got '$got'"
done
# Two complete recordings of the same call: only the first is the listing.
page "$T/two-runs/ec2.DescribeSecurityGroups_1.json" "" sg-a
page "$T/two-runs/ec2.DescribeSecurityGroups_2.json" "" sg-b
got=$(ids "$T/two-runs" 2)
[ "$got" = "sg-a " ] && pass two-recordings || fail two-recordings "got '$got'"
# A broken page in the chain is an error naming the file; a broken page
# after the end of the chain is not part of the listing.
echo '{"status_code": 200, "data": {' >"$T/two-runs/ec2.DescribeSecurityGroups_2.json"
"$C" scan --inventory "placebo:$T/two-runs" --policies "$T/p.yml" --format csv >/dev/null 2>"$T/err"
[ $? -eq 0 ] && pass broken-page-after-end-ignored || fail broken-page-after-end-ignored "$(cat "$T/err")"
echo '{"status_code": 200, "data": {' >"$T/chain/ec2.DescribeSecurityGroups_2.json"
"$C" scan --inventory "placebo:$T/chain" --policies "$T/p.yml" --format csv >/dev/null 2>"$T/err"
rc=$?
[ $rc -eq 1 ] && grep -q 'ec2.DescribeSecurityGroups_2.json' "$T/err" && pass broken-page-in-chain ||
  fail broken-page-in-chain "exit $rc: $(cat "$T/err")"
# A listing with a per-resource join (stale groups) is still scanned page
# by page: each page gets the join, so groups on every page match.
mkdir -p "$T/joined"
page "$T/joined/ec2.DescribeSecurityGroups_1.json" t1 sg-1 sg-2
page "$T/joined/ec2.DescribeSecurityGroups_2.json" t2 sg-3
page "$T/joined/ec2.DescribeSecurityGroups_3.json" "" sg-4 sg-5
echo '{"status_code": 200, "data": {"StaleSecurityGroupSet": [{"GroupId": "sg-3", "VpcId": "vpc-1"},
  {"GroupId": "sg-5", "VpcId": "vpc-1"}]}}' >"$T/joined/ec2.DescribeStaleSecurityGroups_1.json"
printf 'policies:\n  - name: stale\n    resource: aws.security-group\n    filters: [stale]\n' >"$T/stale.yml"
for j in 1 2; do
  got=$("$C" scan --inventory "placebo:$T/joined" --policies "$T/stale.yml" --format csv -j $j | tail -n +2 | cut -d, -f4 | tr '\n' ' ')
  [ "$got" = "sg-3 sg-5 " ] && pass "join-on-every-page-threads-$j" || fail "join-on-every-page-threads-$j" "got '$got'"
done
[ "$fails" -eq 0 ]
