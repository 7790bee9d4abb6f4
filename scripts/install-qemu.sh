#!/usr/bin/env bash
# Make sure a QEMU with the igb device (Intel 82576, QEMU >= 8.0) is available.
#
# Usage: scripts/install-qemu.sh [--arch aarch64]
#   --arch aarch64  the QEMU that records arm64 guests (`record --arch aarch64`):
#                   qemu-system-aarch64, package qemu-system-arm; replays always run on x86
#
# Idempotent: if $QTEST_QEMU_BINARY (the variable QEMU's own qtest suite uses) or else
# qemu-system-x86_64 on PATH already has igb, it only reports which binary it found.
# Otherwise it installs qemu-system-x86 with apt:
#   - Debian 12 (bookworm): its own QEMU is 7.2 (no igb), so from bookworm-backports;
#   - other Debian/Ubuntu: their own qemu-system-x86 (Debian 13, Ubuntu 24.04 have >= 8).
# Anything else: it prints what to install and exits non-zero.
# Runs without a terminal (CI): apt is non-interactive and sudo is never left waiting
# for a password.
set -euo pipefail

# Exit codes, so callers (CI, record-linux-traces.sh) can tell the cases apart.
readonly EXIT_NO_IGB=1      # a QEMU was installed or named but it has no igb device
readonly EXIT_CANNOT=2      # no automatic install on this system

log() { echo "install-qemu: $*"; }
die() {
	local code=$1
	shift
	echo "install-qemu: error: $*" >&2
	exit "$code"
}

has_igb() {
	# `-device help` needs no machine or display, and lists `name "igb", bus PCI, ...`.
	"$1" -device help 2>/dev/null | grep -q '"igb"'
}

report_ok() {
	log "using $1 ($("$1" --version | head -n 1))"
}

manual_hint() {
	cat >&2 <<'EOF'
install-qemu: install QEMU >= 8.0 built with the igb device (qemu-system-x86_64;
  check: qemu-system-x86_64 -device help | grep '"igb"'), e.g.
  - Debian 12: apt-get install -t bookworm-backports qemu-system-x86
  - Debian >= 13, Ubuntu >= 24.04: apt-get install qemu-system-x86
  - Fedora: dnf install qemu-system-x86; Arch: pacman -S qemu-system-x86;
    macOS: brew install qemu; or build QEMU >= 8.0 from source
  or point QTEST_QEMU_BINARY at such a binary.
EOF
}

QEMU=qemu-system-x86_64
PKG=qemu-system-x86
case ${1:-} in
'') ;;
--arch)
	case ${2:-} in
	x86_64) ;;
	aarch64) QEMU=qemu-system-aarch64 PKG=qemu-system-arm ;;
	*) die "$EXIT_CANNOT" "--arch takes x86_64 or aarch64, not '${2:-}'" ;;
	esac ;;
*) die "$EXIT_CANNOT" "unknown argument $1 (usage: scripts/install-qemu.sh [--arch aarch64])" ;;
esac

# An explicit QTEST_QEMU_BINARY is what every tool will run, so installing a system
# package would not help if it lacks igb: report instead of guessing. (It names the x86 replay
# binary; the recorder of another architecture looks its QEMU up on PATH.)
if [[ $QEMU == qemu-system-x86_64 && -n ${QTEST_QEMU_BINARY:-} ]]; then
	if ! command -v "$QTEST_QEMU_BINARY" >/dev/null 2>&1; then
		die "$EXIT_NO_IGB" "QTEST_QEMU_BINARY=$QTEST_QEMU_BINARY is not an executable"
	fi
	if has_igb "$QTEST_QEMU_BINARY"; then
		report_ok "$QTEST_QEMU_BINARY"
		exit 0
	fi
	die "$EXIT_NO_IGB" "QTEST_QEMU_BINARY=$QTEST_QEMU_BINARY has no igb device (needs QEMU >= 8.0); unset it or point it at one that has"
fi

if command -v "$QEMU" >/dev/null 2>&1 && has_igb "$QEMU"; then
	report_ok "$(command -v "$QEMU")"
	exit 0
fi

# --- install -----------------------------------------------------------------------

if ! command -v apt-get >/dev/null 2>&1 || [[ ! -r /etc/os-release ]]; then
	manual_hint
	exit "$EXIT_CANNOT"
fi

# Run as root directly, else via sudo. Without a terminal, `sudo -n` fails at once
# instead of hanging on a password prompt nobody can answer.
as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		if [[ -t 0 ]]; then sudo "$@"; else sudo -n "$@"; fi
	else
		die "$EXIT_CANNOT" "need root (or sudo) to run: $*"
	fi
}

APT_LOG=$(mktemp)
trap 'rm -f "$APT_LOG"' EXIT

# apt's chatter goes to a log that is shown only if something fails.
apt_quiet() {
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
		-o Dpkg::Use-Pty=0 "$@" </dev/null >>"$APT_LOG" 2>&1; then
		tail -n 20 "$APT_LOG" >&2
		die "$EXIT_CANNOT" "apt-get $* failed"
	fi
}

# shellcheck disable=SC1091  # os-release is a system file, not part of this repo
ID=$(. /etc/os-release && echo "${ID:-}")
# shellcheck disable=SC1091
CODENAME=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
# shellcheck disable=SC1091
ID_LIKE=$(. /etc/os-release && echo "${ID_LIKE:-}")

if [[ $ID == debian && $CODENAME == bookworm ]]; then
	# bookworm's own QEMU is 7.2 (no igb); bookworm-backports has 10.x.
	if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		log "adding bookworm-backports to apt sources"
		echo 'deb http://deb.debian.org/debian bookworm-backports main' |
			as_root tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
	fi
	log "installing $PKG from bookworm-backports"
	apt_quiet update
	apt_quiet install -t bookworm-backports --no-install-recommends "$PKG"
elif [[ $ID == debian || $ID == ubuntu || " $ID_LIKE " == *" debian "* || " $ID_LIKE " == *" ubuntu "* ]]; then
	log "installing $PKG from the $ID${CODENAME:+ $CODENAME} archive"
	apt_quiet update
	apt_quiet install --no-install-recommends "$PKG"
else
	manual_hint
	exit "$EXIT_CANNOT"
fi

# The archive's QEMU may still be too old (Debian 11, Ubuntu 22.04 ship < 8.0).
if command -v "$QEMU" >/dev/null 2>&1 && has_igb "$QEMU"; then
	report_ok "$(command -v "$QEMU")"
	exit 0
fi
echo "install-qemu: installed $("$QEMU" --version 2>/dev/null | head -n 1 || echo "$QEMU"), but it has no igb device" >&2
manual_hint
exit "$EXIT_NO_IGB"
