#!/usr/bin/env bash
# bench/run.sh - every benchmark (make bench).  Each prints ratios against
# baselines measured in the same run; absolute times on shared machines are
# noise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bench/json_libs.sh
bash bench/scan.sh "${BENCH_N:-100000}" "${BENCH_REPEATS:-5}"
bash bench/scale.sh 1 4 16
bash bench/store.sh "${BENCH_N:-100000}"
bash bench/jmespath.sh
bash bench/web.sh "${BENCH_WEB_N:-1000000}"
