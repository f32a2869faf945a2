#!/usr/bin/env bash
# The end of `make demo`: the dashboard on the demo store.
#
#   scripts/demo-serve.sh CUSTOS DB_URL
#
# On a terminal: serves in the foreground (the URL is printed; Ctrl-C
# stops it).  Under CI (CI=true) or without a terminal on stdin: starts the
# server, prints the URL, checks that the overview and /healthz answer,
# stops it and exits 0 (non-zero when the dashboard did not answer), so
# `make demo` never blocks an unattended run.
# DEMO_LISTEN overrides the address (default 127.0.0.1:8080, or a free port
# when 8080 is taken).
set -euo pipefail
CUSTOS=$1
DB=$2
listen=${DEMO_LISTEN:-}
if [ -z "$listen" ]; then
  listen=127.0.0.1:8080
  if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
    listen=127.0.0.1:0   # 8080 is busy: any free port
  fi
fi
if [ "${CI:-}" != "true" ] && [ -t 0 ]; then
  echo "demo: the dashboard of the sample organisation"
  exec "$CUSTOS" serve --db "$DB" --listen "$listen"
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$CUSTOS" serve --db "$DB" --listen "$listen" >"$out" 2>&1 &
pid=$!
url=
for _ in $(seq 1 100); do
  url=$(grep -o 'http://[^ ]*/' "$out" | head -1 || true)
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  cat "$out" >&2
  kill "$pid" 2>/dev/null || true
  echo "demo: the dashboard did not start" >&2
  exit 1
fi
echo "demo: dashboard at $url"
rc=0
/usr/bin/python3 - "$url" "$DB" <<'PY' || rc=1
import sys, urllib.request
base = sys.argv[1]
for path in ("healthz", ""):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        body = r.read().decode()
        assert r.status == 200, (path, r.status)
        if path == "":
            assert "Security overview" in body and 'data-testid="tile"' in body, "no tiles"
print("demo: the dashboard answers (overview and /healthz); not interactive, so stopping it.")
print("demo: on a terminal it keeps running; or start it yourself: custos serve --db " + sys.argv[2])
PY
kill -TERM "$pid"
wait "$pid" || rc=1
exit $rc
