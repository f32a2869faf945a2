#!/usr/bin/env bash
# bench/compare.sh - this tree against an earlier commit, in the same run.
#
# Builds REV's release binary (in build/compare/REV, from a throwaway git
# worktree) and this tree's, then times both, alternating run by run so
# that a busy machine slows both alike: the shared security-group benchmark
# (gen_sg.py N groups, the five custodian-sg policies) as `scan --no-store`
# and as a default recording scan into a fresh SQLite store, best of
# REPEATS each.  Prints each figure and the ratio new/old; with
# CALLGRIND=1 also the instruction counts of one --no-store scan of N/10
# groups (valgrind), which noise does not move.
#
#   bash bench/compare.sh REV [N] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
REV=${1:?usage: bench/compare.sh REV [N] [REPEATS]}
N=${2:-100000}
REPEATS=${3:-5}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
sha=$(git rev-parse --short "$REV")
OLD_DIR=build/compare/$sha
if [ ! -x "$OLD_DIR/build/release/custos" ]; then
  rm -rf "$OLD_DIR"
  git worktree add --detach "$OLD_DIR" "$sha" >/dev/null 2>&1
  make -C "$OLD_DIR" -j2 BUILD=build/release all >/dev/null
fi
OLD=$OLD_DIR/build/release/custos
make -j2 BUILD=build/release all >/dev/null
NEW=build/release/custos
POLICIES=("$SHARED"/bench/custodian-sg/policies/*.yml)
data() { # data N -> directory of gen_sg.py N groups
  local d=build/bench/sg-$1
  if [ ! -f "$d/.done" ]; then
    mkdir -p "$d"
    /usr/bin/python3 "$SHARED/bench/custodian-sg/gen_sg.py" "$1" "$d" >/dev/null
    touch "$d/.done"
  fi
  echo "$d"
}
DATA=$(data "$N")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
wall() { # prints the wall seconds of one run (scan exits 3 when it finds something)
  /usr/bin/time -f '%e' -o "$TMP/time" "$@" >/dev/null 2>&1 || true
  tail -1 "$TMP/time"
}
best() { sort -g | head -1; }
for _ in $(seq "$REPEATS"); do
  for which in old new; do
    bin=$OLD
    [ "$which" = new ] && bin=$NEW
    wall "$bin" scan --no-store --inventory "placebo:$DATA" --format json "${POLICIES[@]}" >>"$TMP/$which.nostore"
    rm -f "$TMP/s.db"*
    wall "$bin" scan --db "sqlite:$TMP/s.db" --inventory "placebo:$DATA" --format json "${POLICIES[@]}" >>"$TMP/$which.store"
  done
done
printf '%-34s %9s %9s %7s\n' "$N groups, best of $REPEATS" "$sha" "this" "ratio"
for k in nostore store; do
  o=$(best <"$TMP/old.$k")
  n=$(best <"$TMP/new.$k")
  label="scan --no-store (s)"
  [ "$k" = store ] && label="scan into a fresh sqlite store (s)"
  printf '%-34s %9s %9s %7s\n' "$label" "$o" "$n" "$(awk "BEGIN{printf \"%.2f\", $n/$o}")"
done
if [ "${CALLGRIND:-0}" = 1 ]; then
  small=$(data $((N / 10)))
  ir() {
    valgrind --tool=callgrind --callgrind-out-file="$TMP/cg.out" "$1" scan --no-store \
      --inventory "placebo:$small" --format json "${POLICIES[@]}" >/dev/null 2>"$TMP/cg.err" || true
    grep -o 'Collected : [0-9]*' "$TMP/cg.err" | grep -o '[0-9]*$'
  }
  o=$(ir "$OLD")
  n=$(ir "$NEW")
  printf '%-34s %9s %9s %7s\n' "instructions, $((N / 10)) groups" "$o" "$n" "$(awk "BEGIN{printf \"%.3f\", $n/$o}")"
fi
