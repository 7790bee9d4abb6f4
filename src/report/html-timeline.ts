// The HTML report's timeline of one trace: the recording's phases as bands, a tick per read
// divergence in the upper lane and one per device-event difference in the lower lane (each lane
// with its own colours, so an interrupt that went missing is not mistaken for a read), and the
// phase table that names the bands.

import { EVENT_CLASSES, type EventClass } from '../model/events.js';
import type { ReadClass, ReplayResult } from '../model/replay.js';
import { eventFailsRun, failsRun, type ReplayReportOptions } from '../model/replay-report.js';
import { placeText } from './event-description.js';
import { num } from './format.js';
import { escapeHtml } from './html-escape.js';

export const READ_COLORS: Readonly<Record<Exclude<ReadClass, 'match'>, string>> = {
  mismatch: '#d62728',
  'unknown-in-target': '#9467bd',
  'poll-never-satisfied': '#ff7f0e',
  volatile: '#7f7f7f',
  'poll-satisfied': '#2ca02c',
  'explained-by-traffic': '#bcbd22',
  'set-up': '#17becf',
};

/** Interrupts in strong colours, other events in lighter ones, explained ones as the read lane's. */
export const EVENT_COLORS: Readonly<Record<EventClass, string>> = {
  'interrupt-missing': '#e377c2',
  'interrupt-extra': '#8c564b',
  'cause-differs': '#1f77b4',
  'event-missing': '#ff9896',
  'event-extra': '#c5b0d5',
  'event-differs': '#98df8a',
  'explained-by-traffic': '#dbdb8d',
  'explained-by-frozen-time': '#c7c7c7',
};

const WIDTH = 1000;

export function timeline(r: ReplayResult, options: ReplayReportOptions): string {
  const ds = r.divergences;
  const es = r.events.divergences;
  const lines = Math.max(1, r.lastLine, r.stopped?.line ?? 0, ...ds.map((d) => d.line), ...es.map((d) => d.line));
  const x = (line: number): string => ((Math.max(0, line - 1) / Math.max(1, lines - 1)) * (WIDTH - 2) + 1).toFixed(1);
  const ticks = ds.map((d) => `<line class="tick ${d.class}" x1="${x(d.line)}" x2="${x(d.line)}" y1="2" y2="30" stroke="${READ_COLORS[d.class]}">`
    + `<title>line ${d.line}: ${escapeHtml(d.register)} ${d.class}</title></line>`);
  const eventTicks = es.map((d) => `<line class="event-tick ${d.class}" x1="${x(d.line)}" x2="${x(d.line)}" y1="36" y2="50" stroke="${EVENT_COLORS[d.class]}">`
    + `<title>${escapeHtml(`${d.subject}: ${d.class} ${placeText(d)}`)}</title></line>`);
  const failing = failingByPhase(r, options);
  // Phases of the recording as alternating bands behind the read ticks, named in their tooltips.
  const bands = r.phases.map((p, i) => {
    const x1 = Number(x(p.firstLine));
    const width = Math.max(0.5, Number(x(p.lastLine)) - x1);
    const { reads, events } = failing.get(p.label) ?? NONE;
    return `<rect class="phase ${p.kind}" x="${x1.toFixed(1)}" y="8" width="${width.toFixed(1)}" height="16" fill="${i % 2 === 0 ? '#dde6f0' : '#eef3f8'}">`
      + `<title>${escapeHtml(`${p.label}: lines ${p.firstLine}–${p.lastLine}, ${reads} failing reads, ${events} failing event differences (${p.cause})`)}</title></rect>`;
  });
  return `<svg class="timeline" viewBox="0 0 ${WIDTH} 66" preserveAspectRatio="none" role="img" aria-label="read divergences and device-event differences over trace lines 1 to ${lines}">
<rect x="0" y="8" width="${WIDTH}" height="16" fill="#e8eef5"/>
${bands.join('\n')}
<rect class="event-lane" x="0" y="41" width="${WIDTH}" height="4" fill="#eee"/>
${ticks.join('\n')}
${eventTicks.join('\n')}
<text x="0" y="64">line 1</text><text x="${WIDTH}" y="64" text-anchor="end">line ${num(lines)}</text>
</svg>
${legend()}
${phaseTable(r, failing)}`;
}

function legend(): string {
  const reads = Object.entries(READ_COLORS).map(([c, color]) => `<span class="key"><i style="background:${color}"></i>${c}</span>`).join(' ');
  const events = EVENT_CLASSES.map((c) => `<span class="key event-key"><i style="background:${EVENT_COLORS[c]}"></i>${c}</span>`).join(' ');
  return `<p class="legend">Reads (upper lane): ${reads}</p>\n<p class="legend events">Device events (lower lane): ${events}</p>`;
}

interface PhaseFailing { reads: number; events: number }

const NONE: PhaseFailing = { reads: 0, events: 0 };

/** Failing reads and event differences of each phase, as the verdict counts them (baseline, --strict). */
function failingByPhase(r: ReplayResult, options: ReplayReportOptions): Map<string, PhaseFailing> {
  const counts = new Map<string, PhaseFailing>();
  const of = (phase: string): PhaseFailing => {
    let c = counts.get(phase);
    if (c === undefined) counts.set(phase, c = { reads: 0, events: 0 });
    return c;
  };
  for (const d of r.divergences) if (d.phase !== undefined && failsRun(d, options)) of(d.phase).reads++;
  for (const d of r.events.divergences) if (d.phase !== undefined && eventFailsRun(d, options)) of(d.phase).events++;
  return counts;
}

/** Phases with their failing reads and event differences, so the timeline's bands can be read by name. */
function phaseTable(r: ReplayResult, failing: ReadonlyMap<string, PhaseFailing>): string {
  if (r.phases.length === 0) return '';
  const rows = r.phases.map((p) => {
    const { reads, events } = failing.get(p.label) ?? NONE;
    return `<tr class="phase-row${reads + events > 0 ? ' failing' : ''}"><td>${escapeHtml(p.label)}</td>`
      + `<td>${num(p.firstLine)}–${num(p.lastLine)}</td><td>${num(p.reads)}</td>${countCell(reads)}`
      + `${countCell(events)}<td>${escapeHtml(p.cause)}</td></tr>`;
  });
  return `<table class="phases"><thead><tr><th>phase</th><th>lines</th><th>reads</th><th>failing reads</th><th>failing events</th><th>started by</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function countCell(n: number): string {
  return `<td${n > 0 ? ' class="failing"' : ''}>${num(n)}</td>`;
}
