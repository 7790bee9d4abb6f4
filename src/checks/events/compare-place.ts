// Comparing the device events of one place of a replay (an access, a stretch of time, the start)
// with the recording's: notifications as a multiset (a different vector is one missing and one
// extra), every other event kind pairwise in order. Differences in interrupt state that unreplayed
// packets explain become `explained-by-traffic`, naming the packet's line; those that a throttling
// timer explains which the recording fired where the replay let no time run become
// `explained-by-frozen-time`, naming the timer's line and why time stood still.

import type { SideEvent } from '../../model/access.js';
import { EXPLAINED_EVENT_CLASSES, type EventClass, type EventDivergence, type EventPlace } from '../../model/events.js';
import type { FieldDifference } from '../../model/replay.js';
import type { RegisterDatabase } from '../../regs/database.js';
import { describeNotify, deviceEvent, exclusionReason, type DeviceEvent, type EventContext } from './device-event.js';
import { assertedIcr, EICR, ICR, IMS, type TrafficTaint } from './traffic-taint.js';
import type { HeldTimer, HeldTimers } from './held-timers.js';
import type { ThrottledVector, ThrottledVectors } from './throttled-vectors.js';

export interface PlaceContext {
  readonly line: number;
  readonly seq: number;
  readonly place: EventPlace;
  /** Line of a packet event the recording shows at this very place, if any. */
  readonly packetLine?: number;
  readonly taint: TrafficTaint;
  /** Throttling timers the recording fired where the replay let no time run. */
  readonly held: HeldTimers;
  /** The vectors the recording throttles (followed by the caller, record by record). */
  readonly throttled: ThrottledVectors;
  readonly registers: RegisterDatabase;
}

export interface PlaceComparison {
  readonly divergences: EventDivergence[];
  /** Typed events compared, both sides. */
  readonly compared: number;
  /** Events left out, by reason, both sides. */
  readonly excluded: Map<string, number>;
  /** The recorded events that were compared, typed, in order (for the traffic taint). */
  readonly recorded: DeviceEvent[];
  /** The target's, likewise. */
  readonly target: DeviceEvent[];
}

export function comparePlace(ctx: PlaceContext, recordedEvents: readonly SideEvent[], targetEvents: readonly SideEvent[]): PlaceComparison {
  const excluded = new Map<string, number>();
  const context = ctx.place.kind === 'packet' ? 'packet' : 'register';
  const recorded = typed(recordedEvents, excluded, context);
  const target = typed(targetEvents, excluded, context);
  if (recorded.length === 0 && target.length === 0) return { divergences: [], compared: 0, excluded, recorded, target };
  // Events by kind, each side in order: most places have a handful, all alike.
  const groups = new Map<string, { r: DeviceEvent[]; t: DeviceEvent[] }>();
  const group = (key: string): { r: DeviceEvent[]; t: DeviceEvent[] } => {
    let entry = groups.get(key);
    if (entry === undefined) groups.set(key, entry = { r: [], t: [] });
    return entry;
  };
  for (const e of recorded) group(keyOf(e)).r.push(e);
  for (const e of target) group(keyOf(e)).t.push(e);
  const divergences: EventDivergence[] = [];
  for (const { r: rs, t: ts } of groups.values()) {
    for (let i = 0; i < Math.max(rs.length, ts.length); i++) {
      const difference = differenceOf(ctx, rs[i], ts[i]);
      if (difference !== undefined) divergences.push(explain(ctx, difference, rs[i], ts[i]));
    }
  }
  return { divergences: followNotification(divergences), compared: recorded.length + target.length, excluded, recorded, target };
}

function typed(events: readonly SideEvent[], excluded: Map<string, number>, context: EventContext): DeviceEvent[] {
  const out: DeviceEvent[] = [];
  let pending: number | undefined;
  for (const event of events) {
    const typedEvent = deviceEvent(event, context);
    if (typedEvent?.kind === 'pending') pending = typedEvent.pending;
    if (typedEvent?.kind === 'notify' && typedEvent.how === 'msix' && pending !== undefined) out.push({ ...typedEvent, causes: pending });
    else if (typedEvent !== undefined) out.push(typedEvent);
    else {
      const reason = exclusionReason(event.name, context)!;
      excluded.set(reason, (excluded.get(reason) ?? 0) + 1);
    }
  }
  return out;
}

function keyOf(event: DeviceEvent): string {
  switch (event.kind) {
    case 'notify': return `notify ${event.how} ${event.value}`;
    case 'postponed': return `postponed ${event.register}`;
    case 'timer-fired': return `timer ${event.vector}`;
    case 'irq-register': return `register ${event.op} ${event.register}`;
    case 'pending': return 'pending';
    case 'other': return `other ${event.name}`;
  }
}


type Difference = Omit<EventDivergence, 'line' | 'seq' | 'place' | 'reason' | 'phase'> & { readonly reason: string };

function differenceOf(ctx: PlaceContext, r: DeviceEvent | undefined, t: DeviceEvent | undefined): Difference | undefined {
  const sample = r ?? t;
  if (sample === undefined) return undefined;
  if (r !== undefined && t !== undefined && sameEvent(r, t)) return undefined;
  const missing = t === undefined;
  const extra = r === undefined;
  switch (sample.kind) {
    case 'notify': {
      const what = `notified ${describeNotify(sample.how, sample.value)}`;
      return {
        class: missing ? 'interrupt-missing' : 'interrupt-extra', subject: describeNotify(sample.how, sample.value),
        expected: missing ? what : 'none', actual: missing ? 'none' : what, fields: [],
        reason: missing ? 'the recording sent this interrupt here; the target did not' : 'the target sent an interrupt the recording did not',
      };
    }
    case 'irq-register': {
      const name = registerName(ctx.registers, sample.register);
      const show = (e: DeviceEvent | undefined): string => (e?.kind === 'irq-register' ? `${e.op} ${hex(e.from)} → ${hex(e.to)}` : 'none');
      const fields = r?.kind === 'irq-register' && t?.kind === 'irq-register' ? registerFields(ctx.registers, sample.register, r, t) : [];
      return {
        class: missing || extra ? (missing ? 'event-missing' : 'event-extra') : 'cause-differs', subject: name,
        expected: show(r), actual: show(t), fields, reason: `${name} ${missing ? 'was not changed by the target' : extra ? 'was changed only by the target' : 'went to a different value'}`,
      };
    }
    case 'pending': {
      const show = (e: DeviceEvent | undefined): string => (e?.kind === 'pending' ? `pending ${hex(e.pending)} (ICR ${hex(e.icr)}, IMS ${hex(e.ims)})` : 'none');
      const fields = r?.kind === 'pending' && t?.kind === 'pending' ? icrFields(ctx.registers, r.icr, t.icr) : [];
      return {
        class: missing || extra ? (missing ? 'event-missing' : 'event-extra') : 'cause-differs', subject: 'pending interrupt causes',
        expected: show(r), actual: show(t), fields, reason: 'the causes pending after this access differ',
      };
    }
    case 'postponed': {
      const subject = `${registerName(ctx.registers, sample.register)} throttling`;
      return {
        class: missing ? 'event-missing' : 'event-extra', subject, expected: missing ? 'interrupt postponed' : 'none', actual: missing ? 'none' : 'interrupt postponed',
        fields: [], reason: missing ? 'the recording held this interrupt back by throttling; the target did not' : 'the target held back an interrupt the recording sent',
      };
    }
    case 'timer-fired': {
      const subject = `EITR(${sample.vector}) throttling timer`;
      return {
        class: missing ? 'event-missing' : 'event-extra', subject, expected: missing ? 'fired, sending what it held back' : 'none',
        actual: missing ? 'none' : 'fired, sending what it held back', fields: [],
        reason: missing ? 'the recording\'s throttling timer for this vector ran out here; the target\'s did not' : 'the target\'s throttling timer for this vector ran out here; the recording\'s did not',
      };
    }
    case 'other': {
      const text = (e: DeviceEvent | undefined): string => (e?.kind === 'other' ? e.text : 'none');
      return {
        class: missing ? 'event-missing' : extra ? 'event-extra' : 'event-differs', subject: sample.name,
        expected: text(r), actual: text(t), fields: [],
        reason: missing ? 'the recording logged this event here; the target did not' : extra ? 'only the target logged this event here' : 'the event says something else',
      };
    }
  }
}

function sameEvent(a: DeviceEvent, b: DeviceEvent): boolean {
  switch (a.kind) {
    case 'notify': return b.kind === 'notify' && a.how === b.how && a.value === b.value;
    case 'postponed': return b.kind === 'postponed' && a.register === b.register;
    case 'timer-fired': return b.kind === 'timer-fired' && a.vector === b.vector;
    case 'irq-register': return b.kind === 'irq-register' && a.op === b.op && a.register === b.register && a.from === b.from && a.to === b.to;
    case 'pending': return b.kind === 'pending' && a.pending === b.pending && a.icr === b.icr && a.ims === b.ims;
    case 'other': return b.kind === 'other' && a.name === b.name && a.text === b.text;
  }
}

const INTERRUPT_FAMILY = (event: DeviceEvent): boolean => event.kind !== 'other' || event.name.includes('_irq_');

/** Interrupt-state differences that unreplayed packets, or timers the replay could not let fire, account for. */
function explain(ctx: PlaceContext, difference: Difference, r: DeviceEvent | undefined, t: DeviceEvent | undefined): EventDivergence {
  const base = { ...difference, line: ctx.line, seq: ctx.seq, place: ctx.place };
  const sample = (r ?? t)!;
  if (!INTERRUPT_FAMILY(sample)) return base;
  // Two values of one register: only a difference entirely in bits packets changed is explained.
  const valued = r !== undefined && t !== undefined && (r.kind === 'irq-register' || r.kind === 'pending' || assertedIcr(r) !== undefined);
  const line = ctx.packetLine ?? (valued ? bitsLine(ctx, r, t)
    : (r === undefined ? undefined : ctx.taint.involves(r)) ?? (t === undefined ? undefined : ctx.taint.involves(t)));
  if (line !== undefined) {
    return {
      ...base, class: 'explained-by-traffic' satisfies EventClass,
      reason: `the recording moved a packet at line ${line.toLocaleString('en-US')}, which a register replay does not send, or whose interrupt timing a data-path replay does not reproduce (the throttling timers it armed run on the replay's clock, which moves only at markers) (otherwise ${difference.class}: ${difference.reason})`,
    };
  }
  const throttled = throttledVector(ctx, r, t);
  if (throttled !== undefined) {
    return {
      ...base, class: 'explained-by-frozen-time' satisfies EventClass,
      reason: `vector ${throttled.vector} is throttled (the recording armed its EITR timer at line ${throttled.line.toLocaleString('en-US')}): with received `
        + 'frames injected the target runs that timer too, but its clock moves only at markers while the recording\'s ran between accesses, so '
        + `the timer runs out at another point and the vector's EICR bit changes there (otherwise ${difference.class}: ${difference.reason})`,
    };
  }
  const held = heldTimer(ctx, r, t);
  if (held === undefined) return base;
  return {
    ...base, class: 'explained-by-frozen-time' satisfies EventClass,
    reason: `the recording's ${held.timer} throttling timer fired at line ${held.line.toLocaleString('en-US')}, where the replay let no `
      + `time run (${held.reason}), so the target's stays armed and holds back ${held.holds} until time runs again `
      + `(otherwise ${difference.class}: ${difference.reason})`,
  };
}

/** For an EICR value both sides logged (a transition, or EIAC's auto-clear): the throttled vector, when throttled vectors' bits are all that differ. */
function throttledVector(ctx: PlaceContext, r: DeviceEvent | undefined, t: DeviceEvent | undefined): ThrottledVector | undefined {
  if (r?.kind === 'irq-register' && t?.kind === 'irq-register' && r.register === t.register) return ctx.throttled.explainsBits(r.register, (r.to ^ t.to) | (r.from ^ t.from));
  const rEiac = eiacCleared(r);
  const tEiac = eiacCleared(t);
  return rEiac !== undefined && tEiac !== undefined ? ctx.throttled.explainsBits(EICR, (rEiac ^ tEiac) >>> 0) : undefined;
}

/**
 * The held timer a difference is about: for two values of EICR (a transition, or EIAC's auto-clear),
 * only when every differing bit is a held vector's; otherwise the vector the event names.
 */
function heldTimer(ctx: PlaceContext, r: DeviceEvent | undefined, t: DeviceEvent | undefined): HeldTimer | undefined {
  if (r?.kind === 'irq-register' && t?.kind === 'irq-register') return ctx.held.explainsBits(r.register, (r.to ^ t.to) | (r.from ^ t.from));
  const rEiac = eiacCleared(r);
  const tEiac = eiacCleared(t);
  if (rEiac !== undefined && tEiac !== undefined) return ctx.held.explainsBits(EICR, (rEiac ^ tEiac) >>> 0);
  if (r !== undefined && t !== undefined && r.kind !== 'notify') return undefined;
  return (r === undefined ? undefined : ctx.held.involves(r)) ?? (t === undefined ? undefined : ctx.held.involves(t));
}

const EIAC_CLEAR = /^Clearing ICR bits due to EIAC, ICR: 0x([0-9a-fA-F]+)/;

/** The EICR value an `e1000e_irq_icr_clear_eiac` event shows (the causes before EIAC cleared the notified one). */
function eiacCleared(event: DeviceEvent | undefined): number | undefined {
  const m = event?.kind === 'other' ? EIAC_CLEAR.exec(event.text) : null;
  return m === null || m === undefined ? undefined : Number.parseInt(m[1]!, 16);
}

/**
 * The interrupt bookkeeping events QEMU logs with a notification (EIAC's auto-clear, the pending
 * causes...) go with it: where a notification difference here is explained (by traffic, or by a
 * held timer), so are the differences in those. Register values and other notifications are still
 * judged on their own.
 */
function followNotification(divergences: EventDivergence[]): EventDivergence[] {
  const explained = divergences.find((d) => EXPLAINED_EVENT_CLASSES.has(d.class) && NOTIFICATION_SUBJECT.test(d.subject));
  if (explained === undefined) return divergences;
  return divergences.map((d) => (!EXPLAINED_EVENT_CLASSES.has(d.class) && d.subject.startsWith('e1000e_irq_')
    ? { ...d, class: explained.class, reason: `${explained.reason.replace(/ \(otherwise.*$/, '')} (it goes with the notification there; otherwise ${d.class}: ${d.reason})` }
    : d));
}

/** Subjects of notification differences: a vector, MSI or INTx, or a throttling timer that sends one. */
const NOTIFICATION_SUBJECT = /^(MSI-X vector|MSI$|legacy INTx|EITR\(\d+\) throttling timer)/;

/** For two values of one cause register: the packet line when every differing bit is tainted. */
function bitsLine(ctx: PlaceContext, r: DeviceEvent | undefined, t: DeviceEvent | undefined): number | undefined {
  if (r?.kind === 'irq-register' && t?.kind === 'irq-register') {
    return ctx.taint.explainsBits(r.register, (r.to ^ t.to) | (r.from ^ t.from));
  }
  if (r?.kind === 'pending' && t?.kind === 'pending') {
    // Each register's difference must be one packets made (or none at all).
    const icr = (r.icr ^ t.icr) | (r.pending ^ t.pending);
    const ims = r.ims ^ t.ims;
    const icrLine = icr === 0 ? undefined : ctx.taint.explainsBits(ICR, icr);
    const imsLine = ims === 0 ? undefined : ctx.taint.explainsBits(IMS, ims);
    if ((icr !== 0 && icrLine === undefined) || (ims !== 0 && imsLine === undefined)) return undefined;
    return icrLine ?? imsLine;
  }
  // ICR as QEMU shows it after setting INT_ASSERTED (e1000e logs it after every change).
  const rIcr = assertedIcr(r);
  const tIcr = assertedIcr(t);
  return rIcr !== undefined && tIcr !== undefined ? ctx.taint.explainsBits(ICR, (rIcr ^ tIcr) >>> 0) : undefined;
}

function registerName(registers: RegisterDatabase, offset: number): string {
  return registers.lookupOffset(offset)?.name ?? hex(offset);
}

function registerFields(registers: RegisterDatabase, offset: number, r: { from: number; to: number }, t: { from: number; to: number }): FieldDifference[] {
  const ref = registers.lookupOffset(offset);
  if (ref === undefined) return [];
  const [expected, actual] = r.to !== t.to ? [r.to, t.to] : [r.from, t.from];
  return registers.diffFields(ref, expected, actual).map((d) => ({ field: d.field.name, expected: d.expected, actual: d.actual }));
}

function icrFields(registers: RegisterDatabase, expected: number, actual: number): FieldDifference[] {
  const ref = registers.lookupOffset(0xc0);
  return ref === undefined ? [] : registers.diffFields(ref, expected, actual).map((d) => ({ field: d.field.name, expected: d.expected, actual: d.actual }));
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
