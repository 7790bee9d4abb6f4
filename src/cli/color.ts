// Colour decisions for one output stream. chalk 5 detects TTYs and FORCE_COLOR by itself but not
// NO_COLOR (no-color.org), and it only knows stdout/stderr, not a --output file; so the level is
// decided here and passed to the renderers as a chalk instance.

import { Chalk, type ChalkInstance } from 'chalk';

export type ColorLevel = 0 | 1 | 2 | 3;

export function colorLevel(env: NodeJS.ProcessEnv, isTTY: boolean): ColorLevel {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    // chalk's rules: '' and 'true' mean basic colour, 'false'/'0' none, a number its level.
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const level = Number.parseInt(force, 10);
    return Number.isNaN(level) ? 1 : (Math.max(0, Math.min(level, 3)) as ColorLevel);
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!isTTY) return 0;
  // 256 colours work on every terminal people use for this; the reports only need 16.
  return env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit' ? 3 : env.TERM === 'dumb' ? 0 : 2;
}

export function colorFor(env: NodeJS.ProcessEnv, isTTY: boolean): ChalkInstance {
  return new Chalk({ level: colorLevel(env, isTTY) });
}
