// The three totals at the head of a replay report, each a sum whose parts are named: what the
// trace holds, what was sent to the device, what was compared. Text and HTML print these same
// sentences, so the numbers a reader adds up are the same everywhere (sums: ReplayCounts).

import type { ReplayCounts } from '../model/replay.js';
import { num, plural } from './format.js';

export interface CountLines {
  /** `10,999 accesses = 10,460 replayed one by one + 238 reads folded into 14 polling loops + 301 skipped` */
  readonly trace: string;
  /** `10,965 accesses to the device = 5,109 register reads + 5,266 writes + …` */
  readonly sent: string;
  /** `6,461 reads = 6,223 register reads + 238 reads of polling loops (as recorded)` */
  readonly compared: string;
}

/** `a + b + c`, leaving out parts that are zero unless `keep` (the sum still holds). */
function sum(parts: readonly (readonly [number, string, boolean?])[]): string {
  const shown = parts.filter(([n, , keep]) => n !== 0 || keep === true);
  return shown.length === 0 ? '0' : shown.map(([n, what]) => `${num(n)} ${what}`).join(' + ');
}

export function countLines(c: ReplayCounts): CountLines {
  const loops = plural(c.polls, 'polling loop');
  const trace = `${plural(c.recorded, 'access', 'accesses')} = ${sum([
    [c.oneByOne, 'replayed one by one', true],
    [c.pollReads, `reads folded into ${loops}`],
    [c.skipped, 'skipped (PHY via their MDIC write, BAR set-up)', true],
    [c.notReached, 'not reached (the replay stopped early)'],
  ])}`;
  const sent = `${plural(c.accesses, 'access', 'accesses')} to the device = ${sum([
    [c.registerReads, 'register reads', true],
    [c.writes, 'writes', true],
    [c.configWrites, 'config writes'],
    [c.configReads, 'config reads'],
    [c.pollReadsSent, `reads made by the ${loops}`],
    [c.barWrites, 'BAR writes of the replay\'s own set-up again after function-level resets'],
  ])}`;
  // Answered one-by-one reads: the register and config reads sent, less the ones left unanswered.
  const compared = `${plural(c.compared, 'read')} = ${sum([
    [c.registerReads, 'register reads', true],
    [c.pollReads, `reads of the ${loops} (as recorded)`],
    [c.configReads, 'config reads'],
  ])}${c.unanswered === 0 ? '' : ` − ${num(c.unanswered)} sent and never answered (the target stopped)`}`;
  return { trace, sent, compared };
}
