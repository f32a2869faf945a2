#!/usr/bin/env bash
# bench/shards.sh - throughput of N = 1, 2, 4 shards against moto_server
# with injected latency, all recording into one PostgreSQL; PostgreSQL's
# write load per shard; the store's size per finding; an estimate of the
# shards and the database for 5,000 accounts hourly (bench/shards.py says
# how).  Ratios and figures printed, nothing asserted.
#
#   bash bench/shards.sh            (ACCOUNTS=16 LATENCY=0.1 C=4 SHARDS="1 2 4"
#                                    FINDINGS_GROUPS=20000)
set -euo pipefail
cd "$(dirname "$0")/.."
export CUSTOS=${CUSTOS:-$PWD/build/release/custos}
export SHARED=${SHARED:-$(cd .. && pwd)/shared}
exec /usr/bin/python3 bench/shards.py "$@"
