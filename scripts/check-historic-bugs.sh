#!/usr/bin/env bash
# Which real igb/e1000e model bugs does replaying our recordings catch? For each patch in
# scripts/qemu-bugs/ (a bug that upstream QEMU fixed after 8.0, put back into 10.0.2) and for the
# unpatched control build, replays every recording and prints a markdown matrix: bug x recording ->
# caught (the replay exits 1 with failing divergences) / not caught (exits 0) / ERROR, and per bug
# whether any recording caught it. The control build must pass every recording.
#
# Usage: scripts/check-historic-bugs.sh [--strict] [--only NN[,NN...]] [DIR...]
#        scripts/check-historic-bugs.sh --list
#   DIR       more directories of recordings (*.log, *.log.gz, *.txt) besides traces/
#   --only    only these bugs, by number (e.g. --only 01,17)
#   --strict  pass --strict to replay (volatile registers such as statistics count too)
#   --list    only print the table of bugs from the patch headers (no build, no replay)
# Builds the CLI (npm run build) and the QEMU variants (scripts/build-qemu-bugs.sh; the first time
# about 8 minutes plus about a minute per bug on 2 cores). Replays run one at a time with
# `--time auto` (clock-step: the builds have the qtest accelerator). Every replay's JSON and text
# output stays in a temp dir named on stderr. Exit 0 when the control passes every recording and no
# replay failed to run; 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "check-historic-bugs: $*" >&2; }
die() {
	echo "check-historic-bugs: error: $*" >&2
	exit 2
}

# header_field PATCH KEY: the value of "# KEY: value" in PATCH's header, continuation lines joined.
header_field() {
	awk -v key="$2" '
		!/^#/ { exit }
		/^#   / { if (on) value = value " " substr($0, 5); next }
		{ on = index($0, "# " key ": ") == 1; if (on) value = substr($0, length(key) + 5) }
		END { print value }' "$1"
}

# The bug list, rendered from the patch headers (their only home).
print_bug_list() {
	local p name fix
	echo "| # | name | device | upstream fix (commit, subject, committed, first release) | bug | trigger | check |"
	echo "|---|---|---|---|---|---|---|"
	for p in "$@"; do
		name=$(basename "$p" .patch)
		fix=$(header_field "$p" "Fixed upstream by")
		echo "| ${name:0:2} | \`${name:3}\` | $(header_field "$p" Device) | \`${fix:0:10}\`${fix:40} |" \
			"$(header_field "$p" Bug) | $(header_field "$p" Trigger) | $(header_field "$p" "Check that would see it") |"
	done
}

replay_flags=()
dirs=(traces)
patches=()
while (($#)); do
	case $1 in
	--strict) replay_flags+=(--strict); shift ;;
	--list) print_bug_list scripts/qemu-bugs/*.patch; exit 0 ;;
	--only)
		IFS=, read -ra nums <<<"${2:?--only needs bug numbers}"
		for n in "${nums[@]}"; do
			matches=(scripts/qemu-bugs/"$n"-*.patch)
			[[ -f ${matches[0]} ]] || die "no bug $n in scripts/qemu-bugs/"
			patches+=("${matches[@]}")
		done
		shift 2
		;;
	-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) [[ -d $1 ]] || die "$1 is not a directory"; dirs+=("$1"); shift ;;
	esac
done

# --- inputs ---------------------------------------------------------------------------------
shopt -s nullglob
traces=()
for d in "${dirs[@]}"; do traces+=("$d"/*.log "$d"/*.log.gz "$d"/*.txt); done
((${#traces[@]})) || die "no recordings in ${dirs[*]}"

log "building the CLI (npm run build)"
npm run build >/dev/null 2>&1 || die "npm run build failed"
CLI=(node dist/src/cli/main.js)

build_status=0
variant_list=$(scripts/build-qemu-bugs.sh "${patches[@]}") || build_status=$?
((build_status <= 1)) || die "building the QEMU variants failed"
names=() binaries=()
while IFS=$'\t' read -r name binary; do names+=("$name"); binaries+=("$binary"); done <<<"$variant_list"
[[ ${names[0]:-} == control ]] || die "no control build"
((${#patches[@]})) || patches=(scripts/qemu-bugs/*.patch)

WORK=$(mktemp -d -t historic-bugs.XXXXXX)
log "replay outputs in $WORK"

# --- replays ----------------------------------------------------------------------------------
# summarize JSON: "<failing divergences> <first one as 'line L WHAT class: recorded X, got Y'>": reads
# (register and config), device events (interrupts, causes, other events) and frames, the classes
# that fail a replay without --strict.
summarize() {
	# shellcheck disable=SC2016 # JavaScript, not shell
	node -e '
		const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).results[0];
		const hex = (v) => (typeof v === "number" ? "0x" + v.toString(16) : String(v));
		const reads = r.divergences.filter((d) => ["mismatch", "unknown-in-target", "poll-never-satisfied"].includes(d.class))
			.map((d) => ({ line: d.line, text: `${d.register ?? hex(d.offset)} ${d.class}: recorded ${hex(d.expected)}, got ${hex(d.actual)}` }));
		const events = (r.events?.divergences ?? []).filter((d) => ["interrupt-missing", "interrupt-extra", "cause-differs", "event-missing", "event-extra", "event-differs"].includes(d.class))
			.map((d) => ({ line: d.line, text: `${d.subject} ${d.class} (device event): recorded ${d.expected}, got ${d.actual}` }));
		const frames = (r.frames?.divergences ?? []).map((d) => ({ line: d.line, text: `${d.register} ${d.class}: ${d.summary}` }));
		const failing = [...reads, ...events, ...frames].sort((a, b) => a.line - b.line);
		const f = failing[0];
		console.log(failing.length, f ? `line ${f.line} ${f.text}` : "");
	' "$1"
}

# cell NAME BINARY INDEX: replays trace INDEX against BINARY; prints the matrix cell.
cell() {
	local name=$1 binary=$2 i=$3 dir=$WORK/$1 rc=0 failing first
	mkdir -p "$dir"
	timeout 600 "${CLI[@]}" replay "${traces[$i]}" --qemu "$binary" --time auto "${replay_flags[@]}" \
		--json "$dir/$i.json" >"$dir/$i.txt" 2>&1 || rc=$?
	if ((rc == 0)); then
		echo "-"
	elif ((rc == 1)) && [[ -s $dir/$i.json ]]; then
		read -r failing first < <(summarize "$dir/$i.json")
		if ((failing > 0)); then
			echo "caught ($failing)"
			echo "$name|${traces[$i]}|$first" >>"$WORK/first-divergences"
		else
			echo "ERROR (exit 1, no failing divergence)"
		fi
	else
		echo "ERROR (exit $rc)"
	fi
}

label() {
	local base
	base=$(basename "$1")
	base=${base%.gz}
	base=${base%.log}
	echo "${base#linux-}"
}


header="| bug | check |"
rule="|---|---|"
for t in "${traces[@]}"; do header+=" $(label "$t") |"; rule+="---|"; done
header+=" caught by any |"
rule+="---|"

rows=() errors=0 caught_total=0 control_failed=0
declare -A kind_total=() kind_caught=()
start=$SECONDS
for v in "${!names[@]}"; do
	name=${names[$v]}
	log "replaying ${#traces[@]} recordings against $name"
	patch_file=scripts/qemu-bugs/$name.patch
	kind=none
	[[ $name == control ]] || kind=$(header_field "$patch_file" "Check that would see it")
	row="| $name | $kind |" any=no
	for i in "${!traces[@]}"; do
		c=$(cell "$name" "${binaries[$v]}" "$i")
		row+=" $c |"
		[[ $c != caught* ]] || any=yes
		[[ $c != ERROR* ]] || errors=$((errors + 1))
		[[ $name != control || $c == "-" ]] || control_failed=1
	done
	if [[ $name != control ]]; then
		kind_total[$kind]=$((${kind_total[$kind]:-0} + 1))
		if [[ $any == yes ]]; then
			caught_total=$((caught_total + 1))
			kind_caught[$kind]=$((${kind_caught[$kind]:-0} + 1))
		fi
	fi
	rows+=("$row **$([[ $name == control ]] && echo "n/a" || echo "$any")** |")
done

# --- report -----------------------------------------------------------------------------------
bugs=$((${#names[@]} - 1))
echo "## Historic bugs caught by replay"
echo
echo "$(date -u +%Y-%m-%d) · $("${binaries[0]}" --version | head -n 1) · igb-replay $(git rev-parse --short HEAD 2>/dev/null || echo '?')" \
	"· ${#traces[@]} recordings · $((SECONDS - start)) s of replays${replay_flags[*]:+ · replay ${replay_flags[*]}}"
echo
echo "Caught: **$caught_total of $bugs** bugs. Cells: \`caught (N)\` = exit 1 with N failing divergences," \
	"\`-\` = exit 0 (not caught), \`ERROR\` = the replay did not run to a verdict."
echo
echo "| check kind | bugs | caught |"
echo "|---|---:|---:|"
for k in $(printf '%s\n' "${!kind_total[@]}" | sort); do echo "| $k | ${kind_total[$k]} | ${kind_caught[$k]:-0} |"; done
echo
echo "$header"
echo "$rule"
printf '%s\n' "${rows[@]}"
if [[ -s $WORK/first-divergences ]]; then
	echo
	echo "First failing divergence per caught bug and recording:"
	echo
	while IFS='|' read -r name trace first; do echo "- $name, $(label "$trace"): $first"; done <"$WORK/first-divergences"
fi
for p in "${patches[@]}"; do
	n=$(basename "$p" .patch)
	printf '%s\n' "${names[@]}" | grep -qx "$n" || { echo; echo "Not built: $n (see scripts/build-qemu-bugs.sh's output)"; errors=$((errors + 1)); }
done

if ((control_failed)); then log "the control build did not pass every recording: the matrix is not trustworthy"; fi
if ((errors)); then log "$errors replay(s) or build(s) did not reach a verdict"; fi
((control_failed == 0 && errors == 0))
