#!/usr/bin/env python3
"""The tree stands in the layers ARCHITECTURE.md writes down.

Reads the "Layers" table of ARCHITECTURE.md (rows from the ground up) and
checks every `#include "dir/..."` under src/: a folder may include itself
and folders of earlier rows only.  Also: every folder of src/ has a row,
no source file is over 1,000 lines, and the workplace's own checker
(../shared/tools/layers.py) agrees that there are no cycles.
Prints PASS/FAIL lines as tests/run.sh expects.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = os.path.join(ROOT, "src")
LIMIT = 1000
failed = 0


def report(ok, name, why=""):
    global failed
    if ok:
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {why}")


def layer_order():
    text = open(os.path.join(ROOT, "ARCHITECTURE.md")).read()
    part = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    return [m.group(1) for m in re.finditer(r"^\| `([a-z_]+)/` \|", part, re.M)]


order = layer_order()
rank = {d: i for i, d in enumerate(order)}
report(len(order) >= 10 and len(set(order)) == len(order), "layers: table read",
       f"ARCHITECTURE.md's Layers table gave {order}")

folders = sorted(d for d in os.listdir(SRC) if os.path.isdir(os.path.join(SRC, d)))
missing = [d for d in folders if d not in rank]
report(not missing, "layers: every src/ folder has a row",
       f"{', '.join(missing)} not in ARCHITECTURE.md's Layers table: give each a row in its place")

inc = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)
wrong, long_files = [], []
for d in folders:
    for dirpath, _, names in os.walk(os.path.join(SRC, d)):
        for n in sorted(names):
            if not n.endswith((".c", ".h", ".cpp")):
                continue
            path = os.path.join(dirpath, n)
            rel = os.path.relpath(path, SRC)
            text = open(path, errors="replace").read()
            if text.count("\n") > LIMIT:
                long_files.append(f"{rel} ({text.count(chr(10))} lines)")
            for m in inc.finditer(text):
                t = m.group(1)
                if t == d or t not in rank or d not in rank:
                    continue
                if rank[t] > rank[d]:
                    line = text.count("\n", 0, m.start()) + 1
                    wrong.append(f"src/{rel}:{line} includes {t}/, a layer above {d}/")
report(not wrong, "layers: no folder includes one above it",
       "; ".join(wrong[:8]) + (f" (+{len(wrong) - 8} more)" if len(wrong) > 8 else ""))
report(not long_files, f"layers: no source file over {LIMIT} lines", ", ".join(long_files))

shared = os.environ.get("SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
tool = os.path.join(shared, "tools", "layers.py")
p = subprocess.run([sys.executable, tool, SRC], capture_output=True, text=True)
report(p.returncode == 0, "layers: shared/tools/layers.py finds no cycle",
       (p.stdout + p.stderr).strip().replace("\n", "; ")[:400])
sys.exit(1 if failed else 0)
