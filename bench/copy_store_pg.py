#!/usr/bin/python3
"""Copy a SQLite findings store into a PostgreSQL database (bench/web.sh DB_URL=).

custos itself creates and migrates the PostgreSQL schema (`custos findings
--db URL` once), so the tables are custos's own; this script then streams
every table's rows from the SQLite file through `psql \\copy ... FROM STDIN`
(CSV), moves the identity sequences past the copied ids and runs VACUUM
ANALYZE, so the planner sees the same store the SQLite numbers come from.
Columns are matched by name; a column PostgreSQL has and SQLite lacks fails
loudly.

    bench/copy_store_pg.py --from build/bench/web-1000000.db --to postgresql://...
"""
import argparse
import os
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SKIP = {"meta"}  # custos writes its own schema version


def psql(url, sql, stdin=None):
    r = subprocess.run(["psql", "-qAt", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                       input=stdin, capture_output=True)
    if r.returncode != 0:
        sys.exit(f"copy_store_pg: psql failed on {sql[:80]!r}: {r.stderr.decode()[-400:]}")
    return r.stdout.decode()


def pg_columns(url, table):
    out = psql(url, "SELECT column_name FROM information_schema.columns WHERE table_name = "
                    f"'{table}' AND table_schema = current_schema() ORDER BY ordinal_position")
    return out.split()


def csv_value(v):
    """PostgreSQL CSV: NULL is an unquoted empty field, so every string is
    quoted (an empty string stays one)."""
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, bytes):
        v = v.decode()
    return '"' + v.replace('"', '""') + '"'


def copy_table(con, url, table):
    cols = pg_columns(url, table)
    have = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
    missing = [c for c in cols if c not in have]
    if missing:
        sys.exit(f"copy_store_pg: {table}: SQLite store lacks {', '.join(missing)}")
    # Only a table that holds rows is emptied: the audit log refuses
    # TRUNCATE (append-only), and a fresh database's is empty anyway.
    if psql(url, f"SELECT 1 FROM {table} LIMIT 1").strip():
        psql(url, f"TRUNCATE {table}")
    n = 0
    cur = con.execute(f"SELECT {', '.join(cols)} FROM {table}")
    while True:
        rows = cur.fetchmany(50000)
        if not rows:
            break
        text = "".join(",".join(csv_value(v) for v in row) + "\n" for row in rows)
        psql(url, f"\\copy {table} ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv)",
             stdin=text.encode())
        n += len(rows)
    # An identity id (runs' id is the run's name: no sequence).
    if "id" in cols and psql(url, f"SELECT pg_get_serial_sequence('{table}', 'id')").strip():
        psql(url, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                  f"GREATEST((SELECT MAX(id) FROM {table}), 1))")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--from", dest="src", required=True, help="SQLite store (path)")
    ap.add_argument("--to", dest="url", required=True, help="postgresql:// URL (replaced)")
    ap.add_argument("--custos", default=os.path.join(ROOT, "build", "release", "custos"))
    a = ap.parse_args()
    r = subprocess.run([a.custos, "findings", "--db", a.url, "--limit", "1"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"copy_store_pg: custos could not open {a.url}: {r.stderr.strip()}")
    con = sqlite3.connect(f"file:{a.src}?mode=ro", uri=True)
    tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name")
              if t not in SKIP]
    t0 = time.time()
    for t in tables:
        n = copy_table(con, a.url, t)
        print(f"copy_store_pg: {t}: {n} rows ({time.time() - t0:.0f} s)", file=sys.stderr)
    # VACUUM too: index-only scans need the visibility map, which a bulk
    # load leaves empty until autovacuum gets round to it.
    psql(a.url, "VACUUM ANALYZE")
    print(f"copy_store_pg: done in {time.time() - t0:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
