#!/usr/bin/python3
"""Runs of N shards into one store (issue 14), on SQLite and PostgreSQL.

A run is the shard scans of one batch job (`custos scan --shards N` with
$JOB_COMPLETION_INDEX and $CUSTOS_RUN, as the Kubernetes CronJob in deploy/
runs it).  Against the bundled sample organisation, with a webhook receiver
on loopback for every team:

- three shards recorded one by one hold exactly the findings and the events
  of one unsharded scan of the same inventory into another store;
- notifications go out once per run: shards 0 and 1 send nothing and say
  why, the shard that completes the run sends one message per team, the
  same messages as the unsharded scan; `custos notify --run` afterwards
  sends nothing;
- a shard rerun (the engine's retry) writes no second event and sends
  nothing; a shard killed -9 just before its commit leaves nothing of it,
  and its rerun completes the run with the same result as unsharded;
- `custos findings` and the dashboard (HTML and /api/) say which shards of
  an incomplete run are missing or failed and which run was the last
  complete one; a shard that failed says so;
- a shard with another shard count than its run is refused, naming both;
- `custos notify --run latest` notifies a run recorded without --notify
  once;
- three shards started at the same moment complete the run exactly once
  and notify exactly once.
"""
import glob
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import peers  # noqa: E402
from notify_receivers import HttpReceiver  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
os.chdir(ROOT)
CUSTOS = os.environ.get("CUSTOS", "build/release/custos")
OUT = os.path.join(os.environ.get("OUT", "build/test-out"), "runs")
AS_OF = ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00Z"]
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}"[:2000])
    return cond


def env_for(extra=None):
    e = {k: v for k, v in os.environ.items()
         if k not in ("JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE",
                      "AWS_BATCH_JOB_ID", "CUSTOS_RUN", "CUSTOS_DB")}
    e.update(extra or {})
    return e


def custos(args, extra_env=None, timeout=600):
    return subprocess.run([CUSTOS, *args], capture_output=True, text=True, env=env_for(extra_env),
                          timeout=timeout)


def shard_scan(org, db, run, i, n, as_of, notify=True, extra=None, args=()):
    env = {"JOB_COMPLETION_INDEX": str(i), "CUSTOS_RUN": run}
    env.update(extra or {})
    a = ["scan", "--inventory", org, "--db", db, "--shards", str(n), "--as-of", as_of,
         "--format", "json", "-o", os.devnull, *args]
    if notify:
        a.append("--notify")
    return custos(a, env)


def sql(db, query):
    if db.startswith("sqlite:"):
        con = sqlite3.connect(db[len("sqlite:"):])
        try:
            return [tuple(r) for r in con.execute(query).fetchall()]
        finally:
            con.close()
    p = subprocess.run(["psql", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", db, "-c", query],
                       capture_output=True, text=True, check=True)
    return [tuple(line.split("\t")) for line in p.stdout.splitlines()]


def state(db):
    """The findings as custos reads them (fingerprint -> status, first and
    last seen, priority) and the events."""
    p = custos(["findings", "--db", db, "--status", "all", "--format", "json"])
    try:
        fs = json.loads(p.stdout)["findings"]
    except (ValueError, KeyError):
        return {"error": p.stderr[-300:]}, []
    f = {x["fingerprint"]: (x["status"], x.get("first_seen"), x.get("last_seen"), x.get("priority"))
         for x in fs}
    ev = sorted(tuple(str(x) for x in r) for r in
                sql(db, "SELECT fingerprint, status, COALESCE(previous, ''), at FROM finding_events"))
    return f, ev


def messages(http):
    """Change notifications delivered, as (team, sorted fingerprints)."""
    out = []
    for r in http.delivered:
        j = r["json"] or {}
        if r["path"].startswith("/hook/") and j.get("kind") == "change":
            fps = sorted(x.get("fingerprint", "") for x in j.get("findings", []))
            out.append((j.get("team"), tuple(fps)))
    return sorted(out)


def make_org(dst, http):
    subprocess.run(["/usr/bin/python3", "examples/gen_org.py", "--out", dst, "--quiet"], check=True)
    path = os.path.join(dst, "accounts.yaml")
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    for team, t in doc["teams"].items():
        t["contacts"] = {"webhook": http.url(f"/hook/{team}")}
    for a in doc["accounts"]:
        a.pop("contacts", None)
    doc["notifications"] = {"min_severity": "high", "dashboard_url": "https://dash.example.com"}
    with open(path, "w") as fh:
        yaml.safe_dump(doc, fh, sort_keys=False)


def fix_one_group(org, db):
    """Removes the security group of one open finding from the inventory:
    the next run must resolve its findings, once."""
    rows = sql(db, "SELECT resource_id, account_id, region FROM findings WHERE resource_type = "
                   "'aws.security-group' AND status IN ('new', 'open', 'regressed') "
                   "AND severity_rank >= 3 ORDER BY fingerprint LIMIT 1")
    gid, acc, region = rows[0]
    path = os.path.join(org, acc, region, "ec2.DescribeSecurityGroups.json")
    with open(path) as fh:
        doc = json.load(fh)
    doc["SecurityGroups"] = [g for g in doc["SecurityGroups"] if g["GroupId"] != gid]
    with open(path, "w") as fh:
        json.dump(doc, fh)
    return gid


def open_ssh(org, db, n):
    """Opens SSH to the world on the n-th group without such a finding:
    a new critical finding, which the next run notifies."""
    have = {r[0] for r in sql(db, "SELECT resource_id FROM findings WHERE policy = "
                                  "'sg-ssh-open-to-world'")}
    for path in sorted(glob.glob(os.path.join(org, "*", "*", "ec2.DescribeSecurityGroups.json"))):
        with open(path) as fh:
            doc = json.load(fh)
        for g in doc["SecurityGroups"]:
            if g["GroupId"] in have:
                continue
            if n:
                n -= 1
                continue
            g.setdefault("IpPermissions", []).append(
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [],
                 "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": []})
            with open(path, "w") as fh:
                json.dump(doc, fh)
            return g["GroupId"]
    return None


def dashboard(db, tag):
    (html, js), log = peers.dashboard(CUSTOS, db, os.path.join(OUT, tag + "-serve.log"), env_for())
    return html, js, log


def findings_notice(db):
    p = custos(["findings", "--db", db, "--format", "json", "--limit", "1"])
    return p.returncode, p.stderr


def backend(tag, db, ref):
    http = HttpReceiver()
    org = os.path.join(OUT, tag + "-org")
    make_org(org, http)
    N = 3

    # The reference: one unsharded scan with --notify into its own store.
    p = custos(["scan", "--inventory", org, "--db", ref, "--as-of", AS_OF[0], "--format", "json",
                "-o", os.devnull, "--notify"])
    check(f"{tag}_reference_scan", p.returncode in (0, 3), p.stderr[-500:])
    ref_msgs = messages(http)
    check(f"{tag}_reference_notifies", len(ref_msgs) >= 3, str(ref_msgs)[:300])
    http.clear()

    # Shards 0 and 1 record and send nothing, saying why.
    for i in (0, 1):
        p = shard_scan(org, db, "job-1", i, N, AS_OF[0])
        check(f"{tag}_shard_{i}_records", p.returncode in (0, 3), p.stderr[-500:])
        check(f"{tag}_shard_{i}_says_run",
              f"run job-1: shard {i} of 3 recorded; {i + 1} of 3 shards recorded" in p.stderr,
              p.stderr[-500:])
        check(f"{tag}_shard_{i}_holds_notifications",
              "notifications go out once, after its last shard records" in p.stderr
              and not messages(http), p.stderr[-300:] + str(messages(http))[:200])
    rc, err = findings_notice(db)
    check(f"{tag}_findings_says_missing_shard",
          rc == 0 and "run job-1: 2 of 3 shards recorded; shard 2 missing" in err, err[-400:])
    if tag == "sqlite":
        html, js, log = dashboard(db, tag + "-partial")
        run = (js or {}).get("run") or {}
        check(f"{tag}_dashboard_shows_partial_run",
              html is not None and "Scan in progress" in html
              and "2 of 3 shards recorded; shard 2 missing" in html
              and run.get("id") == "job-1" and run.get("complete") is False
              and [s["state"] for s in run.get("shard_states", [])] == ["recorded", "recorded", "missing"],
              str(run)[:400] + log[-300:])

    # The last shard completes the run and notifies, once per team.
    p = shard_scan(org, db, "job-1", 2, N, AS_OF[0])
    check(f"{tag}_last_shard_completes",
          p.returncode in (0, 3) and "3 of 3 shards recorded: the run is complete" in p.stderr,
          p.stderr[-500:])
    got = messages(http)
    check(f"{tag}_notified_once_per_team_as_unsharded", got == ref_msgs,
          "sharded %s\nunsharded %s" % (str(got)[:600], str(ref_msgs)[:600]))
    check(f"{tag}_union_equals_unsharded", state(db) == state(ref),
          "findings %d vs %d, events %d vs %d" % (len(state(db)[0]), len(state(ref)[0]),
                                                    len(state(db)[1]), len(state(ref)[1])))
    rc, err = findings_notice(db)
    check(f"{tag}_findings_quiet_when_complete", rc == 0 and "run job-1" not in err, err[-300:])

    # A rerun of a shard of a complete run: no event, no message.
    http.clear()
    before = state(db)
    p = shard_scan(org, db, "job-1", 1, N, AS_OF[0])
    after = state(db)
    changed = [(k, before[0].get(k), v) for k, v in after[0].items() if before[0].get(k) != v]
    check(f"{tag}_rerun_idempotent",
          p.returncode in (0, 3) and after == before and not messages(http)
          and "run job-1: shard 1 is recorded already" in p.stderr,
          "rc %d, changed %s, events %d -> %d, sent %s" % (p.returncode, changed[:3], len(before[1]),
                                                        len(after[1]), messages(http)[:2]))
    p = custos(["notify", "--inventory", org, "--db", db, "--run", "job-1"])
    check(f"{tag}_notify_run_again_sends_nothing",
          p.returncode == 0 and "nothing sent" in p.stderr and not messages(http), p.stderr[-300:])

    # Mismatched shard counts are refused, naming both.
    p = shard_scan(org, db, "job-1", 0, 4, AS_OF[0])
    check(f"{tag}_shard_count_mismatch_refused",
          p.returncode == 1 and "run 'job-1' has 3 shards in the store; this shard says 4" in p.stderr,
          p.stderr[-400:])

    # Run 2 with a change: a fixed group resolves once; shard 0 is killed
    # just before its commit, then rerun.
    gid = fix_one_group(org, db)
    p = custos(["scan", "--inventory", org, "--db", ref, "--as-of", AS_OF[1], "--format", "json",
                "-o", os.devnull, "--notify"])
    ref_msgs2 = [m for m in messages(http)]
    http.clear()
    env = env_for({"JOB_COMPLETION_INDEX": "0", "CUSTOS_RUN": "job-2",
                   "CUSTOS_DEBUG_COMMIT_DELAY_MS": "30000"})
    log = open(os.path.join(OUT, tag + "-killed.log"), "w")
    k = subprocess.Popen([CUSTOS, "scan", "--inventory", org, "--db", db, "--shards", "3",
                          "--as-of", AS_OF[1], "--format", "json", "-o", os.devnull, "--notify"],
                         stdout=log, stderr=log, env=env)
    for _ in range(600):
        if "holding the store transaction open" in open(log.name).read():
            break
        time.sleep(0.1)
    k.send_signal(signal.SIGKILL)
    k.wait()
    log.close()
    killed_left = sql(db, "SELECT COUNT(*) FROM run_shards WHERE run_id = 'job-2'")[0][0]
    check(f"{tag}_killed_shard_left_nothing", str(killed_left) == "0", str(killed_left))
    for i in (1, 2):
        p = shard_scan(org, db, "job-2", i, N, AS_OF[1])
        check(f"{tag}_run2_shard_{i}", p.returncode in (0, 3), p.stderr[-400:])
    rc, err = findings_notice(db)
    check(f"{tag}_findings_names_last_complete_run",
          "run job-2: 2 of 3 shards recorded; shard 0 missing" in err
          and "the last complete run is job-1 (3 shards" in err, err[-400:])
    check(f"{tag}_run2_nothing_sent_yet", not messages(http), str(messages(http))[:300])
    p = shard_scan(org, db, "job-2", 0, N, AS_OF[1])
    check(f"{tag}_killed_shard_rerun_completes",
          p.returncode in (0, 3) and "the run is complete" in p.stderr, p.stderr[-400:])
    check(f"{tag}_run2_union_equals_unsharded", state(db) == state(ref),
          "findings %d vs %d, events %d vs %d" % (len(state(db)[0]), len(state(ref)[0]),
                                                    len(state(db)[1]), len(state(ref)[1])))
    resolved = sql(db, "SELECT COUNT(*) FROM finding_events WHERE status = 'resolved'")[0][0]
    check(f"{tag}_run2_resolved_once", int(resolved) >= 1 and messages(http) == sorted(ref_msgs2),
          "resolved events %s for %s; sent %s vs %s" % (resolved, gid, messages(http)[:3], ref_msgs2[:3]))

    # A failed shard says so.
    p = shard_scan(org, db, "job-3", 1, N, AS_OF[1], args=["-p", os.path.join(OUT, "missing.yml")])
    check(f"{tag}_failed_shard_exit", p.returncode == 1, p.stderr[-300:])
    rc, err = findings_notice(db)
    check(f"{tag}_findings_says_failed",
          "run job-3: 0 of 3 shards recorded; shard 1 failed: the scan failed" in err
          and "shards 0, 2 missing" in err, err[-400:])
    if tag == "sqlite":
        html, js, log = dashboard(db, tag + "-failed")
        run = (js or {}).get("run") or {}
        check(f"{tag}_dashboard_shows_failed_shard",
              html is not None and "shard 1 failed" in html and "job-2" in html
              and run.get("failed") == 1 and (js.get("last_complete_run") or {}).get("id") == "job-2",
              str(run)[:400] + log[-300:])

    # notify --run latest: a run recorded without --notify is notified once.
    http.clear()
    open_ssh(org, db, 0)
    for i in range(2):
        p = shard_scan(org, db, "job-4", i, 2, "2026-11-03T00:00:00Z", notify=False)
        check(f"{tag}_run4_shard_{i}", p.returncode in (0, 3), p.stderr[-300:])
    p = custos(["notify", "--inventory", org, "--db", db, "--run", "latest", "--dry-run"])
    check(f"{tag}_notify_run_dry_run_claims_nothing",
          p.returncode == 0 and not messages(http) and "nothing sent" not in p.stderr, p.stderr[-300:])
    p = custos(["notify", "--inventory", org, "--db", db, "--run", "latest"])
    first = messages(http)
    p2 = custos(["notify", "--inventory", org, "--db", db, "--run", "latest"])
    check(f"{tag}_notify_run_latest_once",
          p.returncode == 0 and first and p2.returncode == 0 and "nothing sent" in p2.stderr
          and messages(http) == first, p.stderr[-300:] + p2.stderr[-300:])

    # Three shards at once: the run completes once and notifies once.
    http.clear()
    open_ssh(org, db, 1)
    procs = []
    for i in range(N):
        env = env_for({"JOB_COMPLETION_INDEX": str(i), "CUSTOS_RUN": "job-5"})
        procs.append(subprocess.Popen(
            [CUSTOS, "scan", "--inventory", org, "--db", db, "--shards", "3", "--as-of",
             "2026-11-04T00:00:00Z", "--format", "json", "-o", os.devnull, "--notify"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env))
    errs = [p.communicate(timeout=600)[1] for p in procs]
    completes = sum("the run is complete" in e for e in errs)
    teams = [m[0] for m in messages(http)]
    check(f"{tag}_concurrent_shards_complete_once",
          all(p.returncode in (0, 3) for p in procs) and completes == 1
          and teams and len(teams) == len(set(teams)),
          "completes %d, teams %s, %s" % (completes, teams, [e[-200:] for e in errs]))
    http.close()


def pg_url(name):
    return peers.pg_url("runs", name)


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    backend("sqlite", "sqlite:" + os.path.join(OUT, "runs.db"),
            "sqlite:" + os.path.join(OUT, "ref.db"))
    if os.environ.get("CUSTOS_TEST_PG"):
        backend("pg", pg_url("runs"), pg_url("ref"))
    else:
        check("pg_server_available", False, os.environ.get(
            "CUSTOS_TEST_PG_ERROR", "CUSTOS_TEST_PG is not set: tests/run.sh starts PostgreSQL"))
    return 1 if failures else 0


sys.exit(main())
