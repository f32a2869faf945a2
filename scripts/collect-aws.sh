#!/usr/bin/env bash
# collect-aws.sh - build a custos inventory of one AWS account with nothing
# but the AWS CLI (read-only calls; uses your normal AWS credentials/profile).
#
#   scripts/collect-aws.sh OUTDIR [REGION...]
#
# Writes OUTDIR/<account-id>/<region>/<service>.<Operation>.json exactly as
# `aws ... --output json` prints them (the CLI merges all pages), plus
# OUTDIR/<account-id>/global/ for IAM and S3, and appends the account to
# OUTDIR/accounts.yaml.  Run it once per account (e.g. with AWS_PROFILE set
# to a role in each account), then: custos scan --inventory OUTDIR ...
# Credentials are never written to the inventory.  File names follow
# examples/README.md: <client>.<Operation>[.<resource-id>].json.  A call that
# fails (e.g. NoSuchBucketPolicy) leaves no file, which custos reads as "not
# configured" when the same call exists for other resources.
set -euo pipefail
AWS=${AWS:-aws}
out=${1:?usage: collect-aws.sh OUTDIR [REGION...]}
shift
account=$($AWS sts get-caller-identity --query Account --output text)
if [ $# -eq 0 ]; then
  set -- $($AWS ec2 describe-regions --query 'Regions[].RegionName' --output text)
fi
# Resource ids for per-resource calls (text output; "None" means none).
ids() {
  $AWS "$@" --output text 2>/dev/null | grep -v '^None$' || true
}
call() { # file service operation [args...]
  local file=$1 svc=$2 op=$3; shift 3
  if ! $AWS "$svc" "$op" "$@" --output json >"$file.tmp" 2>"$file.err"; then
    echo "collect-aws: $svc $op failed: $(head -c 200 "$file.err")" >&2
    rm -f "$file.tmp"
  else
    mv "$file.tmp" "$file"
  fi
  rm -f "$file.err"
}
for region in "$@"; do
  d="$out/$account/$region"
  mkdir -p "$d"
  echo "collect-aws: $account $region" >&2
  call "$d/ec2.DescribeSecurityGroups.json" ec2 describe-security-groups --region "$region"
  call "$d/ec2.DescribeInstances.json" ec2 describe-instances --region "$region"
  call "$d/ec2.DescribeNetworkInterfaces.json" ec2 describe-network-interfaces --region "$region"
  call "$d/ec2.DescribeVpcs.json" ec2 describe-vpcs --region "$region"
  call "$d/ec2.DescribeSubnets.json" ec2 describe-subnets --region "$region"
  call "$d/ec2.DescribeRouteTables.json" ec2 describe-route-tables --region "$region"
  call "$d/ec2.DescribeInternetGateways.json" ec2 describe-internet-gateways --region "$region"
  call "$d/ec2.DescribeNetworkAcls.json" ec2 describe-network-acls --region "$region"
  call "$d/ec2.DescribeVolumes.json" ec2 describe-volumes --region "$region"
  call "$d/ec2.DescribeSnapshots.json" ec2 describe-snapshots --owner-ids self --region "$region"
  for s in $(ids ec2 describe-snapshots --owner-ids self --region "$region" --query 'Snapshots[].SnapshotId'); do
    call "$d/ec2.DescribeSnapshotAttribute.$s.json" ec2 describe-snapshot-attribute \
      --snapshot-id "$s" --attribute createVolumePermission --region "$region"
  done
  call "$d/rds.DescribeDBInstances.json" rds describe-db-instances --region "$region"
  call "$d/rds.DescribeDBSnapshots.json" rds describe-db-snapshots --region "$region"
  for s in $(ids rds describe-db-snapshots --region "$region" --query 'DBSnapshots[].DBSnapshotIdentifier'); do
    call "$d/rds.DescribeDBSnapshotAttributes.$s.json" rds describe-db-snapshot-attributes \
      --db-snapshot-identifier "$s" --region "$region"
  done
  call "$d/elb.DescribeLoadBalancers.json" elb describe-load-balancers --region "$region"
  call "$d/elbv2.DescribeLoadBalancers.json" elbv2 describe-load-balancers --region "$region"
  call "$d/lambda.ListFunctions.json" lambda list-functions --region "$region"
  call "$d/kms.ListKeys.json" kms list-keys --region "$region"
  for k in $(ids kms list-keys --region "$region" --query 'Keys[].KeyId'); do
    call "$d/kms.DescribeKey.$k.json" kms describe-key --key-id "$k" --region "$region"
    call "$d/kms.GetKeyRotationStatus.$k.json" kms get-key-rotation-status --key-id "$k" --region "$region"
  done
  call "$d/ec2.DescribeTags.json" ec2 describe-tags --region "$region"
  call "$d/cloudtrail.DescribeTrails.json" cloudtrail describe-trails --region "$region"
  # Trail status files are named by the trail's Name; the call takes the
  # ARN, which also works for trails of other regions and organisations.
  ids cloudtrail describe-trails --region "$region" --query 'trailList[].[Name,TrailARN]' |
    while read -r name arn; do
      [ -n "$arn" ] || continue
      call "$d/cloudtrail.GetTrailStatus.$name.json" cloudtrail get-trail-status --name "$arn" --region "$region"
    done
  call "$d/autoscaling.DescribeAutoScalingGroups.json" autoscaling describe-auto-scaling-groups --region "$region"
done
g="$out/$account/global"
mkdir -p "$g"
call "$g/iam.ListUsers.json" iam list-users
for u in $(ids iam list-users --query 'Users[].UserName'); do
  call "$g/iam.GetUser.$u.json" iam get-user --user-name "$u"
  call "$g/iam.ListAccessKeys.$u.json" iam list-access-keys --user-name "$u"
  call "$g/iam.ListMFADevices.$u.json" iam list-mfa-devices --user-name "$u"
done
call "$g/iam.ListRoles.json" iam list-roles
for r in $(ids iam list-roles --query 'Roles[].RoleName'); do
  call "$g/iam.GetRole.$r.json" iam get-role --role-name "$r"
done
call "$g/iam.ListPolicies.json" iam list-policies --scope Local
ids iam list-policies --scope Local --query 'Policies[].[PolicyName,Arn,DefaultVersionId]' |
  while read -r name arn version; do
    [ -n "$version" ] || continue
    call "$g/iam.GetPolicyVersion.$name.json" iam get-policy-version --policy-arn "$arn" --version-id "$version"
  done
call "$g/iam.GetAccountSummary.json" iam get-account-summary
# No password policy is an error (NoSuchEntity), which custos reads from
# the error file as "none configured".
if ! $AWS iam get-account-password-policy --output json >"$g/iam.GetAccountPasswordPolicy.json" 2>"$g/pp.err"; then
  if grep -q NoSuchEntity "$g/pp.err"; then
    echo '{"Error": {"Code": "NoSuchEntity", "Message": "no password policy"}}' >"$g/iam.GetAccountPasswordPolicy.json"
  else
    rm -f "$g/iam.GetAccountPasswordPolicy.json"
  fi
fi
rm -f "$g/pp.err"
$AWS iam generate-credential-report >/dev/null 2>&1 || true
call "$g/iam.GetCredentialReport.json" iam get-credential-report
call "$g/s3.ListBuckets.json" s3api list-buckets
for b in $(ids s3api list-buckets --query 'Buckets[].Name'); do
  call "$g/s3.GetBucketLocation.$b.json" s3api get-bucket-location --bucket "$b"
  call "$g/s3.GetBucketPolicy.$b.json" s3api get-bucket-policy --bucket "$b"
  call "$g/s3.GetBucketAcl.$b.json" s3api get-bucket-acl --bucket "$b"
  call "$g/s3.GetBucketVersioning.$b.json" s3api get-bucket-versioning --bucket "$b"
  call "$g/s3.GetBucketEncryption.$b.json" s3api get-bucket-encryption --bucket "$b"
  call "$g/s3.GetBucketLogging.$b.json" s3api get-bucket-logging --bucket "$b"
  call "$g/s3.GetBucketTagging.$b.json" s3api get-bucket-tagging --bucket "$b"
  call "$g/s3.GetPublicAccessBlock.$b.json" s3api get-public-access-block --bucket "$b"
  call "$g/s3.GetBucketWebsite.$b.json" s3api get-bucket-website --bucket "$b"
done
if ! grep -q "id: \"$account\"" "$out/accounts.yaml" 2>/dev/null; then
  # collected_at: ages (keys, snapshots) are measured from this moment.
  [ -f "$out/accounts.yaml" ] || printf 'collected_at: "%s"\naccounts:\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$out/accounts.yaml"
  printf '  - id: "%s"\n    name: "%s"\n' "$account" "${ACCOUNT_NAME:-$account}" >>"$out/accounts.yaml"
fi
echo "collect-aws: done; now run: custos scan --inventory $out" >&2
