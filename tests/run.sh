#!/usr/bin/env bash
# Runs every test and prints "check: N passed, N failed" last.
#
# Tests are unit binaries (build/asan/tests/unit/test_*) and scripts
# (tests/**/test_*.sh, tests/**/test_*.py).  Each prints one line per case,
# "PASS name" or "FAIL name: why"; a program that exits non-zero without
# printing a FAIL line counts as one failure (a crash, a sanitizer report).
# Scripts get CUSTOS (sanitizer build), CUSTOS_RELEASE, SHARED and OUT.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/asan}
RELEASE=${RELEASE:-build/release}
export CUSTOS="$PWD/$BUILD/custos"
export CUSTOS_RELEASE="$PWD/$RELEASE/custos"
export SHARED="${SHARED:-$(cd .. && pwd)/shared}"
export OUT="$PWD/build/test-out"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
mkdir -p "$OUT"
passed=0
failed=0
failures=()

run_one() {
  local name=$1; shift
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
    grep '^FAIL ' "$log" | head -20 | sed 's/^/    /'
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
