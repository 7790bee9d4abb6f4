// The closing table of a replay of several traces: each trace's result, failing divergences (reads
// and device events) and how long its replay took, in corpus order, with the totals.

import type { ChalkInstance } from 'chalk';
import { failingDivergences, failingEvents, traceVerdict, type ReplayReport, type ReplayVerdict } from '../model/replay-report.js';
import { num, plural } from './format.js';
import { renderTable } from './table.js';

export function verdictColor(verdict: string, c: ChalkInstance): string {
  if (verdict === 'PASS' || verdict === 'SAME' || verdict === 'same') return c.green(verdict);
  if (verdict === 'CHANGED' || verdict === 'changed') return c.yellow(verdict);
  return c.red(verdict);
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function renderSummary(report: ReplayReport, c: ChalkInstance): string {
  const counts: Record<ReplayVerdict, number> = { PASS: 0, FAIL: 0, INCOMPLETE: 0 };
  const rows = [['trace', 'result', 'failing reads', 'failing events', 'time'], ...report.results.map((r) => {
    const verdict = traceVerdict(r, report.options);
    counts[verdict]++;
    return [r.trace, verdictColor(verdict, c), num(failingDivergences(r, report.options).length), num(failingEvents(r, report.options).length), seconds(r.durationMs)];
  })];
  const total = report.results.reduce((ms, r) => ms + r.durationMs, 0);
  return [
    c.bold(`Summary: ${plural(report.results.length, 'trace')}`),
    ...renderTable(rows, { align: ['left', 'left', 'right', 'right', 'right'] }),
    `${num(counts.PASS)} passed, ${num(counts.FAIL)} failed, ${num(counts.INCOMPLETE)} incomplete; replays took ${seconds(total)} in all`,
    '',
  ].join('\n');
}
