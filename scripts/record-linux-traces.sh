#!/usr/bin/env bash
# Record real QEMU igb traces of the Linux igb driver.
#
# Boots a minimal guest (a Debian kernel package + busybox-static, both fetched with
# `apt-get download`) on QEMU's igb device under TCG, runs one scenario in the guest
# (scripts/guest/init) and keeps QEMU's igb/e1000e/e1000x trace log. Next to each
# <name>.log it writes <name>.json with everything needed to redo the recording.
#
# Usage: scripts/record-linux-traces.sh [options] [scenario...]
#   scenarios (default: all)
#     init     load igb, link up, DHCP                 -> linux-<K>-init.log
#     init-ts  init with -msg timestamp=on             -> linux-<K>-init-ts.log
#     traffic  init + 20 pings to the slirp gateway    -> linux-<K>-traffic.log (timestamps)
#     reload   init, rmmod igb, insmod igb, link, DHCP -> linux-<K>-reload.log
#     pcicfg   init plus -trace 'pci_cfg*'             -> linux-<K>-init-pcicfg.log
#     newer    init with the --newer-kernel package    -> linux-<K2>-init.log
#     all      every scenario above
#   <K> is the kernel's major.minor taken from the package version (6.1, 6.12, ...).
# Options
#   -k, --kernel PKG        kernel package (default: linux-image-6.1.0-56-amd64)
#   -n, --newer-kernel PKG  kernel for the `newer` scenario, or `none` to skip it
#                           (default: linux-image-6.12.95+deb12-amd64, bookworm-backports)
#   -o, --out DIR           output directory (default: traces/ in the repo)
#   -t, --timeout SEC       wall-clock limit per QEMU run (default: 120)
#       --keep              keep the work directory (for debugging)
#   QEMU comes from $QTEST_QEMU_BINARY, else qemu-system-x86_64 (installed via
#   scripts/install-qemu.sh if missing).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
GUEST_DIR=$SCRIPT_DIR/guest

# Exact package names, so a rerun records against the same kernel build. Debian drops
# superseded ABIs from the archive eventually; then pass a current one with -k
# (list them with: apt-cache search '^linux-image-6\.1\.0-[0-9]+-amd64 ').
KERNEL_PKG_DEFAULT=linux-image-6.1.0-56-amd64      # 6.1.192-2, bookworm(-security)
NEWER_KERNEL_PKG_DEFAULT=linux-image-6.12.95+deb12-amd64 # 6.12.95-1~bpo12+1, bookworm-backports
# Fixed MAC so a replay can recreate the device: it shows up in RAL0/RAH0 and EEPROM.
MAC=52:54:00:12:34:56
DEVICE="igb,netdev=n0,mac=$MAC"
MAX_TRACE_BYTES=$((2 * 1024 * 1024))
# Load order matters: igb.ko needs symbols from dca.ko and i2c-algo-bit.ko.
MODULES=(dca i2c-algo-bit igb)
ALL_SCENARIOS=(init init-ts traffic reload pcicfg newer)

kernel_pkg=$KERNEL_PKG_DEFAULT
newer_kernel_pkg=$NEWER_KERNEL_PKG_DEFAULT
out_dir=$REPO_ROOT/traces
timeout_s=120
keep=0
invocation="scripts/record-linux-traces.sh${*:+ $*}"

log() { echo "record: $*"; }
die() {
	echo "record: error: $*" >&2
	exit 1
}
usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
	exit "${1:-0}"
}

scenarios=()
while (($#)); do
	case $1 in
	-k | --kernel) kernel_pkg=${2:?--kernel needs a package name}; shift 2 ;;
	-n | --newer-kernel) newer_kernel_pkg=${2:?--newer-kernel needs a package name or none}; shift 2 ;;
	-o | --out) out_dir=${2:?--out needs a directory}; shift 2 ;;
	-t | --timeout) timeout_s=${2:?--timeout needs seconds}; shift 2 ;;
	--keep) keep=1; shift ;;
	-h | --help) usage 0 ;;
	-*) echo "record: unknown option $1" >&2; usage 2 >&2 ;;
	all) scenarios+=("${ALL_SCENARIOS[@]}"); shift ;;
	init | init-ts | traffic | reload | pcicfg | newer) scenarios+=("$1"); shift ;;
	*) echo "record: unknown scenario $1" >&2; usage 2 >&2 ;;
	esac
done
((${#scenarios[@]})) || scenarios=("${ALL_SCENARIOS[@]}")
if [[ $newer_kernel_pkg == none ]]; then
	filtered=()
	for s in "${scenarios[@]}"; do [[ $s == newer ]] || filtered+=("$s"); done
	scenarios=("${filtered[@]}")
fi
((${#scenarios[@]})) || die "nothing to record"

# --- host tools --------------------------------------------------------------------

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

ensure_tools() {
	local -A pkg_of=([cpio]=cpio [gzip]=gzip [xz]=xz-utils [jq]=jq [sha256sum]=coreutils [timeout]=coreutils)
	local missing=() t
	if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
		die "this script needs a Debian-like host (apt-get, dpkg-deb)"
	fi
	for t in "${!pkg_of[@]}"; do
		command -v "$t" >/dev/null 2>&1 || missing+=("${pkg_of[$t]}")
	done
	if ((${#missing[@]})); then
		log "installing ${missing[*]}"
		apt_update_once
		# apt's chatter (debconf notes) is shown only if the install fails.
		local out
		out=$(as_root env DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends \
			"${missing[@]}" </dev/null 2>&1) || { echo "$out" >&2; die "could not install ${missing[*]}"; }
	fi
}

ensure_tools
"$SCRIPT_DIR/install-qemu.sh"
QEMU=${QTEST_QEMU_BINARY:-qemu-system-x86_64}
QEMU_VERSION=$("$QEMU" --version | head -n 1)
if ! [[ $QEMU_VERSION =~ version\ ([0-9]+)\. ]] || ((BASH_REMATCH[1] < 8)); then
	die "need QEMU >= 8.0 with igb, got: $QEMU_VERSION"
fi

mkdir -p "$out_dir"
out_dir=$(cd "$out_dir" && pwd)
log "scenarios: ${scenarios[*]}; output: $out_dir"
WORK=$(mktemp -d)
if ((keep)); then
	trap 'log "work directory kept: $WORK"' EXIT
else
	trap 'rm -rf "$WORK"' EXIT
fi
# apt-get download runs its fetcher as user _apt, which cannot enter a private mktemp
# directory; as root, tell apt not to drop privileges instead of warning about it.
APT_DL_OPTS=()
[[ $EUID -eq 0 ]] && APT_DL_OPTS=(-o APT::Sandbox::User=root)

# Download one package into $WORK/debs; sets DEB to the .deb path. (Globals rather than
# $(...) so that die() ends the script, not just a subshell.)
DEB=
download_deb() {
	local pkg=$1
	mkdir -p "$WORK/debs"
	if ! apt-cache show "$pkg" >/dev/null 2>&1; then
		apt_update_once
		apt-cache show "$pkg" >/dev/null 2>&1 ||
			die "package $pkg not in the apt sources (bookworm-backports configured? list kernels with apt-cache search '^linux-image-6' and pass one with -k / -n)"
	fi
	(cd "$WORK/debs" && apt-get -qq "${APT_DL_OPTS[@]}" download "$pkg" >/dev/null) ||
		die "apt-get download $pkg failed"
	# apt escapes ':' in the epoch as %3a; '+' is literal, so match it with '?'.
	DEB=$(find "$WORK/debs" -name "${pkg//+/?}_*.deb" | head -n 1)
	[[ -n $DEB ]] || die "downloaded $pkg but found no .deb"
}

# --- guest -------------------------------------------------------------------------

log "fetching busybox-static"
download_deb busybox-static
BUSYBOX_DEB=$DEB
BUSYBOX_VERSION=$(dpkg-deb -f "$BUSYBOX_DEB" Version)
mkdir -p "$WORK/busybox"
dpkg-deb -x "$BUSYBOX_DEB" "$WORK/busybox"

# Prepare $WORK/k-<label>/{vmlinuz,initrd.gz,meta.json} for one kernel package and
# set KLABEL to its major.minor (6.1, 6.12). Each package is prepared once.
KLABEL=
declare -A KLABEL_OF=()
prepare_kernel() {
	local pkg=$1 deb version kdir root m ko
	if [[ -n ${KLABEL_OF[$pkg]:-} ]]; then
		KLABEL=${KLABEL_OF[$pkg]}
		return 0
	fi
	log "fetching $pkg"
	download_deb "$pkg"
	deb=$DEB
	version=$(dpkg-deb -f "$deb" Version)
	KLABEL=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$version")
	kdir=$WORK/k-$KLABEL
	[[ ! -e $kdir ]] || die "two kernel packages with the same version label $KLABEL"
	mkdir -p "$kdir/pkg"
	# Only the kernel image and three modules are needed; unpacking the whole package
	# would write several hundred MB.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir/pkg" --wildcards \
		'./boot/vmlinuz-*' '*/drivers/dca/dca.ko*' '*/i2c/algos/i2c-algo-bit.ko*' \
		'*/ethernet/intel/igb/igb.ko*'
	cp "$(find "$kdir/pkg/boot" -name 'vmlinuz-*' | head -n 1)" "$kdir/vmlinuz"

	root=$kdir/initramfs
	mkdir -p "$root/bin" "$root/lib/modules" "$root/usr/share/udhcpc"
	cp "$WORK/busybox/bin/busybox" "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	install -m 0755 "$GUEST_DIR/init" "$root/init"
	install -m 0755 "$GUEST_DIR/udhcpc.script" "$root/usr/share/udhcpc/default.script"
	for m in "${MODULES[@]}"; do
		ko=$(find "$kdir/pkg" -name "$m.ko*" | head -n 1)
		[[ -n $ko ]] || die "$pkg has no $m.ko (built in? adjust MODULES)"
		# Newer Debian kernels (6.12) ship xz-compressed modules; busybox insmod
		# wants them plain.
		case $ko in
		*.ko.xz) xz -dc "$ko" >"$root/lib/modules/$m.ko" ;;
		*.ko) cp "$ko" "$root/lib/modules/$m.ko" ;;
		*) die "unexpected module file $ko" ;;
		esac
	done
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -9) >"$kdir/initrd.gz"

	jq -n --arg pkg "$pkg" --arg version "$version" \
		--arg deb "$(basename "$deb")" --arg sha "$(sha256sum "$deb" | cut -d' ' -f1)" \
		--arg vmlinuz "$(cd "$kdir/pkg" && find . -path './boot/vmlinuz-*' | head -n 1 | cut -c2-)" \
		'{package: $pkg, version: $version, deb: $deb, deb_sha256: $sha, vmlinuz: $vmlinuz}' \
		>"$kdir/meta.json"
	rm -rf "$kdir/pkg"
	KLABEL_OF[$pkg]=$KLABEL
}

# --- recording ---------------------------------------------------------------------

# Check the guest console and trace; print a reason and return 1 if incomplete.
check_run() {
	local dir=$1 guest=$2 release=$3 console=$1/console.log trace=$1/trace.log
	grep -q "IGBREC: FAIL" "$console" && { grep "IGBREC: FAIL" "$console"; return 1; }
	grep -q "IGBREC: done $guest" "$console" || { echo "guest did not finish scenario $guest"; return 1; }
	# Guards against booting the wrong kernel: vmlinuz-<release> must match uname -r.
	grep -q "IGBREC: scenario $guest kernel ${release}\b" "$console" ||
		{ echo "guest did not report kernel $release"; return 1; }
	grep -q "lease of .* obtained" "$console" || { echo "guest got no DHCP lease"; return 1; }
	grep -q "IGBREC: link up" "$console" || { echo "guest saw no link up"; return 1; }
	grep -q 'e1000e_core_read ' "$trace" || { echo "trace has no e1000e_core_read"; return 1; }
	case $guest in
	traffic) grep -Eq 'IGBREC: ping [1-9][0-9]* packets received' "$console" ||
		{ echo "no ping replies"; return 1; } ;;
	reload) (($(grep -c 'IGBREC: link up' "$console") == 2)) ||
		{ echo "link did not come up twice"; return 1; } ;;
	esac
	[[ ! -e $dir/pcicfg ]] || grep -q '^pci_cfg_read ' "$trace" || { echo "no pci_cfg_read lines"; return 1; }
	(($(stat -c %s "$trace") < MAX_TRACE_BYTES)) || { echo "trace is >= 2 MB; shorten the scenario"; return 1; }
}

# record SCENARIO: boot the guest once and copy the trace plus its sidecar to $out_dir.
record() {
	local scenario=$1 pkg=$kernel_pkg guest=$1 suffix=$1 label dir rc reason name
	local -a extra=()
	case $scenario in
	init) ;;
	init-ts) guest=init; extra=(-msg timestamp=on) ;;
	traffic) extra=(-msg timestamp=on) ;;
	reload) ;;
	# pci_cfg_* covers config cycles of every PCI function (firmware and kernel
	# enumeration included); consumers filter by the NIC's bus:dev.fn.
	pcicfg) guest=init; suffix=init-pcicfg; extra=(-trace 'pci_cfg*') ;;
	newer) pkg=$newer_kernel_pkg; guest=init; suffix=init ;;
	esac
	prepare_kernel "$pkg"
	label=$KLABEL
	name=linux-$label-$suffix
	dir=$WORK/run-$scenario
	mkdir -p "$dir"
	[[ $scenario == pcicfg ]] && touch "$dir/pcicfg"
	ln -sf "../k-$label/vmlinuz" "$dir/vmlinuz"
	ln -sf "../k-$label/initrd.gz" "$dir/initrd.gz"

	# Relative paths (QEMU runs inside $dir) keep the recorded command line free of
	# this machine's temp paths. No KVM: TCG is deterministic enough and works anywhere.
	# shellcheck disable=SC2054  # the commas are QEMU option syntax
	local -a cmd=("$QEMU" -M q35 -m 512 -smp 1 -nographic -no-reboot
		-kernel vmlinuz -initrd initrd.gz
		-append "console=ttyS0 quiet panic=-1 igbrec=$guest"
		-netdev user,id=n0 -device "$DEVICE"
		-trace 'igb*' -trace 'e1000e*' -trace 'e1000x*' "${extra[@]}" -D trace.log)

	log "recording $name (kernel $pkg, guest scenario $guest)"
	local start=$SECONDS
	rc=0
	# stdin from /dev/null: -nographic would otherwise put a terminal into raw mode.
	(cd "$dir" && timeout "$timeout_s" "${cmd[@]}" </dev/null >console.log 2>qemu.stderr) || rc=$?
	if ((rc == 124)); then
		reason="QEMU timed out after ${timeout_s}s"
	elif ((rc != 0)); then
		reason="QEMU exited with $rc: $(head -c 500 "$dir/qemu.stderr")"
	else
		reason=$(check_run "$dir" "$guest" "$(jq -r '.vmlinuz | sub(".*/vmlinuz-"; "")' "$WORK/k-$label/meta.json")") && reason=""
	fi
	if [[ -n $reason ]]; then
		echo "record: $name FAILED: $reason" >&2
		echo "--- guest console (last 30 lines) ---" >&2
		# Strip the firmware's terminal escapes so the tail is readable.
		tail -n 30 "$dir/console.log" | tr -d '\r' |
			sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[A-Za-z]//g' >&2
		echo >&2
		exit 1
	fi

	cp "$dir/trace.log" "$out_dir/$name.log"
	write_sidecar "$out_dir/$name.json" "$out_dir/$name.log" "$scenario" "$guest" "$label" "$dir" "${cmd[@]}"
	log "  ok: $name.log, $(wc -l <"$out_dir/$name.log") lines, $(grep -c '^\([0-9]*@[0-9.]*:\)\{0,1\}e1000e_core_read ' "$out_dir/$name.log") core_read, $((SECONDS - start)) s"
}

write_sidecar() {
	local json=$1 trace=$2 scenario=$3 guest=$4 label=$5 dir=$6
	shift 6
	# $@ is the QEMU command line; jq does the JSON quoting. (One argument per line, as
	# jq 1.6 would parse QEMU's -options after --args as its own.)
	local cmd_json
	cmd_json=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
	jq -n \
		--arg trace "$(basename "$trace")" \
		--arg sha "$(sha256sum "$trace" | cut -d' ' -f1)" \
		--argjson lines "$(wc -l <"$trace")" \
		--argjson bytes "$(stat -c %s "$trace")" \
		--arg scenario "$scenario" --arg guest "$guest" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--arg invocation "$invocation" \
		--arg qemu_version "$QEMU_VERSION" \
		--argjson timeout "$timeout_s" --argjson cmd "$cmd_json" \
		--arg device "$DEVICE" --arg mac "$MAC" \
		--slurpfile kernel "$WORK/k-$label/meta.json" \
		--arg bb_version "$BUSYBOX_VERSION" \
		--arg modules "${MODULES[*]}" \
		--rawfile init "$GUEST_DIR/init" \
		--rawfile udhcpc "$GUEST_DIR/udhcpc.script" \
		--arg markers "$(grep -ao 'IGBREC:.*\|udhcpc: lease.*' "$dir/console.log" | tr -d '\r')" \
		--arg host "$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)" \
		'{
			trace: $trace, sha256: $sha, lines: $lines, bytes: $bytes,
			scenario: $scenario, guest_scenario: $guest,
			recorded_at: $date, recorded_by: $invocation, host_os: $host,
			qemu_version: $qemu_version, accel: "tcg", timeout_s: $timeout,
			qemu_command: $cmd,
			device: $device, mac: $mac,
			kernel_package: $kernel[0].package, kernel_version: $kernel[0].version,
			kernel_deb: $kernel[0].deb, kernel_deb_sha256: $kernel[0].deb_sha256,
			kernel_image: $kernel[0].vmlinuz,
			busybox_package: "busybox-static", busybox_version: $bb_version,
			guest_modules: ($modules | split(" ") | map(. + ".ko")),
			guest_init: $init, guest_udhcpc_script: $udhcpc,
			guest_console_markers: ($markers | split("\n"))
		}' >"$json"
}

for s in "${scenarios[@]}"; do
	record "$s"
done
log "done: ${scenarios[*]}"
