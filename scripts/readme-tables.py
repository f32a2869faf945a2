#!/usr/bin/env python3
"""Regenerate README.md's generated tables from the binary.

The support table (<!-- support:begin --> .. end) is `custos validate
--supported`; the calls table (<!-- calls:begin --> .. end) is `custos
validate --calls`.  tests/conformance/test_custodian_wide.py fails when
either is stale, so run this after adding a filter, resource or call:

    python3 scripts/readme-tables.py build/release/custos
"""
import os
import re
import subprocess
import sys

binary = sys.argv[1] if len(sys.argv) > 1 else "build/release/custos"
path = "README.md"
text = open(path).read()
for marker, flag in (("support", "--supported"), ("calls", "--calls")):
    out = subprocess.run([binary, "validate", flag], check=True, capture_output=True,
                         text=True).stdout
    pat = re.compile(r"(<!-- %s:begin -->\n)(.*?)(<!-- %s:end -->)" % (marker, marker), re.S)
    if not pat.search(text):
        sys.exit("readme-tables: %s has no <!-- %s:begin --> marker" % (path, marker))
    text = pat.sub(lambda m: m.group(1) + out + m.group(3), text, count=1)
with open(path + ".tmp", "w") as f:
    f.write(text)
os.replace(path + ".tmp", path)
