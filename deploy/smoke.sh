#!/usr/bin/env bash
# deploy/smoke.sh - builds deploy/Dockerfile's image and smoke-tests it as
# Kubernetes runs it: read-only root file system, a tmpfs on /tmp, the
# non-root user.  Needs a running Docker daemon and the network (the
# Debian packages of the build); not part of `make check`.
#
#   bash deploy/smoke.sh [TAG]        (default custos:smoke; also `make image`)
#
# Checks: `custos --version`; no root: `id -u` is the image's 10001;
# writing / fails; a scan of the bundled sample organisation (generated
# here, mounted read-only) finds as many findings as this tree's
# build/release/custos, and records into the default store under /tmp;
# `custos serve --listen 0.0.0.0:8080 --allow-remote` answers /healthz.
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-custos:smoke}
fail() { echo "FAIL $*"; exit 1; }
docker info >/dev/null 2>&1 || fail "no Docker daemon (docker info failed): the image cannot be built here"
# DOCKER_BUILD_ARGS: e.g. "--network host" on a daemon without a bridge.
# shellcheck disable=SC2086
docker build ${DOCKER_BUILD_ARGS:-} -f deploy/Dockerfile -t "$TAG" .
RUN=(docker run --rm --network none --read-only --tmpfs /tmp:rw,size=512m --cap-drop ALL
  --security-opt no-new-privileges)
v=$("${RUN[@]}" "$TAG" --version) || fail "custos --version"
echo "PASS version: $v"
uid=$("${RUN[@]}" --entrypoint /usr/bin/id "$TAG" -u)
[ "$uid" = 10001 ] || fail "runs as uid $uid"
echo "PASS non-root: uid $uid"
if "${RUN[@]}" --entrypoint /bin/sh "$TAG" -c 'touch /x' 2>/dev/null; then fail "the root file system is writable"; fi
echo "PASS read-only root"
org=$(mktemp -d)
trap 'rm -rf "$org"; docker rm -f custos-smoke-web >/dev/null 2>&1 || true' EXIT
python3 examples/gen_org.py --out "$org/org" --quiet
chmod -R a+rX "$org"
count() { python3 -c 'import json, sys; print(len(json.load(sys.stdin)["findings"]))'; }
n=$("${RUN[@]}" -v "$org/org:/org:ro" "$TAG" scan --inventory /org --no-store --format json | count)
want=$(build/release/custos scan --inventory "$org/org" --no-store --format json | count)
[ "$n" -gt 0 ] && [ "$n" = "$want" ] || fail "the sample org's scan in the image: $n findings, $want here"
"${RUN[@]}" -v "$org/org:/org:ro" "$TAG" scan --inventory /org -o /dev/null || fail "scan into /tmp's store"
echo "PASS scan of the sample org in the image: $n findings, as this tree's build"
# The dashboard as the Deployment runs it, on a free port of the host's
# network (0.0.0.0 inside the container).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
docker run -d --name custos-smoke-web --network host --read-only --tmpfs /tmp --cap-drop ALL \
  -v "$org/org:/org:ro" --entrypoint /bin/sh "$TAG" \
  -c "custos scan --inventory /org -o /dev/null && exec custos serve --listen 0.0.0.0:$port --allow-remote" >/dev/null
for _ in $(seq 100); do
  body=$(curl -fsS "http://127.0.0.1:$port/healthz" 2>/dev/null) && break
  sleep 0.2
done
[ "${body:-}" = ok ] || fail "/healthz: '${body:-}' ($(docker logs custos-smoke-web 2>&1 | tail -3))"
echo "PASS serve /healthz on 0.0.0.0 in the image"
echo "smoke: 5 passed, 0 failed"
