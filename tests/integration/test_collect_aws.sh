#!/usr/bin/env bash
# scripts/collect-aws.sh against a stand-in AWS CLI (tests/data/fake-aws.sh):
# it must write the inventory layout custos reads, make only read-only
# calls, and the result must scan to the problems the fake account has.
set -u
cd "$(dirname "$0")/../.."
C=${CUSTOS:-build/asan/custos}
T=${OUT:-/tmp/custos-test-out}/collect-aws
rm -rf "$T"; mkdir -p "$T"
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
export FAKE_AWS_LOG="$T/calls.log"
if AWS="$PWD/tests/data/fake-aws.sh" bash scripts/collect-aws.sh "$T/inv" us-east-1 2>"$T/err"; then
  pass collect-runs
else
  fail collect-runs "$(tail -3 "$T/err")"
fi
[ -f "$T/inv/111122223333/us-east-1/ec2.DescribeSecurityGroups.json" ] && pass layout-listing ||
  fail layout-listing "no ec2.DescribeSecurityGroups.json"
[ -f "$T/inv/111122223333/global/s3.GetBucketAcl.public-bucket.json" ] && pass layout-per-resource ||
  fail layout-per-resource "no s3.GetBucketAcl.public-bucket.json"
[ ! -e "$T/inv/111122223333/global/s3.GetBucketPolicy.public-bucket.json" ] && pass failed-call-leaves-no-file ||
  fail failed-call-leaves-no-file "a failed call left a file"
grep -q NoSuchEntity "$T/inv/111122223333/global/iam.GetAccountPasswordPolicy.json" 2>/dev/null &&
  pass no-password-policy-recorded || fail no-password-policy-recorded "NoSuchEntity not written as an error file"
grep -q '^collected_at: "20[0-9][0-9]-' "$T/inv/accounts.yaml" && pass collected-at ||
  fail collected-at "$(head -2 "$T/inv/accounts.yaml")"
bad=$(grep -vE '^[a-z0-9-]+ (describe|list|get|generate-credential-report)' "$FAKE_AWS_LOG" | head -3)
[ -z "$bad" ] && pass read-only-calls || fail read-only-calls "$bad"
"$C" scan --inventory "$T/inv" --format csv -o "$T/out.csv" 2>"$T/scan.err"
rc=$?
[ $rc -eq 0 ] && pass scan-collected || fail scan-collected "exit $rc: $(cat "$T/scan.err")"
grep -q '^critical,sg-ssh-open-to-world,aws.security-group,sg-0ssh,' "$T/out.csv" && pass finds-open-ssh ||
  fail finds-open-ssh "$(cat "$T/out.csv")"
grep -q ',s3-global-grants,aws.s3,public-bucket,' "$T/out.csv" && pass finds-public-acl ||
  fail finds-public-acl "$(cat "$T/out.csv")"
grep -q ',iam-root-without-mfa,aws.account,111122223333,' "$T/out.csv" && pass finds-root-without-mfa ||
  fail finds-root-without-mfa "$(cut -d, -f1-4 "$T/out.csv")"
[ "$fails" -eq 0 ]
