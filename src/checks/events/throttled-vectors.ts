// The MSI-X vectors the recording throttles: each vector whose EITR timer the recording armed, with
// the line that last armed it, followed in trace order. A replay that injects received frames arms
// the same timers in the target, but the target's clock moves only at markers while the
// recording's ran between accesses: a timer runs out at another point on each side, so its
// vector's EICR bit is set or cleared at another point, and two timers may run out in another
// order. A difference in the value of exactly those bits (an interrupt-register transition or
// EIAC's auto-clear that both sides logged) is explained by it; a missing or extra interrupt,
// throttling or timer still fails.

import { TIMER_ARMED_EVENT } from '../../devices/throttle-timers.js';
import type { SideEvent } from '../../model/access.js';
import { EICR, vectorOfEitr } from './traffic-taint.js';
import type { MsixLayout } from '../../devices/table.js';

const ARMED = /^Mitigation timer armed for register 0x([0-9a-fA-F]+)/;

/** A throttled vector that explains a difference: the vector and the line that last armed its timer. */
export interface ThrottledVector {
  readonly vector: number;
  readonly line: number;
}

export class ThrottledVectors {
  private readonly armed = new Map<number, number>();
  /** Set once a frame was injected: before that, the target's timers follow the recording's at markers. */
  active = false;

  constructor(private readonly msix: MsixLayout) {}

  /** Follows the recording's events of one record, in trace order. */
  observe(events: readonly SideEvent[]): void {
    for (const event of events) {
      if (event.name !== TIMER_ARMED_EVENT) continue;
      const m = ARMED.exec(event.text);
      const vector = m === null ? undefined : vectorOfEitr(this.msix, Number.parseInt(m[1]!, 16));
      if (vector !== undefined) this.armed.set(vector, event.line);
    }
  }

  /** When injected frames made the target's timers run: a throttled vector, when the differing EICR bits `xor` are all throttled vectors'. */
  explainsBits(register: number, xor: number): ThrottledVector | undefined {
    if (!this.active || this.msix.causes !== 'EICR' || register !== EICR || xor === 0) return undefined;
    let bits = 0;
    for (const vector of this.armed.keys()) bits |= 1 << vector;
    if ((xor & ~bits) !== 0) return undefined;
    const vector = [...this.armed.keys()].find((v) => (xor & (1 << v)) !== 0)!;
    return { vector, line: this.armed.get(vector)! };
  }
}
