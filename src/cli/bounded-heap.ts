// A long replay allocates steadily (records, steps, replies, the target's log), each window's
// objects living long enough to reach V8's old generation. Its live heap stays small (about 12 MB
// whatever the length: src/replay/run.ts keeps only tallies and divergences), but V8 by default lets
// the old generation grow far past that before collecting it, so the process's RSS still grew with
// the trace's length. A lower growing factor makes V8 collect sooner: measured with
// `npm run bench:memory`, peak RSS then stays flat (about 1.35× the init trace's at 10 and 40
// reload copies, against 1.4× and 1.7× before). It costs time: re-measured on 2026-12-07 (A/B,
// interleaved), the soak recording replays 10-14% slower with it and `replay -j 2` of 12 short
// traces about 4%; without it the soak peaked at 156-164 MB (target 150). Switching it on only once
// the heap had grown past 48 MB was tried: V8 applies the factor from the next collection on, after
// the heap had already grown, and the soak still peaked at 156 MB in one run of two.

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
