#!/usr/bin/env bash
# Builds qemu-system-x86_64 WITH the qtest accelerator from the installed QEMU's own Debian source
# package (Debian's binary strips the accelerator, so `replay --time clock-step`, `export
# --clock-step` scripts and exported libqtest C tests cannot run against it). Same upstream version
# as the installed QEMU; x86_64 only, no docs, no UI, no KVM.
#
# Usage: scripts/build-qemu.sh [-o DIR | --tree DIR]
#   -o DIR      build directory (default: ${IGB_REPLAY_CACHE:-~/.cache/igb-replay}/qemu-build)
#   --tree DIR  build your own QEMU source tree (a git checkout) in DIR/build, with the same
#               configuration; its sources are never touched (scripts/bisect-qemu.sh uses this)
# Prints the path of the built binary on stdout; use it as QTEST_QEMU_BINARY. Idempotent: an
# existing build is only brought up to date (ninja). About 8 minutes on 2 cores the first time.
#
# The Debian +ds tarball leaves out prebuilt firmware; the build is told not to unpack EDK2, and the
# BIOS and option ROMs the machine needs are copied from the installed seabios/ipxe packages into
# the build's own data directory (qemu-bundle), where the binary looks first.
# Installs with apt (root or sudo): meson >= 1.5 (bookworm-backports), ninja-build, gcc,
# pkg-config, python3, python3-venv, python3-pycotap, libglib2.0-dev, libpixman-1-dev,
# libslirp-dev, flex, bison, xz-utils, seabios, ipxe-qemu.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$SCRIPT_DIR/.."

log() { echo "build-qemu: $*" >&2; }
die() {
	echo "build-qemu: error: $*" >&2
	exit 2
}

CACHE=${IGB_REPLAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/igb-replay}
out=$CACHE/qemu-build
own_tree=0
while (($#)); do
	case $1 in
	-o | --out) out=${2:?-o needs a directory}; shift 2 ;;
	# Relative to where the script was called from (it has changed to the repository since).
	--tree)
		out=$(cd "$OLDPWD" && cd "${2:?--tree needs a QEMU source tree}" && pwd) || die "no directory ${2}"
		own_tree=1
		shift 2
		;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done

# shellcheck source=scripts/lib/root-apt.sh
source scripts/lib/root-apt.sh
# shellcheck source=scripts/lib/qemu-source.sh
source scripts/lib/qemu-source.sh

# --- tools ---------------------------------------------------------------------------
packages=(ninja-build gcc pkg-config python3 python3-venv python3-pycotap libglib2.0-dev libpixman-1-dev
	libslirp-dev flex bison xz-utils seabios ipxe-qemu)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
meson_ok=0
if command -v meson >/dev/null 2>&1 && printf '%s\n1.5.0\n' "$(meson --version)" | sort -V -C -r 2>/dev/null; then meson_ok=1; fi
if ((${#missing[@]})) || ((!meson_ok)); then
	apt_update_once
	if ((${#missing[@]})); then
		log "installing ${missing[*]}"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends "${missing[@]}" </dev/null >/dev/null
	fi
	if ((!meson_ok)); then
		log "installing meson from bookworm-backports (QEMU 10 needs >= 1.5)"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends -t bookworm-backports meson </dev/null >/dev/null ||
			die "could not install meson >= 1.5"
	fi
fi

# --- source and configure ---------------------------------------------------------------
binary=$out/build/qemu-system-x86_64
# Logs stay out of a source tree the user owns (git status stays clean while bisecting).
logs=$out
((own_tree)) && logs=$out/build
if [[ ! -f $out/build/build.ninja ]]; then
	if ((own_tree)); then
		[[ -x $out/configure && -f $out/meson.build ]] || die "$out is not a QEMU source tree (no configure, meson.build)"
	else
		tarball=$(fetch_debian_source)
		log "extracting $(basename "$tarball")"
		rm -rf "$out" && mkdir -p "$out"
		tar -xJf "$tarball" -C "$out" --strip-components=1
		# EDK2 images are not in the +ds tarball and not needed for x86 qtest machines.
		sed -i 's/    unpack_edk2_blobs = bzip2.found()/    unpack_edk2_blobs = false/' "$out/meson.build"
	fi
	mkdir -p "$out/build"
	log "configuring (x86_64-softmmu, qtest accelerator; system python for the system meson)"
	(cd "$out/build" && ../configure --python=/usr/bin/python3 --target-list=x86_64-softmmu \
		--disable-docs --disable-werror --disable-download --disable-install-blobs --enable-slirp \
		--disable-gtk --disable-sdl --disable-vnc --disable-spice --disable-opengl --disable-xen \
		--disable-kvm --disable-tools --disable-guest-agent --disable-rust >"$logs/configure.log" 2>&1) ||
		{ tail -n 20 "$logs/configure.log" >&2; die "configure failed (log: $logs/configure.log)"; }
fi
log "building qemu-system-x86_64 (ninja; first time about 8 minutes on 2 cores)"
(cd "$out/build" && ninja -j"$(nproc)" qemu-system-x86_64 >"$logs/build.log" 2>&1) ||
	{ tail -n 20 "$logs/build.log" >&2; die "build failed (log: $logs/build.log)"; }

# Firmware where the binary looks first: the build tree's data directory.
data=$out/build/qemu-bundle/usr/local/share/qemu
mkdir -p "$data"
cp -L /usr/share/seabios/*.bin "$data/" 2>/dev/null || true
cp -L /usr/lib/ipxe/qemu/*.rom "$data/" 2>/dev/null || true
[[ -f $data/bios-256k.bin ]] || die "no bios-256k.bin (package seabios)"

# QEMU keeps running when its qtest input ends, hence the timeout (the answer comes at once); the answer is what counts.
answer=$(printf 'endianness\n' | timeout 3 "$binary" -M none -accel qtest -qtest stdio -qtest-log none -display none 2>/dev/null || true)
grep -q '^OK ' <<<"$answer" || die "$binary does not answer qtest with -accel qtest"
log "built $("$binary" --version | head -n 1) with the qtest accelerator"
echo "$binary"
