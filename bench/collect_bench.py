#!/usr/bin/python3
"""custos collect against moto_server behind a proxy adding latency to
every request (issue 9's speed criteria; bench/collect.sh runs it).

The organisation: ACCOUNTS accounts x 4 regions in one moto_server, each
account with security groups in every region, buckets and IAM users, so
the per-resource calls fan out as they do in real accounts.  Printed:

- the wall time of `custos collect` (default concurrency) against the
  ideal requests x latency / concurrency, as a ratio (goal <= 1.2), and
  the request count (the proxy counts every request it forwards);
- the baseline: the AWS CLI making the same calls one after another, as
  scripts/collect-aws.sh did.  Running it over every request would take
  hours, so K calls of the collected operations are timed through the
  same proxy and the mean is multiplied by the request count; the ratio
  (goal >= 100) says so;
- peak RSS for 11, 22 and 44 accounts (flat is the goal).

Nothing here asserts a time.  Usage: bench/collect_bench.py CUSTOS [LATENCY_MS]
"""
import os
import random
import resource
import shutil
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "aws"))
from aws_peer import free_port, moto_server  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

import boto3  # noqa: E402

CUSTOS = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/release/custos")
LATENCY = (float(sys.argv[2]) if len(sys.argv) > 2 else 50.0) / 1000.0
OUT = os.path.join(os.environ.get("BENCH_OUT", "build/bench"), "collect")
REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]
SIZES = [11, 22, 44]
CONCURRENCY = 64  # custos collect's default (custos collect --help)
CLI_SAMPLE = 12



def account_id(i):
    return "%012d" % (100000000000 + i * 1111)


def session_in(endpoint, account):
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="AKIAEXAMPLEBENCH0001", aws_secret_access_key="bench")
    c = sts.assume_role(RoleArn="arn:aws:iam::%s:role/setup" % account, RoleSessionName="setup")
    c = c["Credentials"]
    return boto3.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                         aws_session_token=c["SessionToken"])


def build_account(endpoint, i, rnd):
    """Resources shaped like a small team account: 3 groups per region (one
    with SSH open), 3 buckets, 4 users with a key each."""
    aid = account_id(i)
    s = session_in(endpoint, aid)
    for region in REGIONS:
        ec2 = s.client("ec2", endpoint_url=endpoint, region_name=region)
        vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
        for k in range(3):
            g = ec2.create_security_group(GroupName="app-%d-%d" % (i, k), Description="app",
                                          VpcId=vpc)["GroupId"]
            cidr = "0.0.0.0/0" if k == 0 else "10.%d.0.0/16" % rnd.randrange(256)
            ec2.authorize_security_group_ingress(GroupId=g, IpProtocol="tcp", FromPort=22, ToPort=22,
                                                 CidrIp=cidr)
    s3 = s.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    for k in range(3):
        s3.create_bucket(Bucket="bench-%s-%d" % (aid, k))
    iam = s.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    for k in range(4):
        iam.create_user(UserName="user-%d" % k)
        iam.create_access_key(UserName="user-%d" % k)


def accounts_yaml(path, n):
    lines = ["collect:", "  role: custos-read", "  regions: [%s]" % ", ".join(REGIONS), "accounts:"]
    for i in range(n):
        lines += ['  - id: "%s"' % account_id(i), "    name: bench-%02d" % i, "    team: team-%d" % (i % 14),
                  "    environment: %s" % ("prod", "staging", "dev")[i % 3]]
    open(path, "w").write("\n".join(lines) + "\n")


def collect(env, n, out):
    yml = os.path.join(OUT, "accounts-%d.yaml" % n)
    accounts_yaml(yml, n)
    shutil.rmtree(out, ignore_errors=True)
    t = time.time()
    p = subprocess.run(["/usr/bin/time", "-f", "RSS %M", CUSTOS, "collect", "--accounts", yml, "--out", out,
                        "--quiet"], env=env, capture_output=True, text=True)
    wall = time.time() - t
    rss = int([ln for ln in p.stderr.splitlines() if ln.startswith("RSS ")][-1].split()[1])
    if p.returncode != 0:
        sys.exit("collect of %d accounts: exit %d: %s" % (n, p.returncode, p.stderr[-800:]))
    return wall, rss / 1024.0


def cli_sample(endpoint, inv, env):
    """Times CLI_SAMPLE AWS CLI calls of operations custos made, one after
    another, through the same proxy; the mean seconds per call."""
    calls = []
    acc = sorted(d for d in os.listdir(inv) if d.isdigit())[0]
    for region in REGIONS[:1]:
        calls += [["ec2", "describe-security-groups", "--region", region],
                  ["ec2", "describe-instances", "--region", region],
                  ["ec2", "describe-vpcs", "--region", region],
                  ["ec2", "describe-subnets", "--region", region]]
    calls += [["s3api", "list-buckets"], ["iam", "list-users"], ["iam", "list-roles"],
              ["iam", "get-account-summary"], ["iam", "list-policies", "--scope", "Local"]]
    calls += [["s3api", "get-bucket-acl", "--bucket", "bench-%s-0" % acc],
              ["s3api", "get-bucket-tagging", "--bucket", "bench-%s-1" % acc],
              ["iam", "list-access-keys", "--user-name", "user-0"]]
    calls = calls[:CLI_SAMPLE]
    t = time.time()
    for c in calls:
        subprocess.run(["aws", "--endpoint-url", endpoint, "--output", "json", *c], env=env,
                       capture_output=True, text=True)
    return (time.time() - t) / len(calls), len(calls)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    port = free_port()
    log = open(os.path.join(OUT, "moto.log"), "w")
    # moto's stock AMIs come with ~1,200 snapshots per region that its
    # DescribeSnapshots returns even for OwnerIds=self: each would cost a
    # DescribeSnapshotAttribute call no real account makes.
    moto = subprocess.Popen([moto_server(), "-p", str(port)], stdout=log, stderr=log,
                            env=dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false"))
    endpoint = "http://127.0.0.1:%d" % port
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        t = time.time()
        rnd = random.Random(9)
        for i in range(max(SIZES)):
            build_account(endpoint, i, rnd)
        print("setup: %d accounts x %d regions in moto_server in %.0f s" % (max(SIZES), len(REGIONS),
                                                                           time.time() - t), flush=True)
        proxy = FaultProxy(port).start()
        proxy.configure(latency=LATENCY)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIAEXAMPLEBENCH0001", AWS_SECRET_ACCESS_KEY="bench",
                   AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL="http://127.0.0.1:%d" % proxy.port)
        env.pop("AWS_PROFILE", None)
        # The peer's own floor: the same collection with no latency added
        # is as fast as moto_server (one Python process) can answer.
        proxy.configure(latency=0)
        floor, _ = collect(env, max(SIZES), os.path.join(OUT, "inv-floor"))
        proxy.configure(latency=LATENCY)
        rows = []
        for n in SIZES:
            before = proxy.stats["forwarded"]
            wall, rss = collect(env, n, os.path.join(OUT, "inv-%d" % n))
            reqs = proxy.stats["forwarded"] - before
            rows.append((n, wall, rss, reqs))
            print("  %d accounts: %d requests in %.1f s, %.1f MB" % (n, reqs, wall, rss), flush=True)
        print("%-9s %9s %10s %9s %12s" % ("accounts", "requests", "wall (s)", "RSS (MB)", "vs ideal"))
        for n, wall, rss, reqs in rows:
            ideal = reqs * LATENCY / CONCURRENCY
            print("%-9d %9d %10.2f %9.1f %11.2fx" % (n, reqs, wall, rss, wall / ideal))
        n, wall, rss, reqs = rows[-1]
        ideal = reqs * LATENCY / CONCURRENCY
        print("ratio wall / (requests x %.0f ms / %d in flight) at %d accounts x %d regions: %.2f (goal <= 1.2)"
              % (LATENCY * 1000, CONCURRENCY, n, len(REGIONS), wall / ideal))
        print("the peer's floor (no latency added, moto_server answering as fast as it can): %.1f s; "
              "ratio wall / max(latency ideal, floor): %.2f" % (floor, wall / max(ideal, floor)))
        per_call, k = cli_sample("http://127.0.0.1:%d" % proxy.port, os.path.join(OUT, "inv-%d" % n), env)
        est = per_call * reqs
        print("baseline: the AWS CLI, one call after another: %.2f s per call (mean of %d timed calls "
              "through the same proxy) x %d requests = %.0f s estimated" % (per_call, k, reqs, est))
        print("ratio AWS CLI sequential / custos collect: %.0fx (goal >= 100)" % (est / wall))
        print("peak RSS: %s MB at %s accounts (flat is the goal: %.2fx from %d to %d accounts)"
              % (" / ".join("%.1f" % r[2] for r in rows), " / ".join(str(r[0]) for r in rows),
                 rows[-1][2] / rows[0][2], rows[0][0], rows[-1][0]))
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)
        print("(bench's own children CPU: %.1f s user, %.1f s system)" % (ru.ru_utime, ru.ru_stime))
        proxy.stop()
    finally:
        moto.terminate()
        moto.wait(timeout=30)
        log.close()


main()
