"""Runs AWS CLI commands in one process of the CLI's own Python (the referee
of tests/aws/test_collect_moto.py): reads one JSON argv list per stdin line,
prints one JSON line {"rc": N, "out": "...", "err": "..."} per command.
Same code path as the `aws` command (awscli.clidriver), without starting a
Python per call.

One addition to the CLI's requests: rest-json calls (Lambda, GuardDuty,
Security Hub) carry a signed
X-Amz-Content-SHA256 header, as custos sends them (src/aws/loop.c).  moto
otherwise hashes a GET's query parameters (or its headers, with no query)
as the body when it checks the signature, and rejects the real CLI's
ListFunctions with SignatureDoesNotMatch; AWS accepts both forms."""
import hashlib
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout

from awscli.clidriver import create_clidriver


def payload_hash_header(request, **kwargs):
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()


for line in sys.stdin:
    argv = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            driver = create_clidriver()
            for service in ("lambda", "guardduty", "securityhub"):  # the rest-json ones custos calls
                driver.session.register("before-sign." + service, payload_hash_header)
            rc = driver.main(argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
    sys.__stdout__.write(json.dumps({"rc": rc, "out": out.getvalue(), "err": err.getvalue()}) + "\n")
    sys.__stdout__.flush()
