"""What the integration tests share to reach their real peers: a
PostgreSQL database of their own on the server tests/run.sh started
(CUSTOS_TEST_PG), and a `custos serve` on loopback to read the dashboard
from.  One copy, so a change in how the server is reached (its URL's
query, the serve banner) is made once."""
import json
import os
import re
import subprocess
import time
import urllib.request


def pg_url(prefix, name, admin=None):
    """A fresh database custos_PREFIX_NAME_PID on the test server (dropped
    first, so a rerun starts clean); its URL, with the admin URL's query."""
    admin = admin or os.environ["CUSTOS_TEST_PG"]
    dbname = "custos_%s_%s_%d" % (prefix, name, os.getpid())
    subprocess.run(["psql", "-q", admin, "-c", "DROP DATABASE IF EXISTS " + dbname], capture_output=True)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", admin, "-c", "CREATE DATABASE " + dbname],
                   check=True, capture_output=True)
    base, _, _ = admin.partition("?")[0].rpartition("/")
    query = "?" + admin.split("?", 1)[1] if "?" in admin else ""
    return "%s/%s%s" % (base, dbname, query)


def dashboard(custos, db, log, env=None, paths=("/", "/api/")):
    """Starts `custos serve` on an ephemeral loopback port, reads paths
    (text for HTML, parsed for /api/...), stops it.  Returns the bodies in
    order (None where the server never came up) and the server's log."""
    fh = open(log, "w")
    if env is None:
        env = {k: v for k, v in os.environ.items() if k != "CUSTOS_DB"}
    srv = subprocess.Popen([custos, "serve", "--db", db, "--listen", "127.0.0.1:0"], stdout=fh, stderr=fh,
                           env=env)
    base = None
    for _ in range(300):
        m = re.search(r"custos serve: http://127\.0\.0\.1:(\d+)/", open(log).read())
        if m:
            base = "http://127.0.0.1:%s" % m.group(1)
            break
        if srv.poll() is not None:
            break
        time.sleep(0.1)
    out = [None] * len(paths)
    try:
        for i, p in enumerate(paths if base else ()):
            body = urllib.request.urlopen(base + p, timeout=60).read()
            out[i] = json.loads(body) if p.startswith("/api/") else body.decode()
    finally:
        srv.terminate()
        srv.wait(timeout=60)
        fh.close()
    return out, open(log).read()
