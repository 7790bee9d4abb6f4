// V8's optimizing compiler (TurboFan) inlines callees into a hot function up to a cumulative budget
// of bytecode (920 bytes by default in Node 20's V8 11.3). The QEMU-log parser's hot loop calls a
// chain of small methods (prefix, core-line matcher, classifier, assembler, the record sinks), so
// with that budget each of its compiles is large, and while a long parse warms up the loop is
// compiled several times over; on a loaded 2-vCPU machine those compiles (on a background thread
// that competes for the CPU) delay optimized code by tens of MB of input. A smaller budget keeps
// them small. Measured on issue #13's 218 MB concatenation (Node 20.19, load 4-9): the first 50 MB
// 645 → 450 ms CPU, the steady state 120 → 136 ms per 50 MB, `parse --json` 2.61 → 2.25 s.
// Process-wide, so it is set only before a long parse, once, and kept for the rest of the process.

import { setFlagsFromString } from 'node:v8';

/** Inputs at least this large are parsed long enough for the warm-up to dominate. */
export const LONG_PARSE_BYTES = 8 * 1024 * 1024;
const CUMULATIVE_INLINING_BYTES = 150;

let applied = false;

/** Before parsing `bytes` of input (undefined: unknown, e.g. stdin or gzip). */
export function prepareCompilerFor(bytes: number | undefined): void {
  if (applied || bytes === undefined || bytes < LONG_PARSE_BYTES) return;
  applied = true;
  setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${CUMULATIVE_INLINING_BYTES}`);
}
