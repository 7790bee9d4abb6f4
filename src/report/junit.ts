// JUnit XML rendering of a replay report, for CI dashboards: one <testsuite> per trace, one
// <testcase> per register the trace reads (classname = block, name = register) or, with
// `by: 'phase'`, per phase of the recording (classname = phase kind, name = `reset #2`). A test
// case fails when it has a failing divergence not accepted by a baseline; the failure message
// gives the first one and the count. Volatile and accepted divergences pass, with a <system-out> note.
//
// XML is written by hand rather than with a builder library (xmlbuilder2 was considered): the
// document is flat and small, and the one hard part, trace content that XML 1.0 cannot carry at all
// (control characters are illegal even as character references), a builder would reject or pass
// through, so `escapeXml` below has to exist either way. It escapes & < > " ' and replaces
// characters XML 1.0 forbids with a visible `\uXXXX`.

import type { Divergence, ReplayResult } from '../model/replay.js';
import { failsRun, type ReplayReport, type ReplayReportOptions } from '../model/replay-report.js';
import { hex, plural } from './format.js';

export type JunitGrouping = 'register' | 'phase';

export const JUNIT_GROUPINGS: readonly JunitGrouping[] = ['register', 'phase'];

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
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const errors = suites.reduce((n, s) => n + s.errors, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="igb-replay replay" tests="${tests}" failures="${failures}" errors="${errors}">`,
    ...suites.flatMap((s) => s.lines),
    '</testsuites>',
    '',
  ].join('\n');
}

interface Suite {
  readonly tests: number;
  readonly failures: number;
  readonly errors: number;
  readonly lines: string[];
}

/** A test case: its class name and the divergences it covers. */
interface CaseGroup { readonly classname: string; readonly divergences: Divergence[] }

function suite(r: ReplayResult, options: ReplayReportOptions, by: JunitGrouping): Suite {
  const perPhase = by === 'phase';
  const groups = perPhase ? byPhase(r) : byRegister(r);
  const cases: string[] = [];
  let failures = 0;
  for (const [name, g] of groups) {
    const failing = g.divergences.filter((d) => failsRun(d, options));
    if (failing.length > 0) failures++;
    cases.push(...testcase(name, g.classname, failing, g.divergences, perPhase));
  }
  let errors = 0;
  if (!r.completed) {
    errors = 1;
    const why = r.stopped === undefined ? 'the replay stopped early' : `stopped at trace line ${r.stopped.line}: ${r.stopped.reason}`;
    cases.push(`    <testcase classname="replay" name="completed">`, `      <error message="${escapeXml(why)}"/>`, '    </testcase>');
  }
  const tests = groups.size + errors;
  const attrs = `name="${escapeXml(r.trace)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${(r.durationMs / 1000).toFixed(3)}"`;
  return { tests, failures, errors, lines: [`  <testsuite ${attrs}>`, ...cases, '  </testsuite>'] };
}

function byRegister(r: ReplayResult): Map<string, CaseGroup> {
  const groups = new Map<string, CaseGroup>();
  const entry = (register: string, block: string): CaseGroup => {
    let g = groups.get(register);
    if (g === undefined) groups.set(register, g = { classname: block, divergences: [] });
    return g;
  };
  for (const read of r.registersRead) entry(read.register, read.block);
  for (const d of r.divergences) entry(d.register, d.block).divergences.push(d);
  return groups;
}

function byPhase(r: ReplayResult): Map<string, CaseGroup> {
  const groups = new Map<string, CaseGroup>(r.phases.map((p) => [p.label, { classname: `phase.${p.kind}`, divergences: [] }]));
  for (const d of r.divergences) if (d.phase !== undefined) groups.get(d.phase)?.divergences.push(d);
  return groups;
}

function testcase(name: string, classname: string, failing: readonly Divergence[], all: readonly Divergence[], perPhase: boolean): string[] {
  const open = `    <testcase classname="${escapeXml(classname)}" name="${escapeXml(name)}">`;
  const first = failing[0];
  // Per phase, each divergence names its register; per register, the test case's name does.
  const describe = (d: Divergence): string => (perPhase ? `${d.register}: ` : '') + describeDivergence(d);
  if (first !== undefined) {
    const more = ` (${plural(failing.length, 'failing read')} ${perPhase ? 'in' : 'of'} ${name})`;
    const body = all.map(describe).join('\n');
    return [open, `      <failure message="${escapeXml(describe(first) + more)}" type="${escapeXml(first.class)}">${escapeXmlText(body)}</failure>`, '    </testcase>'];
  }
  if (all.length === 0) return [`${open.slice(0, -1)}/>`];
  const notes = all.map((d) => `${d.accepted === true ? 'accepted (baseline): ' : ''}${describe(d)}`);
  return [open, `      <system-out>${escapeXmlText(notes.join('\n'))}</system-out>`, '    </testcase>'];
}

function describeDivergence(d: Divergence): string {
  const fields = d.fields.length === 0 ? '' : `; fields ${d.fields.map((f) => `${f.field} ${f.expected}→${f.actual}`).join(', ')}`;
  return `line ${d.line}: ${d.class}: expected ${hex(d.expected)}, got ${hex(d.actual)}${fields}: ${d.reason}`;
}
