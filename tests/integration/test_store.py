#!/usr/bin/python3
"""The findings store end to end, through the CLI, on SQLite and PostgreSQL.

On the sample organisation, scanned several times with changes made to the
inventory in between:
- scan 1: every finding is new; `custos findings` returns exactly what a
  --no-store scan reports (the oracle), with the same fingerprints;
- scan 2 (one volume encrypted, another one not): exactly one resolved and
  one new, the rest open; `custos diff` says so for the right teams;
- scan 3 (the first volume unencrypted again): it is regressed;
- a scan limited to one account resolves nothing elsewhere;
- suppress / unsuppress / a suppressions YAML file, expiry reopening;
- `custos history` counts per day; `custos history --scans`;
- a database written by a newer custos is refused, untouched;
- kill -9 while the scan's transaction is open leaves the previous state;
- bad URLs and bad suppression files fail clearly.
The same suite runs on SQLite and on the PostgreSQL server the test
harness started ($CUSTOS_TEST_PG); without that server the PostgreSQL half
fails rather than skips.
"""
import csv
import glob
import io
import json
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(ROOT)
CUSTOS = os.environ.get("CUSTOS", "build/release/custos")
OUT = os.environ.get("OUT", "build/test-out")
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}")


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("CUSTOS_DB", None)
    for k, v in (env or {}).items():  # None removes a variable
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return subprocess.run([CUSTOS, *args], capture_output=True, text=True, env=e)


def volumes_file(org, account):
    files = glob.glob(os.path.join(org, account, "*", "ec2.DescribeVolumes.json"))
    return files


def set_encrypted(org, volume_id, value):
    for path in glob.glob(os.path.join(org, "*", "*", "ec2.DescribeVolumes.json")):
        doc = json.load(open(path))
        hit = False
        for v in doc.get("Volumes", []):
            if v.get("VolumeId") == volume_id:
                v["Encrypted"] = value
                hit = True
        if hit:
            json.dump(doc, open(path, "w"), indent=1)
            return True
    return False


def pick_encrypted_volume(org, avoid_account):
    for path in sorted(glob.glob(os.path.join(org, "*", "*", "ec2.DescribeVolumes.json"))):
        account = path.split(os.sep)[-3]
        if account == avoid_account:
            continue
        for v in json.load(open(path)).get("Volumes", []):
            if v.get("Encrypted") is True and not v.get("KmsKeyId", "").endswith("missing"):
                return account, v["VolumeId"]
    return None, None


def oracle(org, *extra):
    r = run("scan", "--inventory", org, "--no-store", "--format", "json", *extra)
    return {f["fingerprint"]: f for f in json.loads(r.stdout)["findings"]}


def stored(db, *args):
    r = run("findings", "--db", db, "--format", "json", *args)
    if r.returncode != 0:
        return None, r.stderr
    return {f["fingerprint"]: f for f in json.loads(r.stdout)["findings"]}, r.stderr


def latest_counts(db, account):
    """(open, suppressed) of the account's latest day in `custos history`."""
    r = run("history", "--db", db, "--by", "account", "--format", "json")
    rows = [x for x in json.loads(r.stdout)["rows"] if x["account"] == account] \
        if r.returncode == 0 else []
    if not rows:
        return None
    last = max(rows, key=lambda x: x["day"])
    return last["open"], last["suppressed"]


def scan(db, org, *extra, env=None):
    return run("scan", "--inventory", org, "--db", db, "--format", "json", "-o", os.devnull,
               *extra, env=env)


def suite(tag, db, org):
    base = oracle(org)
    ebs = [f for f in base.values() if f["policy"] == "ebs-unencrypted"]
    check(f"{tag}_oracle_has_ebs", len(ebs) == 1, f"{len(ebs)} ebs-unencrypted findings")
    if not ebs:
        return
    vol, vol_acct = ebs[0]["id"], ebs[0]["account"]
    other_acct, other_vol = pick_encrypted_volume(org, vol_acct)
    check(f"{tag}_found_encrypted_volume", other_vol is not None)

    # --- scan 1: everything new ---
    r = scan(db, org)
    check(f"{tag}_scan1_ok", r.returncode in (0, 3), r.stderr[-500:])
    check(f"{tag}_scan1_summary", f"{len(base)} new, 0 regressed, 0 resolved" in r.stderr,
          r.stderr[-300:])
    s1, err = stored(db)
    check(f"{tag}_scan1_same_set_as_report", s1 is not None and set(s1) == set(base),
          err if s1 is None else f"{len(s1)} stored vs {len(base)} reported")
    if not s1:
        return
    check(f"{tag}_scan1_all_new", all(f["status"] == "new" for f in s1.values()))
    fp = next(iter(base))
    check(f"{tag}_scan1_fields_kept",
          all(s1[k]["priority"] == base[k]["priority"] and s1[k]["fix"] == base[k].get("fix")
              and s1[k]["reasons"] == base[k]["reasons"] for k in base),
          "priority/fix/reasons differ between report and store")
    r = run("findings", "--db", db, "--format", "json", "--status", "all", "--limit", "5")
    js = json.loads(r.stdout) if r.returncode == 0 else {"findings": []}
    prios = [f["priority"] for f in js["findings"]]
    check(f"{tag}_findings_limit_sorted", len(prios) == 5 and prios == sorted(prios, reverse=True),
          str(prios))

    # --- scan 2: one fixed, one broken ---
    set_encrypted(org, vol, True)
    set_encrypted(org, other_vol, False)
    want2 = oracle(org)
    r = scan(db, org)
    check(f"{tag}_scan2_summary", "1 new, 0 regressed, 1 resolved" in r.stderr, r.stderr[-300:])
    s2, _ = stored(db, "--status", "all")
    new2 = {k for k, f in s2.items() if f["status"] == "new"}
    res2 = {k for k, f in s2.items() if f["status"] == "resolved"}
    check(f"{tag}_scan2_new_is_the_broken_volume",
          len(new2) == 1 and s2[next(iter(new2))]["id"] == other_vol, str(new2))
    check(f"{tag}_scan2_resolved_is_the_fixed_volume",
          len(res2) == 1 and s2[next(iter(res2))]["id"] == vol, str(res2))
    check(f"{tag}_scan2_rest_open",
          all(f["status"] == "open" for k, f in s2.items() if k not in new2 | res2)
          and set(s2) - res2 == set(want2), "")
    check(f"{tag}_scan2_first_seen_kept",
          all(s2[k]["first_seen"] == s1[k]["first_seen"] for k in s1))
    r = run("diff", "--db", db, "--format", "json")
    d = json.loads(r.stdout) if r.returncode == 0 else {"changes": []}
    kinds = sorted((c["change"], c["id"]) for c in d["changes"])
    check(f"{tag}_diff_latest", kinds == sorted([("new", other_vol), ("resolved", vol)]),
          f"{kinds} {r.stderr[-200:]}")
    r = run("diff", "--db", db, "--format", "table")
    check(f"{tag}_diff_table_per_team", r.returncode == 0 and "team " in r.stdout
          and "1 resolved" in r.stdout, r.stdout[-400:])

    # --- scan 3: the fixed volume breaks again ---
    set_encrypted(org, vol, False)
    r = scan(db, org)
    check(f"{tag}_scan3_summary", "0 new, 1 regressed, 0 resolved" in r.stderr, r.stderr[-300:])
    s3, _ = stored(db)
    reg = [f for f in s3.values() if f["status"] == "regressed"]
    check(f"{tag}_scan3_regressed", len(reg) == 1 and reg[0]["id"] == vol, str(reg)[:300])
    if reg:
        r = run("explain", "--db", db, reg[0]["fingerprint"][:10])
        hist = [l.split()[1] for l in r.stdout.split("History:")[-1].splitlines() if l.strip()]
        check(f"{tag}_explain_from_store", r.returncode == 0 and ", regressed]" in r.stdout
              and hist == ["new", "resolved", "regressed"], r.stdout[-400:] + r.stderr)
    r = run("diff", "--db", db, "--from", "1", "--format", "json")
    d = json.loads(r.stdout) if r.returncode == 0 else {"changes": []}
    kinds = sorted((c["change"], c["id"]) for c in d["changes"])
    check(f"{tag}_diff_over_two_scans_nets_out", kinds == [("new", other_vol)], str(kinds))

    # --- a scoped scan resolves nothing outside its scope ---
    set_encrypted(org, other_vol, True)  # fixed, but we scan another account
    r = scan(db, org, "--account", vol_acct)
    check(f"{tag}_scoped_scan_ok", "0 resolved" in r.stderr, r.stderr[-300:])
    s4, _ = stored(db)
    check(f"{tag}_scoped_scan_kept_other_account",
          any(f["id"] == other_vol and f["status"] != "resolved" for f in s4.values()))
    r = scan(db, org, "--account", other_acct)
    check(f"{tag}_scan_of_that_account_resolves", "1 resolved" in r.stderr, r.stderr[-300:])
    r = scan(db, org, "--region", "eu-west-1", "--policy", "ebs-unencrypted")
    check(f"{tag}_region_scoped_scan", r.returncode in (0, 3) and "0 resolved" in r.stderr,
          r.stderr[-300:])

    # --- filters ---
    t, _ = stored(db, "--team", "payments")
    check(f"{tag}_filter_team", t is not None and len(t) > 0
          and all(f["team"] == "payments" for f in t.values()), str(t)[:200])
    t, _ = stored(db, "--severity", "critical")
    check(f"{tag}_filter_severity", t and all(f["severity"] == "critical" for f in t.values()))
    t, _ = stored(db, "--env", "prod", "--policy", "sg-ssh-open-to-world")
    check(f"{tag}_filter_env_policy", t and all(f["environment"] == "prod" and
          f["policy"] == "sg-ssh-open-to-world" for f in t.values()))
    t, _ = stored(db, "--older-than", "3650d")
    check(f"{tag}_filter_age_none_that_old", t == {}, str(t)[:200])
    r = run("findings", "--db", db, "--status", "bogus")
    check(f"{tag}_bad_status_rejected", r.returncode == 1 and "bogus" in r.stderr)
    r = run("findings", "--db", db, "--format", "csv")
    check(f"{tag}_csv", r.returncode == 0 and r.stdout.startswith("fingerprint,status,priority"))

    # --- --account takes ids and names, mixed ---
    every, _ = stored(db, "--status", "all")
    accts = sorted({(f["account"], f["account_name"]) for f in every.values()})[:2]
    want = {fp for fp, f in every.items() if f["account"] in {a for a, _ in accts}}
    by_id, _ = stored(db, "--status", "all", "--account", ",".join(a for a, _ in accts))
    by_name, _ = stored(db, "--status", "all", "--account", ",".join(n for _, n in accts))
    mixed, _ = stored(db, "--status", "all", "--account", f"{accts[0][0]},{accts[1][1]}")
    check(f"{tag}_account_filter_ids_names_mixed", len(accts) == 2 and want and
          set(by_id or {}) == want and set(by_name or {}) == want and set(mixed or {}) == want,
          f"{len(want)} {len(by_id or {})} {len(by_name or {})} {len(mixed or {})}")
    nobody, _ = stored(db, "--account", "no-such-account")
    check(f"{tag}_account_filter_unknown_is_empty", nobody == {}, str(nobody)[:200])

    # --- suppressions ---
    target = max(s4.values(), key=lambda f: f["priority"])
    counts_before = latest_counts(db, target["account_name"])
    r = run("suppress", "--db", db, target["fingerprint"][:8], "--reason", "accepted risk",
            "--author", "alice", "--for", "10d")
    check(f"{tag}_suppress_one", r.returncode == 0 and "1 findings suppressed" in r.stdout,
          r.stdout + r.stderr)
    counts_after = latest_counts(db, target["account_name"])
    check(f"{tag}_suppress_updates_counts", counts_before and counts_after and
          counts_after == (counts_before[0] - 1, counts_before[1] + 1), f"{counts_before} -> "
          f"{counts_after}")
    t, _ = stored(db, "--status", "suppressed")
    check(f"{tag}_suppressed_listed", t is not None and list(t) == [target["fingerprint"]]
          and t[target["fingerprint"]]["suppression"]["reason"] == "accepted risk", str(t)[:300])
    t, _ = stored(db)
    check(f"{tag}_suppressed_not_open", t is not None and target["fingerprint"] not in t)
    t, _ = stored(db, "--as-of", time.strftime("%Y-%m-%d", time.gmtime(time.time() + 20 * 86400)))
    check(f"{tag}_expired_reads_open", t is not None and t.get(target["fingerprint"], {}).get(
        "status") == "open", str(t.get(target["fingerprint"]) if t else None)[:200])
    r = scan(db, org)
    check(f"{tag}_scan_keeps_suppression", "0 new" in r.stderr, r.stderr[-300:])
    t, _ = stored(db, "--status", "suppressed")
    check(f"{tag}_still_suppressed_after_scan", t is not None and target["fingerprint"] in t)
    r = run("suppress", "--db", db, "--list")
    check(f"{tag}_suppress_list", r.returncode == 0 and "accepted risk" in r.stdout, r.stdout)
    r = run("unsuppress", "--db", db, target["fingerprint"])
    check(f"{tag}_unsuppress", r.returncode == 0, r.stderr)
    check(f"{tag}_unsuppress_restores_counts",
          latest_counts(db, target["account_name"]) == counts_before,
          f"{latest_counts(db, target['account_name'])} vs {counts_before}")
    t, _ = stored(db)
    check(f"{tag}_unsuppressed_reopens", t is not None and
          t.get(target["fingerprint"], {}).get("status") == "open")
    r = run("suppress", "--db", db, target["fingerprint"], "--reason", "cron job", "--for", "1d",
            env={"USER": None})
    login = pwd.getpwuid(os.getuid()).pw_name
    lst = run("suppress", "--db", db, "--list")
    check(f"{tag}_suppress_author_without_user", r.returncode == 0 and lst.returncode == 0
          and any("cron job" in line and login in line for line in lst.stdout.splitlines()),
          r.stderr + lst.stdout)
    run("unsuppress", "--db", db, target["fingerprint"])
    r = run("suppress", "--db", db, "--policy", "iam-*", "--reason", "x", "--author", "bob",
            "--expires", "2000-01-01")
    check(f"{tag}_suppress_past_expiry_refused", r.returncode == 1 and "past" in r.stderr, r.stderr)
    r = run("suppress", "--db", db, "--reason", "x", "--for", "1d")
    check(f"{tag}_suppress_needs_selector", r.returncode == 1 and "selector" not in r.stdout
          and "needs a fingerprint" in r.stderr, r.stderr)

    supfile = os.path.join(OUT, f"suppressions-{tag}.yaml")
    open(supfile, "w").write(
        "suppressions:\n"
        "  - policy: iam-*\n"
        "    account: \"*\"\n"
        "    reason: IAM reviewed quarterly by the identity team\n"
        "    author: carol@example.com\n"
        "    expires: 2099-01-01\n")
    iam_open = [f for f in stored(db)[0].values() if f["policy"].startswith("iam-")]
    r = scan(db, org, "--suppressions", supfile)
    t, _ = stored(db, "--status", "suppressed", "--policy", ",".join({f["policy"] for f in iam_open}))
    check(f"{tag}_file_rules_apply_on_scan", iam_open and t is not None
          and set(t) == {f["fingerprint"] for f in iam_open}, f"{len(iam_open)} vs {len(t or {})}")
    open(supfile, "w").write("suppressions: []\n")
    r = run("suppress", "--db", db, "--file", supfile)
    t, _ = stored(db, "--status", "suppressed")
    check(f"{tag}_file_sync_removes", r.returncode == 0 and t == {}, r.stderr + str(t)[:200])

    # --- history (as of the day's scans) ---
    r = scan(db, org)
    r = run("history", "--db", db, "--by", "severity", "--format", "json")
    h = json.loads(r.stdout) if r.returncode == 0 else {"rows": []}
    now_open = len(stored(db)[0])
    total_open = sum(x["open"] for x in h["rows"] if x["day"] == h["rows"][-1]["day"]) if h["rows"] else -1
    check(f"{tag}_history_open_matches_findings", total_open == now_open,
          f"{total_open} vs {now_open} {r.stderr[-200:]}")
    r = run("history", "--db", db, "--scans", "--format", "json")
    sc = json.loads(r.stdout)["scans"] if r.returncode == 0 else []
    check(f"{tag}_history_scans", len(sc) >= 7 and sc[0]["id"] > sc[-1]["id"], str(sc[:1]))


def history_csv(url_of, tag):
    """history --format csv quotes what needs quoting and agrees with json."""
    org = fresh_org(f"csv-{tag}")
    path = os.path.join(org, "accounts.yaml")
    text = open(path).read()
    open(path, "w").write(text.replace("name: payments-dev", 'name: \'payments, "dev"\'', 1))
    db = url_of("csv")
    r = scan(db, org)
    check(f"{tag}_csv_scan", r.returncode in (0, 3), r.stderr[-300:])
    j = run("history", "--db", db, "--by", "account", "--format", "json")
    c = run("history", "--db", db, "--by", "account", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(c.stdout, newline=""))) if c.returncode == 0 else []
    want = json.loads(j.stdout)["rows"] if j.returncode == 0 else []
    got = [{k: (v if k in ("day", "account") else int(v)) for k, v in row.items()} for row in rows]
    want = [{k: v for k, v in row.items() if k != "max_priority"} for row in want]
    check(f"{tag}_history_csv_matches_json", got and got == want, f"{got[:2]} vs {want[:2]}")
    check(f"{tag}_history_csv_quotes", any(row["account"] == 'payments, "dev"' for row in rows)
          and '"payments, ""dev"""' in c.stdout, c.stdout[:300])


def newer_schema(url_of, tag, org):
    """A store written by a newer custos is refused and left alone."""
    db = url_of("newer")
    if db.startswith("sqlite:"):
        # A read-only command never creates a store.
        if os.path.exists(db[7:]):
            os.unlink(db[7:])
        r = run("findings", "--db", db)
        check(f"{tag}_read_command_creates_no_store", r.returncode == 1
              and "no findings store" in r.stderr and not os.path.exists(db[7:]), r.stderr)
    r = run("suppress", "--list", "--db", db)
    check(f"{tag}_fresh_store_created", r.returncode == 0, r.stderr)
    try:
        sql(db, "UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    except (subprocess.CalledProcessError, sqlite3.Error) as e:
        check(f"{tag}_newer_schema_setup", False, str(e))
        return
    r = run("findings", "--db", db)
    check(f"{tag}_newer_schema_refused", r.returncode == 1 and "newer custos" in r.stderr
          and "99" in r.stderr, r.stderr)
    r = scan(db, org)
    check(f"{tag}_newer_schema_scan_refused", r.returncode == 1 and "newer custos" in r.stderr)


def concurrent_shards(url_of, tag, org):
    """Two scans of disjoint account sets at once into one store (how
    sharded workers share a database): both succeed, twice over, and the
    store holds exactly what one whole scan finds, each finding once."""
    db = url_of("shards")
    accounts = sorted(d for d in os.listdir(org) if d.isdigit())
    halves = [",".join(accounts[:len(accounts) // 2]), ",".join(accounts[len(accounts) // 2:])]
    env = dict(os.environ)
    env.pop("CUSTOS_DB", None)
    ok = True
    why = ""
    for _ in range(2):
        procs = [subprocess.Popen([CUSTOS, "scan", "--inventory", org, "--db", db, "--account", h,
                                   "--format", "json", "-o", os.devnull],
                                  stderr=subprocess.PIPE, text=True, env=env) for h in halves]
        for p in procs:
            err = p.communicate(timeout=300)[1]
            if p.returncode not in (0, 3):
                ok, why = False, err[-300:]
    check(f"{tag}_concurrent_shards_succeed", ok, why)
    got, err = stored(db, "--status", "all")
    want = oracle(org)
    check(f"{tag}_concurrent_shards_complete", got is not None and set(got) == set(want)
          and all(f["status"] == "open" for f in got.values()),
          f"{len(got or {})} stored vs {len(want)} {err[-200:]}")
    scans = query(db, "SELECT COUNT(*) FROM scans")
    check(f"{tag}_concurrent_shards_four_scans", scans == [["4"]], str(scans))


def kill_before_commit(db, org, env=None):
    """kill -9 a scan of org into db at its most fragile moment: every
    write done, the transaction still open.  Returns the line that said so
    (or the last one read)."""
    p = subprocess.Popen([CUSTOS, "scan", "--inventory", org, "--db", db, "--format", "json",
                          "-o", os.devnull], stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, CUSTOS_DEBUG_COMMIT_DELAY_MS="20000", **(env or {})))
    line, deadline = "", time.time() + 120
    while "holding the store transaction" not in line and time.time() < deadline:
        line = p.stderr.readline()
        if not line and p.poll() is not None:
            break
    p.send_signal(signal.SIGKILL)
    p.wait()
    return line


def kill9(url_of, tag, org):
    """kill -9 with the scan's transaction open: the previous state stays."""
    db = url_of("kill9")
    r = scan(db, org, "--policy", "ebs-unencrypted,sg-ssh-open-to-world")
    before, _ = stored(db, "--status", "all")
    line = kill_before_commit(db, org)
    check(f"{tag}_kill9_reached_transaction", "holding" in line, line)
    after, err = stored(db, "--status", "all")
    check(f"{tag}_kill9_previous_state_intact", after == before,
          err if after is None else f"{len(before or {})} before, {len(after)} after")
    r = run("history", "--db", db, "--scans", "--format", "json")
    check(f"{tag}_kill9_no_half_scan", r.returncode == 0 and len(json.loads(r.stdout)["scans"]) == 1,
          r.stdout[:300])
    if db.startswith("sqlite:"):
        c = sqlite3.connect(db[len("sqlite:"):])
        check(f"{tag}_kill9_integrity", c.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        c.close()
    r = scan(db, org)
    check(f"{tag}_kill9_next_scan_works", r.returncode in (0, 3) and "recorded" in r.stderr,
          r.stderr[-300:])


PG_ADMIN = os.environ.get("CUSTOS_TEST_PG")


def sql(db, statement):
    if db.startswith("sqlite:"):
        c = sqlite3.connect(db[len("sqlite:"):])
        c.execute(statement)
        c.commit()
        c.close()
    else:
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", db, "-c", statement], check=True,
                       capture_output=True)


def query(db, statement):
    """The rows of one SELECT, as lists of strings."""
    if db.startswith("sqlite:"):
        c = sqlite3.connect(db[len("sqlite:"):])
        rows = [[str(v) for v in row] for row in c.execute(statement)]
        c.close()
        return rows
    r = subprocess.run(["psql", "-qAt", "-F", "\t", "-v", "ON_ERROR_STOP=1", db, "-c", statement],
                       check=True, capture_output=True, text=True)
    return [line.split("\t") for line in r.stdout.splitlines() if line]


def index_names(db):
    if db.startswith("sqlite:"):
        return {r[0] for r in query(db, "SELECT name FROM sqlite_master WHERE type = 'index' "
                                        "AND tbl_name = 'findings'")}
    return {r[0] for r in query(db, "SELECT indexname FROM pg_indexes WHERE tablename = 'findings'")}


def upgrade(url_of, tag, org):
    """A store written at schema version 1 is upgraded in place, data intact."""
    db = url_of("upgrade")
    v1 = {"CUSTOS_DEBUG_SCHEMA_VERSION": "1"}
    r = scan(db, org, env=v1)
    check(f"{tag}_v1_store_written", r.returncode in (0, 3), r.stderr[-300:])
    version = query(db, "SELECT value FROM meta WHERE key = 'schema_version'")
    check(f"{tag}_v1_store_is_version_1", version == [["1"]], str(version))
    check(f"{tag}_v1_has_v1_indexes", "findings_by_team" in index_names(db)
          and "findings_by_rank" not in index_names(db), str(index_names(db)))
    before = run("findings", "--db", db, "--status", "all", "--format", "json", env=v1)
    r = run("findings", "--db", db, "--status", "all", "--format", "json")
    version = query(db, "SELECT value FROM meta WHERE key = 'schema_version'")
    check(f"{tag}_upgraded_to_current", r.returncode == 0 and version == [["8"]],
          f"{version} {r.stderr[-300:]}")
    names = index_names(db)
    check(f"{tag}_upgrade_swaps_indexes", {"findings_by_rank", "findings_by_team_rank",
                                           "findings_by_account_rank", "findings_by_team_filter",
                                           "findings_by_severity"} <= names
          and "findings_by_team" not in names and "findings_by_account" not in names, str(names))
    # Schema 5 (issue 17): no status index for an OR of statuses to lead a
    # plan with; a partial index per rare status; statistics taken by the
    # upgrade itself (the store was never analysed before).
    check(f"{tag}_upgrade_5_partial_indexes", {"findings_new", "findings_regressed",
                                                "findings_resolved", "findings_suppressed"} <= names
          and "findings_by_status" not in names, str(names))
    stats = query(db, "SELECT value FROM meta WHERE key = 'stats_rows'")
    check(f"{tag}_upgrade_takes_statistics", stats and int(stats[0][0]) > 0, str(stats))
    old = json.loads(before.stdout)["findings"] if before.returncode == 0 else None
    new = json.loads(r.stdout)["findings"] if r.returncode == 0 else []
    check(f"{tag}_upgrade_keeps_findings", old is not None and len(old) > 0 and old == new,
          f"{len(old or [])} before, {len(new)} after")
    r = scan(db, org, "--as-of", "2026-11-01T05:00:00Z")
    scans = query(db, "SELECT new_count, resolved FROM scans ORDER BY id DESC LIMIT 1")
    check(f"{tag}_rescan_after_upgrade_is_steady", r.returncode in (0, 3)
          and scans == [["0", "0"]], f"{scans} {r.stderr[-300:]}")
    # Schema 4 derives last-seen from the account's latest scan: rows
    # written before the upgrade (accounts without a scope) must still read
    # right, before and after the first scan that records a scope.
    after, _ = stored(db, "--status", "all")
    check(f"{tag}_upgrade_last_seen_advances", after and all(
        f["last_seen"].startswith("2026-11-01T05:00") for f in after.values()
        if f["status"] != "resolved"), str([f["last_seen"] for f in (after or {}).values()][:5]))
    check(f"{tag}_upgrade_adds_scope_tables",
          query(db, "SELECT COUNT(*) FROM scope_cover")[0][0] != "0"
          and query(db, "SELECT COUNT(*) FROM accounts WHERE scope_id IS NULL") == [["0"]])


WRITE_LOG_SQLITE = [
    "CREATE TABLE wlog (tbl TEXT, fp TEXT)",
] + [f"CREATE TRIGGER wlog_{t}_{op} AFTER {op} ON {t} BEGIN INSERT INTO wlog VALUES "
     f"('{t}', NEW.fingerprint); END"
     for t in ("findings", "finding_details", "finding_events") for op in ("INSERT", "UPDATE")]
WRITE_LOG_PG = [
    "CREATE TABLE wlog (tbl TEXT, fp TEXT)",
    "CREATE FUNCTION wlog_f() RETURNS trigger AS $$ BEGIN INSERT INTO wlog VALUES "
    "(TG_TABLE_NAME, NEW.fingerprint); RETURN NEW; END $$ LANGUAGE plpgsql",
] + [f"CREATE TRIGGER wlog_{t} AFTER INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION wlog_f()"
     for t in ("findings", "finding_details", "finding_events")]


def written(db):
    """{table: set of fingerprints} the triggers logged since the last call."""
    rows = query(db, "SELECT tbl, fp FROM wlog")
    sql(db, "DELETE FROM wlog")
    out = {"findings": set(), "finding_details": set(), "finding_events": set()}
    for t, fp in rows:
        out[t].add(fp)
    return out


def writes(url_of, tag):
    """What a rescan writes, counted by triggers the store knows nothing of:
    nothing for the findings when nothing changed; exactly the changed
    findings' rows when some did; last-seen still right without the rows
    being rewritten, also when a scan's scope narrows and widens again."""
    org = fresh_org(f"writes-{tag}")
    db = url_of("writes")
    t = ["2026-11-01T01:00:00Z", "2026-11-01T02:00:00Z", "2026-11-01T03:00:00Z",
         "2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z"]
    scan(db, org, "--as-of", t[0])
    scan(db, org, "--as-of", t[1])  # new -> open: every row once
    for statement in WRITE_LOG_SQLITE if db.startswith("sqlite:") else WRITE_LOG_PG:
        sql(db, statement)
    r = scan(db, org, "--as-of", t[2])
    w = written(db)
    check(f"{tag}_steady_scan_recorded", r.returncode in (0, 3) and "0 new, 0 regressed, 0 "
          "resolved" in r.stderr, r.stderr[-300:])
    check(f"{tag}_steady_scan_writes_no_finding_row", w["findings"] == set()
          and w["finding_details"] == set() and w["finding_events"] == set(),
          {k: len(v) for k, v in w.items()})
    s3, err = stored(db, "--status", "all")
    check(f"{tag}_steady_scan_last_seen_derived", s3 and all(
        f["last_seen"].startswith("2026-11-01T03:00") for f in s3.values()),
        err if s3 is None else str(sorted({f["last_seen"] for f in s3.values()})))
    check(f"{tag}_steady_scan_first_seen_kept", s3 and all(
        f["first_seen"].startswith("2026-11-01T01:00") for f in s3.values()))

    # A few findings change: one volume fixed, another one broken.
    ebs = [f for f in s3.values() if f["policy"] == "ebs-unencrypted"]
    other_acct, other_vol = pick_encrypted_volume(org, ebs[0]["account"])
    set_encrypted(org, ebs[0]["id"], True)
    set_encrypted(org, other_vol, False)
    r = scan(db, org, "--as-of", t[3])
    w = written(db)
    s4, _ = stored(db, "--status", "all")
    new = {fp for fp, f in (s4 or {}).items() if f["status"] == "new"}
    changed = new | {ebs[0]["fingerprint"]}
    check(f"{tag}_changed_scan_summary", "1 new, 0 regressed, 1 resolved" in r.stderr
          and len(new) == 1, r.stderr[-300:])
    check(f"{tag}_changed_scan_writes_exactly_the_changed_rows", w["findings"] == changed
          and w["finding_events"] == changed and w["finding_details"] == new,
          f"{ {k: sorted(v) for k, v in w.items()} } vs {sorted(changed)}")
    check(f"{tag}_resolved_keeps_last_seen",
          s4 and s4[ebs[0]["fingerprint"]]["last_seen"].startswith("2026-11-01T03:00")
          and s4[ebs[0]["fingerprint"]]["status"] == "resolved",
          str(s4.get(ebs[0]["fingerprint"]) if s4 else None)[:300])
    check(f"{tag}_changed_scan_last_seen", s4 and all(
        f["last_seen"].startswith("2026-11-01T04:00") for f in s4.values()
        if f["status"] != "resolved"))

    # The scope narrows to one policy: the others keep their last-seen.
    keep = "sg-ssh-open-to-world"
    r = scan(db, org, "--as-of", t[4], "--policy", keep)
    s5, _ = stored(db, "--status", "all")
    check(f"{tag}_narrow_scan_ok", r.returncode in (0, 3) and "0 resolved" in r.stderr,
          r.stderr[-300:])
    want = {fp: ("2026-11-01T05:00" if f["policy"] == keep else "2026-11-01T04:00")
            for fp, f in (s4 or {}).items() if f["status"] != "resolved"}
    got = {fp: f["last_seen"][:16] for fp, f in (s5 or {}).items() if fp in want}
    check(f"{tag}_narrow_scan_last_seen_per_scope", got == want and
          any(v.endswith("05:00") for v in want.values()),
          str([(fp, got.get(fp), v) for fp, v in want.items() if got.get(fp) != v][:5]))
    written(db)
    r = scan(db, org, "--as-of", t[5])
    w = written(db)
    s6, _ = stored(db, "--status", "all")
    check(f"{tag}_widened_scan_last_seen", s6 and all(
        f["last_seen"].startswith("2026-11-01T06:00") for f in s6.values()
        if f["status"] != "resolved") and w["finding_events"] == set(), str(w)[:300])


def index_defs(db):
    """{index name: definition} of the tables a scan writes in bulk."""
    if db.startswith("sqlite:"):
        rows = query(db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name "
                         "IN ('findings', 'finding_events') AND sql IS NOT NULL")
    else:
        rows = query(db, "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
                         "('findings', 'finding_events') AND schemaname = current_schema()")
    return {r[0]: r[1] for r in rows}


def bulk(url_of, tag):
    """A scan that writes most of a table rebuilds its indexes instead of
    updating them row by row (store/bulk.c): the store it leaves is the one
    the row-by-row path leaves (findings, events, index definitions), and
    kill -9 in the middle leaves the previous scan with every index."""
    org = fresh_org(f"bulk-{tag}")
    never, always = {"CUSTOS_DEBUG_BULK_MIN": str(10 ** 12)}, {"CUSTOS_DEBUG_BULK_MIN": "1"}
    t = ["2026-11-02T01:00:00Z", "2026-11-02T02:00:00Z", "2026-11-02T03:00:00Z",
         "2026-11-02T04:00:00Z"]
    stores, said = {}, {}
    first = next(iter(oracle(org).values()))
    for name, env in (("rowwise", never), ("bulk", always)):
        db = url_of(f"bulk_{name}")
        stores[name] = db
        e = dict(os.environ, **env)
        out = [scan(db, org, "-v", "--as-of", t[0], env=e),
               scan(db, org, "-v", "--as-of", t[1], env=e)]
        ebs = sorted(f["id"] for f in oracle(org).values() if f["policy"] == "ebs-unencrypted")
        set_encrypted(org, ebs[0], True)
        out.append(scan(db, org, "-v", "--as-of", t[2], env=e))
        set_encrypted(org, ebs[0], False)
        out.append(scan(db, org, "-v", "--as-of", t[3], env=e))
        said[name] = [("indexes rebuilt" in r.stderr, r.returncode) for r in out]
    check(f"{tag}_bulk_taken_only_when_asked",
          all(b for b, _ in said["bulk"]) and not any(b for b, _ in said["rowwise"])
          and all(rc in (0, 3) for n in said for _, rc in said[n]), said)
    a, _ = stored(stores["rowwise"], "--status", "all")
    b, _ = stored(stores["bulk"], "--status", "all")
    check(f"{tag}_bulk_same_findings", a and a == b and first["fingerprint"] in a,
          f"{len(a or {})} vs {len(b or {})}: "
          f"{[k for k in (a or {}) if (b or {}).get(k) != a[k]][:3]}")
    ev = "SELECT fingerprint, scan_id, status, previous, priority FROM finding_events ORDER BY id"
    ea, eb = query(stores["rowwise"], ev), query(stores["bulk"], ev)
    check(f"{tag}_bulk_same_events", ea == eb and len(ea) > len(a or {}), f"{len(ea)} vs {len(eb)}")
    da, db_ = index_defs(stores["rowwise"]), index_defs(stores["bulk"])
    check(f"{tag}_bulk_same_indexes", da == db_ and "findings_by_rank" in da
          and "finding_events_by_scan" in da, f"{sorted(set(da) ^ set(db_))}")
    # kill -9 while the indexes are dropped: all of them are still there.
    db = stores["bulk"]
    before, _ = stored(db, "--status", "all")
    set_encrypted(org, ebs[0], True)
    line = kill_before_commit(db, org, always)
    after, err = stored(db, "--status", "all")
    check(f"{tag}_bulk_kill9_state_and_indexes_intact", "holding" in line and after == before
          and index_defs(db) == db_, err if after is None else line)
    if db.startswith("sqlite:"):
        c = sqlite3.connect(db[len("sqlite:"):])
        check(f"{tag}_bulk_kill9_integrity",
              c.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        c.close()
    set_encrypted(org, ebs[0], False)


def pg_url(name):
    return peers.pg_url("store", name, PG_ADMIN)


def sqlite_url(name):
    path = os.path.join(OUT, f"store-{name}.db")
    for p in (path, path + "-wal", path + "-shm"):
        if os.path.exists(p):
            os.remove(p)
    return "sqlite:" + path


def fresh_org(name):
    org = os.path.join(OUT, f"store-org-{name}")
    shutil.rmtree(org, ignore_errors=True)
    subprocess.run(["/usr/bin/python3", "examples/gen_org.py", "--out", org, "--quiet"], check=True)
    return org


def main():
    # Errors before any store exists.
    r = run("findings", "--db", "mysql://localhost/x")
    check("bad_scheme", r.returncode == 1 and "mysql" in r.stderr and "sqlite:" in r.stderr,
          r.stderr)
    r = run("findings", "--db", "sqlite:/nonexistent-dir/x.db")
    check("unwritable_sqlite_path", r.returncode == 1 and "/nonexistent-dir/x.db" in r.stderr,
          r.stderr)
    r = run("findings", "--db", "postgresql://custos:s3cret@127.0.0.1:1/none")
    check("pg_unreachable_no_password", r.returncode == 1 and "s3cret" not in r.stderr
          and "127.0.0.1" in r.stderr, r.stderr)
    bad = os.path.join(OUT, "bad-suppressions.yaml")
    open(bad, "w").write("suppressions:\n  - policy: x\n    reason: r\n    author: a\n"
                         "    expires: someday\n  - polcy: y\n")
    r = run("suppress", "--db", sqlite_url("badfile"), "--file", bad)
    check("bad_suppression_file_positions", r.returncode == 1 and f"{bad}:5:" in r.stderr
          and f"{bad}:6:" in r.stderr and "polcy" in r.stderr, r.stderr)

    # The default store: sqlite:custos.db in the working directory.
    cwd = os.path.join(OUT, "store-default")
    shutil.rmtree(cwd, ignore_errors=True)
    os.makedirs(cwd)
    org = fresh_org("default")
    r = subprocess.run([os.path.abspath(CUSTOS), "scan", "--inventory", os.path.abspath(org),
                        "--policy", "ebs-unencrypted", "--format", "json"],
                       cwd=cwd, capture_output=True, text=True,
                       env={k: v for k, v in os.environ.items() if k != "CUSTOS_DB"})
    check("default_store_created", os.path.exists(os.path.join(cwd, "custos.db"))
          and "sqlite:custos.db" in r.stderr, r.stderr[-300:])
    r = subprocess.run([os.path.abspath(CUSTOS), "scan", "--inventory", os.path.abspath(org),
                        "--no-store", "--format", "json", "-o", os.devnull],
                       cwd=os.path.join(OUT), capture_output=True, text=True)
    check("no_store_writes_nothing", "recorded" not in r.stderr, r.stderr)

    backends = [("sqlite", sqlite_url)]
    if PG_ADMIN:
        backends.append(("pg", pg_url))
    else:
        check("pg_server_available", False,
              "CUSTOS_TEST_PG is not set: tests/run.sh starts PostgreSQL (scripts/pg-test.sh)")
    for tag, url_of in backends:
        org = fresh_org(tag)
        suite(tag, url_of("suite"), org)
        newer_schema(url_of, tag, org)
        upgrade(url_of, tag, org)
        concurrent_shards(url_of, tag, org)
        history_csv(url_of, tag)
        kill9(url_of, tag, org)
        writes(url_of, tag)
        bulk(url_of, tag)
    sys.exit(1 if failures else 0)


main()
