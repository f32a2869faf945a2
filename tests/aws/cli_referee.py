"""Runs AWS CLI commands in one process of the CLI's own Python (the referee
of tests/aws/test_collect_moto.py): reads one JSON argv list per stdin line,
prints one JSON line {"rc": N, "out": "...", "err": "..."} per command.
Same code path as the `aws` command (awscli.clidriver), without starting a
Python per call."""
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout

from awscli.clidriver import create_clidriver

for line in sys.stdin:
    argv = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            rc = create_clidriver().main(argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
    sys.__stdout__.write(json.dumps({"rc": rc, "out": out.getvalue(), "err": err.getvalue()}) + "\n")
    sys.__stdout__.flush()
