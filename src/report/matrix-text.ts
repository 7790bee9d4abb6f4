// Text rendering of a replay against several QEMU builds: the builds, a trace × build table (each
// cell's result against the recording and its time, and how each build compares with the
// reference), then per trace and build what changed — failing divergences new in it (regressions)
// and fixed in it, with their baseline keys, values that changed, and the device events the two
// builds logged differently, decoded and tied to the replayed access that caused them. Read
// differences come first; event differences where every read is the same come last.

import type { ChalkInstance } from 'chalk';
import type { EventDivergence } from '../model/events.js';
import type { BuildComparison, KeyedChange, MatrixReport, MatrixTrace, ValueChange } from '../model/matrix-report.js';
import type { Divergence, ReplayResult } from '../model/replay.js';
import { failingDivergences, failingEvents, traceVerdict } from '../model/replay-report.js';
import { placeText } from './event-description.js';
import { hex, num, plural } from './format.js';
import { seconds, verdictColor } from './summary-text.js';
import { renderTable } from './table.js';

/** Entries of each list shown in full; the rest are in --json. */
const SHOWN = 10;

export function renderMatrixText(report: MatrixReport, c: ChalkInstance): string {
  const lines = [
    `${c.bold('Replay matrix')}  ${plural(report.traces.length, 'trace')} × ${plural(report.builds.length, 'build')}, reference ${report.builds[0]!.label}`,
    ...renderTable(report.builds.map((b) => [c.bold(b.label), b.binary, c.dim(b.version), b.qtestAccelerator ? 'qtest accelerator' : 'no qtest accelerator'])),
  ];
  if (report.timeNote !== undefined) lines.push(c.dim(`  time: ${report.timeNote}`));
  lines.push('', c.bold('Results against the recording (failing reads/events, time) and against the reference'), ...matrixTable(report, c));
  for (const row of report.traces) {
    for (const comparison of row.comparisons) {
      if (comparison.verdict === 'same') continue;
      lines.push('', ...comparisonLines(report, row, comparison, c));
    }
  }
  lines.push('', verdictLine(report, c));
  return `${lines.join('\n')}\n`;
}

function matrixTable(report: MatrixReport, c: ChalkInstance): string[] {
  const labels = report.builds.map((b) => b.label);
  const header = ['trace', ...labels, ...labels.slice(1).map((l) => `${l} vs ${labels[0]}`)];
  const rows = report.traces.map((row) => [
    row.trace,
    ...row.results.map((r) => cellText(r, report, c)),
    ...row.comparisons.map((cmp) => `${verdictColor(cmp.verdict, c)}${changeCounts(cmp)}`),
  ]);
  return renderTable([header, ...rows]);
}

function cellText(r: ReplayResult, report: MatrixReport, c: ChalkInstance): string {
  const verdict = traceVerdict(r, report.options);
  return `${verdictColor(verdict, c)} ${num(failingDivergences(r, report.options).length)}/${num(failingEvents(r, report.options).length)} ${seconds(r.durationMs)}`;
}

function changeCounts(cmp: BuildComparison): string {
  const parts = [
    cmp.new.length > 0 ? `${num(cmp.new.length)} new` : '', cmp.fixed.length > 0 ? `${num(cmp.fixed.length)} fixed` : '',
    cmp.changed.length > 0 ? `${num(cmp.changed.length)} changed` : '',
    cmp.events.differences.length > 0 ? plural(cmp.events.differences.length, 'event difference') : '',
  ].filter((p) => p !== '');
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function comparisonLines(report: MatrixReport, row: MatrixTrace, cmp: BuildComparison, c: ChalkInstance): string[] {
  const a = report.builds[cmp.reference]!.label;
  const b = report.builds[cmp.candidate]!.label;
  const lines = [`${c.bold(row.trace)}: ${b} against ${a}: ${verdictColor(cmp.verdict, c)}`];
  if (cmp.verdict === 'incomplete') {
    for (const [label, r] of [[a, row.results[cmp.reference]!], [b, row.results[cmp.candidate]!]] as const) {
      if (!r.completed) lines.push(c.red(`  ${label} stopped early at trace line ${num(r.stopped?.line ?? 0)}: ${r.stopped?.reason ?? 'unknown reason'}`));
    }
  }
  lines.push(...section(`New in ${b} (failing on ${b}, not on ${a})`, cmp.new, (k) => keyedLines(k, c), c.red));
  lines.push(...section(`Fixed in ${b} (failing on ${a}, not on ${b})`, cmp.fixed, (k) => keyedLines(k, c), c.green));
  lines.push(...section(`Failing on both with other values (${a} → ${b})`, cmp.changed, (v) => changedLines(v, a, b), c.yellow));
  lines.push(...eventLines(cmp, a, b, c));
  return lines;
}

function section<T>(title: string, list: readonly T[], render: (item: T) => string[], color: (s: string) => string): string[] {
  if (list.length === 0) return [];
  const lines = [`  ${color(title)}: ${num(list.length)}`];
  for (const item of list.slice(0, SHOWN)) lines.push(...render(item));
  if (list.length > SHOWN) lines.push(`    … ${num(list.length - SHOWN)} more in --json`);
  return lines;
}

function keyedLines(k: KeyedChange, c: ChalkInstance): string[] {
  return [`    ${describe(k.divergence)}`, c.dim(`      key ${k.key}`)];
}

function changedLines(v: ValueChange, a: string, b: string): string[] {
  const value = (d: Divergence | EventDivergence): string => ('register' in d ? hex(d.actual) : d.actual);
  return [`    ${describe(v.reference)}`, `      ${a}: ${value(v.reference)}; ${b}: ${value(v.candidate)}`];
}

/** One failing divergence against the recording, read or event, in a line. */
function describe(d: Divergence | EventDivergence): string {
  const phase = d.phase === undefined ? '' : ` (${d.phase})`;
  if ('register' in d) {
    const fields = d.fields.length === 0 ? '' : `: ${d.fields.map((f) => `${f.field} ${f.expected}→${f.actual}`).join(', ')}`;
    return `line ${num(d.line)}${phase} ${d.register} ${d.class}: recorded ${hex(d.expected)}, got ${hex(d.actual)}${fields}`;
  }
  return `${d.class}${phase} ${placeText(d)}: ${d.subject}: recorded ${d.expected}, got ${d.actual}`;
}

function eventLines(cmp: BuildComparison, a: string, b: string, c: ChalkInstance): string[] {
  const events = cmp.events;
  if (!events.compared) return [c.dim(`  Device events of ${a} and ${b} not compared: ${events.note ?? 'no reason given'}`)];
  const shifted = events.shiftedTimers === undefined ? '' : `; ${shiftedTimersNote(events.shiftedTimers)}`;
  if (events.differences.length === 0) return [c.dim(`  Device events: the same on ${a} and ${b} (${num(events.events)} compared${shifted})`)];
  const same = cmp.readsIdentical ? `; every read returned the same value on both, so the device state the driver saw is the same` : '';
  const lines = [`  ${c.yellow(`Device events that differ between ${a} and ${b}`)}: ${num(events.differences.length)} of ${num(events.events)} compared${same}${shifted}`];
  for (const d of events.differences.slice(0, SHOWN)) {
    lines.push(`    ${d.class}${d.phase === undefined ? '' : ` (${d.phase})`} ${placeText(d)}: ${c.bold(d.subject)}`, `      ${a}: ${d.expected}; ${b}: ${d.actual}`);
    for (const f of d.fields) lines.push(`      ${d.subject}.${f.field}: ${a} ${f.expected}, ${b} ${f.actual}`);
  }
  if (events.differences.length > SHOWN) lines.push(`    … ${num(events.differences.length - SHOWN)} more in --json`);
  return lines;
}

function verdictLine(report: MatrixReport, c: ChalkInstance): string {
  const all = report.traces.flatMap((t) => t.comparisons.map((cmp) => ({ trace: t.trace, cmp })));
  const count = (v: string): number => all.filter((x) => x.cmp.verdict === v).length;
  const tally = `${num(count('regressed'))} regressed, ${num(count('changed'))} changed, ${num(count('same'))} the same, ${num(count('incomplete'))} incomplete`;
  const text = {
    SAME: 'no build differs from the reference',
    CHANGED: 'builds differ from the reference, none has a failing divergence the reference does not',
    REGRESSED: 'a build has failing divergences the reference does not',
    INCOMPLETE: 'a replay stopped early',
  }[report.verdict];
  const color = report.verdict === 'SAME' ? c.green : report.verdict === 'CHANGED' ? c.yellow : c.red;
  return `${color(`Result: ${report.verdict} (${text})`)}; comparisons: ${tally}`;
}

/** What a build comparison's `shiftedTimers` counts, for the text and HTML reports. */
export function shiftedTimersNote(count: number): string {
  return `${plural(count, 'throttling-timer event')} one stretch of time apart not counted (markers time: where a short timer fires depends on wall time)`;
}
