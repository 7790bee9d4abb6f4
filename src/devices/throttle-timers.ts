// QEMU's interrupt throttling and delay timers as its trace shows them (e1000e_irq_rearm_timer,
// the firing events), and which of an access's armings are its own: one home for the replay's paced
// clock (src/replay/paced-clock.ts), the device-event check (src/checks/events/) and the parser,
// which keeps an arming's time.

import type { SideEvent } from '../model/access.js';

/** `Mitigation timer armed for register 0xE8, delay 128000 ns` (e1000e_irq_rearm_timer). */
const ARMED = /^Mitigation timer armed for register 0x([0-9a-fA-F]+), delay (\d+) ns/;
export const TIMER_ARMED_EVENT = 'e1000e_irq_rearm_timer';
/** QEMU's events for a throttling timer that ran out (MSI-X, MSI, INTx, and ITR's own). */
export const TIMER_FIRED = /e1000e_irq_(msix_notify_postponed_vec|throttling_timer|msi_notify_postponed|legacy_notify_postponed)/;

export interface ArmedTimer {
  /** The throttling register whose timer it is (ITR or EITR(n)), as QEMU names it. */
  readonly register: number;
  readonly delayNs: bigint;
  /** When the recording armed it (µs, its log's clock), if the trace says. */
  readonly atUs?: number;
}

/** The throttling timers a recorded access or frame armed, in order. */
export function timersArmed(events: readonly SideEvent[]): ArmedTimer[] {
  const armed: ArmedTimer[] = [];
  for (const event of events) {
    if (event.name !== TIMER_ARMED_EVENT) continue;
    const m = ARMED.exec(event.text);
    if (m !== null) armed.push({ register: Number.parseInt(m[1]!, 16), delayNs: BigInt(m[2]!), ...(event.timeUs === undefined ? {} : { atUs: event.timeUs }) });
  }
  return armed;
}

/**
 * e1000e's receive and transmit delay timers (RDTR, RADV; TIDV, TADV), by the register QEMU names a
 * timer with. A transmit whose answer came in while it ran (slirp answers at once) arms the
 * frame's receive delay timers first, then its own transmit delay timers; the replay hands the
 * frame over before the transmit (src/datapath/rx-path.ts), so each step paces its own.
 */
const RX_DELAY_REGISTERS: ReadonlySet<number> = new Set([0x2820, 0x282c]);
const TX_DELAY_REGISTERS: ReadonlySet<number> = new Set([0x3820, 0x382c]);
/** `Mitigation timer shot for register 0x3820` (e1000e_irq_throttling_timer): a delay timer ran out. */
const DELAY_TIMER_SHOT = /^Mitigation timer shot for register 0x([0-9a-fA-F]+)/;

/** The delay timer an event says ran out (`e1000e_irq_throttling_timer`), if it is one. */
export function delayTimerShot(event: SideEvent): number | undefined {
  if (event.name !== 'e1000e_irq_throttling_timer') return undefined;
  const m = DELAY_TIMER_SHOT.exec(event.text);
  const register = m === null ? undefined : Number.parseInt(m[1]!, 16);
  return register !== undefined && isDelayRegister(register) ? register : undefined;
}

export function isDelayRegister(register: number): boolean {
  return RX_DELAY_REGISTERS.has(register) || TX_DELAY_REGISTERS.has(register);
}

/** The timers a frame received inside an access armed itself (its events, from its receipt on): those before the transmit's. */
export function frameTimersArmed(events: readonly SideEvent[]): ArmedTimer[] {
  const armed = timersArmed(events);
  const transmit = armed.findIndex((timer) => TX_DELAY_REGISTERS.has(timer.register));
  return transmit < 0 ? armed : armed.slice(0, transmit);
}

/**
 * The timers an access armed itself: all its armings but those of the frames received during it
 * (`receiptLines`: their receipts' lines), from each receipt to the transmit's delay timers after
 * it. Where no transmit delay timer follows a frame (igb), the frame's and the access's armings are
 * not told apart: all count.
 */
export function accessTimersArmed(events: readonly SideEvent[], receiptLines: readonly number[] = []): ArmedTimer[] {
  const own: ArmedTimer[] = [];
  let inFrame = false;
  let split = false;
  let next = 0;
  for (const event of events) {
    for (; next < receiptLines.length && receiptLines[next]! < event.line; next++) inFrame = true;
    const [timer] = event.name === TIMER_ARMED_EVENT ? timersArmed([event]) : [];
    if (timer === undefined) continue;
    if (inFrame && TX_DELAY_REGISTERS.has(timer.register)) {
      inFrame = false;
      split = true;
    }
    if (!inFrame) own.push(timer);
  }
  return split ? own : timersArmed(events);
}


/** `Sending MSI-X postponed by EITR[2]` (e1000e_irq_msix_notify_postponed_vec). */
const EITR_FIRED = /e1000e_irq_msix_notify_postponed_vec Sending MSI-X postponed by EITR\[(\d+)\]/;
/** A whole log line of an event whose text `text` matches (the event texts' patterns, unanchored). */
const lineOf = (event: string, text: RegExp): RegExp => new RegExp(`${event} ${text.source.replace(/^\^/, '')}`);
const ARMED_LINE = lineOf(TIMER_ARMED_EVENT, ARMED);
const SHOT_LINE = lineOf('e1000e_irq_throttling_timer', DELAY_TIMER_SHOT);

/**
 * The timers a QEMU has armed and not fired, followed line by line through its own log. By
 * register, not by count: a timer that
 * runs out without a line (ITR when nothing is pending, `silentTimers`) is not followed, and a delay
 * timer running out stops the others without a line.
 */
export class ArmedTimerLog {
  private readonly armed = new Set<number>();

  /** `eitr0`: EITR(0)'s register (EITR(n) at + 4n), which names the timer a vector's firing ran out. */
  constructor(private readonly eitr0: number, private readonly silentTimers: readonly number[] = []) {}

  get count(): number {
    return this.armed.size;
  }

  /** Follows one line of the log; true when it shows a timer firing. */
  follow(line: string): boolean {
    const armed = ARMED_LINE.exec(line);
    if (armed !== null) {
      const register = Number.parseInt(armed[1]!, 16);
      if (!this.silentTimers.includes(register)) this.armed.add(register);
      return false;
    }
    const shot = SHOT_LINE.exec(line);
    if (shot !== null) {
      const register = Number.parseInt(shot[1]!, 16);
      if (isDelayRegister(register)) for (const r of [...this.armed]) if (isDelayRegister(r)) this.armed.delete(r);
      this.armed.delete(register);
      return true;
    }
    const vector = EITR_FIRED.exec(line);
    if (vector !== null) this.armed.delete(this.eitr0 + 4 * Number(vector[1]));
    return TIMER_FIRED.test(line);
  }

  /** Forget them all (a reset deleted them without a line). */
  clear(): void {
    this.armed.clear();
  }
}
