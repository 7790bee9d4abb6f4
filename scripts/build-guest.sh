#!/usr/bin/env bash
# Build the minimal Linux guest that records a NIC driver under QEMU.
#
# Usage: scripts/build-guest.sh [-k KERNEL_PKG] [--driver igb|e1000e] [--arch amd64|arm64] -o DIR
#   -k, --kernel PKG   Debian kernel package (default: linux-image-6.1.0-56-<arch>)
#       --arch ARCH    the guest's Debian architecture: amd64 (default; QEMU's q35) or arm64
#                      (QEMU's virt machine, `record --arch aarch64`); a foreign architecture
#                      is added to dpkg (dpkg --add-architecture) to download its packages
#       --driver NAME  igb (default) or e1000e: the module /init loads, plus the modules
#                      it depends on (from `modinfo -F depends`, recursively; modules
#                      built into the kernel need nothing)
#   -o, --out DIR      where the guest goes (created if missing); one guest per DIR
#   -h, --help         this text
# Writes
#   DIR/vmlinuz        the package's /boot/vmlinuz-<release> (or /usr/lib/modules/<release>/vmlinuz
#                      of the linux-binary-<release> package a split kernel package depends on)
#   DIR/initrd.gz      gzip'd newc cpio: busybox-static, ethtool (with the glibc and libmnl
#                      libraries it links, from the same Debian release: busybox has no
#                      ethtool, and scenarios switch offloads with it), scripts/guest/init as /init,
#                      scripts/guest/udhcpc.script, /lib/modules/<module>.ko (plain, not
#                      xz), /etc/igbrec/modules (load order, driver last), /etc/igbrec/driver,
#                      and modules some scenarios load themselves: 8021q (VLAN) and, for
#                      igb, igbvf (SR-IOV VFs), each with /etc/igbrec/extra/<name> (its load
#                      order, dependencies first)
#   DIR/guest.json     {format, driver, modules (load order, names without .ko),
#                      extra_modules (the scenario modules and their dependencies),
#                      kernel_package, kernel_version, kernel_release, kernel_deb,
#                      kernel_deb_sha256, kernel_image (/boot/vmlinuz-...), kernel_parts
#                      ([{package, deb, sha256}] of a split kernel's linux-binary/-modules/-base),
#                      kernel_mmiotrace (CONFIG_MMIOTRACE=y), busybox_package,
#                      busybox_version, busybox_deb, busybox_deb_sha256, ethtool_version,
#                      ethtool_debs (package=version of ethtool and its libraries), vmlinuz_sha256,
#                      initrd_sha256, built_at, inputs}
# Idempotent: when DIR/guest.json exists, its `inputs` (kernel package, driver, and the
# sha256 of this script and scripts/guest/*) equal this call's, and vmlinuz/initrd.gz
# still have the recorded sha256, it does nothing (no apt, no network). Otherwise it
# rebuilds; guest.json is written last, so a guest.json means a complete guest.
# Logs go to stderr, nothing to stdout. Exit: 0 ok, 1 failure, 2 usage.
# Needs a Debian-like host (apt-get download, dpkg-deb); installs cpio, gzip, xz-utils,
# jq and kmod (for modinfo) if missing (as root, or with sudo).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
GUEST_SRC=$SCRIPT_DIR/guest
# The exact package, so a rebuild uses the same kernel build (see record-linux-traces.sh).
KERNEL_ABI_DEFAULT=linux-image-6.1.0-56
# Bump when the layout of the guest or of guest.json changes.
FORMAT=3

kernel_pkg=
driver=igb
arch=amd64
out=

log() { echo "build-guest: $*" >&2; }
die() {
	echo "build-guest: error: $*" >&2
	exit 1
}
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
	exit "${1:-0}"
}

while (($#)); do
	case $1 in
	-k | --kernel) kernel_pkg=${2:?--kernel needs a package name}; shift 2 ;;
	--driver) driver=${2:?--driver needs igb or e1000e}; shift 2 ;;
	--arch) arch=${2:?--arch needs amd64 or arm64}; shift 2 ;;
	-o | --out) out=${2:?--out needs a directory}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "build-guest: unknown argument $1" >&2; usage 2 >&2 ;;
	esac
done
[[ -n $out ]] || { echo "build-guest: -o DIR is required" >&2; usage 2 >&2; }
case $driver in
igb | e1000e) ;;
*) echo "build-guest: unknown driver $driver (igb or e1000e)" >&2; exit 2 ;;
esac
# The GNU triplet names ethtool's library directories; the loader is the program interpreter
# (PT_INTERP) the architecture's binaries name.
case $arch in
amd64) triplet=x86_64-linux-gnu loader=lib64/ld-linux-x86-64.so.2 ;;
arm64) triplet=aarch64-linux-gnu loader=lib/ld-linux-aarch64.so.1 ;;
*) echo "build-guest: unknown architecture $arch (amd64 or arm64)" >&2; exit 2 ;;
esac
kernel_pkg=${kernel_pkg:-$KERNEL_ABI_DEFAULT-$arch}

# --- up to date? -------------------------------------------------------------------

sha_of() { sha256sum "$1" | cut -d' ' -f1; }
# The guest files end up inside initrd.gz, so a change to any of them is a new guest.
guest_files_sha=$(cat "${BASH_SOURCE[0]}" "$GUEST_SRC/init" "$GUEST_SRC/udhcpc.script" | sha256sum | cut -d' ' -f1)
inputs=$(printf '{"format":%d,"kernel_package":"%s","driver":"%s","arch":"%s","guest_files_sha256":"%s"}' \
	"$FORMAT" "$kernel_pkg" "$driver" "$arch" "$guest_files_sha")

up_to_date() {
	local json=$out/guest.json
	[[ -f $json && -f $out/vmlinuz && -f $out/initrd.gz ]] || return 1
	command -v jq >/dev/null 2>&1 || return 1
	jq -e --argjson want "$inputs" '.inputs == $want' "$json" >/dev/null 2>&1 || return 1
	[[ $(jq -r .vmlinuz_sha256 "$json") == "$(sha_of "$out/vmlinuz")" ]] || return 1
	[[ $(jq -r .initrd_sha256 "$json") == "$(sha_of "$out/initrd.gz")" ]] || return 1
}
if up_to_date; then
	log "up to date: $out ($kernel_pkg, $driver)"
	exit 0
fi

# --- host tools --------------------------------------------------------------------

# shellcheck source=scripts/lib/root-apt.sh
source "$SCRIPT_DIR/lib/root-apt.sh"

# modinfo lives in /sbin, which is not on every user's PATH.
MODINFO=$(PATH=$PATH:/sbin:/usr/sbin command -v modinfo || true)
ensure_tools() {
	local -A pkg_of=([cpio]=cpio [gzip]=gzip [xz]=xz-utils [jq]=jq [sha256sum]=coreutils)
	local missing=() t out
	if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
		die "this script needs a Debian-like host (apt-get, dpkg-deb)"
	fi
	for t in "${!pkg_of[@]}"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("${pkg_of[$t]}")
	done
	[[ -n $MODINFO ]] || missing+=(kmod)
	((${#missing[@]})) || return 0
	log "installing ${missing[*]}"
	apt_update_once
	# apt's chatter (debconf notes) is shown only if the install fails.
	out=$(as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends \
		"${missing[@]}" </dev/null 2>&1) || { echo "$out" >&2; die "could not install ${missing[*]}"; }
	MODINFO=$(PATH=$PATH:/sbin:/usr/sbin command -v modinfo) || die "kmod installed but no modinfo"
}
ensure_tools

mkdir -p "$out"
out=$(cd "$out" && pwd)
# Built next to the result so the final mv is a rename on the same file system.
WORK=$(mktemp -d "$out/.build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# apt-get download runs its fetcher as user _apt, which cannot enter a private mktemp
# directory; as root, tell apt not to drop privileges instead of warning about it.
APT_DL_OPTS=()
[[ $EUID -eq 0 ]] && APT_DL_OPTS=(-o APT::Sandbox::User=root)

# Download one package into $WORK/debs; sets DEB to the .deb path. (A global rather than
# $(...) so that die() ends the script, not just a subshell.)
DEB=
host_arch=$(dpkg --print-architecture)
# A foreign architecture's packages are named pkg:arch, and apt lists them only once dpkg knows it.
apt_suffix=
if [[ $arch != "$host_arch" ]]; then
	apt_suffix=:$arch
	if ! { dpkg --print-architecture; dpkg --print-foreign-architectures; } | grep -qx "$arch"; then
		log "adding the $arch architecture to dpkg (to download its packages)"
		as_root dpkg --add-architecture "$arch"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq update </dev/null >/dev/null || die "apt-get update failed"
	fi
fi
download_deb() {
	local pkg=$1 name=$1$apt_suffix
	mkdir -p "$WORK/debs"
	if ! apt-cache show "$name" >/dev/null 2>&1; then
		apt_update_once
		apt-cache show "$name" >/dev/null 2>&1 ||
			die "package $name not in the apt sources (bookworm-backports configured? list kernels with apt-cache search '^linux-image-6' and pass one with -k)"
	fi
	(cd "$WORK/debs" && apt-get -qq "${APT_DL_OPTS[@]}" download "$name" >/dev/null) ||
		die "apt-get download $name failed"
	# apt escapes ':' in the epoch as %3a; '+' is literal, so match it with '?'.
	DEB=$(find "$WORK/debs" -name "${pkg//+/?}_*.deb" | head -n 1)
	[[ -n $DEB ]] || die "downloaded $pkg but found no .deb"
}

# --- packages ----------------------------------------------------------------------

log "fetching busybox-static and $kernel_pkg"
download_deb busybox-static
bb_deb=$DEB
download_deb "$kernel_pkg"
kernel_deb=$DEB
# The kernel comes in one package (Debian's kernels up to 7.x of 2025), or split (newer ones):
# then the package named on the command line holds nothing but dependencies on linux-binary-REL
# (vmlinuz), linux-modules-REL (the modules) and linux-base-REL (config, modules.builtin), each
# with the same version, which are fetched too and searched as one.
kernel_debs=("$kernel_deb")
kernel_parts=()
for part in $(dpkg-deb -f "$kernel_deb" Depends | tr ',|' '\n\n' | sed -E 's/^ *//; s/[ (].*//' | grep -E '^linux-(binary|modules|base)-' || true); do
	download_deb "$part"
	kernel_debs+=("$DEB")
	kernel_parts+=("$part=$(dpkg-deb -f "$DEB" Version) $(basename "$DEB") $(sha_of "$DEB")")
done
mkdir -p "$WORK/busybox" "$WORK/pkg"
dpkg-deb -x "$bb_deb" "$WORK/busybox"
# A file unpacked under directory $1 at path $2, or at usr/$2 as a release with merged /usr (Debian
# 13 on) ships it; empty if neither is there.
unpacked_in() {
	local path
	for path in "$1/$2" "$1/usr/$2"; do
		[[ -e $path ]] && { echo "$path"; return; }
	done
}
busybox_bin=$(unpacked_in "$WORK/busybox" bin/busybox)
[[ -n $busybox_bin && -x $busybox_bin ]] || die "the busybox-static package has no /bin/busybox or /usr/bin/busybox"

# ethtool is linked dynamically: it comes with the libraries it needs (ELF NEEDED: libm,
# libc, libmnl; and the loader), unpacked from the packages of the same release.
log "fetching ethtool and the libraries it links"
ethtool_debs=()
for pkg in ethtool libmnl0 libc6; do
	download_deb "$pkg"
	dpkg-deb -x "$DEB" "$WORK/userland"
	ethtool_debs+=("$pkg=$(dpkg-deb -f "$DEB" Version)")
done
ethtool_version=$(dpkg-deb -f "$(find "$WORK/debs" -name 'ethtool_*.deb' | head -n 1)" Version)
# Where each goes in the guest; the packages of a release with merged /usr (Debian 13 on) ship
# them under usr/ instead (usr/sbin/ethtool, usr/lib/TRIPLET/...), older ones at these paths.
ETHTOOL_LIBS=("lib/$triplet/libc.so.6" "lib/$triplet/libm.so.6" "lib/$triplet/${loader##*/}"
	"usr/lib/$triplet/libmnl.so.0")
ethtool_bin=$(unpacked_in "$WORK/userland" sbin/ethtool)
[[ -n $ethtool_bin && -x $ethtool_bin ]] || die "the ethtool package has no /sbin/ethtool or /usr/sbin/ethtool"
for lib in "${ETHTOOL_LIBS[@]}"; do
	[[ -n $(unpacked_in "$WORK/userland" "$lib") ]] || die "ethtool's library $lib (or usr/$lib) is not in ${ethtool_debs[*]}"
done

# Only the kernel image, its config and a few modules are needed; unpacking the whole
# package would write several hundred MB. Each extract_from_kernel is one pass over each of the
# kernel's packages; a pattern none of them has extracts nothing (what must be there is checked after).
extract_from_kernel() {
	local deb
	for deb in "${kernel_debs[@]}"; do
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$WORK/pkg" --wildcards "$@" 2>/dev/null || true
	done
}
list_kernel_files() {
	local deb
	for deb in "${kernel_debs[@]}"; do dpkg-deb --fsys-tarfile "$deb" | tar -t; done
}
# Where the files are: /boot/vmlinuz-REL, /boot/config-REL and /lib/modules/REL/, or, with merged
# /usr (newer packages), /usr/lib/modules/REL/{vmlinuz,config,...}.
extract_from_kernel './boot/vmlinuz-*' './boot/config-*' './usr/lib/modules/*/vmlinuz' './usr/lib/modules/*/config'
vmlinuz_path=$(cd "$WORK/pkg" && find . \( -path './boot/vmlinuz-*' -o -path './usr/lib/modules/*/vmlinuz' \) | head -n 1 | cut -c2-)
[[ -n $vmlinuz_path ]] || die "$kernel_pkg (and ${kernel_parts[*]:-no split parts}) has no /boot/vmlinuz-* or /usr/lib/modules/*/vmlinuz"
case $vmlinuz_path in
/boot/vmlinuz-*)
	release=${vmlinuz_path#/boot/vmlinuz-}
	kernel_config=$WORK/pkg/boot/config-$release
	modules_dir=$WORK/pkg/lib/modules/$release ;;
*)
	release=${vmlinuz_path#/usr/lib/modules/}
	release=${release%/vmlinuz}
	kernel_config=$WORK/pkg/usr/lib/modules/$release/config
	modules_dir=$WORK/pkg/usr/lib/modules/$release ;;
esac
mmiotrace=false
grep -qx 'CONFIG_MMIOTRACE=y' "$kernel_config" && mmiotrace=true

# Module file names use '-' or '_' while `depends` may spell them either way, so look
# names up with both folded to '_'.
declare -A ko_path_of=()
while read -r p; do
	n=${p##*/}
	n=${n%%.ko*}
	ko_path_of[${n//-/_}]=$p
done < <(list_kernel_files | grep -E '/kernel/.*\.ko(\.xz|\.zst|\.gz)?$')

# Unpack module NAME as plain $WORK/ko/NAME.ko (busybox insmod cannot read .ko.xz, which
# newer Debian kernels ship) and set KO_FILE; "" when the kernel has it built in.
KO_FILE=
fetch_module() {
	local name=$1 p
	KO_FILE=
	p=${ko_path_of[${name//-/_}]:-}
	if [[ -z $p ]]; then
		grep -q "/${name//[-_]/[-_]}\.ko\$" "$modules_dir/modules.builtin" 2>/dev/null ||
			die "$kernel_pkg has no module $name, neither as .ko nor built in"
		return 0
	fi
	[[ -e $WORK/pkg/$p ]] || extract_from_kernel "$p"
	[[ -e $WORK/pkg/$p ]] || die "could not extract $p from $kernel_pkg"
	mkdir -p "$WORK/ko"
	KO_FILE=$WORK/ko/${p##*/}
	KO_FILE=${KO_FILE%%.ko*}.ko
	case $p in
	*.ko.xz) xz -dc "$WORK/pkg/$p" >"$KO_FILE" ;;
	*.ko.zst) zstd -qdc "$WORK/pkg/$p" >"$KO_FILE" ;;
	*.ko.gz) gzip -dc "$WORK/pkg/$p" >"$KO_FILE" ;;
	*.ko) cp "$WORK/pkg/$p" "$KO_FILE" ;;
	esac
}
extract_from_kernel './lib/modules/*/modules.builtin' './usr/lib/modules/*/modules.builtin'

# Load order: every module after the modules it depends on (depth-first post-order).
modules=()
declare -A visited=()
add_module() {
	local name=$1 dep deps ko
	[[ -z ${visited[${name//-/_}]:-} ]] || return 0
	visited[${name//-/_}]=1
	fetch_module "$name"
	ko=$KO_FILE
	[[ -n $ko ]] || return 0
	deps=$("$MODINFO" -F depends "$ko")
	for dep in ${deps//,/ }; do
		add_module "$dep"
	done
	modules+=("$(basename "$ko" .ko)")
}
add_module "$driver"
base_modules=("${modules[@]}")
log "kernel $release, modules in load order: ${base_modules[*]}"

# Modules some scenarios load after the driver. Each gets its own load order, counting
# as loaded only what the driver already brought in.
extras=(8021q)
[[ $driver == igb ]] && extras+=(igbvf)
extra_modules=()
declare -A extra_order=()
for extra in "${extras[@]}"; do
	visited=()
	for m in "${base_modules[@]}"; do visited[${m//-/_}]=1; done
	modules=()
	add_module "$extra"
	extra_order[$extra]="${modules[*]}"
	for m in "${modules[@]}"; do
		[[ " ${extra_modules[*]} " == *" $m "* ]] || extra_modules+=("$m")
	done
done
log "scenario modules: ${extra_modules[*]}"

# --- initramfs ---------------------------------------------------------------------

root=$WORK/initramfs
mkdir -p "$root/bin" "$root/lib/modules" "$root/usr/share/udhcpc" "$root/etc/igbrec/extra"
cp "$busybox_bin" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
mkdir -p "$root/sbin" "$root/${loader%/*}" "$root/lib/$triplet" "$root/usr/lib/$triplet"
install -m 0755 "$ethtool_bin" "$root/sbin/ethtool"
for lib in "${ETHTOOL_LIBS[@]}"; do
	cp -L "$(unpacked_in "$WORK/userland" "$lib")" "$root/$lib"
done
# The program interpreter ethtool names (PT_INTERP), unless the library directory already is it.
[[ -e $root/$loader ]] || ln -s "/lib/$triplet/${loader##*/}" "$root/$loader"
install -m 0755 "$GUEST_SRC/init" "$root/init"
install -m 0755 "$GUEST_SRC/udhcpc.script" "$root/usr/share/udhcpc/default.script"
for m in "${base_modules[@]}" "${extra_modules[@]}"; do
	cp "$WORK/ko/$m.ko" "$root/lib/modules/$m.ko"
done
printf '%s\n' "${base_modules[@]}" >"$root/etc/igbrec/modules"
for extra in "${extras[@]}"; do
	# shellcheck disable=SC2086 # the load order is a space-separated list of names
	printf '%s\n' ${extra_order[$extra]} >"$root/etc/igbrec/extra/$extra"
done
echo "$driver" >"$root/etc/igbrec/driver"
# Sorted names and fixed mtimes keep the cpio archive the same for the same inputs.
find "$root" -exec touch -h -d @0 {} +
cpio_opts=(-o -H newc --quiet)
# --reproducible (GNU cpio >= 2.13) zeroes inode and device numbers.
cpio --help 2>/dev/null | grep -q -- --reproducible && cpio_opts+=(--reproducible)
(cd "$root" && find . | LC_ALL=C sort | cpio "${cpio_opts[@]}" | gzip -9n) >"$WORK/initrd.gz"
cp "$WORK/pkg$vmlinuz_path" "$WORK/vmlinuz"

jq -n --argjson format "$FORMAT" --arg driver "$driver" --arg arch "$arch" --arg modules "${base_modules[*]}" \
	--arg extra_modules "${extra_modules[*]}" \
	--arg pkg "$kernel_pkg" --arg version "$(dpkg-deb -f "$kernel_deb" Version)" \
	--arg release "$release" --arg deb "$(basename "$kernel_deb")" --arg sha "$(sha_of "$kernel_deb")" \
	--arg vmlinuz "$vmlinuz_path" --argjson mmiotrace "$mmiotrace" \
	--arg bb_version "$(dpkg-deb -f "$bb_deb" Version)" --arg bb_deb "$(basename "$bb_deb")" \
	--arg bb_sha "$(sha_of "$bb_deb")" \
	--arg ethtool_version "$ethtool_version" --arg ethtool_debs "${ethtool_debs[*]}" \
	--arg vmlinuz_sha "$(sha_of "$WORK/vmlinuz")" --arg initrd_sha "$(sha_of "$WORK/initrd.gz")" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson inputs "$inputs" \
	--arg kernel_parts "$(printf '%s\n' "${kernel_parts[@]}")" \
	'{
		format: $format, driver: $driver, arch: $arch, modules: ($modules | split(" ")),
		extra_modules: ($extra_modules | split(" ")),
		kernel_package: $pkg, kernel_version: $version, kernel_release: $release,
		kernel_deb: $deb, kernel_deb_sha256: $sha, kernel_image: $vmlinuz,
		kernel_parts: ($kernel_parts | split("\n") | map(select(. != "") | split(" ") | {package: .[0], deb: .[1], sha256: .[2]})),
		kernel_mmiotrace: $mmiotrace,
		busybox_package: "busybox-static", busybox_version: $bb_version,
		busybox_deb: $bb_deb, busybox_deb_sha256: $bb_sha,
		ethtool_version: $ethtool_version, ethtool_debs: ($ethtool_debs | split(" ")),
		vmlinuz_sha256: $vmlinuz_sha, initrd_sha256: $initrd_sha,
		built_at: $date, inputs: $inputs
	}' >"$WORK/guest.json"

# guest.json goes first and comes back last: in between, DIR is visibly incomplete.
rm -f "$out/guest.json"
mv "$WORK/vmlinuz" "$out/vmlinuz"
mv "$WORK/initrd.gz" "$out/initrd.gz"
mv "$WORK/guest.json" "$out/guest.json"
log "built $out: $kernel_pkg $release, driver $driver (${base_modules[*]}; scenario modules ${extra_modules[*]})"
