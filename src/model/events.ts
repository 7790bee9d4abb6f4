// What the device did besides answering reads, as a replay compares it with the recording: the
// side events QEMU logged for each replayed access and at each place where time ran (interrupt
// notifications, interrupt-register transitions, mailbox, VF and link events), and how they differ.
// Pure types, versioned with the replay result (see docs/json-schemas.md).

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
 *   (TXDW/RXT0 and the queue vectors they raised); a register replay sends no packets. Not a
 *   failure unless --strict; the reason names the packet event's line.
 */
export type EventClass =
  | 'interrupt-missing' | 'interrupt-extra' | 'cause-differs'
  | 'event-missing' | 'event-extra' | 'event-differs'
  | 'explained-by-traffic';

export const EVENT_CLASSES: readonly EventClass[] = [
  'interrupt-missing', 'interrupt-extra', 'cause-differs', 'event-missing', 'event-extra', 'event-differs', 'explained-by-traffic',
];

/** Where in the replay the events happened. */
export type EventPlace =
  /** Caused by a replayed access: its register, kind and value (the written value, or the recorded read value). */
  | { readonly kind: 'access'; readonly access: 'read' | 'write'; readonly register: string; readonly value: number }
  /** While virtual time ran where the recording shows a timer (autoneg, interrupt throttling), or a host link change. */
  | { readonly kind: 'time'; readonly marker: string }
  /** Before the first access: device realize and reset. */
  | { readonly kind: 'start' };

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
}

/** How many device events were compared, and which were left out and why. */
export interface EventTally {
  /** Events compared (recorded and target together). */
  readonly compared: number;
  /** Events not compared, by the reason shown in the report. */
  readonly excluded: readonly { readonly reason: string; readonly events: number }[];
}

/** Classes that make a replay fail by default (explained-by-traffic does only with --strict). */
export const FAILING_EVENT_CLASSES: ReadonlySet<EventClass> = new Set([
  'interrupt-missing', 'interrupt-extra', 'cause-differs', 'event-missing', 'event-extra', 'event-differs',
]);
