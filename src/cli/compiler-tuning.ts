// V8's tier-up budget, raised for a run of several replays (a corpus, or builds compared). Each
// replay is many distinct hot spots that run briefly (planning, the qtest pipe, the target's log,
// comparing), and with V8's default budget (Node 20) the optimising compiler compiled about 690
// functions in a replay of 12 traces, using 3.6 s of CPU on its own threads, as much again as the
// main thread's own work; on 2 cores that is taken from the QEMUs and from the other replays of
// `replay -j 2`. A budget 15 times the default leaves the briefly hot code to the baseline tiers
// and still optimises what stays hot: 186 compilations, the Node process's CPU 6.3 s -> 5.2 s,
// `-j 2` 0.72x -> 0.64x the time of `-j 1` (`npm run bench:parallel`, with run-cells.ts's one
// replay per thread). Measured with `node -r` a preload printing process.cpuUsage(), 2026-12-07.
//
// Not for a single replay: there the compiler's threads have the second core to themselves, and
// the gain was small (the init recording 0.51 s -> 0.46 s, a soak recording the same) while its
// footprint moved (the init recording's peak RSS 91 -> 84 MB, the soak's unchanged), which is the
// reference `npm run bench:memory` holds long replays to. Not for `parse` either: one loop over
// millions of lines wants to be optimised early (54 MB parsed in 0.62 s with it instead of 0.51 s).

import { setFlagsFromString } from 'node:v8';

/** Bytecode executed before V8 considers optimising a function (Node 20's default: 67,584). */
const REPLAY_INTERRUPT_BUDGET = 1_000_000;

let applied = false;

/** Raises the budget for the rest of the process (worker threads share it); V8 reads it at each tier-up check. */
export function raiseTierUpBudget(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--interrupt-budget=${REPLAY_INTERRUPT_BUDGET}`);
}
