// Progress on stderr for long runs: only on a terminal, never in CI, and cleared when done, so
// redirected output and logs stay clean.

import type { CliContext } from './context.js';

export interface Progress {
  readonly update: (done: number, total: number) => void;
  readonly done: () => void;
}

/** Redraws at most this often. */
const INTERVAL_MS = 100;

/** `quiet`: the caller's own output goes to the same terminal, where progress would garble it. */
export function progressReporter(ctx: CliContext, label: string, unit = '', quiet = false): Progress {
  const enabled = !quiet && ctx.stderr.isTTY === true && ctx.env.CI === undefined;
  let last = 0;
  let shown = false;
  return {
    update: (done, total) => {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < INTERVAL_MS && done < total) return;
      last = now;
      const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
      ctx.stderr.write(`\r${label}: ${percent}% (${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}${unit})\u001b[K`);
      shown = true;
    },
    done: () => {
      if (shown) ctx.stderr.write('\r\u001b[K');
      shown = false;
    },
  };
}
