// Self-contained HTML report of a replay report (--html): a header, a timeline of the trace with a
// tick per divergence, a heat map of divergences per block × register, the first failing divergence
// with its decoded fields, and a filterable table of every divergence. No network: CSS and JS are
// inline. Trace content is untrusted: every string goes through `escapeHtml`, and the data the
// script reads is JSON in a <script type="application/json"> with `<` written as \u003c.

import { READ_CLASSES, type Divergence, type ReadClass, type ReplayResult } from '../model/replay.js';
import { acceptedCount, failingDivergences, traceVerdict, type ReplayReport, type ReplayReportOptions } from '../model/replay-report.js';
import { hex, num, plural } from './format.js';

const CLASS_COLORS: Readonly<Record<Exclude<ReadClass, 'match'>, string>> = {
  mismatch: '#d62728',
  'unknown-in-target': '#9467bd',
  'poll-never-satisfied': '#ff7f0e',
  volatile: '#7f7f7f',
  'poll-satisfied': '#2ca02c',
  'explained-by-traffic': '#bcbd22',
  'set-up': '#17becf',
};

const TIMELINE_WIDTH = 1000;
const MAX_TABLE_ROWS = 5000;

/** Text safe in HTML content and in quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element: no `<` (so no `</script>` or `<!--`), no U+2028/2029. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function renderHtml(report: ReplayReport): string {
  const options = report.options;
  const verdicts = report.results.map((r) => traceVerdict(r, options));
  const names = report.results.map((r) => r.trace).join(', ');
  const data = { verdict: report.verdict, traces: report.results.map((r, i) => ({ trace: r.trace, verdict: verdicts[i] })) };
  const withBaseline = report.baseline !== undefined;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>igb-replay: ${report.verdict} — ${escapeHtml(names)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>igb-replay <span class="verdict ${report.verdict}">${report.verdict}</span></h1>
${report.results.map((r, i) => section(r, i, verdicts[i]!, options, withBaseline)).join('\n')}
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function section(r: ReplayResult, index: number, v: string, options: ReplayReportOptions, withBaseline: boolean): string {
  const failing = failingDivergences(r, options);
  const stopped = r.stopped === undefined ? ''
    : `<p class="stopped">Stopped early at trace line ${num(r.stopped.line)} (access #${r.stopped.seq}): ${escapeHtml(r.stopped.reason)}</p>`;
  return `<section class="result" id="trace-${index}">
<h2>${escapeHtml(r.trace)} <span class="verdict ${v}">${v}</span></h2>
<dl class="summary">
<dt>Target</dt><dd>${escapeHtml(r.target.binary)} (${escapeHtml(r.target.version)}), -device ${escapeHtml(r.target.device)}</dd>
<dt>Time mode</dt><dd>${escapeHtml(r.target.timeMode)}</dd>
<dt>Replayed</dt><dd>${plural(r.counts.accesses, 'access', 'accesses')}: ${num(r.counts.reads)} reads compared, ${num(r.counts.writes)} writes, `
    + `${num(r.counts.configWrites)} config writes, ${num(r.counts.skipped)} skipped; ${num(r.durationMs)} ms</dd>
<dt>Reads by class</dt><dd>${READ_CLASSES.map((c) => `<span class="cls ${c}">${c} ${num(r.byClass[c])}</span>`).join(' ')}</dd>
<dt>Failing</dt><dd>${plural(failing.length, 'divergence')}${withBaseline ? ` (${num(acceptedCount(r))} accepted by the baseline)` : ''}</dd>
</dl>
${stopped}
<h3>Timeline</h3>
${timeline(r)}
<h3>Heat map (divergences per block × register)</h3>
${heatMap(r.divergences)}
<h3>First failing divergence</h3>
${firstDivergence(failing[0])}
<h3>All divergences (${num(r.divergences.length)})</h3>
${divergenceTable(r.divergences)}
</section>`;
}

function timeline(r: ReplayResult): string {
  const ds = r.divergences;
  const lines = Math.max(1, r.lastLine, r.stopped?.line ?? 0, ...ds.map((d) => d.line));
  const x = (line: number): string => ((Math.max(0, line - 1) / Math.max(1, lines - 1)) * (TIMELINE_WIDTH - 2) + 1).toFixed(1);
  const ticks = ds.map((d) => `<line class="tick" x1="${x(d.line)}" x2="${x(d.line)}" y1="2" y2="30" stroke="${CLASS_COLORS[d.class]}">`
    + `<title>line ${d.line}: ${escapeHtml(d.register)} ${d.class}</title></line>`);
  const legend = Object.entries(CLASS_COLORS).map(([c, color]) => `<span class="key"><i style="background:${color}"></i>${c}</span>`).join(' ');
  // Phases of the recording as alternating bands behind the ticks, named in their tooltips.
  const bands = r.phases.map((p, i) => {
    const x1 = Number(x(p.firstLine));
    const width = Math.max(0.5, Number(x(p.lastLine)) - x1);
    return `<rect class="phase ${p.kind}" x="${x1.toFixed(1)}" y="8" width="${width.toFixed(1)}" height="16" fill="${i % 2 === 0 ? '#dde6f0' : '#eef3f8'}">`
      + `<title>${escapeHtml(`${p.label}: lines ${p.firstLine}–${p.lastLine}, ${p.failing} failing (${p.cause})`)}</title></rect>`;
  });
  return `<svg class="timeline" viewBox="0 0 ${TIMELINE_WIDTH} 46" preserveAspectRatio="none" role="img" aria-label="divergences over trace lines 1 to ${lines}">
<rect x="0" y="8" width="${TIMELINE_WIDTH}" height="16" fill="#e8eef5"/>
${bands.join('\n')}
${ticks.join('\n')}
<text x="0" y="44">line 1</text><text x="${TIMELINE_WIDTH}" y="44" text-anchor="end">line ${num(lines)}</text>
</svg>
<p class="legend">${legend}</p>
${phaseTable(r)}`;
}

/** Phases with their failing divergences, so the timeline's bands can be read by name. */
function phaseTable(r: ReplayResult): string {
  if (r.phases.length === 0) return '';
  const rows = r.phases.map((p) => `<tr class="phase-row${p.failing > 0 ? ' failing' : ''}"><td>${escapeHtml(p.label)}</td>`
    + `<td>${num(p.firstLine)}–${num(p.lastLine)}</td><td>${num(p.reads)}</td><td>${num(p.failing)}</td><td>${escapeHtml(p.cause)}</td></tr>`);
  return `<table class="phases"><thead><tr><th>phase</th><th>lines</th><th>reads</th><th>failing</th><th>started by</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function heatMap(ds: readonly Divergence[]): string {
  if (ds.length === 0) return '<p class="heatmap empty">No divergences.</p>';
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

function firstDivergence(d: Divergence | undefined): string {
  if (d === undefined) return '<p class="first-divergence none">No unexplained divergence.</p>';
  const fields = d.fields.length === 0 ? '<p>No decoded fields differ.</p>'
    : `<table class="fields"><tr><th>field</th><th>expected</th><th>actual</th></tr>${d.fields.map((f) =>
      `<tr><td>${escapeHtml(d.register)}.${escapeHtml(f.field)}</td><td>${f.expected}</td><td>${f.actual}</td></tr>`).join('')}</table>`;
  return `<div class="first-divergence">
<p>Line ${num(d.line)}, access #${d.seq}${d.phase === undefined ? '' : ` (phase ${escapeHtml(d.phase)})`}: <b>${escapeHtml(d.register)}</b> (${d.space} ${hex(d.offset)}, ${escapeHtml(d.block)}) `
    + `<span class="cls ${d.class}">${d.class}</span></p>
<p>expected <code>${hex(d.expected)}</code>, got <code>${hex(d.actual)}</code>: ${escapeHtml(d.reason)}</p>
${fields}
</div>`;
}

function divergenceTable(ds: readonly Divergence[]): string {
  const rows = ds.slice(0, MAX_TABLE_ROWS).map((d) => {
    const fields = d.fields.map((f) => `${f.field} ${f.expected}→${f.actual}`).join(', ');
    const filter = `${d.register} ${d.block} ${d.class} ${d.phase ?? ''}`.toLowerCase();
    return `<tr data-filter="${escapeHtml(filter)}" class="${d.class}${d.accepted === true ? ' accepted' : ''}">`
      + `<td>${d.line}</td><td>${escapeHtml(d.phase ?? '')}</td><td>${escapeHtml(d.register)}</td><td>${escapeHtml(d.block)}</td><td>${d.class}</td>`
      + `<td>${hex(d.expected)}</td><td>${hex(d.actual)}</td><td>${escapeHtml(fields)}</td><td>${escapeHtml(d.reason)}</td></tr>`;
  });
  const more = ds.length > MAX_TABLE_ROWS ? `<p>… ${num(ds.length - MAX_TABLE_ROWS)} more in --json</p>` : '';
  return `<p><input type="search" class="filter" placeholder="Filter by register, block, class or phase" aria-label="filter divergences"></p>
<table class="divergences"><thead><tr><th>line</th><th>phase</th><th>register</th><th>block</th><th>class</th><th>expected</th><th>actual</th><th>fields</th><th>why</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>${more}`;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1,h2{margin:.3em 0}.verdict{padding:0 .4em;border-radius:4px;color:#fff}
.PASS{background:#2ca02c}.FAIL{background:#d62728}.INCOMPLETE{background:#ff7f0e}
.summary{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}.summary dt{font-weight:bold}.summary dd{margin:0}
.cls{padding:0 .3em;border-radius:3px;background:#eee}.stopped{color:#d62728}
.timeline{width:100%;height:60px}.timeline .tick{stroke-width:2}.timeline text{font-size:11px}
.legend .key{margin-right:1em}.legend i{display:inline-block;width:.8em;height:.8em;margin-right:.3em}
.heatmap th{text-align:left;padding-right:1em;vertical-align:top}.heatmap .cell{display:inline-block;margin:1px;padding:1px 4px;border-radius:3px}
table{border-collapse:collapse}.divergences td,.divergences th,.fields td,.fields th{border:1px solid #ccc;padding:2px 6px;text-align:left}
.divergences tr.accepted{opacity:.6}.phases td,.phases th{border:1px solid #ccc;padding:2px 6px;text-align:left}.phases tr.failing td:nth-child(4){color:#d62728;font-weight:bold}.filter{width:24em;padding:3px}code{font-family:ui-monospace,monospace}
`;

// Filters the divergence table rows of the same section by the text typed; reads the embedded data
// only to show it is there (the verdict in the document title is already rendered).
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  document.documentElement.dataset.verdict = data.verdict;
  document.querySelectorAll('section.result').forEach(function (section) {
    var input = section.querySelector('input.filter');
    var rows = section.querySelectorAll('table.divergences tbody tr');
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      rows.forEach(function (row) { row.hidden = q !== '' && row.dataset.filter.indexOf(q) < 0; });
    });
  });
})();
`;
