#!/usr/bin/env bash
# End-to-end check of everything that needs QEMU's qtest accelerator, which Debian's QEMU lacks:
#   1. `igb-replay replay --time clock-step` of every recording in traces/ (QEMU logs and the
#      mmiotrace): each must finish with no unexplained divergence; a recording with a frame
#      capture must have its data path replayed both ways: every captured frame sent and
#      identical, every received frame injected, taken by the device and written to guest memory
#      as delivered;
#   2. `igb-replay export --qtest --clock-step` of the init trace, run with its own FILE.sh: every
#      command must answer OK;
#   3. `igb-replay export --c-test` of the init trace (igb) and of the e1000e driver's trace
#      (e1000e), built inside the QEMU tree as tests/qtest tests and run: they must pass.
# Uses scripts/build-qemu.sh (builds QEMU from the installed QEMU's Debian source the first time,
# about 8 minutes), or QTEST_QEMU_BINARY if it points into a QEMU build tree with the accelerator.
# Not part of `npm test`: building QEMU would more than double CI's time. Exit 0 when all pass.
#
# Usage: scripts/check-clock-step.sh
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "check-clock-step: $*"; }
fail() {
	echo "check-clock-step: FAIL: $*" >&2
	failures=$((failures + 1))
}
failures=0

[[ -f dist/src/cli/main.js ]] || npm run build >/dev/null
CLI=(node dist/src/cli/main.js)
if [[ -n ${QTEST_QEMU_BINARY:-} ]]; then
	qemu=$QTEST_QEMU_BINARY
else
	qemu=$(scripts/build-qemu.sh)
fi
export QTEST_QEMU_BINARY=$qemu
tree=$(cd "$(dirname "$qemu")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# --- 1. replay with clock_step --------------------------------------------------------
# The data path of a replay with a capture, from its JSON: "" when both ways are complete, else what is not.
data_path_gaps() {
	node -e '
		const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results[0];
		const f = r.frames;
		if (f === undefined || f.status !== "replayed") { console.log("data path not replayed: " + (f?.notChecked ?? []).join("; ")); process.exit(); }
		const gaps = [];
		if (f.tx.framesMatched !== f.tx.framesExpected || f.tx.framesEmitted !== f.tx.framesExpected) gaps.push(`TX ${f.tx.framesMatched}/${f.tx.framesExpected} identical, ${f.tx.framesEmitted} sent`);
		if (f.tx.framesExpected === 0) gaps.push("no frame sent");
		// The last descriptor of every packet asks for a status report (Linux): each read back with DD.
		if (f.tx.descriptorsReadBack < f.tx.packetsSeeded || f.tx.descriptorsMatched !== f.tx.descriptorsReadBack) gaps.push(`TX ${f.tx.descriptorsMatched} of ${f.tx.descriptorsReadBack} status reports with DD (for ${f.tx.packetsSeeded} packets)`);
		// Frames the device switched between its own pools (SR-IOV) the target makes from the transmits: the rest are injected.
		const fromWire = f.rx.framesRecorded - (f.rx.framesSwitched ?? 0);
		if (fromWire === 0 || f.rx.framesTaken !== fromWire) gaps.push(`RX ${f.rx.framesTaken} of ${fromWire} received frames from the wire taken`);
		// Frames the recorded device dropped (oversized, filtered) have no buffers to compare.
		if (f.rx.buffersCompared === 0 || f.rx.buffersMatched !== f.rx.buffersCompared) gaps.push(`RX ${f.rx.buffersMatched} of ${f.rx.buffersCompared} frames the recorded device wrote to guest memory written alike`);
		// Every frame the device wrote has at least one descriptor written back, read back and as recorded.
		if (f.rx.descriptorsReadBack < f.rx.buffersCompared || f.rx.descriptorsMatched !== f.rx.descriptorsReadBack) gaps.push(`RX ${f.rx.descriptorsMatched} of ${f.rx.descriptorsReadBack} receive descriptors written back as recorded (for ${f.rx.buffersCompared} frames)`);
		console.log(gaps.join("; "));
	' "$1"
}

for trace in traces/*.log traces/*.log.gz traces/*.txt; do
	if out=$("${CLI[@]}" replay "$trace" --time clock-step --json "$WORK/replay.json" 2>&1); then
		plain=${trace%.gz}
		sidecar=${plain%.*}.json
		if [[ $plain == *.log && -f $sidecar ]] && grep -q '"pcap"' "$sidecar"; then
			gaps=$(data_path_gaps "$WORK/replay.json")
			if [[ -n $gaps ]]; then fail "replay --time clock-step $trace: data path incomplete: $gaps"; continue; fi
			log "ok    replay --time clock-step $trace: $(grep -o '[0-9,]* time advances' <<<"$out"); $(grep -o '[0-9,]* frames recorded, [0-9,]* sent by the target' <<<"$out"); $(grep -o 'RX: [0-9,]* frames received in the recording[^,]*, [0-9,]* injected' <<<"$out"); $(grep -o '[0-9,]* receive descriptors* written back read' <<<"$out")"
		else
			log "ok    replay --time clock-step $trace: $(grep -o '[0-9,]* time advances' <<<"$out")"
		fi
	else
		fail "replay --time clock-step $trace"
		grep -E 'Stopped|mismatch|poll-never|Result|-missing|-extra|-differs' <<<"$out" | head -n 20 >&2 || true
	fi
done

# --- 2. the qtest script with clock_step -----------------------------------------------
"${CLI[@]}" export traces/linux-6.1-init.log --qtest --clock-step -o "$WORK/init.qtest" 2>/dev/null
replies=$(sh "$WORK/init.qtest.sh") || fail "init.qtest.sh exited non-zero"
not_ok=$(grep -vc '^OK' <<<"$replies" || true)
if [[ $not_ok == 0 ]]; then log "ok    export --qtest --clock-step: $(wc -l <<<"$replies") commands, all OK"; else fail "$not_ok qtest replies not OK"; fi

# --- 3. the C tests, built and run in the QEMU tree ------------------------------------
[[ -f $tree/tests/qtest/meson.build ]] || { fail "$tree is not a QEMU source tree (set QTEST_QEMU_BINARY to a build inside one)"; exit 1; }
c_test() {
	local trace=$1 device=$2 name=$3
	"${CLI[@]}" export "$trace" --c-test --device "$device" --name "$name" -o "$tree/tests/qtest/$name-test.c" 2>/dev/null
	grep -q "'$name-test'" "$tree/tests/qtest/meson.build" ||
		sed -i "s/^qtests_x86_64 = qtests_i386\$/qtests_x86_64 = qtests_i386 + ['$name-test']/;s/^\\(qtests_x86_64 = qtests_i386 + \\[[^]]*\\)\\]\$/\\1, '$name-test']/" \
			"$tree/tests/qtest/meson.build"
	if ! (cd "$tree/build" && ninja "tests/qtest/$name-test" >"$WORK/$name.build.log" 2>&1); then
		tail -n 20 "$WORK/$name.build.log" >&2
		fail "building the C test of $trace"
		return
	fi
	if (cd "$tree/build" && "tests/qtest/$name-test" >"$WORK/$name.run.log" 2>&1); then
		log "ok    export --c-test $trace (--device $device): $(grep -c 'g_assert_cmphex' "$tree/tests/qtest/$name-test.c") assertions pass"
	else
		tail -n 5 "$WORK/$name.run.log" >&2
		fail "the C test of $trace"
	fi
}
c_test traces/linux-6.1-init.log igb igb-replay-init
c_test traces/linux-6.1-e1000e-init.log e1000e igb-replay-e1000e-init

if ((failures)); then
	log "$failures check(s) failed"
	exit 1
fi
log "all passed against $("$qemu" --version | head -n 1) ($qemu)"
