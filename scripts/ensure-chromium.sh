#!/usr/bin/env bash
# The portal's browser tests: Debian's chromium (driven by Playwright through
# executable_path, never a downloaded browser) and axe-core from npm (pinned) in a
# project-local folder. Idempotent; `make test` runs it.
set -euo pipefail

CHROMIUM="${CSA_CHROMIUM:-/usr/bin/chromium}"
AXE_VERSION="4.14.1"
AXE_DIR="${CSA_AXE_DIR:-$(cd "$(dirname "$0")/.." && pwd)/.venv/tools/axe-core}"

if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-chromium: installing Debian's chromium" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1; then
        apt-get update -q >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
    fi
fi
echo "ensure-chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"

AXE="$AXE_DIR/node_modules/axe-core/axe.min.js"
if [ ! -f "$AXE" ] || ! grep -q "axe v$AXE_VERSION" "$AXE"; then
    echo "ensure-chromium: installing axe-core $AXE_VERSION into $AXE_DIR" >&2
    mkdir -p "$AXE_DIR"
    npm install --silent --no-audit --no-fund --no-save --prefix "$AXE_DIR" "axe-core@$AXE_VERSION" >/dev/null
fi
echo "ensure-chromium: axe-core $AXE_VERSION at $AXE"
