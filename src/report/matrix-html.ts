// Self-contained HTML of a replay against several QEMU builds: the builds, a trace × build table
// (each cell's result against the recording and its time, then each build against the reference),
// and per trace and build the changes side by side: failing divergences new and fixed (with their
// baseline keys), values that changed, and device events that differ, each with the reference's
// value in one column and the build's in the next. No network, no script; every string from a
// trace goes through escapeHtml (html.ts).

import type { EventDivergence } from '../model/events.js';
import type { BuildComparison, KeyedChange, MatrixReport, MatrixTrace } from '../model/matrix-report.js';
import type { Divergence, ReplayResult } from '../model/replay.js';
import { failingDivergences, failingEvents, traceVerdict } from '../model/replay-report.js';
import { placeText } from './event-description.js';
import { shiftedTimersNote } from './matrix-text.js';
import { escapeHtml } from './html.js';
import { hex, num, plural } from './format.js';

/** Rows of one change table; the rest are in the JSON. */
const MAX_ROWS = 500;

export function renderMatrixHtml(report: MatrixReport): string {
  const labels = report.builds.map((b) => b.label);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>igb-replay: ${report.verdict} — ${escapeHtml(labels.join(' vs '))}, ${plural(report.traces.length, 'trace')}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>igb-replay builds compared <span class="verdict ${report.verdict}">${report.verdict}</span></h1>
<table class="grid"><thead><tr><th>build</th><th>binary</th><th>version</th><th>qtest accelerator</th></tr></thead><tbody>
${report.builds.map((b) => `<tr><th>${escapeHtml(b.label)}</th><td><code>${escapeHtml(b.binary)}</code></td><td>${escapeHtml(b.version)}</td><td>${b.qtestAccelerator ? 'yes' : 'no'}</td></tr>`).join('\n')}
</tbody></table>
${report.timeNote === undefined ? '' : `<p class="note">${escapeHtml(report.timeNote)}</p>`}
<h2>Traces × builds</h2>
${matrixTable(report)}
${report.traces.flatMap((row) => row.comparisons.filter((c) => c.verdict !== 'same').map((c) => comparisonSection(report, row, c))).join('\n')}
</body>
</html>
`;
}

function matrixTable(report: MatrixReport): string {
  const labels = report.builds.map((b) => b.label);
  const head = ['trace', ...labels.map((l) => `${l}: against the recording`), ...labels.slice(1).map((l) => `${l} against ${labels[0]}`)];
  const rows = report.traces.map((row) => `<tr><td><code>${escapeHtml(row.trace)}</code></td>${row.results.map((r) => cell(report, r)).join('')}`
    + `${row.comparisons.map((c) => `<td class="${c.verdict}">${c.verdict}${c.verdict === 'same' ? '' : ` — ${counts(c)}`}</td>`).join('')}</tr>`);
  return `<table class="grid"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

function cell(report: MatrixReport, r: ReplayResult): string {
  const verdict = traceVerdict(r, report.options);
  const failing = `${num(failingDivergences(r, report.options).length)} reads, ${num(failingEvents(r, report.options).length)} events failing`;
  return `<td class="${verdict}">${verdict}<br><small>${failing}; ${(r.durationMs / 1000).toFixed(1)} s</small></td>`;
}

function counts(c: BuildComparison): string {
  return [`${num(c.new.length)} new`, `${num(c.fixed.length)} fixed`, `${num(c.changed.length)} changed`, `${num(c.events.differences.length)} event differences`].join(', ');
}

function comparisonSection(report: MatrixReport, row: MatrixTrace, cmp: BuildComparison): string {
  const a = escapeHtml(report.builds[cmp.reference]!.label);
  const b = escapeHtml(report.builds[cmp.candidate]!.label);
  const readsNote = cmp.readsIdentical ? `<p class="note">Every read returned the same value on ${a} and ${b}: the device state the driver saw is the same.</p>` : '';
  return `<section class="comparison">
<h2><code>${escapeHtml(row.trace)}</code>: ${b} against ${a} <span class="verdict ${cmp.verdict}">${cmp.verdict}</span></h2>
${keyedTable(`New in ${b} (failing on ${b}, not on ${a})`, cmp.new)}
${keyedTable(`Fixed in ${b} (failing on ${a}, not on ${b})`, cmp.fixed)}
${changedTable(cmp, a, b)}
${readsNote}
${eventsTable(cmp, a, b)}
</section>`;
}

function keyedTable(title: string, list: readonly KeyedChange[]): string {
  if (list.length === 0) return '';
  const rows = list.slice(0, MAX_ROWS).map((k) => {
    const d = k.divergence;
    return `<tr><td>${num(d.line)}</td><td>${escapeHtml(d.phase ?? '')}</td><td>${escapeHtml(d.class)}</td><td>${escapeHtml(what(d))}</td>`
      + `<td>${escapeHtml(expected(d))}</td><td>${escapeHtml(actual(d))}</td><td><code>${escapeHtml(k.key)}</code></td></tr>`;
  });
  return `<h3>${title}: ${num(list.length)}</h3>
<table class="grid"><thead><tr><th>line</th><th>phase</th><th>class</th><th>what</th><th>recorded</th><th>got</th><th>baseline key</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>${more(list.length)}`;
}

function changedTable(cmp: BuildComparison, a: string, b: string): string {
  if (cmp.changed.length === 0) return '';
  const rows = cmp.changed.slice(0, MAX_ROWS).map((v) => `<tr><td>${num(v.reference.line)}</td><td>${escapeHtml(what(v.reference))}</td>`
    + `<td>${escapeHtml(expected(v.reference))}</td><td>${escapeHtml(actual(v.reference))}</td><td>${escapeHtml(actual(v.candidate))}</td></tr>`);
  return `<h3>Failing on both with other values: ${num(cmp.changed.length)}</h3>
<table class="grid"><thead><tr><th>line</th><th>what</th><th>recorded</th><th>${a}</th><th>${b}</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>${more(cmp.changed.length)}`;
}

function eventsTable(cmp: BuildComparison, a: string, b: string): string {
  const events = cmp.events;
  if (!events.compared) return `<p class="note">Device events not compared: ${escapeHtml(events.note ?? '')}</p>`;
  const shifted = events.shiftedTimers === undefined ? '' : `; ${escapeHtml(shiftedTimersNote(events.shiftedTimers))}`;
  if (events.differences.length === 0) return `<p class="note">Device events: the same on ${a} and ${b} (${num(events.events)} compared${shifted}).</p>`;
  const rows = events.differences.slice(0, MAX_ROWS).map((d) => `<tr><td>${num(d.line)}</td><td>${escapeHtml(d.phase ?? '')}</td>`
    + `<td>${escapeHtml(placeText(d))}</td><td>${escapeHtml(d.class)}</td><td>${escapeHtml(d.subject)}</td><td>${escapeHtml(d.expected)}</td><td>${escapeHtml(d.actual)}</td>`
    + `<td>${escapeHtml(d.fields.map((f) => `${f.field}: ${f.expected} → ${f.actual}`).join(', '))}</td></tr>`);
  return `<h3>Device events that differ: ${num(events.differences.length)} of ${num(events.events)} compared${shifted}</h3>
<table class="grid"><thead><tr><th>line</th><th>phase</th><th>where</th><th>class</th><th>subject</th><th>${a}</th><th>${b}</th><th>fields (${a} → ${b})</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>${more(events.differences.length)}`;
}

function more(total: number): string {
  return total > MAX_ROWS ? `<p class="note">… ${num(total - MAX_ROWS)} more in the JSON report.</p>` : '';
}

function what(d: Divergence | EventDivergence): string {
  return 'register' in d ? d.register : `${d.subject} ${placeText(d)}`;
}

function expected(d: Divergence | EventDivergence): string {
  return 'register' in d ? hex(d.expected) : d.expected;
}

function actual(d: Divergence | EventDivergence): string {
  return 'register' in d ? hex(d.actual) : d.actual;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1,h2{margin:.4em 0}.verdict{padding:0 .4em;border-radius:4px;color:#fff;background:#7f7f7f}
.SAME,.same,.PASS{background:#2ca02c;color:#fff}.CHANGED,.changed{background:#bcbd22}.REGRESSED,.regressed,.FAIL{background:#d62728;color:#fff}
.INCOMPLETE,.incomplete{background:#ff7f0e}
td.PASS,td.same{background:#e6f4e6;color:#222}td.FAIL,td.regressed{background:#fbe3e3;color:#222}td.changed{background:#f6f6d8}td.INCOMPLETE,td.incomplete{background:#fdebd9}
table{border-collapse:collapse;margin:.3em 0}.grid td,.grid th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
.note{color:#555}code{font-family:ui-monospace,monospace}section.comparison{margin-top:1.5em;border-top:1px solid #ddd}
`;
