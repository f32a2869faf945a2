#!/usr/bin/env bash
# Builds every libFuzzer target (clang, -fsanitize=fuzzer,address,undefined)
# and runs each briefly from its seeds: a crash, leak or sanitizer report
# fails the test.  Long runs: make fuzz FUZZ_SECONDS=600.
#
# Each target gets a fixed -seed, a fixed number of runs (the same work on a
# fast or a slow machine; the time cap is a safety net) and a fresh, empty
# corpus plus the checked-in seeds.  That is as repeatable as libFuzzer gets:
# two runs with the same seed still drift apart (measured: fuzz_json, same
# seed and runs, ends at cov 974 once and 981 the next time, even with ASLR
# off).  So a failure prints its input, and the input replays exactly:
# `build/fuzz/bin/NAME FILE`; it then joins tests/fuzz/seeds/NAME/.
set -u
cd "$(dirname "$0")/../.."
RUNS=${FUZZ_SMOKE_RUNS:-100000}
SECS=${FUZZ_SMOKE_SECONDS:-60}
# Targets whose every run renders whole documents (about 1,000 runs/s here)
# get a fifth of the runs, so they too finish well inside the cap.
SLOW="fuzz_export fuzz_notify"
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
  runs=$RUNS
  case " $SLOW " in *" $n "*) runs=$((RUNS / 5)) ;; esac
  seeds=tests/fuzz/seeds/$n
  [ -d "$seeds" ] || seeds=
  art="${OUT:-/tmp}/fuzz-artifacts/$n/"
  mkdir -p "$art"
  # A failure in CI replays with the same -seed and -runs (long, randomised
  # runs are `make fuzz`).
  if "$f" -seed="$seed" -runs="$runs" -max_total_time="$SECS" -max_len=4096 -timeout=10 \
      -artifact_prefix="$art" "$corpus" $seeds >"${OUT:-/tmp}/$n.log" 2>&1; then
    echo "PASS $n ($(grep -o 'cov: [0-9]*' "${OUT:-/tmp}/$n.log" | tail -1), $(grep -o '^Done [0-9]* runs' "${OUT:-/tmp}/$n.log" | tail -1 | cut -d' ' -f2) runs)"
  else
    # CI keeps only the FAIL lines: put the report and the input in them.
    why=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|ERROR)' "${OUT:-/tmp}/$n.log" | head -c 300)
    echo "FAIL $n (-seed=$seed -runs=$runs): ${why:-exited non-zero}; log ${OUT:-/tmp}/$n.log"
    grep -m12 -E '^ +#[0-9]+ 0x' "${OUT:-/tmp}/$n.log" | sed "s/^ */  detail: $n stack: /"
    for a in "$art"*; do
      [ -f "$a" ] && echo "  detail: $n input $(basename "$a") (base64): $(head -c 4096 "$a" | base64 -w0)"
    done
    fails=$((fails + 1))
  fi
done
[ "$fails" -eq 0 ]
