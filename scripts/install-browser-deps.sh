#!/usr/bin/env bash
# Installs the browser tests' npm packages (tests/browser/package-lock.json)
# into tests/browser/node_modules with `npm ci`, only when the lock file or
# the Node.js version changed since the last install (a stamp file records
# both).  Playwright downloads no browser: the tests use Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/../tests/browser"
want="$(sha256sum package-lock.json | cut -d' ' -f1) node-$(node --version)"
stamp=node_modules/.custos-installed
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then exit 0; fi
export CI=true PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund --loglevel=error </dev/null
echo "$want" >"$stamp"
