// A long replay allocates steadily (records, steps, replies, the target's log), each window's
// objects living long enough to reach V8's old generation. Its live heap stays small (about 12 MB
// whatever the length: src/replay/run.ts keeps only tallies and divergences), but V8 by default lets
// the old generation grow far past that before collecting it, so the process's RSS still grew with
// the trace's length. A lower growing factor makes V8 collect sooner: measured with
// `npm run bench:memory`, peak RSS then stays flat (about 1.35× the init trace's at 10 and 40
// reload copies, against 1.4× and 1.7× before) at no measurable cost in time.

import { setFlagsFromString } from 'node:v8';

/** Percent the old generation may grow past its live size before a full collection (V8's default is larger and adaptive). */
const HEAP_GROWING_PERCENT = 20;

let applied = false;

/** Makes V8 collect the old generation sooner; called by commands whose work streams (replay). */
export function boundHeapGrowth(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
