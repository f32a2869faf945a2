"""The AWS peer and referee of the collector's tests: moto_server and the
AWS CLI.  Either is used from PATH when there (this image has both in its
Python); otherwise both are installed from PyPI, pinned, into one venv
under build/aws-venv (a clean Debian 12 CI machine: python3-venv comes from
scripts/install-deps.sh), once, under a lock.  Missing and not installable
is a failure of the caller, never a skip."""
import fcntl
import os
import subprocess
import sys

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
