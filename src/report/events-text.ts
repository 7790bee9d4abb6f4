// Text section of a replay report for the device events: how many were compared and what was
// left out (with why), the differences by class, and the first failing ones spelled out the way
// a device developer reads them: "after the EICS write 0x2 at line 3,412 the recording notified
// MSI-X vector 1; the target notified none".

import type { ChalkInstance } from 'chalk';
import { EVENT_CLASSES, EXPLAINED_EVENT_CLASSES, isFailingEvent, type EventClass, type EventDivergence, type EventsResult } from '../model/events.js';
import { differenceText, placeText } from './event-description.js';
import { num, plural } from './format.js';
import { renderTable } from './table.js';

const SHOWN = 5;

const EXPLAIN: Readonly<Record<EventClass, string>> = {
  'interrupt-missing': 'the recording sent an interrupt the target did not',
  'interrupt-extra': 'the target sent an interrupt the recording did not',
  'cause-differs': 'an interrupt register went to another value',
  'event-missing': 'another event the recording logged and the target did not',
  'event-extra': 'another event only the target logged',
  'event-differs': 'the same event with other values',
  'explained-by-traffic': 'only in what packets the recording moved did (not replayed, or their interrupt timing)',
  'explained-by-frozen-time': 'only in what throttling timers did that fired where the replay could not let time run, or ran out at another point on the replay\'s clock',
};

export interface EventsTextOptions {
  readonly strict: boolean;
  /** Whether a divergence fails the run (failing class, not accepted by a baseline). */
  readonly fails: (d: EventDivergence) => boolean;
}

export function eventLines(events: EventsResult, c: ChalkInstance, options: EventsTextOptions): string[] {
  if (!events.compared) return [c.dim(`  not compared: ${events.note ?? 'no reason given'}`)];
  const excluded = events.tally.excluded.reduce((n, e) => n + e.events, 0);
  const lines = [`  ${num(events.tally.compared)} events compared, ${num(excluded)} left out:`];
  for (const e of events.tally.excluded) lines.push(c.dim(`    ${num(e.events).padStart(6)}  ${e.reason}`));
  const rows = EVENT_CLASSES.map((cls) => {
    const count = events.byClass[cls];
    const label = count > 0 && isFailingEvent(cls, options) ? c.red(cls) : cls;
    const note = EXPLAINED_EVENT_CLASSES.has(cls) ? `${EXPLAIN[cls]}${options.strict ? ' (counted: --strict)' : '; --strict counts them'}` : EXPLAIN[cls];
    return [label, num(count), c.dim(note)];
  });
  lines.push(...renderTable(rows, { align: ['left', 'right', 'left'] }));
  const failing = events.divergences.filter(options.fails);
  for (const d of failing.slice(0, SHOWN)) lines.push(...describe(d, c));
  if (failing.length > SHOWN) lines.push(c.dim(`  … ${plural(failing.length - SHOWN, 'more failing event difference')} in --json`));
  return lines;
}

function describe(d: EventDivergence, c: ChalkInstance): string[] {
  const lines = [`  ${c.red(d.class)}${d.phase === undefined ? '' : ` (${d.phase})`} ${placeText(d)}: ${c.bold(d.subject)}`,
    `    ${differenceText(d)}`];
  for (const f of d.fields) lines.push(`    ${d.subject}.${f.field}: expected ${f.expected}, got ${f.actual}`);
  return lines;
}
