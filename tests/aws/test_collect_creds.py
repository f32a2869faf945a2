#!/usr/bin/python3
"""`custos collect`'s credential chain against real peers: moto_server with
IAM auth on (a wrong, inactive or made-up key is refused), so a collection
that is complete proves the credentials came through the chain.

  - AWS_PROFILE with the shared config: a profile with role_arn +
    source_profile, whose source profile has credential_process (moto's STS
    AssumeRole gives the role's credentials);
  - web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (moto's
    AssumeRoleWithWebIdentity, called unsigned);
  - the ECS container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI with an
    authorization token) and EC2 instance metadata (IMDSv2: a PUT for a
    session token, then the role and its credentials; a GET without the
    token is refused), each a small HTTP server in this test on loopback,
    since both are local endpoints by definition;
  - refresh before expiry: the metadata server first gives key A expiring
    in 200 s (within the 5-minute window), then key B; once it has given B
    it deletes A in moto.  The collection (slowed by the fault proxy's
    latency to outlast the 10 s between refreshes) must end complete: every
    request after the refresh was signed with B.
Every secret (keys, session tokens, the web identity and ECS tokens) is
grepped for in the output, the inventory, collection.json and the store of
a `scan --collect`."""
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from aws_peer import Cli, Report, free_port, moto_server, with_moto  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402

CUSTOS = os.environ.get("CUSTOS", os.path.join(HERE, "../../build/asan/custos"))
OUT = os.path.join(os.environ.get("OUT", "/tmp/custos-test-out"), "collect-creds")
ACCOUNT = "123456789012"
ROLE = "arn:aws:iam::%s:role/custos-base" % ACCOUNT
report = Report()
SECRETS = []


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class LocalCreds:
    """The ECS endpoint or IMDSv2, serving creds[i] on the i-th fetch (the
    last one from then on); on_fetch(i) is called after each."""

    def __init__(self, kind, creds, ttl, auth=None, on_fetch=None):
        self.kind, self.creds, self.ttl, self.auth, self.on_fetch = kind, creds, ttl, auth, on_fetch
        self.fetches, self.refused, self.tokens = 0, 0, set()
        me = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def send(self, code, body, ctype="application/json"):
                data = body.encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                if me.kind == "imds" and self.path == "/latest/api/token" and \
                        self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    tok = "imds-session-token-%d" % len(me.tokens)
                    me.tokens.add(tok)
                    SECRETS.append(tok)
                    return self.send(200, tok, "text/plain")
                self.send(400, "bad")

            def do_GET(self):
                if me.kind == "imds":
                    if self.headers.get("X-aws-ec2-metadata-token") not in me.tokens:
                        me.refused += 1
                        return self.send(401, "no token")
                    base = "/latest/meta-data/iam/security-credentials/"
                    if self.path == base:
                        return self.send(200, "custos-instance-role", "text/plain")
                    if self.path != base + "custos-instance-role":
                        return self.send(404, "no")
                elif self.path != "/creds" or self.headers.get("Authorization") != me.auth:
                    me.refused += 1
                    return self.send(401, "no")
                c = me.creds[min(me.fetches, len(me.creds) - 1)]
                i = me.fetches
                me.fetches += 1
                doc = {"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": c["AccessKeyId"],
                       "SecretAccessKey": c["SecretAccessKey"],
                       "Expiration": iso(datetime.now(timezone.utc) + timedelta(seconds=me.ttl[min(i, len(me.ttl) - 1)]))}
                if c.get("SessionToken"):
                    doc["Token"] = c["SessionToken"]
                self.send(200, json.dumps(doc))
                if me.on_fetch:
                    me.on_fetch(i)

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def base_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
               AWS_EC2_METADATA_DISABLED="true")
    return env


def collect(env, name, *extra):
    out = os.path.join(OUT, name)
    t = time.time()
    p = subprocess.run([CUSTOS, "collect", "--accounts", os.path.join(OUT, "accounts.yaml"), "--out", out,
                        "--timeout", "10"] + list(extra), env=env, capture_output=True, text=True, timeout=300)
    secs = time.time() - t
    col = {}
    try:
        col = json.load(open(os.path.join(out, "collection.json")))
    except (OSError, ValueError):
        pass
    open(os.path.join(OUT, name + ".log"), "w").write(p.stdout + p.stderr)
    print("  detail: %s: exit %d in %.1f s, %s requests" % (name, p.returncode, secs,
                                                           col.get("summary", {}).get("requests")))
    return p, col, secs


def complete(name, p, col):
    gaps = col.get("not_collected", [])
    report("%s_collects_everything" % name, p.returncode == 0 and col.get("complete") is True and not gaps,
           "exit %d: %s %s" % (p.returncode, p.stderr[-400:], json.dumps(gaps)[:400]))


def setup(py, endpoint):
    admin = Cli(py, endpoint, dict(base_env(), AWS_ACCESS_KEY_ID="AKIAADMIN0000000000",
                                   AWS_SECRET_ACCESS_KEY="admin-secret"))
    allow = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
    admin("iam", "create-user", "--user-name", "custos")
    admin("iam", "put-user-policy", "--user-name", "custos", "--policy-name", "all", "--policy-document", allow)
    keys = [admin("iam", "create-access-key", "--user-name", "custos")["AccessKey"] for _ in range(2)]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        # moto matches trust principals literally (its root does not stand
        # for the account's users, as in AWS)
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:user/custos" % ACCOUNT},
         "Action": "sts:AssumeRole"},
        {"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::%s:oidc-provider/oidc.example" % ACCOUNT},
         "Action": "sts:AssumeRoleWithWebIdentity"}]})
    admin("iam", "create-role", "--role-name", "custos-base", "--assume-role-policy-document", trust)
    admin("iam", "put-role-policy", "--role-name", "custos-base", "--policy-name", "all", "--policy-document", allow)
    sess = admin("sts", "assume-role", "--role-arn", ROLE, "--role-session-name", "ecs")["Credentials"]
    admin.close()
    req = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0",
                                 headers={"Content-Type": "text/plain"}, method="POST")
    urllib.request.urlopen(req).read()
    for k in keys:
        SECRETS.append(k["SecretAccessKey"])
    SECRETS.append(sess["SecretAccessKey"])
    SECRETS.append(sess["SessionToken"])
    return keys, sess


def main():
    def body(py, endpoint):
        keys, sess = setup(py, endpoint)
        run(py, endpoint, keys, sess)
    with_moto(OUT, report, body)


def run(py, endpoint, keys, sess):
    open(os.path.join(OUT, "accounts.yaml"), "w").write(
        'accounts:\n  - id: "%s"\n    name: main\n    regions: [us-east-1]\n' % ACCOUNT)
    env0 = dict(base_env(), AWS_ENDPOINT_URL=endpoint)
    # A made-up key: moto refuses it, so "complete" below means something.
    p, col, _ = collect(dict(env0, AWS_ACCESS_KEY_ID="AKIANOTAKEY00000000", AWS_SECRET_ACCESS_KEY="x" * 40), "badkey")
    report("control_unknown_key_refused", p.returncode != 0 and "InvalidClientTokenId" in json.dumps(col),
           "exit %d %s" % (p.returncode, json.dumps(col.get("not_collected", []))[:300]))

    # 1. AWS_PROFILE: role_arn + source_profile, the source by credential_process.
    printer = os.path.join(OUT, "print-creds.py")
    open(printer, "w").write("import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': %r, "
                             "'SecretAccessKey': %r}))\n" % (keys[0]["AccessKeyId"], keys[0]["SecretAccessKey"]))
    cfg = os.path.join(OUT, "config")
    open(cfg, "w").write("[profile base]\ncredential_process = /usr/bin/python3 %s\n\n"
                         "[profile dev]\nrole_arn = %s\nsource_profile = base\nrole_session_name = custos-dev\n"
                         "region = us-east-1\n" % (printer, ROLE))
    p, col, _ = collect(dict(env0, AWS_PROFILE="dev", AWS_CONFIG_FILE=cfg), "profile")
    complete("profile_role_source_profile_credential_process", p, col)

    # A store for the secret grep below: scan --collect (profile chain).
    db = os.path.join(OUT, "custos.db")
    s = subprocess.run([CUSTOS, "scan", "--collect", "--accounts", os.path.join(OUT, "accounts.yaml"),
                        "--inventory", os.path.join(OUT, "scanned"), "--db", "sqlite:" + db, "--format", "json",
                        "-o", os.path.join(OUT, "report.json")],
                       env=dict(env0, AWS_PROFILE="dev", AWS_CONFIG_FILE=cfg), capture_output=True, text=True,
                       timeout=300)
    open(os.path.join(OUT, "scan.log"), "w").write(s.stdout + s.stderr)
    report("scan_collect_recorded", s.returncode in (0, 3) and "recorded" in s.stderr, s.stderr[-400:])
    # 2. Web identity (EKS): AssumeRoleWithWebIdentity is unsigned, which
    # moto with auth on cannot take (it fails with a 500 on the missing
    # Authorization header, where AWS answers): a second moto without auth,
    # behind the proxy, which records each request's key: the STS call
    # unsigned, every other request signed with the temporary key it gave.
    tok = os.path.join(OUT, "web-identity-token")
    wit = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.web-identity-secret"
    SECRETS.append(wit)
    open(tok, "w").write(wit)
    port2 = free_port()
    moto2 = subprocess.Popen([moto_server(), "-H", "127.0.0.1", "-p", str(port2)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false"))
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/moto-api/" % port2).read()
                break
            except OSError:
                time.sleep(0.1)
        wproxy = FaultProxy(port2).start()
        p, col, _ = collect(dict(base_env(), AWS_ENDPOINT_URL="http://127.0.0.1:%d" % wproxy.port,
                                 AWS_WEB_IDENTITY_TOKEN_FILE=tok, AWS_ROLE_ARN=ROLE,
                                 AWS_ROLE_SESSION_NAME="custos-eks"), "webidentity")
        wproxy.stop()
    finally:
        moto2.terminate()
        moto2.wait()
    complete("web_identity", p, col)
    ks = wproxy.keys
    report("web_identity_sts_unsigned_then_its_key",
           len(ks) > 10 and ks[0] is None and ks.count(None) == 1 and len(set(ks[1:])) == 1
           and ks[1].startswith("ASIA"), "%s" % sorted(set(map(str, ks)))[:5])
    # 3. The ECS container endpoint (full URI + authorization token).
    ecs_auth = "ecs-authorization-token-secret"
    SECRETS.append(ecs_auth)
    ecs = LocalCreds("ecs", [sess], [3600], auth=ecs_auth)
    p, col, _ = collect(dict(env0, AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:%d/creds" % ecs.port,
                             AWS_CONTAINER_AUTHORIZATION_TOKEN=ecs_auth), "ecs")
    complete("ecs_container_endpoint", p, col)
    report("ecs_token_sent", ecs.fetches >= 1 and ecs.refused == 0, "fetches %d refused %d" % (ecs.fetches, ecs.refused))
    ecs.stop()

    # 4. IMDSv2, and refresh before expiry.
    deactivated = []
    waiter = []

    def on_fetch(i):
        if i == 1:  # custos now holds key B: key A stops working shortly
            def later():
                time.sleep(2)
                c = Cli(py, endpoint, dict(base_env(), AWS_ACCESS_KEY_ID=keys[1]["AccessKeyId"],
                                           AWS_SECRET_ACCESS_KEY=keys[1]["SecretAccessKey"]))
                # moto 5.2 still accepts an Inactive key: deleted, it is refused
                c("iam", "delete-access-key", "--user-name", "custos", "--access-key-id", keys[0]["AccessKeyId"])
                c.close()
                deactivated.append(time.time())
            t = threading.Thread(target=later, daemon=True)
            waiter.append(t)
            t.start()

    imds = LocalCreds("imds", keys, [200, 3600], on_fetch=on_fetch)
    probe = urllib.request.Request("http://127.0.0.1:%d/latest/meta-data/iam/security-credentials/" % imds.port)
    try:
        urllib.request.urlopen(probe).read()
        report("imds_refuses_without_token", False, "answered")
    except urllib.error.HTTPError as e:
        report("imds_refuses_without_token", e.code == 401, str(e))
    proxy = FaultProxy(int(endpoint.rsplit(":", 1)[1])).start()
    proxy.configure(latency=0.5)  # 40 requests one at a time: about 20 s
    env = dict(base_env(), AWS_ENDPOINT_URL="http://127.0.0.1:%d" % proxy.port, AWS_EC2_METADATA_DISABLED="false",
               AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d" % imds.port)
    t0 = time.time()
    p, col, secs = collect(env, "imds", "--concurrency", "1")
    proxy.stop()
    imds.stop()
    for t in waiter:
        t.join(timeout=60)
    complete("imds_v2_refreshed_before_expiry", p, col)
    report("imds_v2_token_used", len(imds.tokens) >= 1 and imds.refused == 1,
           "tokens %d refused %d" % (len(imds.tokens), imds.refused))
    after = [k for k in proxy.keys[-5:]]
    report("refreshed_and_old_key_revoked_while_collecting",
           imds.fetches >= 2 and deactivated and deactivated[0] < t0 + secs - 2
           and set(after) == {keys[1]["AccessKeyId"]} and keys[0]["AccessKeyId"] in proxy.keys,
           "fetches %d, deactivated %s, collect %.1f s" % (imds.fetches, [d - t0 for d in deactivated], secs))
    # After the run, key A really is refused (the check above had teeth;
    # the profile chain's credential_process gave A too, so it comes last).
    p2, col2, _ = collect(dict(env0, AWS_ACCESS_KEY_ID=keys[0]["AccessKeyId"],
                               AWS_SECRET_ACCESS_KEY=keys[0]["SecretAccessKey"]), "revoked")
    report("control_deleted_key_refused", p2.returncode != 0, "exit %d" % p2.returncode)

    leaks = []
    for root, _, files in os.walk(OUT):
        for f in files:
            path = os.path.join(root, f)
            if path in (printer, tok, cfg) or f == "moto.log":
                continue  # the test's own inputs hold them by design
            data = open(path, "rb").read()
            leaks += ["%s in %s" % (x[:6], path) for x in SECRETS if x.encode() in data]
    report("no_secret_anywhere", not leaks and len(SECRETS) >= 6, "; ".join(leaks[:5]))


if __name__ == "__main__":
    main()
    sys.exit(1 if report.failures else 0)
