// What a minimisation reproduces: the divergence the user chose (a read's, or a device-event
// difference such as an interrupt the target did not send), its signature — what identifies "the
// same divergence" in a shorter trace, where lines and values move — and where the trace can be cut
// after it. Pure functions over a replay result and the recording's records.

import { UserError } from '../errors.js';
import type { TraceRecord } from '../model/access.js';
import { isFailingEvent, type EventDivergence } from '../model/events.js';
import { isFailing, type Divergence, type ReplayResult } from '../model/replay.js';

/** Nothing to minimise (no divergence, or not the one asked for): a usage error (exit 2). */
export class MinimiseError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = 'MinimiseError';
  }
}

export type MinimiseTarget =
  | { readonly kind: 'read'; readonly divergence: Divergence }
  | { readonly kind: 'event'; readonly divergence: EventDivergence };

export interface TargetChoice {
  /** The divergence at this trace line (a read's first, else a device event's). */
  readonly line?: number;
  /** The first failing divergence of this register. */
  readonly register?: string;
  /** The first failing device-event difference of this subject (`MSI-X vector 0`, `ICR`); with `line`, the one at that line. */
  readonly event?: string;
}

/**
 * What identifies the same divergence in a candidate: never its line, seq or read value.
 * A read's: register, class and the differing fields. A device event's: subject, class, the kind of
 * place (the register and direction of the access that caused it, or time, or realize) and what
 * differs: the decoded fields, else both sides' descriptions (`notified MSI-X vector 1→none`).
 */
export type DivergenceSignature =
  | { readonly kind: 'read'; readonly register: string; readonly class: Divergence['class']; readonly fields: readonly string[] }
  | {
    readonly kind: 'event'; readonly subject: string; readonly class: EventDivergence['class']; readonly place: string;
    readonly difference: string;
  };

export function signatureOf(target: MinimiseTarget): DivergenceSignature {
  if (target.kind === 'read') {
    const d = target.divergence;
    return { kind: 'read', register: d.register, class: d.class, fields: fieldNames(d.fields) };
  }
  const d = target.divergence;
  return { kind: 'event', subject: d.subject, class: d.class, place: eventPlaceKey(d), difference: eventDifference(d) };
}

export function reproduces(result: ReplayResult, signature: DivergenceSignature): boolean {
  if (signature.kind === 'read') {
    return result.divergences.some((d) => d.register === signature.register && d.class === signature.class
      && fieldNames(d.fields).join(',') === signature.fields.join(','));
  }
  return result.events.compared && result.events.divergences.some((d) => d.subject === signature.subject && d.class === signature.class
    && eventPlaceKey(d) === signature.place && eventDifference(d) === signature.difference);
}

function fieldNames(fields: Divergence['fields']): string[] {
  return [...new Set(fields.map((f) => f.field))].sort();
}

/** `EICS write`, `time`, `start`: the marker kinds of a stretch of time may pool otherwise in a shorter trace. */
function eventPlaceKey(d: EventDivergence): string {
  return d.place.kind === 'access' ? `${d.place.register} ${d.place.access}` : d.place.kind;
}

function eventDifference(d: EventDivergence): string {
  return d.fields.length > 0 ? fieldNames(d.fields).join(',') : `${d.expected}→${d.actual}`;
}

/** The divergence to reproduce, as the user chose it; by default the first failing read, else the first failing event difference. */
export function chooseTarget(result: ReplayResult, choice: TargetChoice): MinimiseTarget {
  const failing = result.divergences.filter((d) => isFailing(d.class, { strict: false }));
  // A difference at realize and reset comes before every access: nothing could be removed.
  const failingEvents = result.events.divergences.filter((d) => isFailingEvent(d.class, { strict: false }) && d.place.kind !== 'start');
  if (choice.event !== undefined) return chooseEvent(result, failingEvents, choice.event, choice.line);
  if (choice.line !== undefined) return chooseLine(result, failing, failingEvents, choice.line);
  if (choice.register !== undefined) {
    const wanted = choice.register.toUpperCase();
    const ofRegister = failing.find((d) => d.register.toUpperCase() === wanted);
    if (ofRegister === undefined) throw new MinimiseError(`no failing divergence of ${choice.register}`, `registers with one: ${[...new Set(failing.map((d) => d.register))].slice(0, 10).join(', ')}`);
    return { kind: 'read', divergence: ofRegister };
  }
  const first = failing[0];
  if (first !== undefined) return { kind: 'read', divergence: first };
  const firstEvent = failingEvents[0];
  if (firstEvent !== undefined) return { kind: 'event', divergence: firstEvent };
  throw new MinimiseError('the replay has no failing divergence to reproduce', 'give --device for a target that diverges, or --line for a volatile one');
}

function chooseLine(result: ReplayResult, failing: readonly Divergence[], failingEvents: readonly EventDivergence[], line: number): MinimiseTarget {
  const read = result.divergences.find((d) => d.line === line);
  if (read !== undefined) return { kind: 'read', divergence: read };
  const atLine = result.events.divergences.filter((d) => d.line === line && d.place.kind !== 'start');
  const event = atLine.find((d) => isFailingEvent(d.class, { strict: false })) ?? atLine[0];
  if (event !== undefined) return { kind: 'event', divergence: event };
  const near = [...failing.map((d) => `${d.line} (${d.register})`).slice(0, 5), ...failingEvents.map((d) => `${d.line} (${d.subject})`).slice(0, 3)];
  throw new MinimiseError(`no divergence at trace line ${line}`, near.length === 0 ? 'the replay has no failing divergence' : `failing divergences are at lines ${near.join(', ')}, …`);
}

function chooseEvent(result: ReplayResult, failingEvents: readonly EventDivergence[], subject: string, line: number | undefined): MinimiseTarget {
  const wanted = subject.toLowerCase();
  const candidates = line === undefined ? failingEvents : result.events.divergences.filter((d) => d.line === line && d.place.kind !== 'start');
  const event = candidates.find((d) => d.subject.toLowerCase() === wanted);
  if (event !== undefined) return { kind: 'event', divergence: event };
  if (!result.events.compared) throw new MinimiseError(`device events were not compared: ${result.events.note ?? 'no reason given'}`);
  // Interrupts first: what a developer most often minimises to.
  const rank = (d: EventDivergence): number => (d.class.startsWith('interrupt-') ? 0 : d.class === 'cause-differs' ? 1 : 2);
  const subjects = [...new Set([...candidates].sort((a, b) => rank(a) - rank(b)).map((d) => d.subject))].slice(0, 12).join(', ');
  const where = line === undefined ? '' : ` at trace line ${line}`;
  throw new MinimiseError(`no failing device-event difference of ${subject}${where}`, subjects === '' ? `there is none${where}` : `subjects with one${where}: ${subjects}`);
}

/**
 * The last trace line the divergence needs: a read's own line (its events come before it); for an
 * access's events, the last line of that access, its side events and the PHY accesses it caused; for
 * time, the line before the next access (the stretch of time ends there).
 */
export function cutLine(target: MinimiseTarget, records: readonly TraceRecord[]): number {
  if (target.kind === 'read') return target.divergence.line;
  const d = target.divergence;
  if (d.place.kind === 'start') return d.line;
  if (d.place.kind === 'access') {
    let last = d.line;
    for (const r of records) {
      if (r.type === 'access' && (r.seq === d.seq || r.cause === d.seq)) last = Math.max(last, r.line, ...r.events.map((e) => e.line));
    }
    return last;
  }
  const next = records.find((r) => r.type === 'access' && r.seq > d.seq && r.cause === undefined && r.line > d.line);
  // A read's own events come before its line: they go with it.
  return next === undefined ? Number.POSITIVE_INFINITY : Math.min(next.line, ...next.events.map((e) => e.line)) - 1;
}

/** Accesses before this seq may be removed: the one a read or an access's events belong to stays; time belongs to no access. */
export function firstKeptSeq(target: MinimiseTarget): number {
  if (target.kind === 'read') return target.divergence.seq;
  const d = target.divergence;
  return d.place.kind === 'time' ? d.seq + 1 : d.seq;
}
