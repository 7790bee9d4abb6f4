// V8's tier-up budget for this process, set before the rest of the code is loaded (main.ts imports
// this module first; worker threads share the process's flags).
//
// Why: a command here is a short job of many distinct hot spots (parsing, planning, the qtest
// pipe, comparing). With V8's default budget (Node 20) the optimising compiler compiled about 690
// functions in a replay of 12 traces and spent 3.6 s of background CPU on it, as much again as the
// main thread's own work; on 2 cores that CPU is taken from the QEMUs and the other replays of
// `replay -j 2`. A budget 7.5 times larger leaves the code that runs briefly to the baseline tiers
// and still optimises what stays hot: 186 compilations, the Node process's CPU 6.3 s -> 5.2 s,
// `-j 1` of those 12 traces 7.7 s -> 7.3 s and `-j 2` 5.5 s -> 4.6 s (with run-cells.ts's one
// replay per thread); a 12 MB soak recording replays in the same time either way.
// Measured with `npm run bench:parallel`, and `node -r` a preload printing process.cpuUsage().

import { setFlagsFromString } from 'node:v8';

/** Bytecode budget before V8 considers optimising a function (its default in Node 20 is 132 KiB). */
const INTERRUPT_BUDGET = 1_000_000;

setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
