#!/usr/bin/env bash
# The dashboard in headless Chromium (tests/browser/README.md).
#
# Builds a store from the sample organisation (scan, change one volume,
# scan again a day later), starts `$CUSTOS serve` read-only and a second
# server with --allow-writes --token-file over a copy of the store, runs
# dashboard.mjs, then stops both servers with SIGTERM and checks they exit
# cleanly (the sanitizer build reports leaks at exit).  Prints PASS/FAIL
# lines; exits non-zero if any check failed.  Env: CUSTOS (the binary that
# serves), CUSTOS_RELEASE (scans, faster; defaults to CUSTOS), OUT.
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
CUSTOS=${CUSTOS:-$ROOT/build/release/custos}
SCANNER=${CUSTOS_RELEASE:-$CUSTOS}
[ -x "$SCANNER" ] || SCANNER=$CUSTOS
OUT=${OUT:-$ROOT/build/test-out}
W="$OUT/browser"
SHOTS="$OUT/screenshots"
BROWSER_DIR="$ROOT/tests/browser"
PY=/usr/bin/python3
failed=0
pids=()

fail() { echo "FAIL $1: $2"; failed=1; }
pass() { echo "PASS $1"; }
finish() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
    exit "$failed"
}
trap finish INT TERM

rm -rf "$W" "$SHOTS"
mkdir -p "$W" "$SHOTS"

# ---- prerequisites: chromium, node, playwright-core ----
if [ ! -x /usr/bin/chromium ]; then
    fail chromium_installed "/usr/bin/chromium missing (scripts/install-deps.sh installs it)"
    exit 1
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    fail node_installed "node/npm missing (scripts/install-deps.sh installs them)"
    exit 1
fi
if ! bash scripts/install-browser-deps.sh >"$W/npm.log" 2>&1; then
    fail npm_ci "npm ci in tests/browser failed: $(tail -3 "$W/npm.log" | tr '\n' ' ')"
    exit 1
fi
pass playwright_core_installed

# ---- the server must exist ----
if ! "$CUSTOS" serve --help >"$W/serve-help.txt" 2>&1; then
    fail serve_available "serve not available: '$CUSTOS serve --help' failed: $(head -2 "$W/serve-help.txt" | tr '\n' ' ')"
    exit 1
fi

# ---- the store: two scans with a change, a day apart ----
if ! "$PY" examples/gen_org.py --out "$W/org" --quiet >"$W/gen.log" 2>&1; then
    fail sample_org "gen_org.py failed: $(tail -2 "$W/gen.log")"
    exit 1
fi
DB="$W/custos.db"
scan() {
    "$SCANNER" scan --inventory "$W/org" --db "sqlite:$DB" --format json -o /dev/null "$@" \
        >>"$W/scan.log" 2>&1
    local rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 3 ]
}
if ! scan; then
    fail store_scan1 "$(tail -3 "$W/scan.log" | tr '\n' ' ')"
    exit 1
fi
# The change: one encrypted volume becomes unencrypted (a new finding).
next_day=$("$PY" - "$W/org" <<'EOF'
import datetime, glob, json, os, re, sys
org = sys.argv[1]
for path in sorted(glob.glob(os.path.join(org, "*", "*", "ec2.DescribeVolumes.json"))):
    doc = json.load(open(path))
    vols = [v for v in doc.get("Volumes", []) if v.get("Encrypted") is True]
    if vols:
        vols[0]["Encrypted"] = False
        json.dump(doc, open(path, "w"), indent=1)
        break
text = open(os.path.join(org, "accounts.yaml")).read()
m = re.search(r'collected_at:\s*"?([0-9T:\-]+Z?)', text)
at = datetime.datetime.strptime(m.group(1).rstrip("Z"), "%Y-%m-%dT%H:%M:%S")
print((at + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))
EOF
)
if [ -z "$next_day" ] || ! scan --as-of "$next_day"; then
    fail store_scan2 "change/rescan failed: $(tail -3 "$W/scan.log" | tr '\n' ' ')"
    exit 1
fi
pass store_two_scans
cp "$DB" "$W/custos-writes.db"

# ---- two servers on free loopback ports ----
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$W/token"
chmod 600 "$W/token"

start_server() { # name port args...
    local name=$1 port=$2
    shift 2
    "$CUSTOS" serve --db "sqlite:$W/$name.db" --listen "127.0.0.1:$port" "$@" \
        >"$W/serve-$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        if "$PY" -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" 2>/dev/null; then
            return 0
        fi
        kill -0 "${pids[-1]}" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}
P1=$(free_port)
P2=$(free_port)
if ! start_server custos "$P1"; then
    fail serve_start "read-only server did not answer /healthz: $(tail -3 "$W/serve-custos.log" | tr '\n' ' ')"
    finish
fi
if ! start_server custos-writes "$P2" --allow-writes --token-file "$W/token"; then
    fail serve_start_writes "write server did not answer /healthz: $(tail -3 "$W/serve-custos-writes.log" | tr '\n' ' ')"
    finish
fi
pass serve_started

# ---- the browser ----
BASE_URL="http://127.0.0.1:$P1" WRITE_URL="http://127.0.0.1:$P2" TOKEN_FILE="$W/token" \
    SHOTS="$SHOTS" HOME="$W" timeout 150 node "$BROWSER_DIR/dashboard.mjs" >"$W/dashboard.log" 2>&1
rc=$?
cat "$W/dashboard.log" | grep -E '^(PASS|FAIL) '
if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$W/dashboard.log"; then
    fail dashboard_run "node exited $rc: $(grep -v '^PASS ' "$W/dashboard.log" | tail -5 | tr '\n' ' ')"
fi
[ $rc -eq 0 ] || failed=1
shots=$(find "$SHOTS" -name '*.png' -size +1k | wc -l)
if [ "$shots" -ge 8 ]; then pass screenshots; else fail screenshots "$shots screenshots in $SHOTS (want >= 8)"; fi

# ---- clean shutdown (ASan/LSan report leaks at exit) ----
for i in "${!pids[@]}"; do
    p=${pids[$i]}
    kill -TERM "$p" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then
        kill -KILL "$p" 2>/dev/null
        fail "serve_stops_$i" "still running 10 s after SIGTERM"
        continue
    fi
    wait "$p"
    src=$?
    if [ $src -ne 0 ]; then
        fail "serve_stops_$i" "exit status $src after SIGTERM"
    else
        pass "serve_stops_$i"
    fi
done
pids=()
if grep -l 'Sanitizer' "$W"/serve-*.log >/dev/null 2>&1; then
    fail serve_sanitizers "sanitizer report in $(grep -l 'Sanitizer' "$W"/serve-*.log | tr '\n' ' ')"
else
    pass serve_sanitizers_clean
fi
exit "$failed"
