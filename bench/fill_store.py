#!/usr/bin/python3
"""Fill a SQLite findings store with N synthetic findings (default 1,000,000).

The schema is custos's own: the script first runs `custos suppress --list
--db sqlite:PATH` once so custos creates and migrates the database (read-only
commands never create a store), then reads
the column lists back (PRAGMA table_info) and bulk-inserts with python's
sqlite3.  A schema change that adds a NOT NULL column this script does not
know fails here with its name, rather than producing a store custos cannot
read.

What it makes, deterministic for a given --seed:
- 44 accounts in 14 teams (prod, staging, dev), findings skewed towards a
  few big accounts, as in a real organisation;
- findings from the built-in pack's policies (policies/aws/*.yml): their
  severity, category, description, and fix and runbook templates filled in
  with the finding's resource and account (so the detail rows are as bulky
  as real ones); priorities 0-100 from severity, environment and noise;
- 30 daily scans ending now: most findings appear in the first scan, the
  rest on later days; about 17% are resolved (some regressed after), 2%
  suppressed by rules with reasons and expiries, the rest open;
- the lifecycle events of each finding (new, resolved, regressed,
  suppressed) and the daily_counts rows computed from them exactly as the
  store does (open/suppressed per day, new/resolved/regressed on the day,
  max open priority).
Secondary indexes are dropped during the load and recreated from their own
SQL afterwards (same definitions, faster load).
"""
import argparse
import glob
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import time

import yaml

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
TEAMS = ["payments", "identity", "platform", "data", "web", "mobile", "search", "ml",
         "billing", "security", "growth", "infra", "support", "analytics"]
ENVS = ["prod", "staging", "dev"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
SEV_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
SEV_BASE = {"info": 5, "low": 20, "medium": 40, "high": 60, "critical": 75}
ENV_BONUS = {"prod": 15, "staging": 5, "dev": 0}
ID_PREFIX = {"security-group": "sg", "ebs": "vol", "ebs-snapshot": "snap", "rds": "db",
             "rds-snapshot": "rds-snap", "ec2": "i", "iam-user": "user", "iam-role": "role",
             "iam-policy": "policy", "s3": "bucket", "kms-key": "key", "elb": "lb", "asg": "asg",
             "cloudtrail": "trail", "account": "acct"}
DAY = 86400
DAYS = 30


def log(msg):
    print(f"fill_store: {msg}", file=sys.stderr, flush=True)


def load_policies():
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "policies", "aws", "*.yml"))):
        for p in yaml.safe_load(open(path)).get("policies", []):
            md = p.get("metadata", {}) or {}
            out.append({
                "name": p["name"],
                "resource": p["resource"].split(".", 1)[-1],
                "description": p.get("description", p["name"]),
                "severity": md.get("severity", "medium"),
                "category": md.get("category", "general"),
                "fix": md.get("fix"),
                "runbook": md.get("runbook"),
            })
    if not out:
        sys.exit("fill_store: no policies found under policies/aws")
    return out


TEMPLATE = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")


def render(text, ctx):
    if not text:
        return None
    return TEMPLATE.sub(lambda m: str(ctx.get(m.group(1), ctx["id"])), text)


def make_accounts(rng):
    accounts = []
    for i in range(44):
        team = TEAMS[i % len(TEAMS)]
        env = ENVS[(i // len(TEAMS)) % len(ENVS)]
        accounts.append({"id": f"{100000000000 + i * 7919:012d}", "name": f"{team}-{env}-{i:02d}",
                         "team": team, "env": env})
    # A few big accounts: weights fall off like a Zipf law.
    order = list(range(44))
    rng.shuffle(order)
    weights = [0.0] * 44
    for rank, i in enumerate(order):
        weights[i] = 1.0 / (rank + 1) ** 0.8
    return accounts, weights


def schema(con, table):
    return {r[1]: {"notnull": bool(r[3]), "default": r[4], "pk": bool(r[5])}
            for r in con.execute(f"PRAGMA table_info({table})")}


def inserter(con, table, rows_cols):
    cols = schema(con, table)
    if not cols:
        sys.exit(f"fill_store: custos made no table {table}: the schema changed; update this script")
    missing = [c for c, d in cols.items()
               if d["notnull"] and d["default"] is None and not d["pk"] and c not in rows_cols]
    if missing:
        sys.exit(f"fill_store: {table} has NOT NULL columns this script does not fill: {missing}")
    use = [c for c in rows_cols if c in cols]
    sql = f"INSERT INTO {table} ({', '.join(use)}) VALUES ({', '.join('?' * len(use))})"
    idx = [rows_cols.index(c) for c in use]
    return lambda rows: con.executemany(sql, ([r[i] for i in idx] for r in rows))


FINDING_KEYS = ["fingerprint", "policy", "description", "severity", "severity_rank", "category",
                "resource_type", "resource_id", "resource_name", "account_id", "account_name",
                "team", "environment", "region", "priority", "reasons", "fix", "runbook",
                "evidence", "status", "first_seen", "last_seen", "resolved_at", "first_scan",
                "last_scan", "suppression_id", "suppressed_until", "content_hash"]
EVENT_COLS = ["scan_id", "fingerprint", "at", "status", "previous", "team", "account_id",
              "priority", "severity_rank"]


def record_writer(con, table, keys, required=True):
    """Inserts dict records into table, using the columns it has (a finding's
    fields live in findings, or are split with finding_details, depending on
    the schema version)."""
    cols = schema(con, table)
    if not cols:
        if required:
            sys.exit(f"fill_store: custos made no table {table}: update this script")
        return lambda recs: None
    missing = [c for c, d in cols.items()
               if d["notnull"] and d["default"] is None and not d["pk"] and c not in keys]
    if missing:
        sys.exit(f"fill_store: {table} has NOT NULL columns this script does not fill: {missing}")
    use = [c for c in keys if c in cols]
    sql = f"INSERT INTO {table} ({', '.join(use)}) VALUES ({', '.join('?' * len(use))})"
    return lambda recs: con.executemany(sql, ([r[c] for c in use] for r in recs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", required=True, help="path of the SQLite file to create (replaced)")
    ap.add_argument("--custos", default=os.path.join(ROOT, "build", "release", "custos"))
    ap.add_argument("-n", type=int, default=1_000_000, help="number of findings")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    t0 = time.time()

    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(a.db + suffix):
            os.remove(a.db + suffix)
    r = subprocess.run([a.custos, "suppress", "--list", "--db", f"sqlite:{a.db}"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"fill_store: custos suppress --list failed: {r.stderr.strip()}")

    con = sqlite3.connect(a.db, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1048576")
    indexes = [(n, s) for n, s in con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")]
    for n, _ in indexes:
        con.execute(f"DROP INDEX {n}")
    con.execute("BEGIN")

    policies = load_policies()
    pol_weights = [{"critical": 1, "high": 3, "medium": 6, "low": 5, "info": 2}[p["severity"]]
                   for p in policies]
    accounts, acc_weights = make_accounts(rng)
    now = int(time.time())
    scan_at = [now - (DAYS - 1 - d) * DAY for d in range(DAYS)]  # scan d+1 at scan_at[d]

    ins_scan = inserter(con, "scans", ["id", "started_at", "at", "inventory", "accounts",
                                       "regions", "policies", "found", "new_count",
                                       "regressed", "resolved"])
    all_acc = json.dumps([x["id"] for x in accounts])
    all_pol = json.dumps([p["name"] for p in policies])
    ins_scan([(d + 1, scan_at[d] - 40, scan_at[d], "synthetic", all_acc, None, all_pol, 0, 0, 0, 0)
              for d in range(DAYS)])
    inserter(con, "accounts", ["account_id", "name", "team", "environment", "last_scan",
                               "last_scan_at"])(
        [(x["id"], x["name"], x["team"], x["env"], DAYS, scan_at[-1]) for x in accounts])

    # Suppression rules: one per (team, a few policies), findings point at them.
    ins_sup = inserter(con, "suppressions", ["id", "fingerprint", "policy", "account", "region",
                                             "resource", "reason", "author", "created_at",
                                             "expires_at", "source"])
    rules = []
    for i, t in enumerate(TEAMS):
        p = policies[(i * 5) % len(policies)]
        rules.append((i + 1, None, p["name"], None, None, None,
                      f"accepted risk for {t}: compensating control in place",
                      f"{t}-lead@example.com", scan_at[5], now + (30 + i) * DAY, "cli"))
    ins_sup(rules)

    fps = set()
    while len(fps) < a.n:
        fps.add(rng.getrandbits(64) | (1 << 60))
    fps = sorted(fps)
    ins_f = record_writer(con, "findings", FINDING_KEYS)
    ins_d = record_writer(con, "finding_details", FINDING_KEYS, required=False)
    ins_e = inserter(con, "finding_events", EVENT_COLS)
    acc_choice = rng.choices(range(44), weights=acc_weights, k=a.n)
    pol_choice = rng.choices(range(len(policies)), weights=pol_weights, k=a.n)
    rendered = {}
    chunk_f, chunk_e = [], []
    counts = {"new": 0, "open": 0, "regressed": 0, "resolved": 0, "suppressed": 0}
    for i, fpn in enumerate(fps):
        fp = f"{fpn:016x}"
        acc = accounts[acc_choice[i]]
        p = policies[pol_choice[i]]
        region = REGIONS[rng.randrange(len(REGIONS))] if p["resource"] not in (
            "iam-user", "iam-role", "iam-policy", "account", "s3") else "us-east-1"
        rid = f"{ID_PREFIX.get(p['resource'], 'res')}-{fpn & 0xffffffffff:010x}"
        rname = f"{acc['team']}-{p['resource']}-{i % 9973}" if rng.random() < 0.6 else None
        prio = SEV_BASE[p["severity"]] + ENV_BONUS[acc["env"]] + rng.randrange(0, 11)
        exposed = p["category"] in ("network", "exposure") and rng.random() < 0.3
        if exposed:
            prio += 10
        prio = max(0, min(100, prio))
        reasons = [f"severity {p['severity']}", f"{acc['env']} account"]
        if exposed:
            reasons.append("reachable from the internet")
        if rng.random() < 0.3:
            reasons.append(f"used by {rng.randrange(1, 40)} instances")
        # Lifecycle: first day (60% in the first scan), maybe resolved, maybe back.
        first = 0 if rng.random() < 0.6 else rng.randrange(1, DAYS)
        x = rng.random()
        events = [(first, "new", None)]
        status, resolved_day, sup = "open", None, None
        if x < 0.15 and first < DAYS - 1:
            resolved_day = rng.randrange(first + 1, DAYS)
            events.append((resolved_day, "resolved", "open"))
            status = "resolved"
        elif x < 0.17 and first < DAYS - 2:
            rd = rng.randrange(first + 1, DAYS - 1)
            events += [(rd, "resolved", "open"), (rng.randrange(rd + 1, DAYS), "regressed",
                                                   "resolved")]
            status = "regressed"
        elif x < 0.19 and first < DAYS - 1:
            sup = rules[TEAMS.index(acc["team"])]
            events.append((rng.randrange(first + 1, DAYS), "suppressed", "open"))
            status = "suppressed"
        if status == "open" and first == DAYS - 1:
            status = "new"
        counts[status] += 1
        last_day = resolved_day - 1 if resolved_day is not None else DAYS - 1
        ctx = {"id": rid, "account": acc["id"], "account_name": acc["name"], "region": region,
               "name": rname or rid, "resource_name": rname or rid}
        key = (p["name"], acc["id"], region)
        if key not in rendered:  # the text varies by id: re-render with this id cheaply
            rendered[key] = (render(p["fix"], dict(ctx, id="\x00")),
                             render(p["runbook"], dict(ctx, id="\x00")))
        fix_t, rb_t = rendered[key]
        chunk_f.append({
            "fingerprint": fp, "policy": p["name"], "description": p["description"],
            "severity": p["severity"], "severity_rank": SEV_RANK[p["severity"]],
            "category": p["category"], "resource_type": p["resource"], "resource_id": rid,
            "resource_name": rname, "account_id": acc["id"], "account_name": acc["name"],
            "team": acc["team"], "environment": acc["env"], "region": region,
            "priority": prio, "reasons": json.dumps(reasons),
            "fix": fix_t.replace("\x00", rid) if fix_t else None,
            "runbook": rb_t.replace("\x00", rid) if rb_t else None,
            "evidence": json.dumps({"id": rid, "region": region, "account": acc["id"],
                                    "matched": p["name"]}),
            "status": status, "first_seen": scan_at[first], "last_seen": scan_at[last_day],
            "resolved_at": scan_at[resolved_day] if resolved_day is not None else None,
            "first_scan": first + 1, "last_scan": last_day + 1,
            "suppression_id": sup[0] if sup else None,
            "suppressed_until": sup[9] if sup else None,
            "content_hash": f"{rng.getrandbits(64):016x}"})
        for day, st, prev in events:
            chunk_e.append((day + 1, fp, scan_at[day], st, prev, acc["team"], acc["id"], prio,
                            SEV_RANK[p["severity"]]))
        if len(chunk_f) >= 50_000:
            ins_f(chunk_f), ins_d(chunk_f), ins_e(chunk_e)
            chunk_f, chunk_e = [], []
            log(f"{i + 1} findings ({time.time() - t0:.0f} s)")
    ins_f(chunk_f), ins_d(chunk_f), ins_e(chunk_e)
    con.execute("COMMIT")

    log(f"recreating {len(indexes)} indexes ({time.time() - t0:.0f} s)")
    for _, sql in indexes:
        con.execute(sql)
    log(f"daily counts ({time.time() - t0:.0f} s)")
    fill_daily_counts(con)
    con.execute("UPDATE scans SET found = (SELECT COUNT(*) FROM finding_events e WHERE "
                "e.scan_id = scans.id), new_count = (SELECT COUNT(*) FROM finding_events e WHERE "
                "e.scan_id = scans.id AND e.status = 'new')")
    con.execute("ANALYZE")
    con.close()
    # Back to custos's own journal mode (WAL) by opening it once more.
    subprocess.run([a.custos, "findings", "--db", f"sqlite:{a.db}", "--limit", "1",
                    "--format", "json"], capture_output=True, check=True)
    size = os.path.getsize(a.db) / 1e6
    log(f"{a.n} findings {counts}, {size:.0f} MB, {time.time() - t0:.0f} s")


def fill_daily_counts(con):
    """Per day, account and severity, as the store writes them after each
    scan: open/suppressed as of that day, the day's transitions."""
    con.execute("BEGIN")
    con.execute("""
        CREATE TEMP TABLE life AS
        SELECT f.fingerprint, f.account_id, f.severity, f.priority, f.first_scan,
               (SELECT MIN(e.scan_id) FROM finding_events e WHERE e.fingerprint = f.fingerprint
                  AND e.status IN ('resolved', 'suppressed')) AS closed,
               (SELECT MIN(e.scan_id) FROM finding_events e WHERE e.fingerprint = f.fingerprint
                  AND e.status = 'regressed') AS back,
               (SELECT e.status FROM finding_events e WHERE e.fingerprint = f.fingerprint
                  AND e.status IN ('resolved', 'suppressed') ORDER BY e.id LIMIT 1) AS how
        FROM findings f""")
    for d in range(1, DAYS + 1):
        con.execute("""
            INSERT INTO daily_counts (day, account_id, account_name, team, environment, severity,
                open, new_count, resolved, regressed, suppressed, max_priority)
            SELECT (SELECT at FROM scans WHERE id = :d) / 86400, a.account_id, a.name, a.team,
                   a.environment, l.severity,
                   SUM(o), SUM(l.first_scan = :d), SUM(IFNULL(l.closed = :d AND l.how = 'resolved', 0)),
                   SUM(IFNULL(l.back = :d, 0)), SUM(IFNULL(l.how = 'suppressed' AND l.closed <= :d, 0)),
                   MAX(CASE WHEN o THEN l.priority ELSE 0 END)
            FROM (SELECT *, (first_scan <= :d AND (closed IS NULL OR closed > :d
                             OR (back IS NOT NULL AND back <= :d))) AS o FROM life) l
            JOIN accounts a ON a.account_id = l.account_id
            WHERE l.first_scan <= :d
            GROUP BY a.account_id, l.severity""", {"d": d})
    con.execute("COMMIT")


if __name__ == "__main__":
    main()
