#!/usr/bin/python3
"""`custos notify` end to end, against real receivers on loopback.

An HTTP receiver (webhooks and a Slack-style webhook) and an SMTP receiver
(notify_receivers.py) run in this process.  The sample organisation's
accounts.yaml is pointed at them; the sample org is scanned into a fresh
store and notified, then changed and re-scanned, and we assert on what
arrived:
- first run: each team gets exactly one message per contact listing
  exactly its findings at or above the threshold, highest priority first,
  each with its fix and dashboard link; the e-mail has correct headers
  (Message-ID and X-Custos-Delivery carry the delivery id, RFC 2047
  subject, quoted-printable body, lines within limits); a team without
  contacts is reported; webhook URLs (secrets) are never printed;
- --dry-run sends and records nothing;
- a second run with no change sends nothing;
- a change (a rule opened, a rule closed, a bucket policy deleted) sends
  only the new findings, to their teams only, even with two notify runs at
  once; a receiver failing once is retried within the run;
- a finding coming back is sent as regressed; a receiver that keeps
  failing or hangs is reported with exit status 4, retried by the next run
  and delivered once (the same delivery id, never twice);
- the digest is sent once per team and day.
The same runs against PostgreSQL when CUSTOS_TEST_PG is set (tests/run.sh).
"""
import email
import email.policy
import json
import os
import shutil
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from notify_receivers import HttpReceiver, SmtpReceiver  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
os.chdir(ROOT)
CUSTOS = os.environ.get("CUSTOS", "build/release/custos")
OUT = os.path.join(os.environ.get("OUT", "build/test-out"), "notify")
SEV = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
THRESHOLD = "high"
DASH = "https://dash.example.com"
SECRET = "s3cr3t-T0KEN"
NO_CONTACT_TEAM = "ml"
SLACK_TEAM = "search"
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}"[:2000])


def run(args, timeout=300):
    p = subprocess.run([CUSTOS] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


# ---- the organisation and its changes ----

def make_org(base, dst, http, smtp):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(base, dst)
    path = os.path.join(dst, "accounts.yaml")
    with open(path) as fh:
        doc = yaml.safe_load(fh)
    for team, t in doc["teams"].items():
        c = {"webhook": http.url(f"/hook/{team}/{SECRET}"), "email": f"{team}-oncall@example.com"}
        if team == SLACK_TEAM:
            c["slack"] = http.url(f"/slack/{team}/{SECRET}")
        t["contacts"] = c
    del doc["teams"][NO_CONTACT_TEAM]
    for a in doc["accounts"]:
        if "contacts" in a:
            a["contacts"] = {"webhook": http.url(f"/hook/security/{SECRET}")}
    doc["notifications"] = {"smtp_url": smtp.url(), "mail_from": "custos <custos@example.com>",
                            "dashboard_url": DASH, "min_severity": THRESHOLD}
    with open(path, "w") as fh:
        yaml.safe_dump(doc, fh, sort_keys=False)


def sg_file(org, f):
    return os.path.join(org, f["account"], f["region"], "ec2.DescribeSecurityGroups.json")


def edit_sg(org, f, fn):
    path = sg_file(org, f)
    with open(path) as fh:
        doc = json.load(fh)
    for g in doc["SecurityGroups"]:
        if g["GroupId"] == f["id"]:
            fn(g)
    with open(path, "w") as fh:
        json.dump(doc, fh)


def world_open(p, port):
    return (p.get("FromPort", 0) <= port <= p.get("ToPort", 65535)
            and any(r.get("CidrIp") == "0.0.0.0/0" for r in p.get("IpRanges", [])))


def find(findings, policy, team=None, account_name=None):
    for f in findings:
        if f["policy"] == policy and (team is None or f["team"] == team) and \
                (account_name is None or f["account_name"] == account_name):
            return f
    return None


# ---- reading what arrived ----

def at_threshold(findings):
    return [f for f in findings if SEV[f["severity"]] >= SEV[THRESHOLD]]


def by_team(findings):
    out = {}
    for f in at_threshold(findings):
        if f.get("team") and f["team"] != NO_CONTACT_TEAM:
            out.setdefault(f["team"], []).append(f)
    return out


def hooks(recs, kind="change"):
    out = {}
    for r in recs:
        if r["path"].startswith("/hook/") and r["json"] and r["json"].get("kind") == kind:
            out.setdefault(r["json"]["team"], []).append(r)
    return out


def parse_mail(m):
    return email.message_from_bytes(m["data"], policy=email.policy.default)


def mails_to(msgs, team):
    return [m for m in msgs if m["rcpts"] == [f"<{team}-oncall@example.com>"]]


def check_change(label, step, recs, msgs, expected, statuses):
    """Each expected team got one webhook message and one mail with exactly
    its findings, in priority order; nobody else got anything."""
    got = hooks(recs)
    check(f"{label}/{step}/teams", set(got) == set(expected),
          f"messages for {sorted(got)}, expected {sorted(expected)}")
    mail_teams = {r[1:-1].split("-oncall@")[0] for m in msgs for r in m["rcpts"]}
    check(f"{label}/{step}/mail-teams", mail_teams == set(expected),
          f"mails for {sorted(mail_teams)}, expected {sorted(expected)}")
    for team, fs in sorted(expected.items()):
        msgs_t = got.get(team, [])
        if len(msgs_t) != 1:
            check(f"{label}/{step}/{team}/one-message", False, f"{len(msgs_t)} messages")
            continue
        body = msgs_t[0]["json"]
        items = body["findings"]
        fps = [i["fingerprint"] for i in items]
        want = {f["fingerprint"]: f for f in fs}
        prios = [i["priority"] for i in items]
        ok = (sorted(fps) == sorted(want) and prios == sorted(prios, reverse=True)
              and all(i["url"] == f"{DASH}/findings/{i['fingerprint']}" for i in items)
              and all(i["fix"] == " ".join(want[i["fingerprint"]]["fix"].split())
                      for i in items if i["fingerprint"] in want)
              and all(i["status"] == statuses.get(i["fingerprint"], "new") for i in items))
        check(f"{label}/{step}/{team}/findings", ok,
              f"got {[(i['fingerprint'], i['priority'], i['status']) for i in items]}, "
              f"want {sorted(want)}")
        hdr = msgs_t[0]["headers"]
        check(f"{label}/{step}/{team}/http-headers",
              hdr.get("content-type") == "application/json"
              and hdr.get("x-custos-delivery", "").isdigit(), str(hdr))
        mails = mails_to(msgs, team)
        if len(mails) != 1:
            check(f"{label}/{step}/{team}/one-mail", False, f"{len(mails)} mails")
            continue
        check_mail(f"{label}/{step}/{team}", mails[0], team, items)


def check_mail(name, m, team, items):
    raw = m["data"]
    msg = parse_mail(m)
    head, _, _ = raw.partition(b"\r\n\r\n")
    lines = raw.split(b"\r\n")
    did = msg["X-Custos-Delivery"]
    ok = (m["mail_from"] == "<custos@example.com>"
          and msg["From"] == "custos <custos@example.com>"
          and msg["To"] == f"{team}-oncall@example.com"
          and f"team {team}" in str(msg["Subject"])
          and did and did.isdigit()
          and str(msg["Message-ID"]).startswith(f"<custos.delivery.{did}.")
          and msg["Date"] is not None and msg["MIME-Version"] == "1.0"
          and msg["Content-Transfer-Encoding"] == "quoted-printable"
          and msg.get_content_type() == "text/plain"
          and all(len(line) <= 78 for line in lines)
          and b"\n" not in raw.replace(b"\r\n", b""))
    check(f"{name}/mail-headers", ok, head.decode("utf-8", "replace")[:800])
    text = msg.get_content()
    pos = [text.find(f"{DASH}/findings/{i['fingerprint']}") for i in items]
    fixes = all(("Fix: " + i["fix"]) in text for i in items if i["fix"])
    check(f"{name}/mail-body", all(p >= 0 for p in pos) and pos == sorted(pos) and fixes,
          text[:1500])


# ---- the scenario, once per back end ----

def scenario(label, db, base, http, smtp):
    org = os.path.join(OUT, f"org-{label}")
    make_org(base, org, http, smtp)
    http.clear()
    smtp.clear()
    common = ["--inventory", org, "--db", db, "--retry-delay", "0.05", "--timeout", "3"]
    printed = []

    def notify(*extra):
        rc, out, err = run(["notify"] + common + list(extra))
        printed.append(out + err)
        return rc, out, err

    def scan():
        rc, out, err = run(["scan", "--inventory", org, "--db", db, "--format", "json"])
        if rc not in (0, 3):
            check(f"{label}/scan", False, f"exit {rc}: {err[-800:]}")
            return None
        return json.loads(out)["findings"]

    f1 = scan()
    if f1 is None:
        return
    # Dry run: prints, sends nothing, records nothing.
    rc, out, err = notify("--dry-run")
    check(f"{label}/dry-run", rc == 0 and "would send to team payments" in out
          and not http.requests and not smtp.messages, f"rc={rc} {out[:300]} {err[-300:]}")

    # First run: everything at or above the threshold is new.
    rc, out, err = notify()
    check(f"{label}/first/exit", rc == 0, f"rc={rc} {err[-800:]}")
    check_change(label, "first", http.delivered, smtp.messages, by_team(f1), {})
    ids = [r["headers"]["x-custos-delivery"] for r in http.delivered]
    ids += [str(parse_mail(m)["X-Custos-Delivery"]) for m in smtp.messages]
    check(f"{label}/first/unique-ids", len(ids) == len(set(ids)) and ids, str(ids))
    no_contact = [f for f in at_threshold(f1) if f["team"] == NO_CONTACT_TEAM]
    check(f"{label}/first/no-contact-reported",
          not no_contact or f"team {NO_CONTACT_TEAM} has {len(no_contact)} new finding" in err,
          err[-600:])
    slack = [r for r in http.delivered if r["path"].startswith("/slack/")]
    want = by_team(f1).get(SLACK_TEAM, [])
    check(f"{label}/first/slack",
          len(slack) == 1 and set(slack[0]["json"]) == {"text"}
          and all(f"<{DASH}/findings/{f['fingerprint']}|details>" in slack[0]["json"]["text"]
                  for f in want), str(slack)[:800])

    # Nothing changed: nothing sent.
    http.clear()
    smtp.clear()
    rc, out, err = notify()
    check(f"{label}/unchanged", rc == 0 and not http.requests and not smtp.messages,
          f"rc={rc} requests={len(http.requests)} mails={len(smtp.messages)} {err[-300:]}")

    # Change: close SSH on a payments-dev group, open RDP on a web-prod group,
    # delete a public bucket policy; the web receiver fails once (retried).
    ssh = find(f1, "sg-ssh-open-to-world", "payments", "payments-dev")
    web = find(f1, "sg-egress-plaintext-to-internet", "web")
    bucket = find(f1, "s3-public-policy")
    if not (ssh and web and bucket):
        check(f"{label}/sample-org-has-planted-findings", False, "planted findings moved")
        return
    with open(sg_file(org, ssh)) as fh:
        ssh_original = fh.read()
    edit_sg(org, ssh, lambda g: g.__setitem__(
        "IpPermissions", [p for p in g["IpPermissions"] if not world_open(p, 22)]))
    edit_sg(org, web, lambda g: g["IpPermissions"].append(
        {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [],
         "UserIdGroupPairs": []}))
    os.remove(os.path.join(org, bucket["account"], "global",
                           f"s3.GetBucketPolicy.{bucket['id']}.json"))
    f2 = scan()
    if f2 is None:
        return
    old = {f["fingerprint"] for f in f1}
    appeared = [f for f in f2 if f["fingerprint"] not in old]
    gone = {f["fingerprint"] for f in f1} - {f["fingerprint"] for f in f2}
    check(f"{label}/change/inventory-changed",
          ssh["fingerprint"] in gone and bucket["fingerprint"] in gone
          and any(f["team"] == "web" for f in at_threshold(appeared)),
          f"appeared {[(f['policy'], f['team']) for f in appeared]}")
    http.clear()
    smtp.clear()
    http.fail("/hook/web/", 1)
    # Two runs at once (scan --notify on two workers): still one message each.
    procs = [subprocess.Popen([CUSTOS, "notify"] + common, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    printed.extend(o + e for o, e in outs)
    http.reset()
    rcs = [p.returncode for p in procs]
    check(f"{label}/change/exit", rcs == [0, 0], f"rc={rcs} {[e[-400:] for _, e in outs]}")
    check_change(label, "change", http.delivered, smtp.messages, by_team(appeared), {})
    web_tries = [r for r in http.requests if r["path"].startswith("/hook/web/")]
    check(f"{label}/change/retried-within-run",
          len(web_tries) == 2 and len({r["headers"]["x-custos-delivery"] for r in web_tries}) == 1,
          str([r["headers"].get("x-custos-delivery") for r in web_tries]))

    # Regression with a failing receiver: payments' webhook answers 500.
    with open(sg_file(org, ssh), "w") as fh:
        fh.write(ssh_original)
    f3 = scan()
    if f3 is None:
        return
    http.clear()
    smtp.clear()
    http.fail("/hook/payments/", 1000)
    rc, out, err = notify()
    failed_tries = [r for r in http.requests if r["path"].startswith("/hook/payments/")]
    check(f"{label}/failing/exit-4", rc == 4 and "FAILED" in err and "payments" in err,
          f"rc={rc} {err[-600:]}")
    check(f"{label}/failing/tried-3-times", len(failed_tries) == 3, str(len(failed_tries)))
    check(f"{label}/failing/mail-still-sent", len(mails_to(smtp.messages, "payments")) == 1,
          str(len(smtp.messages)))
    failed_id = failed_tries[0]["headers"].get("x-custos-delivery") if failed_tries else None
    # Next run: the receiver hangs (timeout) - still undelivered.
    http.reset()
    http.hang("/hook/payments/", 2)
    rc, out, err = notify("--timeout", "0.5", "--retries", "0")
    http.reset()
    check(f"{label}/timeout/exit-4", rc == 4 and ("timed out" in err.lower()
                                                 or "timeout" in err.lower()), err[-600:])
    # Then it recovers: delivered once, with the same delivery id, as regressed.
    http.clear()
    smtp.clear()
    rc, out, err = notify()
    check(f"{label}/recovered/exit", rc == 0, f"rc={rc} {err[-600:]}")
    got = hooks(http.delivered)
    check(f"{label}/recovered/only-payments", set(got) == {"payments"} and not smtp.messages,
          f"{sorted(got)} mails={len(smtp.messages)}")
    pay = got.get("payments", [])
    check(f"{label}/recovered/once-same-id",
          len(pay) == 1 and pay[0]["headers"]["x-custos-delivery"] == failed_id,
          f"{len(pay)} {failed_id}")
    if pay:
        items = pay[0]["json"]["findings"]
        check(f"{label}/recovered/regressed",
              [(i["fingerprint"], i["status"]) for i in items] == [(ssh["fingerprint"],
                                                                    "regressed")],
              str([(i["fingerprint"], i["status"]) for i in items]))
    http.clear()
    rc, out, err = notify()
    check(f"{label}/recovered/no-duplicate", rc == 0 and not http.requests and not smtp.messages,
          f"rc={rc} {len(http.requests)}")

    # Digest: once per team and day.
    http.clear()
    smtp.clear()
    rc, out, err = notify("--digest")
    d1 = hooks(http.delivered, "digest")
    want = by_team(f3)
    with open(os.path.join(org, "accounts.yaml")) as fh:
        acc = yaml.safe_load(fh)
    # Every group with contacts gets a digest, even with nothing open (the
    # unteamed shared accounts here): silence would look like a broken feed.
    teams_with_contacts = set(acc["teams"]) | {
        "account:" + a["id"] for a in acc["accounts"] if not a.get("team")}
    check(f"{label}/digest/exit", rc == 0, f"rc={rc} {err[-600:]}")
    check(f"{label}/digest/one-per-team",
          set(d1) == teams_with_contacts and all(len(v) == 1 for v in d1.values()),
          f"{sorted(d1)} vs {sorted(teams_with_contacts)}")
    ok = all(sorted(i["fingerprint"] for i in d1[t][0]["json"]["findings"])
             == sorted(f["fingerprint"] for f in want.get(t, []))
             and d1[t][0]["json"]["day"] == "2026-11-01" for t in d1)
    check(f"{label}/digest/content", ok, str({t: len(v[0]["json"]["findings"]) for t, v in
                                              d1.items()}))
    check(f"{label}/digest/mails", len(smtp.messages) == len(acc["teams"])
          and all("daily digest" in str(parse_mail(m)["Subject"]) for m in smtp.messages),
          str(len(smtp.messages)))
    http.clear()
    smtp.clear()
    rc, out, err = notify("--digest")
    check(f"{label}/digest/once-a-day", rc == 0 and not http.requests and not smtp.messages,
          f"rc={rc} {len(http.requests)}")
    rc, out, err = notify("--digest", "--as-of", "2026-11-02T08:00:00Z")
    d2 = hooks(http.delivered, "digest")
    check(f"{label}/digest/next-day", rc == 0 and set(d2) == teams_with_contacts
          and all(v[0]["json"]["day"] == "2026-11-02" for v in d2.values()), f"{sorted(d2)}")

    # custos scan --notify: record and tell in one command.  Open RDP on the
    # payments group: payments alone hears about exactly that finding.
    edit_sg(org, ssh, lambda g: g["IpPermissions"].append(
        {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389,
         "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [],
         "UserIdGroupPairs": []}))
    http.clear()
    smtp.clear()
    rc, out, err = run(["scan", "--inventory", org, "--db", db, "--format", "json", "--notify"])
    printed.append(out + err)
    f4 = json.loads(out)["findings"] if rc in (0, 3) else []
    new4 = [f for f in at_threshold(f4)
            if f["fingerprint"] not in {x["fingerprint"] for x in f3}]
    got = hooks(http.delivered)
    items = [i["fingerprint"] for i in got.get("payments", [{}])[0].get("json", {}).get(
        "findings", [])] if got.get("payments") else []
    check(f"{label}/scan-notify", rc in (0, 3) and set(got) == {"payments"}
          and len(got["payments"]) == 1 and new4 and items == [f["fingerprint"] for f in new4],
          f"rc={rc} teams={sorted(got)} items={items} new={[f['policy'] for f in new4]} "
          f"{err[-400:]}")
    rc, out, err = run(["scan", "--inventory", org, "--db", db, "--format", "json", "--notify"])
    check(f"{label}/scan-notify-unchanged", rc in (0, 3) and len(http.delivered) == 1,
          f"rc={rc} {len(http.delivered)} {err[-300:]}")

    check(f"{label}/secrets-not-printed", not any(SECRET in p for p in printed),
          [p for p in printed if SECRET in p][:1])


def check_help():
    rc, out, err = run(["notify", "--help"])
    opts = ["--inventory", "--db", "--min-severity", "--digest", "--as-of", "--dashboard-url",
            "--smtp-url", "--mail-from", "--timeout", "--retries", "--retry-delay", "--dry-run",
            "--quiet", "--help"]
    check("help", rc == 0 and all(o in out for o in opts),
          [o for o in opts if o not in out])
    rc, out, err = run(["notify", "--inventory", "x", "--min-severity", "bogus", "--retries",
                        "x"])
    check("bad-option", rc == 1 and "--retries" in err, err)


def pg_url():
    """A database of our own on the test server, so reruns start clean."""
    p = subprocess.run(["bash", "scripts/pg-test.sh", "createdb", "custos_notify"],
                       capture_output=True, text=True, check=True)
    return p.stdout.strip().splitlines()[-1]


def main():
    os.makedirs(OUT, exist_ok=True)
    base = os.path.join(OUT, "base-org")
    if os.path.exists(base):
        shutil.rmtree(base)
    subprocess.run(["/usr/bin/python3", "examples/gen_org.py", "--out", base, "--seed", "42",
                    "--quiet"], check=True)
    check_help()
    http, smtp = HttpReceiver(), SmtpReceiver()
    try:
        db = os.path.join(OUT, "notify.db")
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        scenario("sqlite", "sqlite:" + db, base, http, smtp)
        if os.environ.get("CUSTOS_TEST_PG"):
            scenario("pg", pg_url(), base, http, smtp)
        elif os.environ.get("CUSTOS_TEST_PG_ERROR"):
            check("pg", False, "PostgreSQL unavailable: " + os.environ["CUSTOS_TEST_PG_ERROR"])
        else:
            print("SKIP pg: CUSTOS_TEST_PG is not set")
    finally:
        http.close()
        smtp.close()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
