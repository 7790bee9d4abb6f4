// A frame QEMU handed to the device inside a timer's callback: autonegotiation completing lets the
// device receive again, QEMU delivers the frames the backend held meanwhile there and then, and only
// after them the callback goes on (flow control, LSC and its interrupt). The replay runs the timer
// as one step and injects the frame after it (rx-path.ts flushedInsideTimer), so in the target the
// timer's tail comes before the frame. The differences that are exactly that swap are explained:
//  - the tail's events missing where the recording logged them (after the frame), and the same
//    events extra in the stretch of time the target ran for the timer (before it);
//  - at the frame, ICR bits the tail sets showing set already (LSC), and nothing else.
// Any other difference there still fails.

import type { SideEvent, TraceRecord } from '../../model/access.js';
import type { EventDivergence } from '../../model/events.js';
import type { RegisterDatabase } from '../../regs/database.js';
import { flushedInsideTimer } from '../../datapath/rx-path.js';
import { describeNotify, deviceEvent } from './device-event.js';
import { ICR } from './traffic-taint.js';

export interface TimerFlush {
  /** The frame's packet marker. */
  readonly frameLine: number;
  /** The timer's marker before it, which ended with the device receiving again. */
  readonly timerLine: number;
  /** The timer's marker kind (`autoneg`). */
  readonly timer: string;
  /** The markers after the frame that carry the rest of the timer's callback. */
  readonly tailLines: ReadonlySet<number>;
  /** What those events are called in divergences (`MSI-X vector 0`, `ICR`, event names). */
  readonly tailSubjects: ReadonlySet<string>;
  /** ICR fields the tail set (0 → 1). */
  readonly icrFieldsSet: ReadonlySet<string>;
}

/** The flush at `records[index]` (an injected packet marker), or undefined when it is none. */
export function timerFlushAt(records: readonly TraceRecord[], index: number, registers: RegisterDatabase): TimerFlush | undefined {
  const marker = records[index];
  if (marker?.type !== 'marker') return undefined;
  const before = records[index - 1];
  const timer = flushedInsideTimer(marker, before);
  if (timer === undefined || before === undefined) return undefined;
  const tail: SideEvent[] = [];
  const tailLines = new Set<number>();
  for (let i = index + 1; i < records.length; i++) {
    const next = records[i]!;
    if (next.type !== 'marker' || next.afterSeq !== marker.afterSeq || next.kind === 'rx-packet') break;
    tailLines.add(next.line);
    tail.push(...next.events);
  }
  const tailSubjects = new Set<string>();
  const icrFieldsSet = new Set<string>();
  const icr = registers.lookupOffset(ICR);
  for (const event of tail) {
    tailSubjects.add(event.name);
    const typed = deviceEvent(event);
    if (typed?.kind === 'notify') tailSubjects.add(describeNotify(typed.how, typed.value));
    if (typed?.kind !== 'irq-register') continue;
    const name = registers.lookupOffset(typed.register)?.name;
    if (name !== undefined) tailSubjects.add(name);
    if (typed.register !== ICR || typed.op !== 'set' || icr === undefined) continue;
    for (const diff of registers.diffFields(icr, typed.from, typed.to)) if (diff.actual !== 0 && diff.expected === 0) icrFieldsSet.add(diff.field.name);
  }
  return { frameLine: marker.line, timerLine: before.line, tailLines, tailSubjects, icrFieldsSet, timer };
}

const MISSING = new Set(['event-missing', 'interrupt-missing']);
const EXTRA = new Set(['event-extra', 'interrupt-extra']);

/**
 * The divergences with those of each flush's swapped order explained (same order, same objects
 * otherwise). `timePlaceOf`: for a timer marker, the line of the stretch of time it was compared in.
 */
export function explainTimerFlushes(divergences: readonly EventDivergence[], flushes: readonly TimerFlush[],
  timePlaceOf: ReadonlyMap<number, number>): EventDivergence[] {
  if (flushes.length === 0) return [...divergences];
  const explained = new Map<EventDivergence, string>();
  for (const flush of flushes) {
    const reason = `order: QEMU handed the frame at line ${flush.frameLine.toLocaleString('en-US')} to the device inside the ${flush.timer} timer, `
      + 'before the rest of that timer (its flow control, LSC and interrupt); the replay runs the timer as one step and injects the frame after it';
    // The stretch of time the target ran for the timer (where its tail came in the target).
    const timeLine = timePlaceOf.get(flush.timerLine);
    for (const d of divergences) {
      const swapped = (MISSING.has(d.class) && flush.tailLines.has(d.line) && flush.tailSubjects.has(d.subject))
        || (EXTRA.has(d.class) && d.place.kind === 'time' && d.line === timeLine && flush.tailSubjects.has(d.subject))
        || (d.class === 'cause-differs' && d.line === flush.frameLine && d.fields.length > 0
          && d.fields.every((f) => f.expected === 0 && f.actual === 1 && flush.icrFieldsSet.has(f.field)));
      if (swapped) explained.set(d, reason);
    }
  }
  return divergences.map((d) => {
    const reason = explained.get(d);
    return reason === undefined ? d : { ...d, class: 'explained-by-traffic', reason };
  });
}
