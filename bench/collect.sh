#!/usr/bin/env bash
# bench/collect.sh - custos collect against moto_server with latency.
#
# 44 accounts x 4 regions in one moto_server (security groups, buckets,
# users with keys), behind tests/aws/fault_proxy.py adding LATENCY_MS to
# every request.  Prints, for 11, 22 and 44 accounts: requests, wall time,
# peak RSS and the ratio to the ideal requests x latency / concurrency;
# then the AWS CLI baseline (the same calls one after another, timed on a
# sample and multiplied by the request count) as a ratio.  No time is
# asserted.  Needs moto_server and the AWS CLI (as make check does:
# tests/aws/aws_peer.py) and boto3 for the setup.
#
#   bash bench/collect.sh [LATENCY_MS]     (default 50)
set -euo pipefail
cd "$(dirname "$0")/.."
CUSTOS=${CUSTOS:-build/release/custos}
[ -x "$CUSTOS" ] || make --no-print-directory MODE=release BUILD=build/release all
exec python3 -u bench/collect_bench.py "$CUSTOS" "${1:-50}"
