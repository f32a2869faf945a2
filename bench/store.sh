#!/usr/bin/env bash
# bench/store.sh - the cost of recording a scan in the findings store.
#
# On the security-group benchmark's inventory (N groups, ~1.75 findings per
# group), in one run and one after another so every ratio compares times
# taken minutes apart on the same machine:
#   - the scan alone (--no-store, best of 3): the baseline of every ratio;
#   - first:   the first scan into an empty store (every finding new);
#   - second:  the same inventory again (every finding new -> open);
#   - steady:  the same again, nothing changed (best of 3): hourly rescans;
#   - changed: an inventory with ~1% of the findings different (a quarter
#     percent of the groups gone, as many new ones), then the original
#     again (the gone ones regress, the new ones resolve); best of 2 each;
# each as wall seconds, its ratio to the scan alone, peak RSS and the rows
# the store says it wrote (`custos scan -v`), on SQLite and, when
# scripts/pg-test.sh can start one, PostgreSQL on loopback.  Then
# instruction counts (callgrind, custos's own process only: PostgreSQL's
# server work is not in them) at N_CG groups, the measure to judge a
# change by on a noisy machine.
#
#   bash bench/store.sh [N]         (default 100000; N_CG=10000, CG=0 skips callgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
N_CG=${N_CG:-10000}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
CUSTOS=${CUSTOS:-build/release/custos}
WORK=${WORK:-build/bench/store}
POLICIES=("$SHARED"/bench/custodian-sg/policies/*.yml)

# The inventory, and the ~1%-changed copy of it: every 400th group removed
# and a renamed copy of the next one added (new GroupId: new findings).
data() {
  local n=$1 dir=build/bench/sg-$1
  if [ ! -f "$dir/.done" ]; then
    mkdir -p "$dir"
    echo "generating $n security groups in $dir ..." >&2
    /usr/bin/python3 "$SHARED/bench/custodian-sg/gen_sg.py" "$n" "$dir" >/dev/null
    touch "$dir/.done"
  fi
  if [ ! -f "$dir-changed/.done" ]; then
    mkdir -p "$dir-changed"
    /usr/bin/python3 - "$dir" "$dir-changed" <<'EOF'
import glob, json, os, sys
src, dst = sys.argv[1], sys.argv[2]
k = 0
for path in sorted(glob.glob(os.path.join(src, "ec2.DescribeSecurityGroups_*.json"))):
    doc = json.load(open(path))
    out = []
    for g in doc["data"]["SecurityGroups"]:
        k += 1
        if k % 400 == 0:
            continue  # gone: its findings resolve
        out.append(g)
        if k % 400 == 1:
            c = dict(g)
            c["GroupId"] = g["GroupId"][:-4] + "beef"  # a new group, same problems
            out.append(c)
    doc["data"]["SecurityGroups"] = out
    json.dump(doc, open(os.path.join(dst, os.path.basename(path)), "w"))
EOF
    touch "$dir-changed/.done"
  fi
  echo "$dir"
}
DATA=$(data "$N")
rm -rf "$WORK" && mkdir -p "$WORK"

# run LABEL DATA ARGS...: one scan; sets T (wall s), M (peak MB), ROWS and SUM
run() {
  local label=$1 dir=$2
  shift 2
  local rc=0
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$CUSTOS" scan --inventory "placebo:$dir" \
    --policies "${POLICIES[@]}" --format json -o /dev/null -v "$@" 2>"$WORK/err" >/dev/null || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    echo "bench/store.sh: $label failed:" >&2
    tail -5 "$WORK/err" >&2
    exit 1
  fi
  read -r T M <"$WORK/time"
  M=$((M / 1024))
  ROWS=$(sed -n 's/.*store: \([0-9]*\) rows written.*/\1/p' "$WORK/err" | tail -1)
  SUM=$(sed -n 's/.*recorded in .*: \([0-9]* new,.*\)/\1/p' "$WORK/err" | tail -1)
}
# best K LABEL DATA ARGS...: the fastest of K runs (T, M, ROWS of it)
best() {
  local k=$1 bt="" bm="" br=""
  shift
  for _ in $(seq "$k"); do
    run "$@"
    if [ -z "$bt" ] || awk "BEGIN{exit !($T < $bt)}"; then bt=$T bm=$M br=$ROWS; fi
  done
  T=$bt M=$bm ROWS=$br
}

best 3 no-store "$DATA" --no-store
base=$T base_mb=$M
count=$("$CUSTOS" scan --no-store --inventory "placebo:$DATA" --policies "${POLICIES[@]}" \
  --format json | grep -o '"fingerprint"' | wc -l)
echo "findings store: N=$N groups, $count findings ($CUSTOS)"
printf '  %-36s %6.2f s            %5d MB\n' "scan alone (--no-store, best of 3)" "$base" "$base_mb"
line() { # LABEL
  printf '  %-36s %6.2f s  %5.2fx   %5d MB  %7s rows  (%s)\n' "$1" "$T" \
    "$(awk "BEGIN{print $T/$base}")" "$M" "${ROWS:-?}" "$SUM"
}
backend() { # NAME URL
  local name=$1 url=$2 t1="" r1="" m1="" s1="" t2="" r2="" m2="" s2=""
  run first "$DATA" --db "$url"; line "$name first (all new)"
  run second "$DATA" --db "$url"; line "$name second (new -> open)"
  best 3 steady "$DATA" --db "$url"; line "$name steady (best of 3)"
  for _ in 1 2; do
    run changed "$DATA-changed" --db "$url"
    if [ -z "$t1" ] || awk "BEGIN{exit !($T < $t1)}"; then t1=$T r1=$ROWS m1=$M s1=$SUM; fi
    run back "$DATA" --db "$url"
    if [ -z "$t2" ] || awk "BEGIN{exit !($T < $t2)}"; then t2=$T r2=$ROWS m2=$M s2=$SUM; fi
  done
  T=$t1 ROWS=$r1 M=$m1 SUM=$s1; line "$name 1% changed (new or regressed)"
  T=$t2 ROWS=$r2 M=$m2 SUM=$s2; line "$name 1% changed back"
}
backend sqlite "sqlite:$WORK/bench.db"
if [ -x scripts/pg-test.sh ] || [ -f scripts/pg-test.sh ]; then
  if pg_env=$(bash scripts/pg-test.sh start "$PWD/$WORK/pg" 2>"$WORK/pg.log"); then
    eval "$pg_env"
    trap 'bash scripts/pg-test.sh stop "$PWD/$WORK/pg" >/dev/null 2>&1 || true' EXIT
    backend postgresql "$CUSTOS_TEST_PG"
  else
    echo "  postgresql: not measured ($(tail -1 "$WORK/pg.log"))"
  fi
fi

# Instructions (callgrind, one thread so the count is repeatable).
if [ "${CG:-1}" != 0 ] && command -v valgrind >/dev/null; then
  CGDATA=$(data "$N_CG")
  cg() { # DATA ARGS...: instructions of one scan
    local dir=$1
    shift
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$CUSTOS" scan -j 1 \
      --inventory "placebo:$dir" --policies "${POLICIES[@]}" --format json -o /dev/null "$@" \
      2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  echo "  instructions (callgrind, N=$N_CG, -j 1, custos's process only):"
  nost=$(cg "$CGDATA" --no-store)
  printf '    %-34s %14d\n' "--no-store" "$nost"
  for b in sqlite ${CUSTOS_TEST_PG:+postgresql}; do
    url="sqlite:$WORK/cg.db"
    [ "$b" = postgresql ] && url=$(bash scripts/pg-test.sh createdb custos_bench_cg)
    rm -f "$WORK/cg.db"*
    first=$(cg "$CGDATA" --db "$url")
    cg "$CGDATA" --db "$url" >/dev/null
    steady=$(cg "$CGDATA" --db "$url")
    changed=$(cg "$CGDATA-changed" --db "$url")
    for x in first steady changed; do
      printf '    %-34s %14d  %5.2fx\n' "$b $x" "${!x}" "$(awk "BEGIN{print ${!x}/$nost}")"
    done
  done
fi
