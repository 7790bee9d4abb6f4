# shellcheck shell=bash
# Shared by the scripts that install Debian packages: run a command as root (directly, else via
# sudo), and run `apt-get update` at most once per script. Without a terminal `sudo -n` fails at
# once instead of hanging on a password prompt nobody can answer. The sourcing script defines
# log MESSAGE and die MESSAGE.

as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		if [[ -t 0 ]]; then sudo "$@"; else sudo -n "$@"; fi
	else
		die "need root (or sudo) to run: $*"
	fi
}

apt_updated=0
apt_update_once() {
	((apt_updated)) && return 0
	log "apt-get update"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq update </dev/null >/dev/null
	apt_updated=1
}
