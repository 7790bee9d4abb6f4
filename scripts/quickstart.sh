#!/usr/bin/env bash
# The README's first quick-start command: installs what igb-replay needs on a fresh machine
# (QEMU with igb, npm packages), builds it, and runs the main job: replays a shipped real trace
# (the Linux 6.1 igb driver's init) against QEMU's igb and prints the report.
# Idempotent: a second run skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-qemu.sh
bash scripts/install-chromium.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  # npm ci insists that the lock file list every platform's optional binaries (e.g. @swc/core for
  # macOS); a registry without them makes it refuse. npm install then installs the locked versions.
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi
npm run --silent build

trace=${1:-traces/linux-6.1-init.log}
echo
echo "\$ igb-replay replay $trace"
node dist/src/cli/main.js replay "$trace"
