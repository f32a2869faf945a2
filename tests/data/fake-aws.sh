#!/usr/bin/env bash
# A stand-in for the AWS CLI, for testing scripts/collect-aws.sh without AWS:
# answers the read-only calls the script makes for one small account (an
# SSH-open security group and a bucket with a public ACL), fails the calls
# AWS would fail for it, and logs every call to $FAKE_AWS_LOG.
echo "$*" >>"${FAKE_AWS_LOG:-/dev/null}"
svc=$1 op=$2
text=0
case " $* " in *" --output text "*) text=1 ;; esac
fail() { echo "An error occurred ($1) when calling the $op operation: $2" >&2; exit 254; }
case "$svc $op" in
  "sts get-caller-identity") echo 111122223333 ;;
  "ec2 describe-regions") echo us-east-1 ;;
  "ec2 describe-security-groups")
    echo '{"SecurityGroups": [{"GroupId": "sg-0ssh", "GroupName": "bastion", "OwnerId": "111122223333",
      "VpcId": "vpc-1", "IpPermissionsEgress": [],
      "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]}]}' ;;
  "s3api list-buckets")
    if [ $text = 1 ]; then echo public-bucket; else
      echo '{"Buckets": [{"Name": "public-bucket", "CreationDate": "2024-01-01T00:00:00+00:00"}],
             "Owner": {"DisplayName": "me", "ID": "owner1"}}'; fi ;;
  "s3api get-bucket-acl")
    echo '{"Owner": {"ID": "owner1"}, "Grants": [{"Grantee": {"Type": "Group",
      "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}' ;;
  "s3api get-bucket-location") echo '{"LocationConstraint": null}' ;;
  "s3api get-bucket-policy") fail NoSuchBucketPolicy "The bucket policy does not exist" ;;
  "s3api get-public-access-block") fail NoSuchPublicAccessBlockConfiguration "not configured" ;;
  "s3api get-bucket-website") fail NoSuchWebsiteConfiguration "not configured" ;;
  "s3api get-bucket-tagging") fail NoSuchTagSet "not configured" ;;
  "s3api "*) echo '{}' ;;
  "iam generate-credential-report") echo '{"State": "COMPLETE"}' ;;
  "iam get-credential-report") fail ReportNotPresent "no report" ;;
  "iam get-account-password-policy") fail NoSuchEntity "The Password Policy with domain name 111122223333 cannot be found." ;;
  "iam get-account-summary") echo '{"SummaryMap": {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0}}' ;;
  "iam list-users"|"iam list-roles"|"kms list-keys")
    if [ $text = 1 ]; then echo; else echo '{}'; fi ;;
  *) if [ $text = 1 ]; then echo; else echo '{}'; fi ;;
esac
