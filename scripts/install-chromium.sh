#!/usr/bin/env bash
# Installs Debian's Chromium if it is missing: the HTML report's end-to-end test opens the report in
# it (headless, through playwright-core with executablePath; no browser is downloaded by npm).
# Idempotent; non-interactive; never waits for a sudo password.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: install Chromium as /usr/bin/chromium (the HTML report test needs it)" >&2
  exit 2
fi
as_root=()
[[ "$(id -u)" -eq 0 ]] || as_root=(sudo -n)
echo "install-chromium: installing Debian's chromium package"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
