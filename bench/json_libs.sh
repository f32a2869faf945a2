#!/usr/bin/env bash
# bench/json_libs.sh - builds bench/json_libs.c against the Debian JSON
# libraries (installed on demand) and runs it on the SG benchmark data.
set -euo pipefail
cd "$(dirname "$0")/.."
SHARED=${SHARED:-$(cd .. && pwd)/shared}
for p in libjansson-dev libjson-c-dev libyajl-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { [ "$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null; }
done
make --no-print-directory build/release/libcustos.a >/dev/null
gcc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Isrc bench/json_libs.c bench/json_libs_jansson.c \
  bench/json_libs_jsonc.c -o build/json_libs build/release/libcustos.a \
  -ljansson -ljson-c -lyajl -lsimdjson -lstdc++ -lyaml -lpcre2-8 -lm -pthread
N=${BENCH_N:-100000}
DATA=build/bench/sg-$N
if [ ! -f "$DATA/.done" ]; then
  mkdir -p "$DATA"
  /usr/bin/python3 "$SHARED/bench/custodian-sg/gen_sg.py" "$N" "$DATA" >/dev/null
  touch "$DATA/.done"
fi
./build/json_libs "$DATA" "${BENCH_REPEATS:-5}"
