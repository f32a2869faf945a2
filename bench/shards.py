#!/usr/bin/python3
"""bench/shards.py - N shards against moto with injected latency, into one
PostgreSQL (run by bench/shards.sh; see bench/README.md).

The organisation is the shard test's (tests/aws/test_collect_shards.py,
built in moto_server with the AWS CLI, IAM auth on): ACCOUNTS accounts, one
region each.  Every request goes through tests/aws/fault_proxy.py, which
delays it by LATENCY seconds (an AWS API call's round trip).  For N in
SHARDS, a fresh database on one scripts/pg-test.sh server, then N shard
processes at once, each `custos collect --shards N` (JOB_COMPLETION_INDEX,
--concurrency C) and `custos scan --shards N` of what it collected into
the database: what `scan --collect --shards N` does, in two steps so the
concurrency is set and the two parts are timed apart.  Printed for each N:
wall seconds, accounts per minute and its ratio to N = 1, requests per
second, custos's CPU seconds per request, and PostgreSQL's write load
(pg_stat_database's rows inserted / updated / deleted and commits, WAL
bytes, database size) in all and per shard.  Then the store's size per
finding at scale (the security-group benchmark's inventory, FINDINGS_GROUPS
groups, recorded into a fresh database: size and WAL of the first scan and
of an unchanged rescan), and an estimate for 5,000 accounts collected
hourly.  Nothing is asserted: the figures are printed.
"""
import json
import os
import resource
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests/aws"))
import test_collect_shards as org  # noqa: E402
from aws_peer import cli_python, moto_server  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

CUSTOS = os.environ.get("CUSTOS", os.path.join(ROOT, "build/release/custos"))
WORK = os.path.abspath(os.environ.get("WORK", os.path.join(ROOT, "build/bench/shards")))
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
NACC = int(os.environ.get("ACCOUNTS", "16"))
LATENCY = float(os.environ.get("LATENCY", "0.1"))
CONC = int(os.environ.get("C", "4"))
SHARDS = [int(x) for x in os.environ.get("SHARDS", "1 2 4").split()]
GROUPS = int(os.environ.get("FINDINGS_GROUPS", "20000"))


def psql(url, sql):
    return subprocess.run(["psql", "-XAtq", url, "-c", sql], capture_output=True, text=True,
                          check=True).stdout.strip()


def pg_counters(url):
    """(rows written, commits, WAL position in bytes, database size)."""
    time.sleep(1.2)  # statistics are flushed at most every second
    row = psql(url, "SELECT tup_inserted + tup_updated + tup_deleted, xact_commit, "
                    "pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, pg_database_size(current_database()) "
                    "FROM pg_stat_database WHERE datname = current_database()")
    return [int(float(x)) for x in row.split("|")]


def createdb(name):
    return subprocess.run(["bash", os.path.join(ROOT, "scripts/pg-test.sh"), "createdb", name], capture_output=True,
                          text=True, check=True).stdout.strip()


def empty_store(url):
    """The schema made once (as the first scan would), so N shards start on
    the same database and only their own writes are counted."""
    inv = os.path.join(WORK, "empty-inv")
    os.makedirs(inv, exist_ok=True)
    open(os.path.join(inv, "accounts.yaml"), "w").write("accounts: []\n")
    subprocess.run([CUSTOS, "scan", "--inventory", inv, "--db", url, "-o", os.devnull], check=True,
                   capture_output=True)


def shard_job(env, n, i, url, accounts):
    """Starts shard i of n: collect, then scan into url (one shell)."""
    inv = os.path.join(WORK, "n%d-shard%d" % (n, i))
    cmd = ('"$C" collect --accounts "$A" --out "$I" --shards "$N" --concurrency "$K" --quiet && '
           '"$C" scan --inventory "$I" --shards "$N" --db "$U" --format json -o /dev/null -v')
    e = org.clean_env(env, {"JOB_COMPLETION_INDEX": str(i), "C": CUSTOS, "A": accounts, "I": inv, "N": str(n),
                            "K": str(CONC), "U": url})
    return subprocess.Popen(["bash", "-c", cmd], env=e, stdout=subprocess.DEVNULL,
                            stderr=open(inv + ".log", "w")), inv


def main():
    os.makedirs(WORK, exist_ok=True)
    pgdir = os.path.join(WORK, "pg")
    subprocess.run(["rm", "-rf", pgdir])
    start = subprocess.run(["bash", os.path.join(ROOT, "scripts/pg-test.sh"), "start", pgdir], capture_output=True,
                           text=True)
    if start.returncode != 0:
        sys.exit("bench/shards: PostgreSQL did not start: " + start.stderr[-300:])
    for line in start.stdout.splitlines():
        k, _, v = line.replace("export ", "").partition("=")
        os.environ[k] = v.strip("'")
    moto, py = moto_server(), cli_python()
    port = org.free_port()
    server = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false"))
    endpoint = "http://127.0.0.1:%d" % port
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(endpoint + "/moto-api/").read()
                break
            except OSError:
                time.sleep(0.1)
        run(py, endpoint)
    finally:
        server.terminate()
        server.wait()
        subprocess.run(["bash", os.path.join(ROOT, "scripts/pg-test.sh"), "stop", pgdir], capture_output=True)


def run(py, endpoint):
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update(AWS_ACCESS_KEY_ID="AKIAADMIN0000000000", AWS_SECRET_ACCESS_KEY="admin-secret",
                AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
    ids = ["%012d" % (200000000000 + 7919 * k) for k in range(NACC)]
    t = time.time()
    key = org.build_org(py, endpoint, base, ids)
    print("organisation: %d accounts in moto_server (1 region each), built in %.0f s; latency %.3f s per request, "
          "--concurrency %d per shard; PostgreSQL %s" % (
              NACC, time.time() - t, LATENCY, CONC, psql(os.environ["CUSTOS_TEST_PG"], "SHOW server_version")))
    proxy = FaultProxy(port_of(endpoint), latency=LATENCY).start()
    env = dict(base, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"],
               AWS_ENDPOINT_URL="http://127.0.0.1:%d" % proxy.port)
    accounts = os.path.join(WORK, "accounts.yaml")
    open(accounts, "w").write(org.accounts_yaml(ids))
    print()
    print("%-3s %8s %9s %6s %8s %10s %11s %10s %8s %9s %9s %11s %9s" % (
        "N", "wall s", "acct/min", "ratio", "req/s", "CPU ms/req", "rows/shard", "WAL/shard", "commits",
        "rows,2nd", "WAL,2nd", "findings", "db size"))
    results = {}
    for n in SHARDS:
        url = createdb("bench_shards_%d" % n)
        empty_store(url)
        before = pg_counters(url)
        proxy.stats = {k: 0 for k in proxy.stats}
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.time()
        jobs = [shard_job(env, n, i, url, accounts) for i in range(n)]
        rcs = [p.wait() for p, _ in jobs]
        wall = time.time() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        after = pg_counters(url)
        if any(rc not in (0, 3) for rc in rcs):
            print("N=%d: a shard failed (exit %s): see %s.log" % (n, rcs, jobs[rcs.index(max(rcs))][1]))
            continue
        reqs = proxy.stats["forwarded"]
        cpu = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
        rows, commits, wal = after[0] - before[0], after[1] - before[1], after[2] - before[2]
        found = int(psql(url, "SELECT count(*) FROM findings"))
        # The hourly rescan's writes: each shard's scan again, nothing changed.
        for i in range(n):
            inv = os.path.join(WORK, "n%d-shard%d" % (n, i))
            subprocess.run([CUSTOS, "scan", "--inventory", inv, "--shards", str(n), "--db", url, "-o", os.devnull],
                           env=org.clean_env(env, {"JOB_COMPLETION_INDEX": str(i)}), capture_output=True)
        again = pg_counters(url)
        results[n] = dict(wall=wall, reqs=reqs, cpu=cpu, rows=rows, wal=wal, commits=commits, found=found,
                          size=after[3], rows2=again[0] - after[0], wal2=again[2] - after[2])
        r1 = results.get(SHARDS[0])
        x = results[n]
        print("%-3d %8.1f %9.1f %5.2fx %8.1f %10.2f %11.0f %9.0fk %8.0f %9.0f %8.0fk %11d %8.1fM" % (
            n, wall, NACC / wall * 60, (r1["wall"] / wall) if r1 else 1, reqs / wall, cpu / max(reqs, 1) * 1000,
            rows / n, wal / n / 1024, commits / n, x["rows2"] / n, x["wal2"] / n / 1024, found, after[3] / 1e6))
    if not results:
        return
    # The store at scale: bytes per finding, first scan and hourly rescan.
    sg = os.path.join(WORK, "sg-%d" % GROUPS)
    if not os.path.exists(os.path.join(sg, ".done")):
        os.makedirs(sg, exist_ok=True)
        subprocess.run(["/usr/bin/python3", os.path.join(SHARED, "bench/custodian-sg/gen_sg.py"), str(GROUPS), sg],
                       check=True, stdout=subprocess.DEVNULL)
        open(os.path.join(sg, ".done"), "w").close()
    pols = sorted(os.path.join(SHARED, "bench/custodian-sg/policies", f)
                  for f in os.listdir(os.path.join(SHARED, "bench/custodian-sg/policies")) if f.endswith(".yml"))
    url = createdb("bench_shards_size")
    empty_store(url)
    c0 = pg_counters(url)
    scan = [CUSTOS, "scan", "--inventory", "placebo:" + sg, "--db", url, "--format", "json", "-o", os.devnull]
    for p in pols:
        scan += ["--policies", p]
    subprocess.run(scan, check=False, capture_output=True)
    c1 = pg_counters(url)
    subprocess.run(scan, check=False, capture_output=True)  # new -> open
    c2 = pg_counters(url)
    subprocess.run(scan, check=False, capture_output=True)  # the hourly steady state
    c3 = pg_counters(url)
    nf = int(psql(url, "SELECT count(*) FROM findings"))
    per1 = (c1[3] - c0[3]) / max(nf, 1)
    per = (c3[3] - c0[3]) / max(nf, 1)  # settled: first scan, new -> open, a rescan
    print()
    print("store at scale: %d findings (%d security groups), PostgreSQL:" % (nf, GROUPS))
    print("  first scan:   %8.1f MB database growth, %8.1f MB WAL, %d rows (%.0f bytes per finding)" % (
        (c1[3] - c0[3]) / 1e6, (c1[2] - c0[2]) / 1e6, c1[0] - c0[0], per1))
    print("  second scan:  %8.1f MB database growth, %8.1f MB WAL, %d rows (every finding new -> open)" % (
        (c2[3] - c1[3]) / 1e6, (c2[2] - c1[2]) / 1e6, c2[0] - c1[0]))
    print("  steady rescan:%8.1f MB database growth, %8.1f MB WAL, %d rows (nothing changed: each hour)" % (
        (c3[3] - c2[3]) / 1e6, (c3[2] - c2[2]) / 1e6, c3[0] - c2[0]))
    print("  after the three: %.1f MB over the empty store's %.1f MB: %.0f bytes per finding, %.2f GB per million "
          "findings" % (c3[3] / 1e6, c0[3] / 1e6, per, per * 1e6 / 1e9))
    estimate(results, per)


def port_of(endpoint):
    return int(endpoint.rsplit(":", 1)[1])


def estimate(results, bytes_per_finding):
    n1 = min(results)
    r = results[n1]
    req_per_acct = r["reqs"] / NACC
    cpu_per_req = r["cpu"] / r["reqs"]
    per_shard_rps = max(results[n]["reqs"] / results[n]["wall"] / n for n in results)
    findings_per_acct = r["found"] / NACC
    print()
    print("estimate for 5,000 accounts collected hourly (from the figures above):")
    print("  measured: %.0f requests per account-region, %.2f ms of custos CPU per request (collect + scan + "
          "record), %.1f findings per account here" % (req_per_acct, cpu_per_req * 1000, findings_per_acct))
    print("  a shard keeps --concurrency requests in flight: at AWS's ~%.0f ms per call, 64 in flight (the default) "
          "is %.0f requests/s, and its CPU allows %.0f requests/s per core" % (
              LATENCY * 1000, 64 / LATENCY, 1 / cpu_per_req))
    for regions in (2, 17):
        total = 5000 * regions * req_per_acct
        rate = min(64 / LATENCY, 1 / cpu_per_req)  # one core per shard
        shards = total / (rate * 3600 * 0.5)  # done within half the hour
        print("  %2d regions per account: %.2f M requests an hour -> %.0f requests/s; with one core per shard at "
              "%.0f requests/s and a run done in 30 minutes: %d shard(s) (%.0f accounts per shard)" % (
                  regions, total / 1e6, total / 3600, rate, max(1, int(shards + 0.999)),
                  5000 / max(1, int(shards + 0.999))))
    one, most = results[n1], results[max(results)]
    k = max(results)
    fixed_rows = (most["rows2"] - one["rows2"]) / (k - n1) if k > n1 else 0
    fixed_wal = (most["wal2"] - one["wal2"]) / (k - n1) if k > n1 else 0
    print("  hourly writes in the steady state (the rescans above, %.1f findings per account): %.0f rows and %.0f kB "
          "of WAL per account (N = %d), and %.0f rows and %.0f kB more per extra shard -> %.0f k rows and %.0f MB of "
          "WAL an hour for 5,000 accounts in 4 shards" % (
              findings_per_acct, one["rows2"] / NACC, one["wal2"] / NACC / 1024, n1, fixed_rows, fixed_wal / 1024,
              (one["rows2"] / NACC * 5000 + 3 * fixed_rows) / 1000, (one["wal2"] / NACC * 5000 + 3 * fixed_wal) / 1e6))
    for fpa in (20, 200):
        nf = 5000 * fpa
        print("  %3d findings per account: %.1f M findings -> about %.1f GB of PostgreSQL (%.0f bytes each, "
              "settled, measured above), then growing with changes only" % (fpa, nf / 1e6, nf * bytes_per_finding / 1e9,
                                                                bytes_per_finding))
    print("  (this machine's moto is one Python process on 2 shared cores: requests/s per shard here, %.0f, is "
          "moto's, not AWS's)" % per_shard_rps)


if __name__ == "__main__":
    main()
