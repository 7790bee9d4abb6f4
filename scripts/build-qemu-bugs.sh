#!/usr/bin/env bash
# Builds one qemu-system-x86_64 per historic bug in scripts/qemu-bugs/NN-name.patch: each patch puts
# back into QEMU 10.0.2 an igb/e1000e model bug that upstream fixed after QEMU 8.0 (see the patch's
# header and docs/historic-bugs.md). Also builds "control", the same tree with no patch, which every
# recording must pass. scripts/check-historic-bugs.sh replays the recordings against them.
#
# Usage: scripts/build-qemu-bugs.sh [PATCH...]
#   PATCH   only these patches (paths); default: every scripts/qemu-bugs/*.patch
# Prints "NAME<TAB>BINARY" for control and each variant on stdout. Idempotent: a variant already
# built from a patch with the same sha256 is kept. Exit 1 if some variant failed to build.
#
# The base build of scripts/build-qemu.sh (${IGB_REPLAY_CACHE:-~/.cache/igb-replay}/qemu-build) is
# never modified: it is copied once to <cache>/qemu-bugs/tree (the copy's compile commands then name
# the copy, so its first build compiles everything again: about 8 minutes on 2 cores). Each patch is
# applied there, built with an incremental ninja (a few files and the link) and reverted.
# Variants are built one at a time. Each lands in <cache>/qemu-bugs/NAME/ as a stripped binary, the
# patch it was built from, and a qemu-bundle link to the shared firmware directory, where the binary
# looks for its BIOS and option ROMs.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$SCRIPT_DIR/.."

log() { echo "build-qemu-bugs: $*" >&2; }
die() {
	echo "build-qemu-bugs: error: $*" >&2
	exit 2
}
case ${1:-} in -h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac

CACHE=${IGB_REPLAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/igb-replay}
out=$CACHE/qemu-bugs
tree=$out/tree
applied=$out/applied.patch # the patch currently applied to $tree, if a run stopped half-way
patches=("$@")
((${#patches[@]})) || patches=(scripts/qemu-bugs/*.patch)
for p in "${patches[@]}"; do [[ -f $p ]] || die "no patch $p"; done
# shellcheck source=scripts/lib/root-apt.sh
source scripts/lib/root-apt.sh
if ! command -v patch >/dev/null; then
	apt_update_once
	log "installing patch"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends patch </dev/null >/dev/null
fi

base_binary=$(scripts/build-qemu.sh)
base=$(cd "$(dirname "$base_binary")/.." && pwd)
mkdir -p "$out"

# --- the workspace: a copy of the base tree that names itself -------------------------------
# The build directory names its source tree by absolute path (meson's regenerate rule, the venv's
# scripts, symlinks into the source). Pointing them at the copy keeps every step here away from the
# base tree, and a later change to the base tree's meson files cannot make ninja reconfigure the copy.
if [[ ! -f $tree/build/build.ninja ]]; then
	log "copying $base to $tree (once, about 700 MB)"
	rm -rf "$tree.tmp" "$tree"
	cp -a "$base" "$tree.tmp"
	# shellcheck disable=SC2016 # perl expands $ENV, not the shell
	grep -rlIZ --fixed-strings "$base" "$tree.tmp/build" |
		FROM=$base TO=$tree xargs -0 -r perl -pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g'
	while IFS= read -r -d '' link; do
		target=$(readlink "$link")
		ln -sfn "$tree${target#"$base"}" "$link"
	done < <(find "$tree.tmp" -type l -lname "$base/*" -print0)
	mv "$tree.tmp" "$tree"
fi
# A run that stopped with a patch applied left it in the tree; take it out first.
if [[ -f $applied ]]; then
	log "reverting a patch that an earlier run left applied ($(sed -n 's/^# Bug: //p' "$applied" | head -n 1))"
	patch -p1 -R --quiet -d "$tree" <"$applied" || die "could not revert $applied in $tree; delete $tree to start over"
	rm -f "$applied"
fi
regen=$(cd "$tree/build" && { ninja -n qemu-system-x86_64 2>&1 | grep -m1 -i 'regenerat' || true; })
[[ -z $regen ]] || die "ninja wants to reconfigure $tree ($regen); delete $tree to start over"

# Firmware shared by all variants (the base build's data directory, copied so it stays put).
bundle=$out/qemu-bundle
if [[ ! -f $bundle/usr/local/share/qemu/bios-256k.bin ]]; then
	rm -rf "$bundle.tmp" && mkdir -p "$bundle.tmp"
	# Only files that exist: the bundle also links build outputs that a qemu-system-only build lacks.
	(cd "$base/build/qemu-bundle" && find -L . -type f -print0 | xargs -0 cp -L --parents -t "$bundle.tmp")
	rm -rf "$bundle" && mv "$bundle.tmp" "$bundle"
fi

# --- building ----------------------------------------------------------------------------
answers_qtest() {
	local reply
	reply=$(printf 'endianness\n' | timeout 5 "$1" -M none -accel qtest -qtest stdio -qtest-log none -display none 2>/dev/null || true)
	grep -q '^OK ' <<<"$reply"
}

# build_variant NAME KEY [PATCH]: builds the tree as it is and keeps the binary in $out/NAME.
build_variant() {
	local name=$1 key=$2 patch_file=${3:-} dest=$out/$1
	(cd "$tree/build" && nice ninja -j"$(nproc)" qemu-system-x86_64 >"$out/$name.build.log" 2>&1) || {
		tail -n 15 "$out/$name.build.log" >&2
		return 1
	}
	rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
	strip --strip-debug -o "$dest.tmp/qemu-system-x86_64" "$tree/build/qemu-system-x86_64"
	ln -s ../qemu-bundle "$dest.tmp/qemu-bundle"
	[[ -z $patch_file ]] || cp "$patch_file" "$dest.tmp/"
	answers_qtest "$dest.tmp/qemu-system-x86_64" || { log "$name: the binary does not answer qtest"; return 1; }
	echo "$key" >"$dest.tmp/built-from"
	rm -rf "$dest" && mv "$dest.tmp" "$dest"
	rm -f "$out/$name.build.log"
}

up_to_date() { [[ -x $out/$1/qemu-system-x86_64 && $(cat "$out/$1/built-from" 2>/dev/null) == "$2" ]]; }

failures=0
control_key="no patch; $("$base_binary" --version | head -n 1)"
if ! up_to_date control "$control_key"; then
	log "building control (no patch)"
	build_variant control "$control_key" || die "the unpatched tree does not build (log: $out/control.build.log)"
fi
printf 'control\t%s\n' "$out/control/qemu-system-x86_64"
control_sum=$(sha256sum <"$out/control/qemu-system-x86_64")

for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	key=$(sha256sum <"$p" | cut -d' ' -f1)
	if ! up_to_date "$name" "$key"; then
		log "building $name"
		cp "$p" "$applied"
		if ! patch -p1 --forward --quiet -d "$tree" <"$p"; then
			log "$name: the patch does not apply to $tree"
			patch -p1 -R --quiet --force -d "$tree" <"$p" >/dev/null 2>&1 || true
			rm -f "$applied"
			failures=$((failures + 1))
			continue
		fi
		build_variant "$name" "$key" "$p" || { log "$name: build failed"; failures=$((failures + 1)); }
		patch -p1 -R --quiet -d "$tree" <"$p" || die "could not revert $p in $tree"
		rm -f "$applied"
	fi
	[[ -x $out/$name/qemu-system-x86_64 ]] || continue
	# A patch that changes no code builds the control binary again: it would test nothing.
	[[ $(sha256sum <"$out/$name/qemu-system-x86_64") != "$control_sum" ]] || log "warning: $name is identical to control"
	printf '%s\t%s\n' "$name" "$out/$name/qemu-system-x86_64"
done

if ((failures)); then
	log "$failures variant(s) failed"
	exit 1
fi
