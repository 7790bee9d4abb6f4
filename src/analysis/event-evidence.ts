// Which registers a replay's device-event differences are evidence against: the register whose
// access caused the difference (an EICS write that notified no vector says EICS is missing), and the
// interrupt register the difference is about (ICR, EIMS, `EITR(1) throttling`; the pending causes
// are ICR's). Failing classes only: a difference explained by traffic says nothing about the target.
// Pure: the caller says how registers are labelled and which ones the trace uses.

import type { Access, TraceRecord } from '../model/access.js';
import { FAILING_EVENT_CLASSES, type EventClass, type EventDivergence } from '../model/events.js';

export interface RegisterEventEvidence {
  readonly register: string;
  /** Failing event differences that involve the register, by class. */
  readonly byClass: Partial<Record<EventClass, number>>;
  readonly count: number;
  readonly firstLine: number;
}

export interface EventEvidenceNaming {
  /** The label of a register the trace accesses, by where the access went (`mmio:192`); undefined when not tallied. */
  readonly labelAt: (space: string, offset: number) => string | undefined;
  /** Whether the trace accesses a register of this label (`ICR`, `EITR(1)`). */
  readonly known: (label: string) => boolean;
}

/** `EITR(1) throttling timer`, `ITR throttling`: the register named before ` throttling`. */
const THROTTLING = /^(\S+) throttling( timer)?$/;
/** The pending causes QEMU logs are ICR's bits (the differing fields decode ICR). */
const PENDING = 'pending interrupt causes';

export function eventEvidence(divergences: readonly EventDivergence[], records: readonly TraceRecord[],
  naming: EventEvidenceNaming): Map<string, RegisterEventEvidence> {
  const accessBySeq = new Map<number, Access>();
  for (const r of records) if (r.type === 'access') accessBySeq.set(r.seq, r);
  const found = new Map<string, { register: string; byClass: Partial<Record<EventClass, number>>; count: number; firstLine: number }>();
  for (const d of divergences) {
    if (!FAILING_EVENT_CLASSES.has(d.class)) continue;
    for (const register of registersOf(d, accessBySeq, naming)) {
      const e = found.get(register) ?? { register, byClass: {}, count: 0, firstLine: d.line };
      e.byClass[d.class] = (e.byClass[d.class] ?? 0) + 1;
      e.count += 1;
      found.set(register, e);
    }
  }
  return found;
}

/** The registers one difference involves, each once. */
function registersOf(d: EventDivergence, accessBySeq: ReadonlyMap<number, Access>, naming: EventEvidenceNaming): Set<string> {
  const registers = new Set<string>();
  if (d.place.kind === 'access') {
    const access = accessBySeq.get(d.seq);
    const label = access === undefined ? undefined : labelOfAccess(access, naming);
    if (label !== undefined) registers.add(label);
  }
  const named = d.subject === PENDING ? 'ICR' : THROTTLING.exec(d.subject)?.[1] ?? d.subject;
  if (naming.known(named)) registers.add(named);
  return registers;
}

/** An IODATA access reaches the MAC register IOADDR selected: the trace tallies it there. */
function labelOfAccess(access: Access, naming: EventEvidenceNaming): string | undefined {
  if (access.space === 'io' && access.register !== undefined) return naming.labelAt('mmio', access.register);
  return naming.labelAt(access.space, access.offset);
}
