// Self-contained HTML report of a replay report (--html): a header, the recording's notices, a
// timeline of the trace with a tick per read divergence and per device-event difference, the
// device-event tally, a heat map of read divergences per block × register, the first failing
// divergence with its decoded fields, and a filterable table of everything that differed. No
// network: CSS and JS are inline (html-assets.ts). Trace content is untrusted: every string goes
// through `escapeHtml`, and the data the script reads is JSON in a <script type="application/json">
// with `<` written as \u003c.

import { EVENT_CLASSES, type EventsResult } from '../model/events.js';
import { READ_CLASSES, type ReplayResult } from '../model/replay.js';
import { FRAME_CLASSES, type FramesResult } from '../model/frames.js';
import { acceptedCount, failingDivergences, failingEvents, failingFrames, traceVerdict, type ReplayReport, type ReplayReportOptions } from '../model/replay-report.js';
import { countLines } from './counts-text.js';
import { num, plural } from './format.js';
import { rxNotInjectedLines, rxSummary } from './frames-text.js';
import { STYLE, SCRIPT } from './html-assets.js';
import { divergenceTable, firstDivergence, heatMap } from './html-divergences.js';
import { escapeHtml, scriptJson } from './html-escape.js';
import { timeline } from './html-timeline.js';

export { escapeHtml, scriptJson } from './html-escape.js';

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
  const failingEvent = failingEvents(r, options);
  const stopped = r.stopped === undefined ? ''
    : `<p class="stopped">Stopped early at trace line ${num(r.stopped.line)} (access #${r.stopped.seq}): ${escapeHtml(r.stopped.reason)}</p>`;
  const notices = r.notices.map((n) => `<p class="notice"><b>Notice:</b> ${escapeHtml(n)}</p>`).join('\n');
  const everything = r.divergences.length + r.events.divergences.length;
  return `<section class="result" id="trace-${index}">
<h2>${escapeHtml(r.trace)} <span class="verdict ${v}">${v}</span></h2>
${notices}
<dl class="summary">
<dt>Target</dt><dd>${escapeHtml(r.target.binary)} (${escapeHtml(r.target.version)}), -device ${escapeHtml(r.target.device)}${r.target.placement === undefined ? '' : ` ${escapeHtml(r.target.placement)}`}</dd>
<dt>Time mode</dt><dd>${escapeHtml(r.target.timeMode)}</dd>
${countsRows(r)}
<dt>Reads by class</dt><dd>${READ_CLASSES.map((c) => `<span class="cls ${c}">${c} ${num(r.byClass[c])}</span>`).join(' ')}</dd>
<dt>Failing</dt><dd>${plural(failing.length, 'read divergence')}, ${plural(failingEvent.length, 'device-event difference')}${r.frames === undefined ? '' : `, ${plural(failingFrames(r).length, 'frame difference')}`}`
    + `${withBaseline ? ` (${num(acceptedCount(r) + r.events.divergences.filter((d) => d.accepted === true).length)} accepted by the baseline)` : ''}</dd>
</dl>
${stopped}
<h3>Timeline</h3>
${timeline(r, options)}
<h3>Device events (interrupts, EIxx, mailbox, link) against the recording</h3>
${eventsTally(r.events)}
${r.frames === undefined ? '' : `<h3>Data path: frames the target sent for the recorded descriptors, against the capture</h3>
${framesSection(r.frames)}
`}<h3>Heat map (read divergences per block × register)</h3>
${heatMap(r.divergences)}
<h3>First failing divergence</h3>
${firstDivergence(failing[0], failingEvent[0])}
<h3>Everything that differed (${num(everything)}: ${num(r.divergences.length)} reads, ${num(r.events.divergences.length)} device events)</h3>
${divergenceTable(r.divergences, r.events.divergences)}
</section>`;
}

/** What the data path seeded and compared, what it skipped and does not check, and the frame differences. */
function framesSection(frames: FramesResult): string {
  const notChecked = frames.notChecked.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n');
  if (frames.status === 'not-replayed') return `<ul class="frames not-replayed">${notChecked}</ul>`;
  const t = frames.tx;
  const skipped = frames.skipped.map((s) => `<li>${plural(s.packets, 'packet')} (${plural(s.frames, 'frame')}, first at line ${num(s.firstLine)}): ${escapeHtml(s.reason)}</li>`).join('\n');
  const rows = frames.divergences.map((d) => `<tr class="${d.accepted === true ? 'accepted' : 'failing'}"><td>${num(d.line)}</td><td>${escapeHtml(d.register)}</td>`
    + `<td>${escapeHtml(d.class)}</td><td>${d.captureIndex === undefined ? '' : num(d.captureIndex)}</td><td>${escapeHtml(d.summary)}</td></tr>`).join('\n');
  return `<p class="frames">TX: ${plural(t.handoffs, 'tail write')}, ${plural(t.descriptorsSeeded, 'descriptor')} seeded, ${plural(t.packetsSeeded, 'packet')} rebuilt from the capture; `
    + `${num(t.framesExpected)} frames recorded, ${num(t.framesEmitted)} sent by the target, ${num(t.framesCompared)} compared, ${num(t.framesMatched)} identical.</p>
${[rxSummary(frames), ...rxNotInjectedLines(frames)].filter((l) => l !== undefined).map((l) => `<p class="frames">${escapeHtml(l)}.</p>`).join('\n')}
<p>${FRAME_CLASSES.map((c) => `<span class="fcls ${c}">${c} ${num(frames.byClass[c] ?? 0)}</span>`).join(' ')}</p>
${skipped === '' ? '' : `<p>Skipped:</p><ul>${skipped}</ul>`}
<p>Not checked:</p><ul>${notChecked}</ul>
${rows === '' ? '' : `<table class="frames"><thead><tr><th>line</th><th>tail</th><th>class</th><th>capture frame</th><th>what differs</th></tr></thead><tbody>${rows}</tbody></table>`}`;
}

/** The text report's three totals, the same sentences (report/counts-text.ts). */
function countsRows(r: ReplayResult): string {
  const lines = countLines(r.counts);
  const c = r.counts;
  return `<dt>Trace</dt><dd class="count-trace">${escapeHtml(lines.trace)}</dd>
<dt>Sent</dt><dd class="count-sent">${escapeHtml(lines.sent)}; ${plural(c.timeAdvances, 'time advance')}, ${plural(c.linkChanges, 'host link change')}; ${num(r.durationMs)} ms</dd>
<dt>Compared</dt><dd class="count-compared">${escapeHtml(lines.compared)}</dd>`;
}

/** What the event check compared, what it left out and why, and the differences by class. */
function eventsTally(events: EventsResult): string {
  if (!events.compared) return `<p class="events-tally not-compared">Not compared: ${escapeHtml(events.note ?? 'no reason given')}</p>`;
  const excluded = events.tally.excluded.reduce((n, e) => n + e.events, 0);
  const reasons = events.tally.excluded.map((e) => `<tr><td>${num(e.events)}</td><td>${escapeHtml(e.reason)}</td></tr>`).join('\n');
  const classes = EVENT_CLASSES.map((c) => `<span class="ecls ${c}">${c} ${num(events.byClass[c])}</span>`).join(' ');
  return `<div class="events-tally">
<p>${plural(events.tally.compared, 'event')} compared (recording and target together), ${num(excluded)} left out:</p>
<table class="excluded"><tbody>${reasons}</tbody></table>
<p class="by-class">Differences by class: ${classes}</p>
</div>`;
}
