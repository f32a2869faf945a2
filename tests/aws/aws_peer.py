"""The AWS peer and referee of the collector's tests: moto_server and the
AWS CLI.  Either is used from PATH when there (this image has both in its
Python); otherwise both are installed from PyPI, pinned, into one venv
under build/aws-venv (a clean Debian 12 CI machine: python3-venv comes from
scripts/install-deps.sh), once, under a lock.  Missing and not installable
is a failure of the caller, never a skip."""
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
VENV = os.path.join(ROOT, "build", "aws-venv")
PINS = ["moto[server]==5.2.1", "awscli==1.45.11"]


def which(cmd):
    for d in os.environ.get("PATH", "").split(":"):
        p = os.path.join(d, cmd)
        if d and os.access(p, os.X_OK):
            return p
    return None


def _venv(force=False):
    """build/aws-venv with PINS installed (made once); its bin directory."""
    ok = os.path.join(VENV, ".installed")
    os.makedirs(os.path.dirname(VENV), exist_ok=True)
    with open(VENV + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(ok) or open(ok).read() != " ".join(PINS):
            sys.stdout.write("  detail: installing %s into %s (from PyPI)\n" % (" ".join(PINS), VENV))
            sys.stdout.flush()
            subprocess.run(["/usr/bin/python3", "-m", "venv", "--clear", VENV], check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run([os.path.join(VENV, "bin", "pip"), "install", "-q", "--disable-pip-version-check"]
                           + PINS, check=True)
            open(ok, "w").write(" ".join(PINS))
    return os.path.join(VENV, "bin")


def moto_server():
    """The moto_server command (path), or raises with the reason."""
    if not os.environ.get("CUSTOS_TEST_AWS_VENV"):
        p = which("moto_server")
        if p:
            return p
    return os.path.join(_venv(), "moto_server")


def cli_python():
    """The Python the AWS CLI runs with (tests/aws/cli_referee.py runs in it)."""
    aws = None if os.environ.get("CUSTOS_TEST_AWS_VENV") else which("aws")
    if not aws:
        return os.path.join(_venv(), "python3")
    try:
        real = subprocess.run(["pyenv", "which", "aws"], capture_output=True, text=True).stdout.strip()
        aws = real or aws
    except FileNotFoundError:
        pass
    first = open(aws, "rb").readline().decode(errors="replace")
    if first.startswith("#!") and "python" in first:
        return first[2:].strip().split()[0]
    return os.path.join(_venv(), "python3")


# ---- what the tests against the peer share ----

class Report:
    """PASS/FAIL lines in the suite's format; failures counts the FAILs."""

    def __init__(self):
        self.failures = 0

    def __call__(self, name, ok, why=""):
        print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, str(why)[:1500])))
        sys.stdout.flush()
        self.failures += 0 if ok else 1
        return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Cli:
    """The AWS CLI in its own Python (cli_referee.py), one call per line."""

    def __init__(self, python, endpoint, env):
        self.p = subprocess.Popen([python, os.path.join(HERE, "cli_referee.py")], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, env=env, text=True)
        self.endpoint = endpoint

    def __call__(self, *args):
        self.p.stdin.write(json.dumps(["--endpoint-url", self.endpoint, "--output", "json"] + list(args)) + "\n")
        self.p.stdin.flush()
        r = json.loads(self.p.stdout.readline())
        if r["rc"] != 0:
            raise RuntimeError("aws %s: %s" % (" ".join(args), r["err"][-300:]))
        return json.loads(r["out"]) if r["out"].strip() else {}

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def start_moto(moto, log_path, **env):
    """moto_server on a free loopback port, without its stock AMIs (whose
    ~1,200 snapshots per region no real account has) and with env's MOTO_*
    settings, answering; returns (process, endpoint, log file)."""
    port = free_port()
    log = open(log_path, "w")
    server = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log,
                              env=dict(os.environ, MOTO_EC2_LOAD_DEFAULT_AMIS="false", **env))
    endpoint = "http://127.0.0.1:%d" % port
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint + "/moto-api/").read()
            break
        except OSError:
            time.sleep(0.1)
    return server, endpoint, log


def admin_env():
    """The environment without the caller's AWS settings, acting as moto's
    admin (auth still off)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    base.update(AWS_ACCESS_KEY_ID="AKIAADMIN0000000000", AWS_SECRET_ACCESS_KEY="admin-secret",
                AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE="/dev/null",
                AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
    return base


def with_moto(out, report, body, **env):
    """A fresh out directory, then body(py, endpoint) with moto_server up
    (start_moto's settings plus env) and stopped afterwards; py is the
    Python with the AWS CLI.  When neither can be had, that is reported as
    a failure (tests never skip)."""
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    try:
        moto, py = moto_server(), cli_python()
    except (OSError, subprocess.CalledProcessError) as e:
        report("moto_server_and_aws_cli", False,
               "neither on PATH nor installable into build/aws-venv: %s" % e)
        return
    server, endpoint, _ = start_moto(moto, os.path.join(out, "moto.log"), **env)
    try:
        body(py, endpoint)
    finally:
        server.terminate()
        server.wait()
