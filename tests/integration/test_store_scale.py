#!/usr/bin/python3
"""The store as scans build it, on SQLite and PostgreSQL (issue 17).

A store of about 21,000 findings made by bench/scan_store.py (the shared
security-group benchmark spread over 44 accounts, three daily scans with
changes), never analysed by hand:
- plans: every query the dashboard makes for its lists, counts, pages and
  findings (CUSTOS_DEBUG_PLAN=1 prints each plan) reads findings through an
  index, never a table scan, never a MULTI-INDEX OR, and sorts only the
  final page; on PostgreSQL (with seq scans disabled, so the test asks "is
  there a usable index", not "is the table small") no Seq Scan on findings
  and the page comes from an index in list order;
- deep pages: walking the `next` links, jumping deep with after= and going
  back with before= give exactly the rows the offset query gives, for
  several filters, and the totals agree;
- exports stream: `custos findings --format sarif|json|ocsf` of the whole
  store peak well below the size of what they write (a writer that holds
  its output, or a driver that holds the whole result, cannot pass);
- diff streams: `custos diff --from 0` (every finding of the store is a
  change) in JSON and as a table peaks at most a few MB over the latest
  scan's diff (about 1% of it), whatever it writes.
Nothing here is timed.
"""
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(ROOT)
CUSTOS = os.environ.get("CUSTOS", "build/release/custos")
RELEASE = os.environ.get("CUSTOS_RELEASE", CUSTOS)
OUT = os.environ.get("OUT", "build/test-out")
SHARED = os.environ.get("SHARED", os.path.join(ROOT, "..", "shared"))
PG_ADMIN = os.environ.get("CUSTOS_TEST_PG")
GROUPS = 12000
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {str(why)[:600]}")
    return cond


def pg_url(name):
    return peers.pg_url("scale", name, PG_ADMIN)


def build(db, tag):
    r = subprocess.run(["/usr/bin/python3", "bench/scan_store.py", "--custos", RELEASE, "--db", db,
                        "--work", os.path.join(OUT, "scale-inputs"), "-n", str(GROUPS),
                        "--days", "3", "--shared", SHARED], capture_output=True, text=True)
    return check(f"{tag}_store_built_by_scans", r.returncode == 0, r.stderr[-600:] + r.stdout)


class Server:
    def __init__(self, db, env, log):
        e = dict(os.environ, **env)
        e.pop("CUSTOS_DB", None)
        self.log = log
        # stderr to a file: the plans of every query would fill a pipe
        self.fh = open(log, "w")
        self.p = subprocess.Popen([CUSTOS, "serve", "--db", db, "--listen", "127.0.0.1:0"],
                                  stdout=self.fh, stderr=self.fh, env=e)
        self.base = None
        for _ in range(600):
            m = re.search(r"custos serve: http://127\.0\.0\.1:(\d+)/", open(log).read())
            if m:
                self.base = f"http://127.0.0.1:{m.group(1)}"
                break
            if self.p.poll() is not None:
                break
            time.sleep(0.1)

    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=120) as r:
            return r.read()

    def json(self, path):
        return json.loads(self.get("/api" + path))

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=60)
        self.fh.close()
        return self.p.returncode, open(self.log).read()


def oracle(db, args, offset, limit):
    """Fingerprints of a page by offset (the CLI's offset query)."""
    r = subprocess.run([CUSTOS, "findings", "--db", db, "--format", "csv", "--offset", str(offset),
                        "--limit", str(limit), *args], capture_output=True, text=True)
    return [line.split(",", 1)[0] for line in r.stdout.splitlines()[1:]]


def fps(page):
    return [f["fingerprint"] for f in page["findings"]]


def some(db, sql):
    if db.startswith("sqlite:"):
        import sqlite3
        c = sqlite3.connect(db[len("sqlite:"):])
        v = c.execute(sql).fetchone()[0]
        c.close()
        return v
    r = subprocess.run(["psql", "-qAt", db, "-c", sql], capture_output=True, text=True, check=True)
    return r.stdout.strip()


def plans(text):
    """[(sql, [lines])] from CUSTOS_DEBUG_PLAN output."""
    out = []
    for line in text.splitlines():
        if not line.startswith("custos: plan: "):
            continue
        body = line[len("custos: plan: "):]
        if body.startswith("  "):
            if out:
                out[-1][1].append(body.strip())
        else:
            out.append((body, []))
    return out


def check_plans_sqlite(tag, ps):
    """No table scan of findings, no MULTI-INDEX OR, and no sort in a query
    level that reads findings, but the top one (which orders the page's
    own rows after the join) and the keyset union's (a few pages)."""
    bad = []
    for sql, lines in ps:
        if "findings" not in sql:
            continue
        levels = {}
        for line in lines:
            m = re.match(r"(\d+) (\d+) (.*)", line)
            if m:
                levels.setdefault(int(m.group(2)), []).append(m.group(3))
        for parent, details in levels.items():
            reads = [d for d in details if re.match(r"(SCAN|SEARCH) (f|findings)( |$)", d)]
            for d in reads:
                if "USING" not in d:
                    bad.append(("table scan", d, sql))
            if any("MULTI-INDEX OR" in d for d in details):
                bad.append(("multi-index or", details, sql))
            # a fingerprint lookup (the finding page) sorts its one row
            walks = [d for d in reads if "sqlite_autoindex_findings_1" not in d]
            if parent != 0 and walks and any("TEMP B-TREE" in d for d in details):
                bad.append(("sorts findings", details, sql))
    n = sum(1 for sql, _ in ps if "FROM findings" in sql)
    check(f"{tag}_plans_seen", n >= 10, n)
    check(f"{tag}_plans_use_indexes", not bad, bad[:3])


def check_plans_pg(tag, ps):
    bad = []
    lists = 0
    for sql, lines in ps:
        if "findings" not in sql:
            continue
        text = "\n".join(lines)
        if re.search(r"Seq Scan on (findings|finding_details)\b", text):
            bad.append(("seq scan", sql))
        if "AS fp FROM findings f" in sql:
            lists += 1
            if not re.search(r"Index (Only )?Scan( Backward)? using findings_(by_rank|by_team_rank|"
                             r"by_account_rank|new|regressed|resolved|suppressed|pkey)", text):
                bad.append(("page not from a list index", text[:400], sql))
    check(f"{tag}_plans_seen", lists >= 5, lists)
    check(f"{tag}_plans_use_indexes", not bad, bad[:3])


def pages(tag, db, srv):
    team = some(db, "SELECT team FROM accounts WHERE team IS NOT NULL ORDER BY team LIMIT 1")
    acc = some(db, "SELECT account_id FROM findings GROUP BY account_id ORDER BY COUNT(*) DESC "
                   "LIMIT 1")
    cases = [("all", "/findings?status=all", ["--status", "all"]),
             ("open", "/findings?", []),
             ("team", f"/team/{team}?", ["--team", team]),
             ("account", f"/account/{acc}?", ["--account", acc]),
             ("severity", "/findings?severity=high&", ["--severity", "high"]),
             ("resolved", "/findings?status=resolved&", ["--status", "resolved"])]
    for name, path, args in cases:
        sep = "&" if "?" in path and not path.endswith(("?", "&")) else ""
        first = srv.json(path + sep + "page=1")
        ok = fps(first) == oracle(db, args, 0, 50)
        # walk four pages by their next links
        page, k = first, 1
        while ok and page.get("next") and k < 5:
            page = json.loads(srv.get(page["next"]))
            k += 1
            ok = fps(page) == oracle(db, args, (k - 1) * 50, 50)
        check(f"{tag}_next_links_{name}", ok, f"page {k}")
        # a deep jump by key, and the way back
        total = first["total"]
        deep = min(200, max(2, total // 50 - 1))
        cursor = oracle(db, args, (deep - 1) * 50 - 1, 1)
        if not cursor:
            check(f"{tag}_deep_{name}", total <= 50, total)
            continue
        got = srv.json(f"{path}{sep}page={deep}&after={cursor[0]}")
        want = oracle(db, args, (deep - 1) * 50, 50)
        check(f"{tag}_deep_after_{name}", fps(got) == want and got["page"] == deep,
              f"{fps(got)[:3]} vs {want[:3]}")
        if want:
            back = srv.json(f"{path}{sep}page={deep - 1}&before={want[0]}")
            check(f"{tag}_deep_before_{name}",
                  fps(back) == oracle(db, args, (deep - 2) * 50, 50), fps(back)[:3])
        n_all = len(oracle(db, args, 0, 10**9)) if total < 10050 else None
        if n_all is not None:
            check(f"{tag}_deep_total_{name}", got["total"] == n_all and got["total_exact"],
                  f"{got['total']} vs {n_all}")


def peak_kb(args):
    r = subprocess.run(["/usr/bin/time", "-f", "%M", RELEASE, *args], capture_output=True,
                       text=True)
    last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    return r, int(last) if last.isdigit() else 0


def exports(tag, db):
    _, base_kb = peak_kb(["findings", "--db", db, "--limit", "1", "--format", "json"])
    for fmt in ("sarif", "json", "ocsf"):
        path = os.path.join(OUT, f"scale-{tag}.{fmt}")
        r, kb = peak_kb(["findings", "--db", db, "--status", "all", "--format", fmt, "-o", path])
        size = os.path.getsize(path) if os.path.exists(path) else 0
        # Over a one-row listing, the whole export may add a quarter of its
        # output's size: a writer holding its output (or the rows behind it,
        # or libpq's whole result) adds at least all of it.
        check(f"{tag}_export_{fmt}_streams", r.returncode == 0 and size > 10 << 20
              and base_kb > 0 and kb - base_kb < (size >> 10) // 4,
              f"rc {r.returncode}, {size >> 20} MB out, peak {kb >> 10} MB over "
              f"{base_kb >> 10} MB {r.stderr[-300:]}")
        if fmt == "json" and r.returncode == 0:
            doc = json.load(open(path))
            check(f"{tag}_export_json_whole", doc["count"] == len(doc["findings"]) > 20000,
                  doc["count"])
        os.remove(path)


def diffs(tag, db):
    """custos diff over the whole history (--from 0: every stored finding
    that is not resolved now is a change) against the latest scan's diff
    (about 1%): memory must not follow the output."""
    small = os.path.join(OUT, f"scale-{tag}-diff-small")
    _, base_kb = peak_kb(["diff", "--db", db, "--format", "json", "-o", small])
    os.remove(small)
    for fmt in ("json", "table"):
        path = os.path.join(OUT, f"scale-{tag}-diff.{fmt}")
        r, kb = peak_kb(["diff", "--db", db, "--from", "0", "--format", fmt, "-o", path])
        size = os.path.getsize(path) if os.path.exists(path) else 0
        # The rows cost the back end's bounded buffers (SQLite's sorters
        # spill past its cache size; libpq's single-row mode holds one
        # row): a few MB at any size.  Holding the window's events with
        # their findings (before: 29 MB over for 6 MB of JSON here) or the
        # output cannot pass.
        check(f"{tag}_diff_{fmt}_streams", r.returncode == 0 and size > 2 << 20
              and base_kb > 0 and kb - base_kb < 8 << 10,
              f"rc {r.returncode}, {size >> 20} MB out, peak {kb >> 10} MB over "
              f"{base_kb >> 10} MB {r.stderr[-300:]}")
        if fmt == "json" and r.returncode == 0:
            doc = json.load(open(path))
            n = int(some(db, "SELECT COUNT(*) FROM findings WHERE status <> 'resolved'"))
            check(f"{tag}_diff_whole_history", len(doc["changes"]) == n > 20000,
                  f"{len(doc['changes'])} changes, {n} unresolved findings")
        os.remove(path)


def main():
    os.makedirs(OUT, exist_ok=True)
    backends = [("sqlite", "sqlite:" + os.path.join(OUT, "scale.db"))]
    for p in (backends[0][1][7:], backends[0][1][7:] + "-wal", backends[0][1][7:] + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    if PG_ADMIN:
        backends.append(("pg", pg_url("s")))
    else:
        check("pg_server_available", False, "CUSTOS_TEST_PG is not set")
    for tag, db in backends:
        if not build(db, tag):
            continue
        stats = some(db, "SELECT value FROM meta WHERE key = 'stats_rows'")
        check(f"{tag}_scans_took_statistics", stats and int(stats) > 20000, stats)
        env = {"CUSTOS_DEBUG_PLAN": "1"}
        if tag == "pg":
            env["PGOPTIONS"] = "-c enable_seqscan=off"
        srv = Server(db, env, os.path.join(OUT, f"scale-serve-{tag}.log"))
        if not check(f"{tag}_server_started", srv.base, ""):
            continue
        try:
            pages(tag, db, srv)
            fp = some(db, "SELECT fingerprint FROM findings ORDER BY fingerprint LIMIT 1")
            srv.get(f"/finding/{fp}")
            srv.get("/")
        finally:
            rc, err = srv.stop()
        check(f"{tag}_server_clean", rc == 0 and "Sanitizer" not in err, err[-600:])
        (check_plans_sqlite if tag == "sqlite" else check_plans_pg)(tag, plans(err))
        exports(tag, db)
        diffs(tag, db)
    sys.exit(1 if failures else 0)


main()
