// What packets the recording moved left behind in the device, which a register replay (no packets
// sent or received) does not reproduce: interrupt cause bits they set (ICR TXDW/RXT0, the EICR bits
// of their queue vectors) and the MSI-X vectors whose throttling timer they armed. A difference in
// exactly that state is explained by unreplayed traffic, with the packet event's line as the reason;
// any other difference still fails. The state is followed through the recording only, and ends
// where the recording shows it gone (the bits read or cleared, the throttling timer fired).

import type { DeviceEvent } from './device-event.js';
import type { MsixLayout } from '../../devices/table.js';

/** Interrupt cause registers whose bits packets set (QEMU logs their offsets in e1000e_irq_set). */
export const ICR = 0xc0;
export const EICR = 0x1580;
export const IMS = 0xd0;

const EIAC_CLEAR = /^Clearing ICR bits due to EIAC, ICR: 0x([0-9a-fA-F]+)/;
/** e1000e names the cause it is notifying here (before its EIAC auto-clear) when EIAME is set. */
const EIAME_CAUSE = /cause: 0x([0-9a-fA-F]+)$/;

export class TrafficTaint {
  /** Where MSI-X causes live (device table `msix.causes`): EICR on igb, ICR on e1000e. */
  private readonly causeRegister: number;

  constructor(private readonly msix: MsixLayout) {
    this.causeRegister = msix.causes === 'EICR' ? EICR : ICR;
  }

  /**
   * Per interrupt register, the bits packets changed in the recording: `set` (the recording has them
   * set, the target not) and `cleared` (the other way round, e.g. IMS bits auto-masked on a receive),
   * with the line of the packet event that changed the first of them.
   */
  private readonly bits = new Map<number, { set: number; cleared: number; line: number }>();
  /**
   * Vectors whose throttling timer traffic armed: how many firings are still to come in the
   * recording (each notification arms it once) and the first packet event's line. A count, not a
   * flag: a received packet is followed at once while an earlier timer marker is compared (and
   * followed) later, so arming and firing may be seen out of order.
   */
  private readonly vectors = new Map<number, { pending: number; line: number }>();
  /** The last value the recording showed for each interrupt register. */
  private readonly known = new Map<number, number>();

  /** The packet line when every bit of `xor` in `register` is one packets changed. */
  explainsBits(register: number, xor: number): number | undefined {
    const taint = this.bits.get(register);
    return taint !== undefined && xor !== 0 && (xor & ~(taint.set | taint.cleared)) === 0 ? taint.line : undefined;
  }

  /** The packet line when the event touches tainted state (a tainted vector, or tainted bits). */
  involves(event: DeviceEvent): number | undefined {
    switch (event.kind) {
      case 'notify':
        if (event.how !== 'msix') return this.bitLine(ICR, ~0);
        // On igb the vector is its EICR bit; on e1000e the causes pending just before it (IVAR maps them).
        return this.vectors.get(event.value)?.line
          ?? (this.causeRegister === EICR ? this.bitLine(EICR, 1 << event.value) : this.bitLine(ICR, event.causes ?? 0));
      case 'postponed':
        return this.vectors.get(vectorOfEitr(this.msix, event.register) ?? -1)?.line;
      case 'timer-fired':
        return this.vectors.get(event.vector)?.line;
      case 'irq-register':
        return this.bitLine(event.register, event.from | event.to);
      case 'pending':
        return this.bitLine(ICR, event.icr | event.pending) ?? this.bitLine(IMS, event.ims);
      case 'other': {
        const eiac = EIAC_CLEAR.exec(event.text);
        if (eiac !== null) return this.bitLine(this.causeRegister, Number.parseInt(eiac[1]!, 16));
        // e1000e's EIAME auto-mask names the ICR cause it notifies: one packets set is theirs.
        const cause = causeShown(event);
        return cause === undefined ? undefined : this.bitLine(ICR, cause);
      }
    }
  }

  /**
   * Follows one place of the recording: `packetLine` when packets moved there (their effects become
   * tainted), the recorded events there in order, and for a read of a cause register its value and
   * whether the read cleared it. `compared`: the place's notifications were compared with the
   * target's, and those that differ arm their vector through notifiedOnOneSide; otherwise (a
   * received packet, which has no counterpart) every notification there arms it here.
   */
  observe(events: readonly DeviceEvent[], packetLine: number | undefined, read?: { register: number; value: number; cleared: boolean },
    compared = true): void {
    let notified: number | undefined;
    let cause: number | undefined;
    for (const event of events) {
      if (this.causeRegister === ICR && event.kind === 'other' && event.name === 'e1000e_irq_icr_clear_eiac' && cause !== undefined) {
        this.eiacOnIcr(event, cause, packetLine);
      } else if (packetLine !== undefined) this.taintFrom(event, packetLine, !compared);
      else this.untaintFrom(event, notified);
      notified = notifiedVector(event) ?? notified;
      cause = causeShown(event) ?? cause;
    }
    if (read !== undefined) this.narrow(read.register, read.cleared ? 0 : read.value);
  }

  /**
   * An MSI-X notification one side sent and the other did not, for a reason packets explain, armed
   * that side's throttling timer alone: the vector's timer events differ too until the recording
   * shows it fire.
   */
  notifiedOnOneSide(vector: number, line: number): void {
    this.arm(vector, line);
  }

  private arm(vector: number, line: number): void {
    const armed = this.vectors.get(vector);
    this.vectors.set(vector, { pending: (armed?.pending ?? 0) + 1, line: armed?.line ?? line });
  }

  private taintFrom(event: DeviceEvent, line: number, arm: boolean): void {
    if (event.kind === 'irq-register') this.changed(event.register, event.from, event.to, line);
    else if (event.kind === 'pending') {
      // e1000e's EIAME auto-mask changes IMS with no e1000e_irq_clear: only these values show it.
      this.changed(ICR, this.known.get(ICR) ?? event.icr, event.icr, line);
      this.changed(IMS, this.known.get(IMS) ?? event.ims, event.ims, line);
    } else if (event.kind === 'notify' && event.how === 'msix') {
      if (arm) this.arm(event.value, line);
    } else {
      const icr = assertedIcr(event);
      if (icr !== undefined) this.changed(ICR, this.known.get(ICR) ?? icr, icr, line);
    }
  }

  /**
   * After a packet place was followed (observe): where the target's events there leave ICR at
   * another value than the recording's (a transmit whose descriptors a register replay never gave
   * the device sets its causes at once, the recording's delayed them), the differing bits are the
   * packets' doing too.
   */
  targetAtPacket(target: readonly DeviceEvent[], line: number): void {
    let icr: number | undefined;
    for (const event of target) icr = icrShown(event) ?? icr;
    const known = this.known.get(ICR);
    if (icr === undefined || known === undefined || icr === known) return;
    const taint = this.bits.get(ICR) ?? { set: 0, cleared: 0, line };
    this.bits.set(ICR, { set: (taint.set | (known & ~icr)) >>> 0, cleared: (taint.cleared | (icr & ~known)) >>> 0, line: taint.line });
  }

  /** Packets took a register of the recording from one value to another. */
  private changed(register: number, from: number, to: number, line: number): void {
    this.known.set(register, to);
    const set = to & ~from;
    const cleared = from & ~to;
    if (set === 0 && cleared === 0) return;
    const taint = this.bits.get(register) ?? { set: 0, cleared: 0, line };
    this.bits.set(register, { set: (taint.set | set) & ~cleared, cleared: (taint.cleared | cleared) & ~set, line: taint.line });
  }

  /** `notified`: the vector of the last MSI-X notification before this event, at this place. */
  private untaintFrom(event: DeviceEvent, notified: number | undefined): void {
    const icr = assertedIcr(event);
    if (icr !== undefined) this.narrow(ICR, icr);
    else if (event.kind === 'irq-register') this.narrow(event.register, event.to);
    else if (event.kind === 'pending') {
      this.narrow(ICR, event.icr);
      this.narrow(IMS, event.ims);
    } else if (event.kind === 'timer-fired') {
      // The recording's throttling timer fired: from here neither side has it running.
      const armed = this.vectors.get(event.vector);
      if (armed !== undefined && armed.pending > 1) this.vectors.set(event.vector, { ...armed, pending: armed.pending - 1 });
      else this.vectors.delete(event.vector);
    } else if (event.kind === 'other' && event.name === 'e1000e_irq_icr_clear_eiac' && notified !== undefined && this.causeRegister === EICR) {
      // EIAC auto-clears the notified vector's EICR bit without an e1000e_irq_clear event.
      const eiac = /EIAC: 0x([0-9a-fA-F]+)$/.exec(event.text);
      if (eiac !== null && (Number.parseInt(eiac[1]!, 16) & (1 << notified)) !== 0) this.forgetSet(EICR, 1 << notified);
    }
  }

  /**
   * e1000e's EIAC auto-clear after notifying `cause`: ICR, and IMS unless IAME is set, lose the
   * cause's EIAC bits. At a packet place (`packetLine`) that is the packets' doing. Elsewhere, where
   * packets set that cause, only the side that had it lost it: the IMS bits become the packets'
   * doing (IAME is not logged, so this holds whichever way it was set), and the ICR bits are gone
   * on both sides.
   */
  private eiacOnIcr(event: DeviceEvent & { kind: 'other' }, cause: number, packetLine: number | undefined): void {
    const eiac = /EIAC: 0x([0-9a-fA-F]+)$/.exec(event.text);
    const cleared = eiac === null ? 0 : (Number.parseInt(eiac[1]!, 16) & cause) >>> 0;
    const line = cleared === 0 ? undefined : packetLine ?? this.bitLine(ICR, cleared);
    if (line === undefined) return;
    const ims = this.known.get(IMS);
    if (ims !== undefined) this.changed(IMS, ims, (ims & ~cleared) >>> 0, line);
    const icr = this.known.get(ICR);
    if (packetLine === undefined) this.forgetSet(ICR, cleared);
    else if (icr !== undefined) this.changed(ICR, icr, (icr & ~cleared) >>> 0, line);
  }

  /**
   * The recording shows the register's whole value: bits it no longer has set that packets had set,
   * and bits it has set again that packets had cleared, are the same on both sides from here.
   */
  private narrow(register: number, value: number): void {
    this.known.set(register, value);
    const taint = this.bits.get(register);
    if (taint === undefined) return;
    const set = taint.set & value;
    const cleared = taint.cleared & ~value;
    if (set === 0 && cleared === 0) this.bits.delete(register);
    else this.bits.set(register, { set, cleared, line: taint.line });
  }

  /** The recording cleared these bits without showing the register's value (EIAC auto-clear). */
  private forgetSet(register: number, bits: number): void {
    const taint = this.bits.get(register);
    if (taint === undefined) return;
    const set = taint.set & ~bits;
    if (set === 0 && taint.cleared === 0) this.bits.delete(register);
    else this.bits.set(register, { ...taint, set });
  }

  private bitLine(register: number, bits: number): number | undefined {
    const taint = this.bits.get(register);
    return taint !== undefined && ((taint.set | taint.cleared) & bits) !== 0 ? taint.line : undefined;
  }
}

/**
 * Outside MSI-X QEMU sets ICR's INT_ASSERTED bit whenever a cause is set, logging the whole value
 * in `e1000e_irq_fix_icr_asserted` after the `e1000e_irq_set` that did not show it.
 */
export function assertedIcr(event: DeviceEvent | undefined): number | undefined {
  if (event?.kind !== 'other' || event.name !== 'e1000e_irq_fix_icr_asserted') return undefined;
  const value = /0x([0-9a-fA-F]+)$/.exec(event.text);
  return value === null ? undefined : Number.parseInt(value[1]!, 16) >>> 0;
}

/** The vector whose EITR register this is (QEMU's events name the register), if it is one. */
export function vectorOfEitr(msix: MsixLayout, register: number): number | undefined {
  const vector = (register - msix.eitr0) / 4;
  return Number.isInteger(vector) && vector >= 0 && vector < MAX_VECTORS ? vector : undefined;
}

/** More vectors than either model has (igb 25, e1000e 5). */
const MAX_VECTORS = 32;

/** The cause bits an event shows about to be notified: e1000e's EIAME line, or the pending causes. */
function causeShown(event: DeviceEvent): number | undefined {
  if (event.kind === 'pending') return event.pending;
  if (event.kind !== 'other' || event.name !== 'e1000e_irq_iam_clear_eiame') return undefined;
  const m = EIAME_CAUSE.exec(event.text);
  return m === null ? undefined : Number.parseInt(m[1]!, 16) >>> 0;
}

/** The MSI-X vector an event notifies (directly, or when its throttling timer fires). */
function notifiedVector(event: DeviceEvent): number | undefined {
  if (event.kind === 'notify' && event.how === 'msix') return event.value;
  return event.kind === 'timer-fired' ? event.vector : undefined;
}

/** ICR's whole value as an event shows it (a change, the pending causes, the INT_ASSERTED fix). */
function icrShown(event: DeviceEvent): number | undefined {
  if (event.kind === 'irq-register' && event.register === ICR) return event.to;
  if (event.kind === 'pending') return event.icr;
  return assertedIcr(event);
}
