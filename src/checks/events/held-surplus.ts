// A vector's throttling timer the recording fired k > 1 times at markers where the replay let no
// time run: the target's timer, armed throughout with no time running, fired once for all k when
// time ran, and, armed again there, fired for a later recorded firing — inside that time run, so
// the pools compared it with one of the k. The recording's later firing, in the next time pool,
// then has no counterpart: a missing firing of that vector (and the empty EIAC clear logged with
// it), at most k - 1 of them less those already explained, and at most as many as the target fired
// timers armed anew in that time run beyond the recording's there (HeldTimers.surplus), is frozen
// time's doing. Any other difference fails.

import type { EventDivergence } from '../../model/events.js';
import type { DeviceEvent } from './device-event.js';
import type { HeldSurplus, HeldTimers } from './held-timers.js';
import { isEmptyEiacClear, TIMER_VECTOR } from './shifted-timers.js';

/**
 * How often `vector`'s timer fired after a notification of the vector had armed it, in one side's
 * events of a stretch of time (a notification sent at once arms the timer; a firing ends it).
 */
function reArmedFirings(events: readonly DeviceEvent[], vector: number): number {
  let armed = false;
  let firings = 0;
  for (const e of events) {
    if (e.kind === 'notify' && e.how === 'msix' && e.value === vector) armed = true;
    else if (e.kind === 'timer-fired' && e.vector === vector && armed) {
      firings++;
      armed = false;
    }
  }
  return firings;
}

function lineText(line: number): string {
  return line.toLocaleString('en-US');
}

/** The surplus one time pool leaves, explained in the next. */
export class HeldSurplusFirings {
  private surplus = new Map<number, HeldSurplus>();

  /**
   * After a time pool was compared, before the held timers are released: what surplus the frozen
   * markers before it leave for the next pool (`divergences`: the pool's, as explained so far).
   */
  note(held: HeldTimers, divergences: readonly EventDivergence[], recorded: readonly DeviceEvent[], target: readonly DeviceEvent[]): void {
    this.surplus = held.surplus((vector) => divergences.filter((d) => d.class === 'explained-by-frozen-time'
      && d.actual === 'none' && TIMER_VECTOR.exec(d.subject)?.[1] === String(vector)).length,
    (vector) => reArmedFirings(target, vector) - reArmedFirings(recorded, vector));
  }

  /** A time pool's divergences, with the missing firings the last pool's surplus accounts for explained; the surplus is used up. */
  explain(divergences: readonly EventDivergence[]): EventDivergence[] {
    const surplus = new Map([...this.surplus].map(([vector, s]) => [vector, { ...s, left: s.count }]));
    this.surplus = new Map();
    if (surplus.size === 0) return [...divergences];
    let clears = 0;
    const explain = (s: HeldSurplus, d: EventDivergence): EventDivergence => ({
      ...d, class: 'explained-by-frozen-time',
      reason: `the recording fired the ${s.held.timer} throttling timer ${s.lines.length} times `
        + `(lines ${s.lines.map(lineText).join(', ')}) where the replay let no time run (${s.held.reason}); the target's, armed throughout, `
        + `fired once for them all when time ran, and again, armed anew, inside that time run, so this later firing of the recording's has no counterpart `
        + `(otherwise ${d.class}: ${d.reason})`,
    });
    const explained = divergences.map((d) => {
      const vector = d.class === 'event-missing' ? TIMER_VECTOR.exec(d.subject) : null;
      const s = vector === null ? undefined : surplus.get(Number(vector[1]));
      if (s === undefined || s.left === 0) return d;
      s.left--;
      clears++;
      return explain(s, d);
    });
    const used = [...surplus.values()].find((s) => s.left < s.count);
    return explained.map((d) => {
      if (used === undefined || clears === 0 || d.class !== 'event-missing' || !isEmptyEiacClear(d, d.expected)) return d;
      clears--;
      return explain(used, d);
    });
  }
}
