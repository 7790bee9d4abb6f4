// JUnit XML rendering of a replay report, for CI dashboards: one <testsuite> per trace, one
// <testcase> per register the trace reads (classname = block, name = register) and one per subject
// of the device-event differences (classname `events`, name `MSI-X vector 1`, `ICR`), or, with
// `by: 'phase'`, one per phase of the recording (classname = phase kind, name = `reset #2`) covering
// its reads and its event differences. A test case fails when it has a failing divergence not
// accepted by a baseline; the failure message gives the first one and the count. Volatile,
// explained and accepted ones pass, with a <system-out> note. `replay.device events` says what the
// event check compared and left out (skipped when it compared nothing, with why); the result's
// notices are suite properties, ahead of the test cases.
//
// Event differences are grouped by subject, not by place: subjects (a vector, an interrupt
// register, an event name) carry no line numbers, so a dashboard tracks the same test case from run
// to run, and its name says what to look at.
//
// XML is written by hand rather than with a builder library (xmlbuilder2 was considered): the
// document is flat and small, and the one hard part, trace content that XML 1.0 cannot carry at all
// (control characters are illegal even as character references), a builder would reject or pass
// through, so `escapeXml` below has to exist either way. It escapes & < > " ' and replaces
// characters XML 1.0 forbids with a visible `\uXXXX`.

import type { EventDivergence, EventsResult } from '../model/events.js';
import type { Divergence, ReplayResult } from '../model/replay.js';
import { eventFailsRun, failingFrames, failsRun, type ReplayReport, type ReplayReportOptions } from '../model/replay-report.js';
import { eventLine, fieldsText } from './event-description.js';
import { hex, num, plural } from './format.js';
import { rxNotInjectedLines, rxSummary } from './frames-text.js';
import type { JunitGrouping } from './junit-grouping.js';


// Tab, LF and CR are allowed; other C0 controls, lone surrogates and U+FFFE/U+FFFF are not. With the
// `u` flag a surrogate range matches only unpaired surrogates (a pair is one code point).
// eslint-disable-next-line no-control-regex
const ILLEGAL_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/gu;

/** Text safe in XML content and in double- or single-quoted attributes. */
export function escapeXml(text: string): string {
  // Attribute values normalise newlines and tabs to spaces unless written as references.
  return escapeXmlText(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}

/** Text safe in XML element content (newlines kept as they are, for readable CI logs). */
export function escapeXmlText(text: string): string {
  return text
    .replace(ILLEGAL_XML, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The report as JUnit XML; `by` chooses the test cases: one per register read (default) or per phase of the recording. */
export function renderJunit(report: ReplayReport, by: JunitGrouping = 'register'): string {
  const suites = report.results.map((r) => suite(r, report.options, by));
  const total = (key: 'tests' | 'failures' | 'errors' | 'skipped'): number => suites.reduce((n, s) => n + s[key], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="igb-replay replay" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" skipped="${total('skipped')}">`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Suite {
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
  readonly skipped: number;
  readonly lines: string[];
}

/** One thing a test case covers: a read's divergence or a device-event difference. */
interface CaseItem {
  readonly kind: 'read' | 'event';
  readonly line: number;
  readonly fails: boolean;
  readonly accepted: boolean;
  /** The failure's `type`: the class. */
  readonly type: string;
  /** What it is, for test cases whose name does not say (per phase): `STATUS: `, `events: ICR: `. */
  readonly label: string;
  readonly text: string;
}

interface TestCase {
  readonly classname: string;
  readonly name: string;
  readonly items: CaseItem[];
  /** Whether the items name themselves (per phase) or the test case names them (per register or subject). */
  readonly labelled: boolean;
}

function suite(r: ReplayResult, options: ReplayReportOptions, by: JunitGrouping): Suite {
  const cases = by === 'phase' ? byPhase(r, options) : [...byRegister(r, options), ...bySubject(r, options)];
  const lines = cases.flatMap(testcase);
  const failures = cases.filter((c) => c.items.some((item) => item.fails)).length + (failingFrames(r).length > 0 ? 1 : 0);
  lines.push(...eventsCase(r.events));
  const frames = framesCase(r);
  lines.push(...frames.lines);
  const skipped = (r.events.compared ? 0 : 1) + (frames.skipped ? 1 : 0);
  let errors = 0;
  if (!r.completed) {
    errors = 1;
    const why = r.stopped === undefined ? 'the replay stopped early' : `stopped at trace line ${r.stopped.line}: ${r.stopped.reason}`;
    lines.push(`    <testcase classname="replay" name="completed">`, `      <error message="${escapeXml(why)}"/>`, '    </testcase>');
  }
  const tests = cases.length + 1 + (frames.present ? 1 : 0) + errors;
  const attrs = `name="${escapeXml(r.trace)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${(r.durationMs / 1000).toFixed(3)}"`;
  return { tests, failures, errors, skipped, lines: [`  <testsuite ${attrs}>`, ...properties(r.notices), ...lines, '  </testsuite>'] };
}

/** The data path as one test case: failing with its frame differences, skipped when not replayed. */
function framesCase(r: ReplayResult): { lines: string[]; skipped: boolean; present: boolean } {
  const open = '    <testcase classname="datapath" name="frames">';
  const frames = r.frames;
  // A result from before the data path (an old JSON report) has no such test case.
  if (frames === undefined) return { lines: [], skipped: false, present: false };
  if (frames.status === 'not-replayed') {
    const why = frames.notChecked.join('; ');
    return { lines: [open, `      <skipped message="${escapeXml(why)}"/>`, '    </testcase>'], skipped: true, present: true };
  }
  const failing = failingFrames(r);
  const t = frames.tx;
  const rx = [rxSummary(frames), ...rxNotInjectedLines(frames)].filter((l) => l !== undefined).map((l) => `; ${l}`).join('');
  const writebacks = 'descriptorsReadBack' in t ? `, ${t.descriptorsReadBack} status reports (RS) read back, ${t.descriptorsMatched} with DD` : '';
  const notChecked = frames.notChecked.length === 0 ? '' : `; not checked: ${frames.notChecked.join('; ')}`;
  const out = `TX: ${t.descriptorsSeeded} descriptors seeded, ${t.framesExpected} frames recorded, ${t.framesEmitted} sent, ${t.framesCompared} compared, `
    + `${t.framesMatched} identical${writebacks}${rx}${notChecked}`;
  const lines = [open];
  if (failing.length > 0) {
    const body = failing.map((d) => `line ${d.line} ${d.register}: ${d.class}: ${d.summary}`).join('\n');
    lines.push(`      <failure type="${failing[0]!.class}" message="${escapeXml(`${failing.length} frame difference(s)`)}">${escapeXml(body)}</failure>`);
  }
  lines.push(`      <system-out>${escapeXml(out)}</system-out>`, '    </testcase>');
  return { lines, skipped: false, present: true };
}

/** The result's notices, ahead of the test cases: what the recording cannot show. */
function properties(notices: readonly string[]): string[] {
  if (notices.length === 0) return [];
  return ['    <properties>', ...notices.map((n) => `      <property name="notice" value="${escapeXml(n)}"/>`), '    </properties>'];
}

function readItem(d: Divergence, options: ReplayReportOptions): CaseItem {
  return { kind: 'read', line: d.line, fails: failsRun(d, options), accepted: d.accepted === true, type: d.class, label: `${d.register}: `, text: describeDivergence(d) };
}

function eventItem(d: EventDivergence, options: ReplayReportOptions): CaseItem {
  return { kind: 'event', line: d.line, fails: eventFailsRun(d, options), accepted: d.accepted === true, type: d.class, label: `events: ${d.subject}: `, text: eventLine(d) };
}

function byRegister(r: ReplayResult, options: ReplayReportOptions): TestCase[] {
  const cases = new Map<string, TestCase>();
  const entry = (register: string, block: string): TestCase => {
    let c = cases.get(register);
    if (c === undefined) cases.set(register, c = { classname: block, name: register, items: [], labelled: false });
    return c;
  };
  for (const read of r.registersRead) entry(read.register, read.block);
  for (const d of r.divergences) entry(d.register, d.block).items.push(readItem(d, options));
  return [...cases.values()];
}

/** One test case per subject of the event differences, in order of first appearance. */
function bySubject(r: ReplayResult, options: ReplayReportOptions): TestCase[] {
  const cases = new Map<string, TestCase>();
  for (const d of r.events.divergences) {
    let c = cases.get(d.subject);
    if (c === undefined) cases.set(d.subject, c = { classname: 'events', name: d.subject, items: [], labelled: false });
    c.items.push(eventItem(d, options));
  }
  return [...cases.values()];
}

function byPhase(r: ReplayResult, options: ReplayReportOptions): TestCase[] {
  const cases = new Map<string, TestCase>(r.phases.map((p) => [p.label, { classname: `phase.${p.kind}`, name: p.label, items: [], labelled: true }]));
  for (const d of r.divergences) if (d.phase !== undefined) cases.get(d.phase)?.items.push(readItem(d, options));
  for (const d of r.events.divergences) if (d.phase !== undefined) cases.get(d.phase)?.items.push(eventItem(d, options));
  // Reads and events in trace order; at one line the read comes first (its value, then what it did).
  for (const c of cases.values()) c.items.sort((a, b) => a.line - b.line || (a.kind === b.kind ? 0 : a.kind === 'read' ? -1 : 1));
  return [...cases.values()];
}

function testcase(c: TestCase): string[] {
  const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}">`;
  const describe = (item: CaseItem): string => (c.labelled ? item.label : '') + item.text;
  const failing = c.items.filter((item) => item.fails);
  const first = failing[0];
  if (first !== undefined) {
    const message = `${describe(first)} (${failingCount(failing, c)} ${c.labelled ? 'in' : 'of'} ${c.name})`;
    const body = c.items.map(describe).join('\n');
    return [open, `      <failure message="${escapeXml(message)}" type="${escapeXml(first.type)}">${escapeXmlText(body)}</failure>`, '    </testcase>'];
  }
  if (c.items.length === 0) return [`${open.slice(0, -1)}/>`];
  const notes = c.items.map((item) => `${item.accepted ? 'accepted (baseline): ' : ''}${describe(item)}`);
  return [open, `      <system-out>${escapeXmlText(notes.join('\n'))}</system-out>`, '    </testcase>'];
}

/** `2 failing reads`, `1 failing difference`, `15 failing reads, 2 failing event differences`. */
function failingCount(failing: readonly CaseItem[], c: TestCase): string {
  const reads = failing.filter((item) => item.kind === 'read').length;
  const events = failing.length - reads;
  if (!c.labelled) return reads > 0 ? plural(reads, 'failing read') : plural(events, 'failing difference');
  return [reads > 0 ? plural(reads, 'failing read') : '', events > 0 ? plural(events, 'failing event difference') : ''].filter((s) => s !== '').join(', ');
}

/** What the device-event check compared and left out; skipped, with why, when it compared nothing. */
function eventsCase(events: EventsResult): string[] {
  const open = '    <testcase classname="replay" name="device events">';
  if (!events.compared) return [open, `      <skipped message="${escapeXml(`not compared: ${events.note ?? 'no reason given'}`)}"/>`, '    </testcase>'];
  const excluded = events.tally.excluded.reduce((n, e) => n + e.events, 0);
  const lines = [`${num(events.tally.compared)} events compared, ${num(excluded)} left out:`,
    ...events.tally.excluded.map((e) => `  ${num(e.events)} ${e.reason}`),
    `differences by class: ${Object.entries(events.byClass).map(([cls, n]) => `${cls} ${num(n)}`).join(', ')}`];
  return [open, `      <system-out>${escapeXmlText(lines.join('\n'))}</system-out>`, '    </testcase>'];
}

function describeDivergence(d: Divergence): string {
  const fields = d.fields.length === 0 ? '' : `; fields ${fieldsText(d.fields)}`;
  return `line ${d.line}: ${d.class}: expected ${hex(d.expected)}, got ${hex(d.actual)}${fields}: ${d.reason}`;
}
