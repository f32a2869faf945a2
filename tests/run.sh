#!/usr/bin/env bash
# Runs every test and prints "check: N passed, N failed" last.
#
# Tests are unit binaries (build/asan/tests/unit/test_*) and scripts
# (tests/**/test_*.sh, tests/**/test_*.py).  Each prints one line per case,
# "PASS name" or "FAIL name: why"; a program that exits non-zero without
# printing a FAIL line counts as one failure (a crash, a sanitizer report).
# Scripts get CUSTOS (sanitizer build), CUSTOS_RELEASE, SHARED and OUT.
#
# PostgreSQL: one throwaway server runs for the whole suite
# (scripts/pg-test.sh, on loopback) and every test gets its URL in
# CUSTOS_TEST_PG (a test wanting its own database: `scripts/pg-test.sh
# createdb NAME` prints one).  A CUSTOS_TEST_PG already set is used as is.
# When the server cannot start, the run counts a failure "pg-server" and
# tests get CUSTOS_TEST_PG_ERROR (the reason) instead: a test that needs
# PostgreSQL must then FAIL with it, never skip.
#
# While working on one part: ONLY=REGEX runs only the tests whose name
# (unit/test_x, integration/test_y.py) matches; OUT=DIR writes logs and
# scratch files elsewhere (two checkouts' runs side by side).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/asan}
RELEASE=${RELEASE:-build/release}
export CUSTOS="$PWD/$BUILD/custos"
export CUSTOS_RELEASE="$PWD/$RELEASE/custos"
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
export OUT="${OUT:-$PWD/build/test-out}"
# Commands that record scans write here unless a test names its own store.
export CUSTOS_DB="sqlite:$OUT/default.db"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p "$OUT"
passed=0
failed=0
failures=()

PG_DIR=""
stop_pg() {
  if [ -n "$PG_DIR" ]; then
    bash scripts/pg-test.sh stop "$PG_DIR" >/dev/null 2>&1
    rm -rf "$PG_DIR"
  fi
}
unset CUSTOS_TEST_PG_ERROR
if [ -n "${CUSTOS_TEST_PG:-}" ]; then
  echo "PostgreSQL: CUSTOS_TEST_PG from the environment"
else
  PG_DIR=$(mktemp -d /tmp/custos-pg.XXXXXX)
  trap stop_pg EXIT
  trap 'exit 130' INT TERM
  if pg_env=$(bash scripts/pg-test.sh start "$PG_DIR" 2>"$OUT/pg-start.log"); then
    eval "$pg_env"
    echo "PostgreSQL: test server on ${CUSTOS_TEST_PG##*@} (scripts/pg-test.sh, data in $PG_DIR)"
  else
    why="scripts/pg-test.sh start failed: $(grep 'pg-test:' "$OUT/pg-start.log" | tail -1) (log: $OUT/pg-start.log)"
    export CUSTOS_TEST_PG_ERROR="$why"
    printf '%-50s %5d passed %4d failed\n' "pg-server" 0 1
    echo "    FAIL pg-server: $why"
    sed 's/^/    | /' "$OUT/pg-start.log" | tail -20
    failed=$((failed + 1))
    failures+=("pg-server")
  fi
fi

run_one() {
  local name=$1; shift
  if [ -n "${ONLY:-}" ] && ! [[ "$name" =~ $ONLY ]]; then return; fi
  local log="$OUT/$(echo "$name" | tr '/' '_').log"
  local start=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  local p f
  p=$(grep -c '^PASS ' "$log")
  f=$(grep -c '^FAIL ' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "FAIL $name: exited with status $rc (see $log)" >>"$log"
  fi
  passed=$((passed + p))
  failed=$((failed + f))
  printf '%-50s %5d passed %4d failed  (%ds)\n' "$name" "$p" "$f" $((SECONDS - start))
  if [ "$f" -gt 0 ]; then
    grep -E '^(FAIL |  detail: )' "$log" | head -40 | sed 's/^/    /'
    failures+=("$name")
  fi
}

for t in "$BUILD"/tests/unit/test_*; do
  [ -x "$t" ] || continue
  run_one "unit/$(basename "$t")" "$t"
done
for t in $(find tests -name 'test_*.sh' -o -name 'test_*.py' | sort); do
  case "$t" in
    *.sh) run_one "${t#tests/}" bash "$t" ;;
    *.py) run_one "${t#tests/}" /usr/bin/python3 "$t" ;;
  esac
done
echo "check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
