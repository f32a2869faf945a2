#!/usr/bin/python3
"""Shards: N workers of a batch job cover the organisation into one store.

- `custos shards` and `scan --shard I/N` agree; every account is in exactly
  one shard; no shard is far from the average;
- the index comes from --shard I/N, from $JOB_COMPLETION_INDEX with
  --shards N (Kubernetes Indexed Jobs), and from AWS Batch's array
  variables with --shard auto; bad values are clear errors;
- adding an account moves no other; going from 3 to 4 shards moves only
  some (rendezvous hashing), not most (as `hash mod N` would);
- three shards recorded one after the other into one store hold exactly the
  findings of one unsharded scan, and rerunning a shard (the engine's retry)
  resolves nothing of the other shards.
"""
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(ROOT)
CUSTOS = os.environ.get("CUSTOS", "build/release/custos")
OUT = os.path.join(os.environ.get("OUT", "build/test-out"), "shard")
ORG = os.path.join(OUT, "org")
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}"[:1500])
    return cond


def run(*args, env=None):
    e = dict(os.environ)
    for k in ("JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_SIZE"):
        e.pop(k, None)
    e.update(env or {})
    return subprocess.run([CUSTOS, *args], capture_output=True, text=True, env=e)


def assignment(org, n):
    r = run("shards", "--inventory", org, "--shards", str(n), "--format", "json")
    if r.returncode != 0:
        return None
    return {a["id"]: a["shard"] for a in json.loads(r.stdout)["accounts"]}


def findings(*args, env=None):
    r = run("scan", "--inventory", ORG, "--no-store", "--format", "json", *args, env=env)
    if r.returncode != 0:
        return None, r.stderr
    return json.loads(r.stdout)["findings"], r.stderr


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    subprocess.run(["/usr/bin/python3", "examples/gen_org.py", "--out", ORG, "--quiet"], check=True)
    a3 = assignment(ORG, 3)
    if not check("shards_command", a3 is not None and len(a3) == 44, str(a3)[:200]):
        return 1
    sizes = [sum(1 for s in a3.values() if s == i) for i in range(3)]
    check("shards_balanced", min(sizes) >= 44 / 3 / 2 and max(sizes) <= 44 / 3 * 1.6, str(sizes))

    everything, _ = findings()
    check("unsharded_scan", everything, "no findings")
    seen = {}
    for i in range(3):
        f, err = findings("--shard", f"{i}/3")
        if not check(f"shard_{i}_scans", f is not None, err):
            return 1
        wrong = [x["account"] for x in f if a3[x["account"]] != i]
        check(f"shard_{i}_only_its_accounts", not wrong, f"accounts of other shards: {set(wrong)}")
        check(f"shard_{i}_says_how_many", f"shard {i} of 3 (0-based): {sizes[i]} of 44 accounts" in err, err)
        for x in f:
            seen[x["fingerprint"]] = seen.get(x["fingerprint"], 0) + 1
    check("shards_cover_exactly_once", seen == {x["fingerprint"]: 1 for x in everything},
          f"{len(seen)} fingerprints vs {len(everything)}; duplicates {[k for k, v in seen.items() if v > 1][:3]}")

    # Where the index comes from.
    k8s, _ = findings("--shards", "3", env={"JOB_COMPLETION_INDEX": "1"})
    one, _ = findings("--shard", "1/3")
    check("index_from_kubernetes", k8s is not None and {x["fingerprint"] for x in k8s} ==
          {x["fingerprint"] for x in one})
    batch, _ = findings("--shard", "auto", env={"AWS_BATCH_JOB_ARRAY_INDEX": "2",
                                                 "AWS_BATCH_JOB_ARRAY_SIZE": "3"})
    two, _ = findings("--shard", "2/3")
    check("index_from_aws_batch", batch is not None and {x["fingerprint"] for x in batch} ==
          {x["fingerprint"] for x in two})
    for args, env, want in ((["--shard", "3/3"], None, "the index must be 0 to N-1"),
                            (["--shard", "1-3"], None, "is not I/N"),
                            (["--shards", "3"], None, "JOB_COMPLETION_INDEX"),
                            (["--shards", "3"], {"JOB_COMPLETION_INDEX": "x"}, "JOB_COMPLETION_INDEX"),
                            (["--shard", "auto"], None, "AWS_BATCH_JOB_ARRAY_INDEX")):
        r = run("scan", "--inventory", ORG, "--no-store", *args, env=env)
        check(f"bad_shard_{'_'.join(args)}_{bool(env)}", r.returncode == 1 and want in r.stderr, r.stderr)

    # Stability: one more account moves nobody; a fourth shard moves some.
    big = os.path.join(OUT, "org-plus-one")
    shutil.copytree(ORG, big)
    with open(os.path.join(big, "accounts.yaml"), "a") as fh:
        fh.write('  - id: "999900001111"\n    name: new-team-dev\n    environment: dev\n'
                 '    regions: [us-east-1]\n')
    plus = assignment(big, 3)
    check("added_account_moves_no_other", plus and len(plus) == 45 and
          all(plus[k] == v for k, v in a3.items()), str(plus)[:200])
    a4 = assignment(ORG, 4)
    moved = sum(1 for k in a3 if a4[k] != a3[k])
    check("fourth_shard_moves_few", a4 and 0 < moved <= 44 * 0.45, f"{moved} of 44 moved")

    # One store, three shards, then a rerun of one.
    db = "sqlite:" + os.path.join(OUT, "store.db")
    for i in range(3):
        r = run("scan", "--inventory", ORG, "--db", db, "--format", "json", "-o", os.devnull,
                "--shard", f"{i}/3")
        check(f"record_shard_{i}", r.returncode in (0, 3), r.stderr[-300:])
    r = run("scan", "--inventory", ORG, "--db", db, "--format", "json", "-o", os.devnull, "--shard", "1/3")
    check("rerun_shard_1", r.returncode in (0, 3), r.stderr[-300:])
    r = run("findings", "--db", db, "--status", "all", "--format", "json")
    stored = json.loads(r.stdout)["findings"] if r.returncode == 0 else []
    statuses = {}
    for x in stored:
        statuses[x["status"]] = statuses.get(x["status"], 0) + 1
    check("store_holds_one_scans_findings", {x["fingerprint"] for x in stored} ==
          {x["fingerprint"] for x in everything}, f"{len(stored)} stored vs {len(everything)}")
    check("rerun_resolves_nothing", "resolved" not in statuses, str(statuses))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
