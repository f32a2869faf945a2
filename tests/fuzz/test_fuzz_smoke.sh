#!/usr/bin/env bash
# Builds every libFuzzer target (clang, -fsanitize=fuzzer,address,undefined)
# and runs each briefly from its seeds: a crash, leak or sanitizer report
# fails the test.  Long runs: make fuzz FUZZ_SECONDS=600.
set -u
cd "$(dirname "$0")/../.."
SECS=${FUZZ_SMOKE_SECONDS:-10}
if ! make --no-print-directory fuzz-build >"${OUT:-/tmp}/fuzz-build.log" 2>&1; then
  echo "FAIL fuzz-build: see ${OUT:-/tmp}/fuzz-build.log"; tail -20 "${OUT:-/tmp}/fuzz-build.log"; exit 1
fi
echo "PASS fuzz-build"
fails=0
for f in build/fuzz/bin/fuzz_*; do
  n=$(basename "$f")
  corpus=build/fuzz/corpus/$n
  mkdir -p "$corpus"
  seeds=tests/fuzz/seeds/$n
  [ -d "$seeds" ] || seeds=
  if "$f" -max_total_time="$SECS" -max_len=4096 -timeout=10 "$corpus" $seeds >"${OUT:-/tmp}/$n.log" 2>&1; then
    echo "PASS $n ($(grep -o 'cov: [0-9]*' "${OUT:-/tmp}/$n.log" | tail -1))"
  else
    echo "FAIL $n: see ${OUT:-/tmp}/$n.log"; grep -m5 -E 'ERROR|SUMMARY' "${OUT:-/tmp}/$n.log"
    fails=$((fails + 1))
  fi
done
[ "$fails" -eq 0 ]
