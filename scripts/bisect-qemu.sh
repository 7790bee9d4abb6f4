#!/usr/bin/env bash
# One step of `git bisect run` over a QEMU tree: builds the commit checked out with
# scripts/build-qemu.sh --tree (same configuration as the project's own QEMU build; incremental
# after the first time) and replays a trace against it with `igb-replay replay --bisect`.
#
# Usage, from the QEMU checkout (a git tree):
#   git bisect start BAD GOOD
#   git bisect run /path/to/igb-replay/scripts/bisect-qemu.sh [--reference QEMU] TRACE [REPLAY OPTION...]
#   TRACE         a recording (absolute, or relative to the QEMU checkout)
#   --reference Q compare with a known-good build Q instead of the recording: a commit is bad when
#                 its build has failing divergences Q does not (replay --qemu good=Q --qemu test=…)
#   REPLAY OPTION passed to `igb-replay replay` (--device, --time, --strict, …)
# Exit codes (git bisect run's): 0 good; 1 bad (failing divergences, a regression from the
# reference, or a replay the build did not finish); 125 this commit cannot be tested (it does not
# build, or its QEMU does not start): bisect skips it; 128 stop bisecting (bad arguments, no
# igb-replay build, an error that says nothing about the commit).
# The QEMU tree is configured in its build/ directory the first time (about 8 minutes on 2 cores).
set -uo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/.." && pwd)
CLI=$REPO/dist/src/cli/main.js

log() { echo "bisect-qemu: $*" >&2; }
stop() {
	log "error: $* (exit 128: git bisect stops)"
	exit 128
}
case ${1:-} in -h | --help | '') sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;; esac

reference=
if [[ $1 == --reference ]]; then
	reference=${2:-}
	[[ -x $reference ]] || stop "--reference needs an executable QEMU, got '${reference}'"
	shift 2
fi
trace=${1:-}
shift
[[ -f $trace ]] || stop "no trace $trace (give a path absolute or relative to $(pwd))"
[[ -f $CLI ]] || stop "$CLI is missing: run npm run build in $REPO first"
tree=$(git rev-parse --show-toplevel 2>/dev/null) || stop "run it from the QEMU git checkout being bisected"
commit=$(git rev-parse --short HEAD)

log "$commit: building $tree"
started=$SECONDS
if ! binary=$("$REPO/scripts/build-qemu.sh" --tree "$tree"); then
	log "$commit: the build failed (exit 125: git bisect skips this commit)"
	exit 125
fi
log "$commit: built in $((SECONDS - started)) s; replaying $trace"

if [[ -n $reference ]]; then
	node "$CLI" replay "$trace" --bisect --qemu "good=$reference" --qemu "test=$binary" "$@"
else
	node "$CLI" replay "$trace" --bisect --qemu "$binary" "$@"
fi
status=$?
case $status in
0) log "$commit: good" ;;
1) log "$commit: bad" ;;
125) log "$commit: its QEMU does not start (skipped)" ;;
*) log "$commit: igb-replay exited $status (git bisect stops)"; exit 128 ;;
esac
exit "$status"
