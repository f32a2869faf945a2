#!/usr/bin/env bash
# bench/web.sh - the dashboard under load, from a 1,000,000-finding store.
#
#   bash bench/web.sh [N]            N findings (default 1000000)
#   env: SHAPE (scan: the store built by 30 daily `custos scan` runs, as
#        users build it, bench/scan_store.py; fill: written directly by
#        bench/fill_store.py and ANALYZEd), DURATION (s per page, 10),
#        CONNECTIONS (50), WRK_THREADS (2),
#        SERVE_THREADS (serve's --threads; default: serve's own), STORE (path),
#        DB_URL (serve this instead of sqlite:STORE, e.g. a PostgreSQL copy of
#        it made by bench/copy_store_pg.py; the SQLite store still picks the
#        team, account and finding to request)
#
# Builds the store once (cached under build/bench/, rebuilt when N, the
# script or custos's schema version changes; a scan-built one takes 30
# scans, about 10 minutes at 1,000,000 findings), starts the
# release `custos serve` on a free loopback port, then for each page type
# (overview, team, account, finding, filtered findings, trends, a JSON API
# route): one request at a time with curl (-w time_total; best and median of
# 10, after a warm-up) and `wrk --latency` for DURATION seconds (requests/s,
# p50, p99).  wrk is installed from Debian if missing (make check never
# needs it).  Load generator and server share the machine's cores, so
# requests/s is a floor, not a capacity.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
SHAPE=${SHAPE:-scan}
WRK_THREADS=${WRK_THREADS:-2}
CUSTOS=${CUSTOS:-build/release/custos}
DIR=build/bench
STORE=${STORE:-$DIR/web-$SHAPE-$N.db}
mkdir -p "$DIR"

[ -x "$CUSTOS" ] || make -j2 all >/dev/null
if ! command -v wrk >/dev/null; then
    echo "bench/web.sh: installing wrk (Debian)" >&2
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

# ---- the store (cached) ----
if [ "$SHAPE" = scan ]; then
    builder=bench/scan_store.py
else
    builder=bench/fill_store.py
fi
key="n=$N $(sha256sum $builder | cut -c1-16) $(grep -h 'define STORE_SCHEMA_VERSION' src/store/store.h)"
if [ ! -f "$STORE" ] || [ "$(cat "$STORE.key" 2>/dev/null)" != "$key" ]; then
    echo "bench/web.sh: building a $N-finding store in $STORE ($SHAPE; once, minutes)" >&2
    rm -f "$STORE" "$STORE-wal" "$STORE-shm"
    if [ "$SHAPE" = scan ]; then
        # about 1.75 findings per security group under the five policies
        /usr/bin/python3 bench/scan_store.py --custos "$CUSTOS" --db "sqlite:$STORE" \
            --work "$DIR/scan-inputs" -n $((N * 4 / 7)) --days 30 >&2
    else
        /usr/bin/python3 bench/fill_store.py --db "$STORE" --custos "$CUSTOS" -n "$N"
    fi
    echo "$key" >"$STORE.key"
fi

# ---- the server ----
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DB=${DB_URL:-sqlite:$STORE}
args=(serve --db "$DB" --listen "127.0.0.1:$PORT")
[ -n "${SERVE_THREADS:-}" ] && args+=(--threads "$SERVE_THREADS")
"$CUSTOS" "${args[@]}" >"$DIR/serve.log" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && break
    kill -0 $SERVER 2>/dev/null || { cat "$DIR/serve.log" >&2; exit 1; }
    sleep 0.1
done

# ---- the URLs: the biggest team and account, the worst finding ----
q() { /usr/bin/python3 -c 'import sqlite3, sys
con = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
print(con.execute(sys.argv[2]).fetchone()[0])' "$STORE" "$1"; }
TEAM=$(q "SELECT team FROM findings WHERE status IN ('new','open','regressed') GROUP BY team ORDER BY COUNT(*) DESC LIMIT 1")
ACCOUNT=$(q "SELECT account_id FROM findings WHERE status IN ('new','open','regressed') GROUP BY account_id ORDER BY COUNT(*) DESC LIMIT 1")
FP=$(q "SELECT fingerprint FROM findings WHERE status IN ('new','open','regressed') ORDER BY priority DESC LIMIT 1")
POLICY=$(q "SELECT policy FROM findings GROUP BY policy ORDER BY COUNT(*) LIMIT 1 OFFSET (SELECT MIN(5, COUNT(DISTINCT policy) - 1) FROM findings)")
OPEN=$(q "SELECT COUNT(*) FROM findings WHERE status IN ('new','open','regressed')")
TEAM_OPEN=$(q "SELECT COUNT(*) FROM findings WHERE team='$TEAM' AND status IN ('new','open','regressed')")
ACC_OPEN=$(q "SELECT COUNT(*) FROM findings WHERE account_id='$ACCOUNT' AND status IN ('new','open','regressed')")
# Cursors for deep pages by key, as the pager's links carry them: the last
# finding of the page before (the list's offset query, run once here).
cursor() { "$CUSTOS" findings --db "sqlite:$STORE" --format csv --limit 1 --offset "$1" "${@:2}" |
    awk -F, 'NR == 2 { print $1 }'; }
DEEP=$((OPEN / 50 * 4 / 5))
FP_DEEP=$(cursor $(((DEEP - 1) * 50 - 1)))
TEAM_DEEP=$((TEAM_OPEN / 50 * 4 / 5))
FP_TEAM_DEEP=$(cursor $(((TEAM_DEEP - 1) * 50 - 1)) --team "$TEAM")
PAGES=(
    "overview|/"
    "findings|/findings"
    "findings-p2000|/findings?page=2000"
    "findings-deep|/findings?page=$DEEP&after=$FP_DEEP"
    "findings-back|/findings?page=$((DEEP - 1))&before=$FP_DEEP"
    "team-deep|/team/$TEAM?page=$TEAM_DEEP&after=$FP_TEAM_DEEP"
    "api-deep|/api/findings?page=$DEEP&after=$FP_DEEP"
    "findings-sev|/findings?severity=medium"
    "team|/team/$TEAM"
    "team-page-100|/team/$TEAM?page=100"
    "account|/account/$ACCOUNT"
    "finding|/finding/$FP"
    "findings-filter|/findings?team=$TEAM&severity=high&env=prod"
    "findings-status|/findings?status=resolved"
    "findings-regr|/findings?status=regressed"
    "findings-new|/findings?status=new"
    "findings-supp|/findings?status=suppressed"
    "findings-policy|/findings?policy=$POLICY"
    "findings-crit|/findings?severity=critical"
    "findings-env|/findings?env=staging&severity=medium"
    "account-page-50|/account/$ACCOUNT?page=50"
    "trends|/trends"
    "trends-team|/trends?team=$TEAM"
    "api-findings|/api/findings?team=$TEAM"
)

ms() { # wrk latency (e.g. 812.00us, 1.20ms, 1.01s) -> ms
    awk -v v="$1" 'BEGIN { u = v; sub(/[0-9.]+/, "", u); x = v + 0;
        if (u == "us") x /= 1000; else if (u == "s") x *= 1000; else if (u == "m") x *= 60000;
        printf "%.2f", x }'
}

echo "custos serve over ${DB_URL:+PostgreSQL (a copy of) }$STORE: $N findings ($OPEN open; team $TEAM $TEAM_OPEN, account $ACCOUNT $ACC_OPEN)"
echo "$(nproc) cores shared by server and load generator; wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s"
printf '\n%-16s %6s %9s %9s %9s %10s %9s %9s %9s\n' page status "1req-best" "1req-med" "app" "req/s" p50 p99 bytes
for entry in "${PAGES[@]}"; do
    name=${entry%%|*}
    path=${entry#*|}
    url="$BASE$path"
    curl -s -o /dev/null "$url" || true # warm-up
    times=()
    code=000
    size=0
    for _ in $(seq 1 10); do
        read -r code t size < <(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' "$url")
        times+=("$t")
    done
    read -r best med < <(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%.2f %.2f\n", a[1] * 1000, a[int((NR + 1) / 2)] * 1000 }')
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency "$url")
    rps=$(awk '/^Requests\/sec/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
    app=$(curl -s -D - -o /dev/null "$url" | tr -d '\r' | awk -F'dur=' 'tolower($0) ~ /^server-timing:/ { printf "%.2f", $2 }')
    if [ -z "$rps" ] || [ "$(awk -v r="$rps" 'BEGIN { print (r + 0 == 0) }')" = 1 ]; then
        rps="none<${DURATION}s"
        p50=-
        p99=-
    else
        p50="$(ms "$p50")ms"
        p99="$(ms "$p99")ms"
    fi
    printf '%-16s %6s %7sms %7sms %7sms %10s %9s %9s %9s%s\n' "$name" "$code" "$best" "$med" \
        "${app:--}" "$rps" "$p50" "$p99" "$size" "${non2xx:+  ($non2xx non-2xx)}"
done
echo
echo "1req: one request at a time (curl time_total, best and median of 10); app: the server's own"
echo "Server-Timing of one more request; req/s, p50, p99: wrk --latency (none<Ds: no request finished)"
