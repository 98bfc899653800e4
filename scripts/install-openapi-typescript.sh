#!/usr/bin/env bash
# The TypeScript generator partners use (openapi-typescript from npm), pinned by the lock file
# beside this script and installed into .venv/tools/openapi-typescript, never globally.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:-$root/.venv/tools/openapi-typescript}"
mkdir -p "$target"
cp "$root/scripts/openapi-typescript/package.json" "$root/scripts/openapi-typescript/package-lock.json" "$target/"
npm ci --prefix "$target" --no-audit --no-fund --ignore-scripts --loglevel=error
