// What the device did besides answering reads, as a replay compares it with the recording: the
// side events QEMU logged for each replayed access and at each place where time ran (interrupt
// notifications, interrupt-register transitions, mailbox, VF and link events), and how they differ.
// Pure types, versioned with the replay result (see docs/json-schemas.md).

import type { SideEvent } from './access.js';
import type { FieldDifference } from './replay.js';

/**
 * How a device event of the target compares with the recording.
 * - `interrupt-missing` / `interrupt-extra`: an interrupt notification (MSI-X vector, MSI, legacy
 *   line level) the recording shows and the target did not send, or the other way round.
 * - `cause-differs`: an interrupt register (ICR, IMS, EICR, EIMS...) went to a different value;
 *   decoded to the cause bits that differ.
 * - `event-missing` / `event-extra` / `event-differs`: any other compared event (EIxx updates,
 *   throttling, mailbox, VF reset, link, autonegotiation) absent, extra, or with different values.
 * - `explained-by-traffic`: a difference only in what packets the recording sent or received did
 *   (TXDW/RXT0 and the queue vectors they raised): a register replay sends no packets, and a
 *   data-path replay injects received frames but not their timing (a frame received inside a
 *   write comes after it). Not a failure unless --strict; the reason names the packet event's line.
 *   What the device did with an injected frame (filters, RSS, descriptors, metadata) is never explained.
 * - `explained-by-frozen-time`: a difference only in what an MSI-X throttling timer did that the
 *   recording fired where the replay could not let virtual time run (an autonegotiation was
 *   pending, which running the clock would have completed early): the target's timer stays armed,
 *   so it holds back that vector's interrupts and their EICR bit until time next runs. Also, with
 *   received frames injected, a different EICR value (both sides logged the event) only in bits of
 *   vectors the recording throttles: their timers run out at other points on the replay's clock,
 *   which moves only at markers. Not a failure unless --strict; the reason names the recorded
 *   timer's line and why.
 */
export type EventClass =
  | 'interrupt-missing' | 'interrupt-extra' | 'cause-differs'
  | 'event-missing' | 'event-extra' | 'event-differs'
  | 'explained-by-traffic' | 'explained-by-frozen-time';

export const EVENT_CLASSES: readonly EventClass[] = [
  'interrupt-missing', 'interrupt-extra', 'cause-differs', 'event-missing', 'event-extra', 'event-differs', 'explained-by-traffic',
  'explained-by-frozen-time',
];

/** Classes of differences a replay explains (reason given); they fail only with --strict. */
export const EXPLAINED_EVENT_CLASSES: ReadonlySet<EventClass> = new Set(['explained-by-traffic', 'explained-by-frozen-time']);

/** Where in the replay the events happened. */
export type EventPlace =
  /** Caused by a replayed access: its register, kind and value (the written value, or the recorded read value). */
  | { readonly kind: 'access'; readonly access: 'read' | 'write'; readonly register: string; readonly value: number }
  /** While virtual time ran where the recording shows a timer (autoneg, interrupt throttling), or a host link change. */
  | { readonly kind: 'time'; readonly marker: string }
  /** Before the first access: device realize and reset. */
  | { readonly kind: 'start' }
  /**
   * Where the recording received frames and the replay injected them: how many. `switched`: frames
   * the device switched to its own pools instead, which the target made from the replayed transmit.
   */
  | { readonly kind: 'packet'; readonly frames: number; readonly switched?: true };

export interface EventDivergence {
  readonly class: EventClass;
  /** Trace line of the access or marker where the difference shows. */
  readonly line: number;
  /** Access seq of that place (for markers, the access before them; -1 before any). */
  readonly seq: number;
  readonly place: EventPlace;
  /** What kind of event: `MSI-X vector 1`, `ICR`, `EIMS`, `igb_set_pfmailbox`, `autonegotiation`. */
  readonly subject: string;
  /** What the recording shows there, and what the target did: `notified MSI-X vector 1`, `none`. */
  readonly expected: string;
  readonly actual: string;
  /** For register values: the cause bits that differ (expected = recorded). */
  readonly fields: readonly FieldDifference[];
  /** Why it is classified so; for explained ones, the packet event's line. */
  readonly reason: string;
  /** Label of the recording's phase (see model/phase.ts). */
  readonly phase?: string;
  /** True when the report's baseline accepts it (set only in a ReplayReport with `baseline`). */
  readonly accepted?: true;
}

/** How many device events were compared, and which were left out and why. */
export interface EventTally {
  /** Events compared (recorded and target together). */
  readonly compared: number;
  /** Events not compared, by the reason shown in the report. */
  readonly excluded: readonly { readonly reason: string; readonly events: number }[];
}

/** A stretch of time the target ran: where (after how many places were sent) and why. */
export interface TimeSegment {
  readonly afterPlace: number;
  /**
   * `marker`: time ran (or the link changed) where the recording shows it; `poll`: for a folded
   * polling loop; `frames`: the stopped machine ran for an instant only so QEMU sent the frames it
   * held back (before a link-down would purge them): not in the recording's timeline, not compared;
   * `packet`: the recording's received frames of one packet marker were injected (`markerLine`).
   */
  readonly cause: 'marker' | 'poll' | 'frames' | 'packet';
  /** For `packet`: the line of the recording's packet marker whose frames these are. */
  readonly markerLine?: number;
  readonly events: readonly SideEvent[];
}

/**
 * What the target QEMU logged besides its verdicts, placed by what the replay sent: a place is
 * each access sent (register, IO or config), in order.
 */
export interface TargetEventLog {
  /** Before the first replayed access: realize, reset, the replay's own PCI set-up. */
  readonly start: readonly SideEvent[];
  /** Events of each place (index into the places sent), only where there were any. */
  readonly byPlace: ReadonlyMap<number, readonly SideEvent[]>;
  readonly time: readonly TimeSegment[];
  /** Places the target's log shows; differs from the places sent only if the log does not line up. */
  readonly placesLogged: number;
}

/** Classes that make a replay fail by default (the explained ones do only with --strict). */
export const FAILING_EVENT_CLASSES: ReadonlySet<EventClass> = new Set([
  'interrupt-missing', 'interrupt-extra', 'cause-differs', 'event-missing', 'event-extra', 'event-differs',
]);

export function isFailingEvent(cls: EventClass, options: { readonly strict: boolean }): boolean {
  return FAILING_EVENT_CLASSES.has(cls) || (options.strict && EXPLAINED_EVENT_CLASSES.has(cls));
}

/** A check that compared nothing, saying why. */
export function eventsNotCompared(note: string): EventsResult {
  const byClass = Object.fromEntries(EVENT_CLASSES.map((c) => [c, 0])) as Record<EventClass, number>;
  return { compared: false, note, tally: { compared: 0, excluded: [] }, byClass, divergences: [] };
}

/** The device-event check of one replay. */
export interface EventsResult {
  /** False when events could not be compared; `note` says why (the recording has none, the log did not line up). */
  readonly compared: boolean;
  readonly note?: string;
  readonly tally: EventTally;
  readonly byClass: Readonly<Record<EventClass, number>>;
  /** Every difference, in trace order. */
  readonly divergences: readonly EventDivergence[];
}
