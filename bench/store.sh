#!/usr/bin/env bash
# bench/store.sh - the cost of recording a scan in the findings store.
#
# On the security-group benchmark's inventory (N groups, ~1.75 findings per
# group), measures in the same run: the scan alone (--no-store), the first
# scan into a fresh store (every finding new), a second scan of the same
# inventory (every finding open: the steady state of hourly scans), and
# reading one page of findings back (`custos findings --limit 50`), on
# SQLite and, when scripts/pg-test.sh can start one, PostgreSQL on
# loopback.  Prints each time and its ratio to the scan alone.
#
#   bash bench/store.sh [N]        (default 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
CUSTOS=${CUSTOS:-build/release/custos}
DATA=build/bench/sg-$N
if [ ! -f "$DATA/.done" ]; then
  mkdir -p "$DATA"
  echo "generating $N security groups in $DATA ..."
  /usr/bin/python3 "$SHARED/bench/custodian-sg/gen_sg.py" "$N" "$DATA" >/dev/null
  touch "$DATA/.done"
fi
POLICIES=("$SHARED"/bench/custodian-sg/policies/*.yml)
WORK=build/bench/store
rm -rf "$WORK" && mkdir -p "$WORK"

secs() { # wall seconds of a command (output discarded)
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  awk "BEGIN{printf \"%.2f\", $t1 - $t0}"
}
scan() { "$CUSTOS" scan --inventory "placebo:$DATA" --policies "${POLICIES[@]}" --format json -o /dev/null "$@"; }

base=$(secs scan --no-store)
count=$("$CUSTOS" scan --no-store --inventory "placebo:$DATA" --policies "${POLICIES[@]}" --format json | grep -c '"policy"' || true)
echo "findings store: N=$N groups, $count findings"
printf '  scan alone (--no-store):      %6.2f s\n' "$base"
run_backend() {
  local name=$1 url=$2 first second page
  first=$(secs scan --db "$url")
  second=$(secs scan --db "$url")
  page=$(secs "$CUSTOS" findings --db "$url" --limit 50 --format json)
  printf '  %-10s first scan (all new): %6.2f s  (%.1fx the scan alone)\n' "$name" "$first" "$(awk "BEGIN{print $first/$base}")"
  printf '  %-10s re-scan (all open):   %6.2f s  (%.1fx)\n' "$name" "$second" "$(awk "BEGIN{print $second/$base}")"
  printf '  %-10s findings --limit 50:  %6.2f s\n' "$name" "$page"
}
run_backend sqlite "sqlite:$WORK/bench.db"
if [ -x scripts/pg-test.sh ] && eval "$(scripts/pg-test.sh start "$WORK/pg" 2>/dev/null)" && [ -n "${CUSTOS_TEST_PG:-}" ]; then
  trap 'scripts/pg-test.sh stop "$WORK/pg" >/dev/null 2>&1 || true' EXIT
  run_backend postgresql "$CUSTOS_TEST_PG"
else
  echo "  postgresql: not measured (scripts/pg-test.sh could not start a server)"
fi
