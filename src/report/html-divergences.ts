// The HTML report's views of what differed in one trace: the heat map of read divergences per
// block × register, the first failing divergence (a read's, or a device event's when one comes
// first) with its decoded fields, and the table of every read divergence and event difference in
// trace order, with a kind column (read, config, event) the page filters on.

import type { EventDivergence } from '../model/events.js';
import type { Divergence, FieldDifference } from '../model/replay.js';
import { differenceText, fieldsText, placeLabel, placeText } from './event-description.js';
import { hex, num } from './format.js';
import { escapeHtml } from './html-escape.js';

const MAX_TABLE_ROWS = 5000;

export function heatMap(ds: readonly Divergence[]): string {
  if (ds.length === 0) return '<p class="heatmap empty">No read divergences.</p>';
  const blocks = new Map<string, Map<string, number>>();
  for (const d of ds) {
    const regs = blocks.get(d.block) ?? new Map<string, number>();
    regs.set(d.register, (regs.get(d.register) ?? 0) + 1);
    blocks.set(d.block, regs);
  }
  const max = Math.max(...[...blocks.values()].flatMap((regs) => [...regs.values()]));
  const rows = [...blocks].sort((a, b) => a[0].localeCompare(b[0])).map(([block, regs]) => {
    const cells = [...regs].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([reg, count]) => {
      const alpha = (0.15 + 0.85 * Math.log1p(count) / Math.log1p(max)).toFixed(2);
      return `<span class="cell" style="background:rgba(214,39,40,${alpha})" title="${escapeHtml(`${block} / ${reg}: ${count}`)}">`
        + `${escapeHtml(reg)} <b>${num(count)}</b></span>`;
    });
    return `<tr><th>${escapeHtml(block)}</th><td>${cells.join('')}</td></tr>`;
  });
  return `<table class="heatmap">${rows.join('\n')}</table>`;
}

/**
 * The first failing read divergence or event difference, whichever the trace shows first (at one
 * line the read: its value comes before what it did). When an event comes first, the first failing
 * read follows it: the two usually tell different stories.
 */
export function firstDivergence(read: Divergence | undefined, event: EventDivergence | undefined): string {
  if (read === undefined && event === undefined) return '<p class="first-divergence none">No unexplained divergence.</p>';
  if (event === undefined || (read !== undefined && read.line <= event.line)) return readPanel(read!, 'first-divergence');
  const after = read === undefined ? '' : `\n<p>The first failing read comes later:</p>\n${readPanel(read, 'first-read-divergence')}`;
  return `${eventPanel(event)}${after}`;
}

function readPanel(d: Divergence, cls: string): string {
  return `<div class="${cls} read">
<p>Line ${num(d.line)}, access #${d.seq}${phaseText(d.phase)}: <b>${escapeHtml(d.register)}</b> (${d.space} ${hex(d.offset)}, ${escapeHtml(d.block)}) `
    + `<span class="cls ${d.class}">${d.class}</span></p>
<p>expected <code>${hex(d.expected)}</code>, got <code>${hex(d.actual)}</code>: ${escapeHtml(d.reason)}</p>
${fieldsTable(d.register, d.fields)}
</div>`;
}

function eventPanel(d: EventDivergence): string {
  return `<div class="first-divergence event">
<p>Device event${d.place.kind === 'start' ? '' : `, line ${num(d.line)}`}${phaseText(d.phase)}: <b>${escapeHtml(d.subject)}</b> <span class="ecls ${d.class}">${d.class}</span></p>
<p>${escapeHtml(placeText(d))}: ${escapeHtml(differenceText(d))}</p>
<p>${escapeHtml(d.reason)}</p>
${fieldsTable(d.subject, d.fields)}
</div>`;
}

function phaseText(phase: string | undefined): string {
  return phase === undefined ? '' : ` (phase ${escapeHtml(phase)})`;
}

function fieldsTable(owner: string, fields: readonly FieldDifference[]): string {
  if (fields.length === 0) return '<p>No decoded fields differ.</p>';
  return `<table class="fields"><tr><th>field</th><th>expected</th><th>actual</th></tr>${fields.map((f) =>
    `<tr><td>${escapeHtml(owner)}.${escapeHtml(f.field)}</td><td>${f.expected}</td><td>${f.actual}</td></tr>`).join('')}</table>`;
}

type Kind = 'read' | 'config' | 'event';

interface Row { readonly line: number; readonly kind: Kind; readonly html: string }

/** Every read divergence and event difference in trace order; the kind column and the filters say which is which. */
export function divergenceTable(ds: readonly Divergence[], es: readonly EventDivergence[]): string {
  const all = [...ds.map(readRow), ...es.map(eventRow)]
    .sort((a, b) => a.line - b.line || (a.kind === 'event' ? 1 : 0) - (b.kind === 'event' ? 1 : 0));
  const rows = all.slice(0, MAX_TABLE_ROWS).map((row) => row.html);
  const more = all.length > MAX_TABLE_ROWS ? `<p>… ${num(all.length - MAX_TABLE_ROWS)} more in --json</p>` : '';
  return `<p><input type="search" class="filter" placeholder="Filter by register, subject, block, place, class or phase" aria-label="filter divergences">
<select class="kind-filter" aria-label="kind"><option value="">all kinds</option><option value="read">read</option><option value="config">config</option><option value="event">event</option></select></p>
<table class="divergences"><thead><tr><th>line</th><th>kind</th><th>phase</th><th>register / subject</th><th>block / place</th><th>class</th><th>expected</th><th>actual</th><th>fields</th><th>why</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>${more}`;
}

function readRow(d: Divergence): Row {
  const kind: Kind = d.space === 'pci-config' ? 'config' : 'read';
  const cells = [String(d.line), kind, d.phase ?? '', d.register, d.block, d.class, hex(d.expected), hex(d.actual), fieldsText(d.fields), d.reason];
  return { line: d.line, kind, html: row(kind, d.class, d.accepted === true, `${d.register} ${d.block} ${d.class} ${d.phase ?? ''}`, cells) };
}

function eventRow(d: EventDivergence): Row {
  const place = placeLabel(d);
  const cells = [String(d.line), 'event', d.phase ?? '', d.subject, place, d.class, d.expected, d.actual, fieldsText(d.fields), d.reason];
  return { line: d.line, kind: 'event', html: row('event', d.class, d.accepted === true, `${d.subject} ${place} ${d.class} ${d.phase ?? ''}`, cells) };
}

const CELL_CLASSES = ['line', 'kind', 'phase', 'what', 'where', 'class', 'expected', 'actual', 'fields', 'why'];

function row(kind: Kind, cls: string, accepted: boolean, filter: string, cells: readonly string[]): string {
  const tds = cells.map((text, i) => `<td class="${CELL_CLASSES[i]!}">${escapeHtml(text)}</td>`).join('');
  return `<tr data-kind="${kind}" data-filter="${escapeHtml(filter.toLowerCase())}" class="${kind} ${cls}${accepted ? ' accepted' : ''}">${tds}</tr>`;
}
