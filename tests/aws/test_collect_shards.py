#!/usr/bin/python3
"""`custos collect --shards N` and `scan --collect --shards N` against a
real AWS peer: moto_server with IAM auth on, a seven-account organisation.

The organisation (built in moto with the AWS CLI, then auth switched on):
  123456789012  the base account: user `custos` (its key is custos's)
  7 accounts    role custos-read (read everything), one security group each
                (SSH open to the world in some), one bucket each
custos reaches moto through tests/aws/fault_proxy.py, which counts requests.

Checks:
- N = 3 shards, each `collect --shards 3` with $JOB_COMPLETION_INDEX: each
  inventory holds exactly its shard's accounts (`custos shards`), in its
  directories, accounts.yaml and collection.json; every account is in
  exactly one shard; the union of the shards' files equals, as JSON, an
  unsharded collection; the shards together make exactly the unsharded
  collection's requests (no shard enters another shard's account);
- `--shard I/N` and `--shard auto` (AWS Batch's variables) select the same;
- an empty shard collects nothing (not the caller's own account) and exits 0;
- `scan --collect --shards 3` (one PostgreSQL for the three): each shard
  collects only its accounts (its inventory and its request count), and the
  store holds exactly the findings of one unsharded scan.
moto_server, the CLI or PostgreSQL missing is a FAIL, never a skip.
"""
import json
import os
import shutil
import subprocess
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "../.."))
sys.path.insert(0, HERE)
from aws_peer import Cli, Report, admin_env, cli_python, moto_server, start_moto  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

CUSTOS = os.environ.get("CUSTOS", os.path.join(ROOT, "build/asan/custos"))
OUT = os.path.join(os.environ.get("OUT", "/tmp/custos-test-out"), "collect-shards")
ACCOUNTS = ["%012d" % (100000000000 + 111111 * k) for k in range(1, 8)]
N = 3
report = Report()


TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {
    "AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}
READ_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def build_org(py, endpoint, env, accounts=None):
    admin = Cli(py, endpoint, env)
    admin("iam", "create-user", "--user-name", "custos")
    admin("iam", "put-user-policy", "--user-name", "custos", "--policy-name", "assume",
          "--policy-document", json.dumps({"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": "arn:aws:iam::*:role/custos-read"},
              {"Effect": "Allow", "Action": ["sts:GetCallerIdentity"], "Resource": "*"}]}))
    key = admin("iam", "create-access-key", "--user-name", "custos")["AccessKey"]
    for k, account in enumerate(accounts or ACCOUNTS):
        c = admin("sts", "assume-role", "--role-arn", "arn:aws:iam::%s:role/setup" % account,
                  "--role-session-name", "setup")["Credentials"]
        acc = Cli(py, endpoint, dict(env, AWS_ACCESS_KEY_ID=c["AccessKeyId"],
                                     AWS_SECRET_ACCESS_KEY=c["SecretAccessKey"], AWS_SESSION_TOKEN=c["SessionToken"]))
        acc("iam", "create-role", "--role-name", "custos-read", "--assume-role-policy-document", json.dumps(TRUST))
        acc("iam", "put-role-policy", "--role-name", "custos-read", "--policy-name", "read",
            "--policy-document", json.dumps(READ_ALL))
        vpc = acc("ec2", "describe-vpcs", "--region", "us-east-1")["Vpcs"][0]["VpcId"]
        g = acc("ec2", "create-security-group", "--group-name", "ssh-%d" % k, "--description", "ssh",
                "--vpc-id", vpc, "--region", "us-east-1")["GroupId"]
        acc("ec2", "authorize-security-group-ingress", "--group-id", g, "--protocol", "tcp", "--port", "22",
            "--cidr", "0.0.0.0/0" if k % 2 == 0 else "10.0.0.0/8", "--region", "us-east-1")
        acc("s3api", "create-bucket", "--bucket", "c14-bucket-%s" % account)
        acc.close()
    admin.close()
    req = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0",
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()
    return key


def accounts_yaml(accounts=None):
    lines = ["collect:", "  role: custos-read", "  regions: [us-east-1]", "accounts:"]
    for k, a in enumerate(accounts or ACCOUNTS):
        lines += ['  - id: "%s"' % a, "    name: acct-%d" % k, "    team: team-%d" % (k % 3),
                  "    environment: %s" % ("prod" if k % 2 else "dev")]
    return "\n".join(lines) + "\n"


def clean_env(env, extra=None):
    e = {k: v for k, v in env.items()
         if k not in ("JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE")}
    e.update(extra or {})
    return e


def collect(env, proxy, out, *extra, idx=None):
    """custos collect into out; (process, requests the proxy saw)."""
    proxy.stats = {k: 0 for k in proxy.stats}
    p = subprocess.run([CUSTOS, "collect", "--accounts", os.path.join(OUT, "accounts.yaml"), "--out", out,
                        "--concurrency", "16", "--timeout", "10", "--quiet"] + list(extra), env=clean_env(env, idx),
                       capture_output=True, text=True, timeout=300)
    open(out + ".log", "w").write(p.stdout + p.stderr)
    return p, proxy.stats["forwarded"]


def load_tree(root):
    tree = {}
    for d, _, files in os.walk(root):
        for f in files:
            if f in ("collection.json", "accounts.yaml"):
                continue
            p = os.path.join(d, f)
            tree[os.path.relpath(p, root)] = json.load(open(p))
    return tree


def volatile_free(doc):
    """Without what changes between two collections by itself: RoleLastUsed
    (moved by every AssumeRole), the credential report's time and CSV."""
    if isinstance(doc, dict):
        return {k: volatile_free(v) for k, v in doc.items() if k not in ("RoleLastUsed", "GeneratedTime", "Content")}
    if isinstance(doc, list):
        return [volatile_free(v) for v in doc]
    return doc


def inv_accounts(inv):
    """The accounts an inventory holds: (directories, accounts.yaml ids,
    collection.json ids)."""
    dirs = {d for d in os.listdir(inv) if os.path.isdir(os.path.join(inv, d))}
    doc = json.loads(open(os.path.join(inv, "accounts.yaml")).read().split("\n", 1)[1])
    yaml_ids = {a["id"] for a in doc["accounts"]}
    col = json.load(open(os.path.join(inv, "collection.json")))
    return dirs, yaml_ids, {a["id"] for a in col["accounts"]}


def custos(*args, env=None):
    return subprocess.run([CUSTOS] + list(args), capture_output=True, text=True, env=env, timeout=300)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    pg = os.environ.get("CUSTOS_TEST_PG")
    try:
        moto, py = moto_server(), cli_python()
    except (OSError, subprocess.CalledProcessError) as e:
        report("moto_server_and_aws_cli", False, "neither on PATH nor installable into build/aws-venv: %s" % e)
        return
    server, endpoint, log = start_moto(moto, os.path.join(OUT, "moto.log"))
    try:
        base = admin_env()
        key = build_org(py, endpoint, base)
        report("org_built_auth_on", True)
        proxy = FaultProxy(int(endpoint.rsplit(":", 1)[1])).start()
        env = dict(base, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"],
                   AWS_ENDPOINT_URL="http://127.0.0.1:%d" % proxy.port)
        run(env, proxy, pg)
        proxy.stop()
    finally:
        server.terminate()
        server.wait()


def run(env, proxy, pg):
    open(os.path.join(OUT, "accounts.yaml"), "w").write(accounts_yaml())
    full = os.path.join(OUT, "all")
    p, full_requests = collect(env, proxy, full)
    if not report("unsharded_collect", p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr[-600:])):
        return
    r = custos("shards", "--inventory", full, "--shards", str(N), "--format", "json")
    assign = {a["id"]: a["shard"] for a in json.loads(r.stdout)["accounts"]} if r.returncode == 0 else {}
    report("assignment", sorted(assign) == sorted(ACCOUNTS) and len(set(assign.values())) == N,
           "%s %s" % (assign, r.stderr))
    want = {s: {a for a, x in assign.items() if x == s} for s in range(N)}
    tree = {k: volatile_free(v) for k, v in load_tree(full).items()}
    union, owner, requests = {}, {}, 0
    for s in range(N):
        out = os.path.join(OUT, "shard-%d" % s)
        p, n = collect(env, proxy, out, "--shards", str(N), idx={"JOB_COMPLETION_INDEX": str(s)})
        requests += n
        report("shard_%d_collects" % s, p.returncode == 0 and "shard %d of %d (0-based): %d accounts" % (
            s, N, len(want[s])) in p.stderr, "exit %d: %s" % (p.returncode, p.stderr[-600:]))
        if p.returncode != 0:
            return
        dirs, yaml_ids, col_ids = inv_accounts(out)
        report("shard_%d_only_its_accounts" % s, dirs == want[s] and yaml_ids == want[s] and col_ids == want[s],
               "want %s; directories %s, accounts.yaml %s, collection.json %s" % (
                   sorted(want[s]), sorted(dirs), sorted(yaml_ids), sorted(col_ids)))
        for a in dirs:
            owner.setdefault(a, []).append(s)
        for k, v in load_tree(out).items():
            union[k] = volatile_free(v)
    report("every_account_in_exactly_one_shard", owner == {a: [assign[a]] for a in ACCOUNTS}, owner)
    diff = sorted(set(union) ^ set(tree))[:5] or [k for k in sorted(tree) if union[k] != tree[k]][:5]
    report("union_equals_unsharded_collection", union == tree and len(tree) > 10 * len(ACCOUNTS),
           "%d files vs %d; first differences %s" % (len(union), len(tree), diff))
    report("shards_make_the_unsharded_requests", requests == full_requests,
           "%d requests over the shards, %d unsharded" % (requests, full_requests))
    full_doc = json.loads(open(os.path.join(full, "accounts.yaml")).read().split("\n", 1)[1])
    entries = []
    for s in range(N):
        entries += json.loads(open(os.path.join(OUT, "shard-%d" % s, "accounts.yaml")).read().split("\n", 1)[1])[
            "accounts"]
    report("accounts_yaml_entries_kept_whole", sorted(entries, key=lambda e: e["id"]) ==
           sorted(full_doc["accounts"], key=lambda e: e["id"]), entries[:2])

    # Where the index comes from: --shard I/N, --shard auto (AWS Batch).
    for label, args, idx, s in (("shard_i_of_n", ["--shard", "1/%d" % N], None, 1),
                                ("shard_auto_aws_batch", ["--shard", "auto"],
                                 {"AWS_BATCH_JOB_ARRAY_INDEX": "2", "AWS_BATCH_JOB_ARRAY_SIZE": str(N)}, 2)):
        out = os.path.join(OUT, label)
        p, _ = collect(env, proxy, out, *args, idx=idx)
        got = inv_accounts(out)[0] if p.returncode == 0 else None
        report("index_from_" + label, got == want[s], "exit %d, %s vs %s: %s" % (
            p.returncode, got, want[s], p.stderr[-300:]))
    p, _ = collect(env, proxy, os.path.join(OUT, "bad"), "--shards", str(N))
    report("shards_without_index_is_an_error", p.returncode == 1 and "JOB_COMPLETION_INDEX" in p.stderr,
           "exit %d: %s" % (p.returncode, p.stderr))

    # An empty shard: nothing collected, not even the caller's own account.
    r = custos("shards", "--inventory", full, "--shards", "40", "--format", "json")
    used = {a["shard"] for a in json.loads(r.stdout)["accounts"]}
    empty = min(set(range(40)) - used)
    out = os.path.join(OUT, "empty")
    p, n = collect(env, proxy, out, "--shard", "%d/40" % empty)
    dirs, yaml_ids, col_ids = inv_accounts(out) if p.returncode == 0 else (None, None, None)
    report("empty_shard_collects_nothing", p.returncode == 0 and n == 0 and not dirs and not yaml_ids
           and not col_ids, "exit %d, %d requests, %s: %s" % (p.returncode, n, dirs, p.stderr[-300:]))

    # scan --collect --shards N: each shard collects only its accounts, and
    # the store holds one unsharded scan's findings.
    if not pg:
        report("postgresql", False, os.environ.get("CUSTOS_TEST_PG_ERROR", "CUSTOS_TEST_PG is not set"))
        return
    db = subprocess.run(["bash", os.path.join(ROOT, "scripts/pg-test.sh"), "createdb", "collect_shards"],
                        capture_output=True, text=True).stdout.strip() or pg
    s = custos("scan", "--inventory", full, "--no-store", "--format", "json", env=clean_env(env))
    everything = {f["fingerprint"] for f in json.loads(s.stdout)["findings"]} if s.returncode in (0, 3) else set()
    report("unsharded_scan_finds", len(everything) >= 4, s.stderr[-300:])
    requests = 0
    for i in range(N):
        inv = os.path.join(OUT, "scan-shard-%d" % i)
        proxy.stats = {k: 0 for k in proxy.stats}
        p = custos("scan", "--collect", "--accounts", os.path.join(OUT, "accounts.yaml"), "--inventory", inv,
                   "--shards", str(N), "--db", db, "--format", "json", "-o", os.devnull,
                   env=clean_env(env, {"JOB_COMPLETION_INDEX": str(i)}))
        requests += proxy.stats["forwarded"]
        open(inv + ".log", "w").write(p.stdout + p.stderr)
        ok = p.returncode in (0, 3)
        report("scan_collect_shard_%d" % i, ok and "collected %d accounts" % len(want[i]) in p.stderr,
               "exit %d: %s" % (p.returncode, p.stderr[-600:]))
        if ok:
            dirs, yaml_ids, col_ids = inv_accounts(inv)
            report("scan_collect_shard_%d_collects_only_its_accounts" % i, dirs == want[i] and yaml_ids == want[i],
                   "want %s, got %s / %s" % (sorted(want[i]), sorted(dirs), sorted(yaml_ids)))
    report("scan_collect_shards_make_the_unsharded_requests", requests == full_requests,
           "%d requests over the shards, %d unsharded" % (requests, full_requests))
    r = custos("findings", "--db", db, "--status", "all", "--format", "json", env=clean_env(env))
    stored = [f["fingerprint"] for f in json.loads(r.stdout)["findings"]] if r.returncode == 0 else []
    report("store_holds_one_unsharded_scan", sorted(stored) == sorted(everything),
           "%d stored (%d distinct) vs %d: %s" % (len(stored), len(set(stored)), len(everything), r.stderr[-300:]))
    # An empty shard (more shards than accounts): collects and scans
    # nothing, exits 0, and resolves nothing of the others.
    inv = os.path.join(OUT, "scan-empty-shard")
    p = custos("scan", "--collect", "--accounts", os.path.join(OUT, "accounts.yaml"), "--inventory", inv,
               "--shard", "%d/40" % empty, "--db", db, "--format", "json", env=clean_env(env))
    got = json.loads(p.stdout)["findings"] if p.returncode == 0 else None
    r = custos("findings", "--db", db, "--status", "resolved", "--format", "json", env=clean_env(env))
    resolved = json.loads(r.stdout)["findings"] if r.returncode == 0 else None
    report("scan_collect_empty_shard", p.returncode == 0 and got == [] and resolved == [],
           "exit %d, findings %s, resolved %s: %s" % (p.returncode, got, resolved, p.stderr[-400:]))


if __name__ == "__main__":  # bench/shards.py imports the organisation
    main()
    sys.exit(1 if report.failures else 0)
