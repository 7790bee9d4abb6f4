#!/usr/bin/env bash
# Record real QEMU igb traces of the Linux igb driver (and of e1000e on QEMU's e1000e).
#
# Boots a minimal guest (scripts/build-guest.sh: a Debian kernel package + busybox-static,
# both fetched with `apt-get download`) on QEMU's igb device under TCG, runs one scenario
# in the guest (scripts/guest/init) and keeps QEMU's igb/e1000e/e1000x trace log. Next to
# each <name>.log it writes <name>.json with everything needed to redo the recording.
#
# Usage: scripts/record-linux-traces.sh [options] [scenario...]
#   scenarios (default: all)
#     init     load igb, link up, DHCP                 -> linux-<K>-init.log
#     init-ts  init with -msg timestamp=on             -> linux-<K>-init-ts.log
#     traffic  init + 20 pings to the slirp gateway    -> linux-<K>-traffic.log (timestamps)
#     reload   init, rmmod igb, insmod igb, link, DHCP -> linux-<K>-reload.log
#     pcicfg   init plus -trace 'pci_cfg*'             -> linux-<K>-init-pcicfg.log
#     newer    init with the --newer-kernel package    -> linux-<K2>-init.log
#     mmiotrace  init with the guest kernel's mmiotrace tracer on before insmod igb;
#              the tracer output comes out through a second serial port
#                                                      -> linux-<K>-init-mmiotrace.txt
#                                                         (Linux mmiotrace format) and
#                                                         linux-<K>-init-mmiotrace.log
#                                                         (QEMU's trace of the same run)
#     e1000e   init with the Linux e1000e driver on -device e1000e
#                                                      -> linux-<K>-e1000e-init.log
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
MAX_TRACE_BYTES=$((2 * 1024 * 1024))
ALL_SCENARIOS=(init init-ts traffic reload pcicfg newer mmiotrace e1000e)

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
	init | init-ts | traffic | reload | pcicfg | newer | mmiotrace | e1000e) scenarios+=("$1"); shift ;;
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

# shellcheck source=scripts/lib/root-apt.sh
source "$SCRIPT_DIR/lib/root-apt.sh"

ensure_tools() {
	# The guest builder installs what it needs itself.
	local -A pkg_of=([jq]=jq [sha256sum]=coreutils [timeout]=coreutils)
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

# --- guest -------------------------------------------------------------------------

# Build the guest for one kernel package and driver in $WORK/guest-<package>-<driver>
# (build-guest.sh does nothing when it is already there); set GUEST to that directory
# and KLABEL to the kernel's major.minor (6.1, 6.12).
GUEST=
KLABEL=
declare -A PKG_OF_LABEL=()
prepare_guest() {
	local pkg=$1 driver=$2
	GUEST=$WORK/guest-$pkg-$driver
	"$SCRIPT_DIR/build-guest.sh" -k "$pkg" --driver "$driver" -o "$GUEST" 2>&1 | sed 's/^/record: /' ||
		die "could not build the $driver guest for $pkg"
	KLABEL=$(jq -r '.kernel_version | capture("^(?<l>[0-9]+\\.[0-9]+)").l' "$GUEST/guest.json")
	[[ ${PKG_OF_LABEL[$KLABEL]:-$pkg} == "$pkg" ]] ||
		die "two kernel packages with the same version label $KLABEL"
	PKG_OF_LABEL[$KLABEL]=$pkg
}

# --- recording ---------------------------------------------------------------------

# Check the guest console and trace; print a reason and return 1 if incomplete.
check_run() {
	local dir=$1 guest=$2 release=$3 driver=$4 console=$1/console.log trace=$1/trace.log
	grep -q "IGBREC: FAIL" "$console" && { grep "IGBREC: FAIL" "$console"; return 1; }
	grep -q "IGBREC: done $guest" "$console" || { echo "guest did not finish scenario $guest"; return 1; }
	# Guards against booting the wrong kernel: vmlinuz-<release> must match uname -r.
	grep -q "IGBREC: scenario $guest kernel ${release}\b" "$console" ||
		{ echo "guest did not report kernel $release"; return 1; }
	grep -q "IGBREC: scenario $guest kernel .* driver $driver\b" "$console" ||
		{ echo "guest did not report driver $driver"; return 1; }
	grep -q "lease of .* obtained" "$console" || { echo "guest got no DHCP lease"; return 1; }
	grep -q "IGBREC: link up" "$console" || { echo "guest saw no link up"; return 1; }
	grep -q 'e1000e_core_read ' "$trace" || { echo "trace has no e1000e_core_read"; return 1; }
	case $guest in
	traffic) grep -Eq 'IGBREC: ping [1-9][0-9]* packets received' "$console" ||
		{ echo "no ping replies"; return 1; } ;;
	reload) (($(grep -c 'IGBREC: link up' "$console") == 2)) ||
		{ echo "link did not come up twice"; return 1; } ;;
	mmiotrace) check_mmiotrace "$dir" || return 1 ;;
	esac
	[[ ! -e $dir/pcicfg ]] || grep -q '^pci_cfg_read ' "$trace" || { echo "no pci_cfg_read lines"; return 1; }
	(($(stat -c %s "$trace") < MAX_TRACE_BYTES)) || { echo "trace is >= 2 MB; shorten the scenario"; return 1; }
}

# The guest reports the size and sha256 of its mmiotrace copy before sending it over
# ttyS1; the file QEMU wrote must match exactly and look like a whole recording.
check_mmiotrace() {
	local dir=$1 mmio=$1/mmiotrace.txt report rw bar0 map_id
	report=$(grep -ao 'IGBREC: mmiotrace lines [0-9]* bytes [0-9]* sha256 [0-9a-f]*' "$dir/console.log" | tail -n 1)
	[[ -n $report ]] || { echo "guest sent no mmiotrace report"; return 1; }
	read -r _ _ _ _ _ bytes _ sha <<<"$report"
	[[ -f $mmio ]] || { echo "no mmiotrace.txt from ttyS1"; return 1; }
	(($(stat -c %s "$mmio") == bytes)) ||
		{ echo "mmiotrace.txt has $(stat -c %s "$mmio") bytes, the guest sent $bytes"; return 1; }
	[[ $(sha256sum "$mmio" | cut -d' ' -f1) == "$sha" ]] || { echo "mmiotrace.txt sha256 differs from the guest's"; return 1; }
	grep -q '^VERSION ' "$mmio" || { echo "mmiotrace has no VERSION line"; return 1; }
	# PCIDEV <bus<<8|devfn> <vendor<<16|device> <irq> <BAR0|flags> ...: the 82576 is 8086:10c9.
	bar0=$(awk '$1 == "PCIDEV" && $3 == "808610c9" { print $5; exit }' "$mmio")
	[[ -n $bar0 ]] || { echo "mmiotrace has no PCIDEV 8086:10c9"; return 1; }
	bar0=$(printf '0x%x' $((16#$bar0 & ~0xf)))
	# MAP <time> <map id> <phys> <virt> <size> ...; R/W <width> <time> <map id> <phys> ...
	map_id=$(awk -v bar="$bar0" '$1 == "MAP" && $4 == bar { print $3; exit }' "$mmio")
	[[ -n $map_id ]] || { echo "mmiotrace has no MAP of BAR0 ($bar0)"; return 1; }
	grep -q '^MARK .*IGBREC end of recording' "$mmio" || { echo "mmiotrace lacks the end marker"; return 1; }
	rw=$(awk -v id="$map_id" '($1 == "R" || $1 == "W") && $4 == id' "$mmio" | wc -l)
	((rw >= 1000)) || { echo "mmiotrace has only $rw R/W lines in BAR0"; return 1; }
	(($(stat -c %s "$mmio") < MAX_TRACE_BYTES)) || { echo "mmiotrace is >= 2 MB; shorten the scenario"; return 1; }
}

# record SCENARIO: boot the guest once and copy the trace plus its sidecar to $out_dir.
record() {
	local scenario=$1 pkg=$kernel_pkg guest=$1 suffix=$1 driver=igb label dir rc reason name
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
	# A second serial port (0x2f8, the guest's ttyS1) writing to a file carries the
	# mmiotrace out. Any -serial (or -device isa-serial) drops -nographic's default
	# console, so the first port is named again as -nographic would have made it.
	mmiotrace) suffix=init-mmiotrace; extra=(-serial mon:stdio -serial file:mmiotrace.txt) ;;
	# QEMU's e1000e has no config-write event of its own (igb has igb_write_config): without
	# pci_cfg_write the trace misses MSI-X enable and bus mastering, and a replay then sees
	# interrupt causes the recording's MSI-X auto-clear had removed.
	e1000e) guest=init; driver=e1000e; suffix=e1000e-init; extra=(-trace pci_cfg_write) ;;
	esac
	local device="$driver,netdev=n0,mac=$MAC"
	prepare_guest "$pkg" "$driver"
	label=$KLABEL
	name=linux-$label-$suffix
	dir=$WORK/run-$scenario
	mkdir -p "$dir"
	[[ $scenario == pcicfg ]] && touch "$dir/pcicfg"
	ln -sf "$GUEST/vmlinuz" "$dir/vmlinuz"
	ln -sf "$GUEST/initrd.gz" "$dir/initrd.gz"

	# Relative paths (QEMU runs inside $dir) keep the recorded command line free of
	# this machine's temp paths. No KVM: TCG is deterministic enough and works anywhere.
	# shellcheck disable=SC2054  # the commas are QEMU option syntax
	local -a cmd=("$QEMU" -M q35 -m 512 -smp 1 -nographic -no-reboot
		-kernel vmlinuz -initrd initrd.gz
		-append "console=ttyS0 quiet panic=-1 igbrec=$guest"
		-netdev user,id=n0 -device "$device"
		-trace 'igb*' -trace 'e1000e*' -trace 'e1000x*' "${extra[@]}" -D trace.log)

	log "recording $name (kernel $pkg, driver $driver, guest scenario $guest)"
	local start=$SECONDS
	rc=0
	# stdin from /dev/null: -nographic would otherwise put a terminal into raw mode.
	(cd "$dir" && timeout "$timeout_s" "${cmd[@]}" </dev/null >console.log 2>qemu.stderr) || rc=$?
	if ((rc == 124)); then
		reason="QEMU timed out after ${timeout_s}s"
	elif ((rc != 0)); then
		reason="QEMU exited with $rc: $(head -c 500 "$dir/qemu.stderr")"
	else
		reason=$(check_run "$dir" "$guest" "$(jq -r .kernel_release "$GUEST/guest.json")" "$driver") && reason=""
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
	local mmio=
	if [[ $scenario == mmiotrace ]]; then
		mmio=$out_dir/$name.txt
		cp "$dir/mmiotrace.txt" "$mmio"
	fi
	write_sidecar "$out_dir/$name.json" "$out_dir/$name.log" "$scenario" "$guest" "$device" "$dir" "$mmio" "${cmd[@]}"
	log "  ok: $name.log, $(wc -l <"$out_dir/$name.log") lines, $(grep -c '^\([0-9]*@[0-9.]*:\)\{0,1\}e1000e_core_read ' "$out_dir/$name.log") core_read, $((SECONDS - start)) s"
	[[ -z $mmio ]] || log "  ok: $name.txt, $(wc -l <"$mmio") lines, $(grep -c '^R ' "$mmio") R, $(grep -c '^W ' "$mmio") W"
}

# Fields common to every sidecar; the mmiotrace and e1000e scenarios add their own.
write_sidecar() {
	local json=$1 trace=$2 scenario=$3 guest=$4 device=$5 dir=$6 mmio=$7
	shift 7
	# $@ is the QEMU command line; jq does the JSON quoting. (One argument per line, as
	# jq 1.6 would parse QEMU's -options after --args as its own.)
	local cmd_json extra_json=null
	cmd_json=$(printf '%s\n' "$@" | jq -R . | jq -cs .)
	if [[ -n $mmio ]]; then
		extra_json=$(jq -n --arg file "$(basename "$mmio")" --arg sha "$(sha256sum "$mmio" | cut -d' ' -f1)" \
			--argjson lines "$(wc -l <"$mmio")" --argjson bytes "$(stat -c %s "$mmio")" \
			--argjson reads "$(grep -c '^R ' "$mmio")" --argjson writes "$(grep -c '^W ' "$mmio")" \
			'{mmiotrace: {file: $file, sha256: $sha, lines: $lines, bytes: $bytes, reads: $reads, writes: $writes,
				transport: "guest /dev/ttyS1 (stty raw), QEMU -serial file:mmiotrace.txt",
				same_run_as: "trace"}}')
	elif [[ $scenario == e1000e ]]; then
		extra_json='{"driver": "e1000e"}'
	fi
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
		--arg device "$device" --arg mac "$MAC" \
		--slurpfile guest_meta "$GUEST/guest.json" \
		--rawfile init "$GUEST_DIR/init" \
		--rawfile udhcpc "$GUEST_DIR/udhcpc.script" \
		--arg markers "$(grep -ao 'IGBREC:.*\|udhcpc: lease.*' "$dir/console.log" | tr -d '\r')" \
		--arg host "$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release)" \
		--argjson extra "$extra_json" \
		'$guest_meta[0] as $g | {
			trace: $trace, sha256: $sha, lines: $lines, bytes: $bytes,
			scenario: $scenario, guest_scenario: $guest,
			recorded_at: $date, recorded_by: $invocation, host_os: $host,
			qemu_version: $qemu_version, accel: "tcg", timeout_s: $timeout,
			qemu_command: $cmd,
			device: $device, mac: $mac,
			kernel_package: $g.kernel_package, kernel_version: $g.kernel_version,
			kernel_deb: $g.kernel_deb, kernel_deb_sha256: $g.kernel_deb_sha256,
			kernel_image: $g.kernel_image,
			busybox_package: $g.busybox_package, busybox_version: $g.busybox_version,
			guest_modules: ($g.modules | map(. + ".ko")),
			guest_init: $init, guest_udhcpc_script: $udhcpc,
			guest_console_markers: ($markers | split("\n"))
		} + ($extra // {})' >"$json"
}

for s in "${scenarios[@]}"; do
	record "$s"
done
log "done: ${scenarios[*]}"
