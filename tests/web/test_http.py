#!/usr/bin/python3
"""The dashboard over HTTP: `custos serve` on a free loopback port.

A store is built from a copy of the sample organisation, scanned twice with
a change in between (one finding resolved, one new), with hostile strings
planted in it: a security group named with <script>, quotes and an
ampersand, and an account whose team name holds a slash, markup and
quotes.  Then, against the running server (the sanitizer build):
- every route: status, content type, the security headers, no-store;
- the JSON twin of every page (Accept: application/json and /api/...),
  equal to each other and to what `custos findings` says (the oracle);
- hostile strings come out escaped in HTML and intact in JSON;
- 404 / 405 (with Allow) / 400, HEAD, ETag/304 on static files;
- read-only: no forms, every POST 403;
- with --allow-writes: login with the token (cookie HttpOnly,
  SameSite=Strict), suppress/unsuppress with the CSRF token; a missing or
  wrong CSRF token, a foreign Origin, no session -> 403; the Bearer API;
- it listens on 127.0.0.1 by default and refuses other addresses without
  --allow-remote; SIGTERM stops it cleanly (no sanitizer report).
"""
import concurrent.futures
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
os.chdir(ROOT)
CUSTOS = os.environ.get("CUSTOS", "build/release/custos")
OUT = os.path.join(os.environ.get("OUT", "build/test-out"), "web")
HOSTILE = '<script>alert("x")</script>\'&"bastion'
HOSTILE_TEAM = 'ops/<b>"x"&\'y'
TOKEN = "web-test-token-0123456789abcdef"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
failures = 0


def check(name, cond, why=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}: {why}")
    return cond


def run(*args):
    e = dict(os.environ)
    e.pop("CUSTOS_DB", None)
    return subprocess.run([CUSTOS, *args], capture_output=True, text=True, env=e)


# ---- the store ------------------------------------------------------------

def sg_files(org):
    return sorted(glob.glob(os.path.join(org, "*", "*", "ec2.DescribeSecurityGroups.json")))


def edit_groups(org, fn):
    """fn(account, group) -> True when it changed the group."""
    for path in sg_files(org):
        account = path.split(os.sep)[-3]
        doc = json.load(open(path))
        if any([fn(account, g) for g in doc.get("SecurityGroups", [])]):
            json.dump(doc, open(path, "w"), indent=1)


def world_ssh(g):
    return any(p.get("FromPort") == 22 and any(r.get("CidrIp") == "0.0.0.0/0"
                                               for r in p.get("IpRanges", []))
               for p in g.get("IpPermissions", []))


def build_store():
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    org = os.path.join(OUT, "org")
    subprocess.run(["/usr/bin/python3", "examples/gen_org.py", "--out", org, "--seed", "42"],
                   check=True, capture_output=True)
    # Hostile resource name: the payments bastion group.
    def plant(account, g):
        if g.get("GroupName") == "payments-bastion-ssh":
            g["GroupName"] = HOSTILE
            g["Tags"] = [{"Key": "Name", "Value": HOSTILE}, {"Key": "owner", "Value": HOSTILE}]
            return True
        return False
    edit_groups(org, plant)
    # Hostile team: the search-prod account's team.
    acc = os.path.join(org, "accounts.yaml")
    text = open(acc).read()
    text, n = re.subn(r'(name: search-prod\n    team: )search',
                      lambda m: m.group(1) + json.dumps(HOSTILE_TEAM), text)
    open(acc, "w").write(text)
    assert n == 1, "accounts.yaml layout changed"
    db = f"sqlite:{OUT}/web.db"
    r = run("scan", "--inventory", org, "--db", db, "--as-of", "2026-11-01T00:00:00Z",
            "--format", "json", "-o", os.devnull)
    assert r.returncode in (0, 3), r.stderr
    # The change: one world-open SSH group closed (resolved), one opened (new).
    closed, opened = [], []
    def change(account, g):
        if not closed and world_ssh(g) and g.get("GroupName") != HOSTILE:
            g["IpPermissions"] = []
            closed.append(g["GroupId"])
            return True
        if not opened and g.get("GroupName") == "default" and account == "223005401501":
            g["IpPermissions"] = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                                   "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [],
                                   "PrefixListIds": [], "UserIdGroupPairs": []}]
            opened.append(g["GroupId"])
            return True
        return False
    edit_groups(org, change)
    r = run("scan", "--inventory", org, "--db", db, "--as-of", "2026-11-02T00:00:00Z",
            "--format", "json", "-o", os.devnull)
    assert r.returncode in (0, 3), r.stderr
    return org, db, closed[0], opened[0]


def oracle(db, *args):
    r = run("findings", "--db", db, "--format", "json", "--as-of", "2026-11-02T06:00:00Z", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["findings"]


# ---- the server -------------------------------------------------------------

class Server:
    def __init__(self, *args):
        self.p = subprocess.Popen([CUSTOS, "serve", *args], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.first = self.p.stdout.readline()
        m = re.match(r"custos serve: http://([0-9.]+|\[[0-9a-f:]+\]):(\d+)/ \((.*)\)\n", self.first)
        self.host, self.port = (m.group(1), int(m.group(2))) if m else (None, None)

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        return self.p.returncode, self.p.stderr.read()


def request(srv, method, path, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    h = dict(headers or {})
    if isinstance(body, dict):
        body = urllib.parse.urlencode(body)
        h.setdefault("Content-Type", "application/x-www-form-urlencoded")
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def get(srv, path, accept=None, headers=None):
    h = dict(headers or {})
    if accept:
        h["Accept"] = accept
    return request(srv, "GET", path, headers=h)


def get_json(srv, path):
    st, h, body = get(srv, path, accept="application/json")
    return st, h, json.loads(body) if h.get("content-type", "").startswith("application/json") else None


def security_headers_ok(h):
    return (h.get("content-security-policy") == CSP and h.get("x-content-type-options") == "nosniff"
            and h.get("x-frame-options") == "DENY" and h.get("referrer-policy") == "no-referrer")


# ---- the tests ----------------------------------------------------------------

def listening_address(port):
    """The local addresses a LISTEN socket on port has, from /proc."""
    out = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(name).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            addr, p = f[1].split(":")
            if int(p, 16) == port and f[3] == "0A":
                out.append(addr)
    return out


def test_listen_defaults(db):
    s = Server("--db", db, "--listen", "0")
    ok = check("serve_prints_url_read_only", s.port and s.host == "127.0.0.1" and
               s.first.endswith("(read-only)\n"), repr(s.first))
    if ok:
        check("listens_on_loopback_only", listening_address(s.port) == ["0100007F"],
              str(listening_address(s.port)))
    rc, err = s.stop()
    check("sigterm_stops_cleanly", rc == 0 and "ERROR: AddressSanitizer" not in err and
          "LeakSanitizer" not in err, f"rc={rc} {err[-400:]}")
    # Without --listen at all: 127.0.0.1:8080 (when that port is free here).
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.1", 8080))
        free = True
    except OSError:
        free = False
    probe.close()
    if free:
        s = Server("--db", db)
        check("default_listen_127_0_0_1_8080", s.host == "127.0.0.1" and s.port == 8080 and
              listening_address(8080) == ["0100007F"], repr(s.first))
        s.stop(signal.SIGINT)
    else:
        r = run("serve", "--db", db, "--help")
        check("default_listen_127_0_0_1_8080", "default 127.0.0.1:8080" in r.stdout,
              "port 8080 busy and --help does not state the default")
    r = run("serve", "--db", db, "--listen", "0.0.0.0:0")
    check("refuses_non_loopback", r.returncode == 1 and "--allow-remote" in r.stderr, r.stderr)
    r = run("serve", "--db", db, "--listen", "nonsense:x")
    check("bad_listen_is_an_error", r.returncode == 1 and "--listen" in r.stderr, r.stderr)
    r = run("serve", "--db", db, "--allow-writes")
    check("writes_need_token_file", r.returncode == 1 and "--token-file" in r.stderr, r.stderr)
    r = run("serve", "--help")
    opts = ["--db", "--listen", "--allow-remote", "--allow-writes", "--token-file", "--threads",
            "--dashboard-title", "--as-of", "--log"]
    check("help_documents_every_option", r.returncode == 0 and all(o in r.stdout for o in opts),
          r.stdout[:200])


def test_routes(srv, db, closed, opened):
    fp_worst = oracle(db, "--team", "payments")[0]["fingerprint"]
    routes = ["/", "/team/payments", "/account/payments-prod", "/account/367469214295",
              "/findings", "/findings?team=payments&severity=high", "/findings?status=all&page=2",
              f"/finding/{fp_worst}", "/trends", "/trends?team=payments&days=7", "/login"]
    for path in routes:
        st, h, body = get(srv, path)
        html = body.decode()
        check(f"html {path}", st == 200 and h.get("content-type") == "text/html; charset=utf-8"
              and security_headers_ok(h) and h.get("cache-control") == "no-store"
              and html.startswith("<!DOCTYPE html>") and html.count("<h1>") == 1
              and '<html lang="en">' in html and 'href="#main"' in html and "<main" in html,
              f"{st} {h.get('content-type')} {html[:200]!r}")
        if path == "/login":
            continue
        st1, h1, j1 = get_json(srv, path)
        api = "/api" + path
        st2, h2, j2 = get_json(srv, api)
        st3, _, body3 = get(srv, api)  # /api needs no Accept header
        check(f"json twin {path}", st1 == 200 and st2 == 200 and j1 is not None and j1 == j2
              and json.loads(body3) == j1 and security_headers_ok(h1), f"{st1} {st2}")
    st, h, body = get(srv, "/healthz")
    check("healthz", st == 200 and body == b"ok\n" and security_headers_ok(h), f"{st} {body!r}")
    st, h, j = get_json(srv, "/api/healthz")
    check("healthz json", st == 200 and j["ok"] is True and j["last_scan"].startswith("2026-11-02"),
          str(j))
    st, h, body = request(srv, "HEAD", "/")
    check("head", st == 200 and body == b"" and security_headers_ok(h), f"{st} {len(body)}")
    for name, ctype in (("app.css", "text/css"), ("app.js", "text/javascript"),
                        ("favicon.svg", "image/svg+xml")):
        st, h, body = get(srv, f"/static/{name}")
        etag = h.get("etag")
        st2, h2, body2 = get(srv, f"/static/{name}", headers={"If-None-Match": etag or "x"})
        check(f"static {name}", st == 200 and h.get("content-type", "").startswith(ctype)
              and len(body) > 100 and etag and st2 == 304 and body2 == b""
              and security_headers_ok(h2), f"{st} {st2} {h.get('content-type')}")
    # No external URL anywhere in the assets or pages.
    bodies = [get(srv, p)[2].decode() for p in ("/", f"/finding/{fp_worst}", "/static/app.css",
                                                  "/static/app.js", "/trends")]
    ext = [m for b in bodies for m in re.findall(r'(?:src|href)="(?!/|#)[^"]*"|url\((?!#)', b)]
    check("no_external_urls", not ext, str(ext[:3]))
    st, h, _ = get(srv, f"/findings/{fp_worst}")
    check("notification_link_redirects", st == 301 and h.get("location") == f"/finding/{fp_worst}",
          f"{st} {h.get('location')}")


def test_content(srv, db, closed, opened):
    # Overview: every account once; the worst finding of each team is the
    # oracle's first; colours follow the thresholds.
    _, _, ov = get_json(srv, "/")
    accounts = [a for t in ov["teams"] for a in t["accounts"]]
    org_accounts = re.findall(r'^  - id: "(\d+)"', open(os.path.join(OUT, "org", "accounts.yaml"))
                              .read(), re.M)
    check("overview_every_account", sorted(a["account"] for a in accounts) == sorted(org_accounts),
          f"{len(accounts)} vs {len(org_accounts)}")
    bad = []
    for t in ov["teams"]:
        want = oracle(db, "--team", t["team"])[:1] if t["team"] else []
        got = [t["worst"]["fingerprint"]] if t["worst"] else []
        if t["team"] and [w["fingerprint"] for w in want] != got:
            bad.append(t["team"])
        for a in t["accounts"]:
            colour = ("green" if a["open"] == 0 else "red" if a["max_priority"] >= 70 else
                      "amber" if a["max_priority"] >= 40 else "green")
            if a["status"] != colour or len(a["trend"]) != 30:
                bad.append(a["account"])
            mine = oracle(db, "--account", a["account"])
            if a["open"] != len(mine) or (mine and a["max_priority"] != mine[0]["priority"]):
                bad.append(f"{a['account']} open {a['open']} vs {len(mine)}")
    check("overview_worst_and_colours_match_store", not bad, str(bad[:5]))
    html = get(srv, "/")[2].decode()
    tiles = re.findall(r'data-testid="tile" data-status="(red|amber|green)"', html)
    check("overview_tiles", len(tiles) == len(org_accounts) and "red" in tiles, str(len(tiles)))

    # Team page: the oracle's open findings, in order, 50 a page.
    want = oracle(db, "--team", "payments")
    _, _, tj = get_json(srv, "/team/payments")
    check("team_lists_open_findings_in_priority_order",
          [f["fingerprint"] for f in tj["findings"]] == [f["fingerprint"] for f in want[:50]]
          and tj["total"] == len(want), f"{len(tj['findings'])} vs {len(want)}")
    th = get(srv, "/team/payments")[2].decode()
    rows = re.findall(r'data-testid="finding-row" data-team="([^"]*)"', th)
    check("team_rows_are_the_team", rows and set(rows) == {"payments"}, str(set(rows)))
    f0 = want[0]
    for piece in (f0["fix"], "Open for", "Why:", f0["region"]):
        check(f"team_row_says {piece[:20]}", html_text(piece) in th, piece)

    # /findings: filters are the oracle's; pagination; statuses.
    allf = oracle(db, "--status", "all")
    _, _, p1 = get_json(srv, "/findings?status=all")
    _, _, p2 = get_json(srv, "/findings?status=all&page=2")
    check("findings_pages", p1["total"] == len(allf) and p1["page_size"] == 50 and
          [f["fingerprint"] for f in p1["findings"] + p2["findings"]] ==
          [f["fingerprint"] for f in allf[:100]], f"{p1['total']} vs {len(allf)}")
    for q, args in (("team=payments&severity=high", ["--team", "payments", "--severity", "high"]),
                    ("env=prod&status=resolved", ["--env", "prod", "--status", "resolved"]),
                    ("policy=sg-ssh-open-to-world", ["--policy", "sg-ssh-open-to-world"]),
                    ("status=new", ["--status", "new"])):
        _, _, j = get_json(srv, "/findings?" + q)
        want = oracle(db, *args)
        check(f"findings_filter {q}", j["total"] == len(want) and
              [f["fingerprint"] for f in j["findings"]] == [f["fingerprint"] for f in want[:50]],
              f"{j['total']} vs {len(want)}")
    fh = get(srv, "/findings?team=payments")[2].decode()
    check("findings_filter_form", re.search(r'<form class="filters" method="get"', fh) and
          re.search(r'<label for="f-team">', fh) and 'name="team"' in fh and
          '<option value="payments" selected>' in fh, "form")

    # The change between the scans: a resolved and a new finding, with history.
    res = [f for f in oracle(db, "--status", "resolved") if f["id"] == closed]
    new = [f for f in oracle(db, "--status", "new") if f["id"] == opened]
    check("resolved_and_new_in_store", res and new, f"{len(res)} {len(new)}")
    if res:
        _, _, fj = get_json(srv, f"/finding/{res[0]['fingerprint']}")
        hist = [(e["previous"], e["status"]) for e in fj["history"]]
        check("finding_history", fj["finding"]["status"] == "resolved" and
              hist == [(None, "new"), ("new", "resolved")], str(hist))
    worst = oracle(db)[0]
    page = get(srv, f"/finding/{worst['fingerprint']}")[2].decode()
    check("finding_page", html_text(worst["fix"]) in page and 'data-testid="fix"' in page and
          'data-testid="copy-fix"' in page and "<h2 id=\"rb-h\">How to fix it</h2>" in page and
          '<div class="code"><button type="button" class="copy" hidden>Copy</button><pre>' in page
          and "Evidence" in page and "History" in page
          and f'data-testid="status">{worst["status"]}<' in page,
          "pieces missing")
    _, _, fj = get_json(srv, f"/finding/{worst['fingerprint']}")
    check("finding_json", fj["finding"]["fingerprint"] == worst["fingerprint"] and
          fj["finding"]["runbook"] and fj["finding"]["evidence"] is not None and
          fj["finding"]["reasons"] == worst["reasons"], str(fj)[:200])
    # Trends: 30 days, per team table; new and resolved on the second day.
    _, _, tr = get_json(srv, "/trends")
    day2 = [d for d in tr["series"] if d["day"] == "2026-11-02"]
    check("trends_json", len(tr["series"]) == 30 and day2 and day2[0]["new"] >= 1 and
          day2[0]["resolved"] >= 1 and len(tr["teams"]) >= 14, str(day2))
    th = get(srv, "/trends")[2].decode()
    check("trends_charts", th.count('role="img"') >= 2, "no charts")


def html_text(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def test_escaping(srv, db):
    hostile = [f for f in oracle(db, "--status", "all") if f.get("name") == HOSTILE]
    check("hostile_finding_stored", hostile, "the planted group produced no finding")
    team = [f for f in oracle(db, "--status", "all") if f.get("team") == HOSTILE_TEAM]
    check("hostile_team_stored", team, "the planted team has no findings")
    pages = ["/", "/team/payments", "/account/payments-prod", "/findings?status=all",
             "/findings?team=" + urllib.parse.quote(HOSTILE_TEAM, safe=""),
             "/team/" + urllib.parse.quote(HOSTILE_TEAM, safe=""),
             "/trends", "/trends?team=" + urllib.parse.quote(HOSTILE_TEAM, safe="")]
    pages += [f"/finding/{f['fingerprint']}" for f in hostile + team]
    leaks = []
    for p in pages:
        st, _, body = get(srv, p)
        text = body.decode()
        if st != 200:
            leaks.append(f"{p}: {st}")
        for raw in ("<script>", '"x"', "<b>"):
            if raw in text:
                leaks.append(f"{p}: raw {raw}")
    check("hostile_strings_escaped_everywhere", not leaks, str(leaks[:4]))
    if hostile:
        page = get(srv, f"/finding/{hostile[0]['fingerprint']}")[2].decode()
        check("hostile_name_shown_escaped", html_text(HOSTILE) in page, "escaped form missing")
        _, _, j = get_json(srv, f"/finding/{hostile[0]['fingerprint']}")
        check("hostile_name_intact_in_json", j["finding"]["name"] == HOSTILE, j["finding"]["name"])
    tpage = get(srv, "/team/" + urllib.parse.quote(HOSTILE_TEAM, safe=""))[2].decode()
    check("hostile_team_page", "<h1>Team " + html_text(HOSTILE_TEAM) + "</h1>" in tpage and
          'href="/team/ops%2F%3Cb%3E%22x%22%26%27y"' in get(srv, "/")[2].decode(),
          "team heading or encoded link missing")
    _, _, j = get_json(srv, "/findings?team=" + urllib.parse.quote(HOSTILE_TEAM, safe=""))
    check("hostile_team_filter", j["total"] == len([f for f in team if f["status"] != "resolved"])
          and all(f["team"] == HOSTILE_TEAM for f in j["findings"]), str(j["total"]))


def test_errors(srv):
    for path in ("/nope", "/team/no-such-team", "/account/000000000000", "/finding/0123456789abcdef",
                 "/finding/not-hex", "/static/nope.css", "/api/nope", "/team"):
        st, h, body = get(srv, path)
        check(f"404 {path}", st == 404 and security_headers_ok(h) and
              (b"<h1>" in body or path.startswith("/api")), str(st))
    st, h, body = get_json(srv, "/api/nope")
    check("404 json", st == 404 and body["error"]["status"] == 404, str(body))
    st, h, _ = request(srv, "POST", "/", body="")
    check("405 POST /", st == 405 and h.get("allow") == "GET, HEAD" and security_headers_ok(h),
          f"{st} {h.get('allow')}")
    st, h, _ = request(srv, "DELETE", "/finding/0123456789abcdef")
    check("405 DELETE finding", st == 405 and h.get("allow") == "GET, HEAD", str(st))
    st, h, _ = get(srv, "/finding/0123456789abcdef/suppress")
    check("405 GET suppress", st == 405 and h.get("allow") == "POST", f"{st} {h.get('allow')}")
    for path in ("/team/%zz", "/team/a%00b", "/findings?team=%01", "/findings?severity=bogus",
                 "/findings?status=bogus", "/findings?page=0", "/findings?page=x",
                 "/trends?days=1000", "/a//b", "/team/.."):
        st, h, _ = get(srv, path)
        check(f"400 {path}", st == 400 and security_headers_ok(h), str(st))
    st, h, _ = request(srv, "POST", "/login", body="x" * (70 * 1024),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    check("413 big body", st == 413 and security_headers_ok(h), str(st))


def test_read_only(srv, db):
    fp = oracle(db)[0]["fingerprint"]
    page = get(srv, f"/finding/{fp}")[2].decode()
    check("read_only_no_post_forms", 'method="post"' not in page and "custos suppress" in page,
          "a POST form is shown")
    for path, body in ((f"/finding/{fp}/suppress", {"reason": "r", "expires": "2027-01-01"}),
                       (f"/finding/{fp}/unsuppress", {}), ("/login", {"token": TOKEN}),
                       (f"/api/finding/{fp}/suppress", {"reason": "r", "expires": "2027-01-01"})):
        st, h, _ = request(srv, "POST", path, body=body,
                           headers={"Authorization": "Bearer " + TOKEN})
        check(f"read_only_403 {path}", st == 403 and security_headers_ok(h), str(st))
    check("read_only_still_open", oracle(db)[0]["status"] != "suppressed", "suppressed!")


def cookie_of(h):
    m = re.match(r"custos_session=([0-9a-f]{64});", h.get("set-cookie", ""))
    return m.group(1) if m else None


def tile_open(srv, account):
    """The open count on the overview tile of an account (its JSON twin)."""
    st, _, j = get_json(srv, "/api/")
    for t in (j or {}).get("teams", []):
        for acc in t.get("accounts", []):
            if acc.get("account") == account:
                return acc.get("open")
    return None


def test_writes(db):
    tok = os.path.join(OUT, "token")
    with open(tok, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(tok, 0o600)
    srv = Server("--db", db, "--listen", "127.0.0.1:0", "--allow-writes", "--token-file", tok,
                 "--as-of", "2026-11-02T06:00:00Z")
    try:
        check("writes_banner", "writes enabled" in srv.first, srv.first)
        fp = oracle(db)[0]["fingerprint"]
        page = get(srv, f"/finding/{fp}")[2].decode()
        check("writes_logged_out_no_form", 'data-testid="suppress-form"' not in page and
              f'/login?next=/finding/{fp}' in page, "form without login")
        st, h, _ = request(srv, "POST", "/login", body={"token": "wrong-token-wrong-token"})
        check("login_wrong_token_403", st == 403 and not cookie_of(h), str(st))
        st, h, _ = request(srv, "POST", "/login",
                           body={"token": TOKEN, "name": "Ada", "next": f"/finding/{fp}"})
        sid = cookie_of(h)
        sc = h.get("set-cookie", "")
        check("login_sets_cookie", st == 303 and sid and "HttpOnly" in sc and
              "SameSite=Strict" in sc and h.get("location") == f"/finding/{fp}", f"{st} {sc}")
        st, h, _ = request(srv, "POST", "/login",
                           body={"token": TOKEN, "next": "//evil.example/x"})
        check("login_no_open_redirect", st == 303 and h.get("location") == "/", h.get("location"))
        ck = {"Cookie": f"custos_session={sid}"}
        page = get(srv, f"/finding/{fp}", headers=ck)[2].decode()
        m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
        csrf = m.group(1) if m else ""
        check("logged_in_form_with_csrf", 'data-testid="suppress-form"' in page and csrf and
              '<label for="reason">' in page and '<label for="expires">' in page and
              "Signed in as Ada" in page, "no form")
        form = {"reason": "accepted: test", "expires": "2026-12-24"}
        for name, body, extra in (("no_csrf", form, {}),
                                  ("bad_csrf", dict(form, csrf="0" * 64), {}),
                                  ("foreign_origin", dict(form, csrf=csrf),
                                   {"Origin": "http://evil.example"})):
            st, _, _ = request(srv, "POST", f"/finding/{fp}/suppress", body=body,
                               headers=dict(ck, **extra))
            check(f"csrf_{name}_403", st == 403, str(st))
        st, _, _ = request(srv, "POST", f"/finding/{fp}/suppress", body=dict(form, csrf=csrf))
        check("no_session_403", st == 403, str(st))
        check("still_open_after_refusals", oracle(db, "--id", fp)[0]["status"] != "suppressed",
              "suppressed")
        st, h, _ = request(srv, "POST", f"/finding/{fp}/suppress",
                           body=dict(form, csrf=csrf, reason=""), headers=ck)
        check("suppress_needs_reason_400", st == 400, str(st))
        st, h, _ = request(srv, "POST", f"/finding/{fp}/suppress",
                           body=dict(form, csrf=csrf, expires="2020-01-01"), headers=ck)
        check("suppress_needs_future_expiry_400", st == 400, str(st))
        account = oracle(db, "--id", fp)[0]["account"]
        open_before = tile_open(srv, account)
        st, h, _ = request(srv, "POST", f"/finding/{fp}/suppress", body=dict(form, csrf=csrf),
                           headers=dict(ck, Origin=f"http://127.0.0.1:{srv.port}"))
        check("suppress_with_csrf", st == 303 and
              h.get("location") == f"/finding/{fp}?done=suppressed", f"{st} {h.get('location')}")
        check("suppress_updates_tile", open_before is not None and
              tile_open(srv, account) == open_before - 1,
              f"{open_before} -> {tile_open(srv, account)}")
        sup = oracle(db, "--id", fp, "--status", "all")[0]
        check("suppressed_in_store", sup["status"] == "suppressed" and
              sup["suppression"]["reason"] == "accepted: test" and
              sup["suppression"]["author"] == "Ada", str(sup.get("suppression")))
        page = get(srv, f"/finding/{fp}?done=suppressed", headers=ck)[2].decode()
        check("page_shows_suppression", 'data-testid="status">suppressed<' in page and
              "accepted: test" in page and "2026-12-24" in page and
              'data-testid="unsuppress-form"' in page, "not shown")
        # Under Referrer-Policy: no-referrer, browsers send "Origin: null".
        st, h, _ = request(srv, "POST", f"/finding/{fp}/unsuppress", body={"csrf": csrf},
                           headers=dict(ck, Origin="null"))
        check("unsuppress_with_csrf", st == 303 and
              oracle(db, "--id", fp, "--status", "all")[0]["status"] != "suppressed", str(st))
        check("unsuppress_restores_tile", tile_open(srv, account) == open_before,
              f"{tile_open(srv, account)} vs {open_before}")
        # Bearer API.
        st, h, body = request(srv, "POST", f"/api/finding/{fp}/suppress",
                              body={"reason": "api says so", "expires": "2026-12-01"},
                              headers={"Authorization": "Bearer " + TOKEN})
        j = json.loads(body) if st == 200 else {}
        check("bearer_suppress", st == 200 and j.get("fingerprint") == fp and
              j.get("suppression_id", 0) > 0 and
              oracle(db, "--id", fp, "--status", "all")[0]["status"] == "suppressed", f"{st} {body!r}")
        st, h, body = request(srv, "POST", f"/api/finding/{fp}/unsuppress",
                              body=json.dumps({}),
                              headers={"Authorization": "Bearer " + TOKEN,
                                       "Content-Type": "application/json"})
        check("bearer_unsuppress", st == 200 and json.loads(body)["removed"] >= 1, f"{st} {body!r}")
        st, h, _ = request(srv, "POST", f"/api/finding/{fp}/suppress",
                           body={"reason": "x", "expires": "2026-12-01"},
                           headers={"Authorization": "Bearer wrong-wrong-wrong-wrong"})
        check("bearer_wrong_401", st == 401 and "bearer" in h.get("www-authenticate", "").lower(),
              str(st))
        st, h, _ = request(srv, "POST", f"/api/finding/{fp}/suppress",
                           body={"reason": "x", "expires": "2026-12-01"})
        check("api_without_auth_403", st == 403, str(st))
        st, h, _ = request(srv, "POST", "/logout", body={"csrf": csrf}, headers=ck)
        page = get(srv, f"/finding/{fp}", headers=ck)[2].decode()
        check("logout", st == 303 and "Max-Age=0" in h.get("set-cookie", "") and
              'data-testid="suppress-form"' not in page, str(st))
    finally:
        rc, err = srv.stop()
    check("writes_server_stops_cleanly", rc == 0 and "Sanitizer" not in err, err[-400:])


def test_concurrency(srv):
    paths = ["/", "/team/payments", "/findings?status=all", "/trends", "/api/"] * 8
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        res = list(ex.map(lambda p: get(srv, p)[0], paths))
    check("concurrent_requests", res == [200] * len(paths), str(set(res)))
    times = {}
    for p in ("/", "/team/payments", "/account/payments-prod", "/findings", "/trends"):
        h = get(srv, p)[1]
        m = re.match(r"app;dur=([0-9.]+)", h.get("server-timing", ""))
        times[p] = float(m.group(1)) if m else None
    print("  detail: server time (ms, sanitizer build): " +
          ", ".join(f"{p} {t}" for p, t in times.items()))
    check("server_timing_header", all(t is not None and t < 1000 for t in times.values()),
          str(times))


def test_empty_store():
    db = f"sqlite:{OUT}/empty.db"
    if os.path.exists(db[7:]):
        os.unlink(db[7:])
    # Read-only, the dashboard never creates a store: a mistyped --db must
    # not show an empty "all clear".
    r = subprocess.run([CUSTOS, "serve", "--db", db, "--listen", "0"], capture_output=True,
                       text=True, timeout=60)
    check("missing_store_refused", r.returncode == 1 and "no findings store" in r.stderr
          and "custos scan" in r.stderr and not os.path.exists(db[7:]), r.stderr[-300:])
    # An existing store with no scan yet (suppress --list creates it).
    r = subprocess.run([CUSTOS, "suppress", "--list", "--db", db], capture_output=True, text=True)
    check("empty_store_created_by_a_writer", r.returncode == 0, r.stderr[-300:])
    srv = Server("--db", db, "--listen", "0")
    try:
        st, _, body = get(srv, "/")
        check("empty_store_overview", st == 200 and b"No scans yet" in body and
              f"--db {db}".encode() in body, str(st))
        st, _, body = get(srv, "/findings")
        check("empty_store_findings", st == 200 and b'data-testid="empty"' in body, str(st))
        st, _, j = get_json(srv, "/trends")
        check("empty_store_trends", st == 200 and len(j["series"]) == 30, str(st))
    finally:
        srv.stop()


def test_large_list():
    """Past WEB_COUNT_AHEAD matches, lists count only that far ahead ("10050+")
    and say so; near the end of the list the count is exact again."""
    path = f"{OUT}/large.db"
    r = subprocess.run(["/usr/bin/python3", "bench/fill_store.py", "--db", path, "-n", "12000",
                        "--custos", CUSTOS], capture_output=True, text=True)
    if not check("large_store_filled", r.returncode == 0, r.stderr[-400:]):
        return
    con = sqlite3.connect(path)
    every = con.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
    con.close()
    srv = Server("--db", f"sqlite:{path}", "--listen", "0")
    try:
        st, _, j = get_json(srv, "/findings?status=all")
        check("large_first_page_lower_bound", st == 200 and j["total"] == 10050
              and j["total_exact"] is False and len(j["findings"]) == 50, str(j and j["total"]))
        st, _, body = get(srv, "/findings?status=all")
        check("large_first_page_says_plus", st == 200 and b"of 10050+," in body
              and b"Page 1 of 201+" in body and b'rel="next"' in body, str(st))
        st, _, j = get_json(srv, "/findings?status=all&page=201")
        check("large_late_page_exact", st == 200 and j["total"] == every
              and j["total_exact"] is True and len(j["findings"]) == 50, str(j and j["total"]))
        last = (every + 49) // 50
        st, _, body = get(srv, f"/findings?status=all&page={last}")
        check("large_last_page_no_next", st == 200 and f"Page {last} of {last}<".encode() in body
              and b'rel="next"' not in body, str(st))
        st, _, j = get_json(srv, "/findings?status=all&severity=critical")
        con = sqlite3.connect(path)
        crit = con.execute("SELECT COUNT(*) FROM findings WHERE severity = 'critical'").fetchone()[0]
        con.close()
        check("large_small_filter_exact", st == 200 and j["total"] == crit < 10050
              and j["total_exact"] is True, f"{j and j['total']} vs {crit}")
    finally:
        rc, err = srv.stop()
        check("large_server_stops_cleanly", rc == 0 and "Sanitizer" not in err, err[-600:])


def main():
    org, db, closed, opened = build_store()
    test_listen_defaults(db)
    srv = Server("--db", db, "--listen", "127.0.0.1:0", "--as-of", "2026-11-02T06:00:00Z",
                 "--threads", "3")
    try:
        if not check("server_started", srv.port, srv.first):
            return
        test_routes(srv, db, closed, opened)
        test_content(srv, db, closed, opened)
        test_escaping(srv, db)
        test_errors(srv)
        test_read_only(srv, db)
        test_concurrency(srv)
    finally:
        rc, err = srv.stop()
        check("server_stops_cleanly", rc == 0 and "Sanitizer" not in err, err[-600:])
    test_writes(db)
    test_empty_store()
    test_large_list()


if __name__ == "__main__":
    main()
    sys.exit(1 if failures else 0)
