#!/usr/bin/env bash
# Builds every libFuzzer target (clang, -fsanitize=fuzzer,address,undefined)
# and runs each briefly from its seeds: a crash, leak or sanitizer report
# fails the test.  Long runs: make fuzz FUZZ_SECONDS=600.
#
# The smoke is deterministic: a fixed -seed per target, a fixed number of
# runs and a fresh, empty corpus, so CI replays exactly what passed here
# (libFuzzer's mutations depend only on the seed, the inputs and coverage).
# The time cap only matters on a machine slower than the slowest target
# needs, and then it runs a prefix of the same sequence.
set -u
cd "$(dirname "$0")/../.."
RUNS=${FUZZ_SMOKE_RUNS:-100000}
SECS=${FUZZ_SMOKE_SECONDS:-30}
if ! make --no-print-directory fuzz-build >"${OUT:-/tmp}/fuzz-build.log" 2>&1; then
  echo "FAIL fuzz-build: see ${OUT:-/tmp}/fuzz-build.log"; tail -20 "${OUT:-/tmp}/fuzz-build.log"; exit 1
fi
echo "PASS fuzz-build"
fails=0
seed=0
for f in build/fuzz/bin/fuzz_*; do
  seed=$((seed + 1))
  n=$(basename "$f")
  corpus="${OUT:-/tmp}/fuzz-corpus/$n"
  rm -rf "$corpus"
  mkdir -p "$corpus"
  seeds=tests/fuzz/seeds/$n
  [ -d "$seeds" ] || seeds=
  art="${OUT:-/tmp}/fuzz-artifacts/$n/"
  mkdir -p "$art"
  # A failure in CI replays with the same -seed and -runs (long, randomised
  # runs are `make fuzz`).
  if "$f" -seed="$seed" -runs="$RUNS" -max_total_time="$SECS" -max_len=4096 -timeout=10 \
      -artifact_prefix="$art" "$corpus" $seeds >"${OUT:-/tmp}/$n.log" 2>&1; then
    echo "PASS $n ($(grep -o 'cov: [0-9]*' "${OUT:-/tmp}/$n.log" | tail -1), $(grep -o '^Done [0-9]* runs' "${OUT:-/tmp}/$n.log" | tail -1 | cut -d' ' -f2) runs)"
  else
    # CI keeps only the FAIL lines: put the report and the input in them.
    why=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|ERROR)' "${OUT:-/tmp}/$n.log" | head -c 300)
    echo "FAIL $n (-seed=$seed -runs=$RUNS): ${why:-exited non-zero}; log ${OUT:-/tmp}/$n.log"
    grep -m12 -E '^ +#[0-9]+ 0x' "${OUT:-/tmp}/$n.log" | sed "s/^ */  detail: $n stack: /"
    for a in "$art"*; do
      [ -f "$a" ] && echo "  detail: $n input $(basename "$a") (base64): $(head -c 4096 "$a" | base64 -w0)"
    done
    fails=$((fails + 1))
  fi
done
[ "$fails" -eq 0 ]
