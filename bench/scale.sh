#!/usr/bin/env bash
# bench/scale.sh - no quadratic step anywhere: scans the sample organisation
# at growing --scale with the built-in pack and prints seconds per
# million resources at each size.  The ratio of the largest to the smallest
# must stay near 1 (linear); it is computed from runs in this same session.
#
#   bash bench/scale.sh [SCALES...]      default: 1 4 16 64
set -euo pipefail
cd "$(dirname "$0")/.."
CUSTOS=${CUSTOS:-build/release/custos}
SCALES=("${@:-1 4 16 64}")
[ $# -gt 0 ] || SCALES=(1 4 16 64)
first=""
printf '%8s %12s %10s %10s %14s\n' scale resources seconds peak_MB "s/M resources"
for s in "${SCALES[@]}"; do
  dir=build/bench/org-$s
  # Regenerate when the generator changed since the cached tree was made.
  gen=$(sha256sum examples/gen_org.py | cut -d' ' -f1)
  if [ "$(cat "$dir/.done" 2>/dev/null)" != "$gen" ]; then
    rm -rf "$dir"
    /usr/bin/python3 examples/gen_org.py --out "$dir" --seed 42 --scale "$s" >/dev/null
    echo "$gen" >"$dir/.done"
  fi
  out=$( { /usr/bin/time -f '%e %M' "$CUSTOS" scan --no-store --inventory "$dir" \
           --format json -o /dev/null -v; } 2>&1 )
  res=$(echo "$out" | grep -o '[0-9]* resources' | head -1 | cut -d' ' -f1)
  read -r t m < <(echo "$out" | tail -1)
  per=$(awk -v t="$t" -v r="$res" 'BEGIN{printf "%.3f", t / (r / 1e6)}')
  [ -n "$first" ] || first=$per
  printf '%8s %12s %10s %10d %14s\n' "$s" "$res" "$t" $((m / 1024)) "$per"
done
echo "linearity: seconds per million resources at the largest scale / at the smallest = $(awk -v a="$per" -v b="$first" 'BEGIN{printf "%.2f", a / b}')"
