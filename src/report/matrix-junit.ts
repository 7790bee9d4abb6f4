// JUnit XML of a replay against several QEMU builds: a <testsuite> per build, a <testcase> per
// trace. As the exit status, failures are regressions: a candidate build's test case fails when it
// has failing divergences the reference build does not (the message names the first, the body
// lists them with their baseline keys); what was fixed or changed, and device events that differ,
// are in <system-out>. The reference build's test cases say how it compares with the recording
// and fail only as errors, when its replay stopped early. Escaping as in junit.ts.

import type { EventDivergence } from '../model/events.js';
import type { BuildComparison, MatrixReport, MatrixTrace } from '../model/matrix-report.js';
import type { Divergence, ReplayResult } from '../model/replay.js';
import { failingDivergences, failingEvents, traceVerdict } from '../model/replay-report.js';
import { escapeXml, escapeXmlText } from './junit.js';
import { hex, plural } from './format.js';

export function renderMatrixJunit(report: MatrixReport): string {
  const suites = report.builds.map((build, index) => suite(report, index, build.label));
  const sum = (key: 'tests' | 'failures' | 'errors'): number => suites.reduce((n, s) => n + s[key], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="igb-replay replay: ${escapeXml(report.builds.map((b) => b.label).join(' vs '))}" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}">`,
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

function suite(report: MatrixReport, index: number, label: string): Suite {
  const build = report.builds[index]!;
  let failures = 0;
  let errors = 0;
  let time = 0;
  const cases = report.traces.flatMap((row) => {
    const result = row.results[index]!;
    time += result.durationMs;
    const comparison = row.comparisons.find((c) => c.candidate === index);
    const open = `    <testcase classname="build.${escapeXml(label)}" name="${escapeXml(row.trace)}" time="${(result.durationMs / 1000).toFixed(3)}">`;
    if (!result.completed) {
      errors++;
      const why = result.stopped === undefined ? 'the replay stopped early' : `stopped at trace line ${result.stopped.line}: ${result.stopped.reason}`;
      return [open, `      <error message="${escapeXml(why)}"/>`, '    </testcase>'];
    }
    if (comparison?.verdict === 'regressed') failures++;
    return [open, ...(comparison === undefined ? referenceBody(report, result) : candidateBody(report, row, comparison)), '    </testcase>'];
  });
  const attrs = `name="${escapeXml(`${label}: ${build.binary}`)}" tests="${report.traces.length}" failures="${failures}" errors="${errors}" skipped="0" time="${(time / 1000).toFixed(3)}"`;
  return { tests: report.traces.length, failures, errors, lines: [`  <testsuite ${attrs}>`, ...cases, '  </testsuite>'] };
}

function referenceBody(report: MatrixReport, r: ReplayResult): string[] {
  const failing = [...failingDivergences(r, report.options), ...failingEvents(r, report.options)];
  const lines = [`reference build; against the recording: ${traceVerdict(r, report.options)} (${plural(failing.length, 'failing divergence')})`, ...failing.map(describe)];
  return [`      <system-out>${escapeXmlText(lines.join('\n'))}</system-out>`];
}

function candidateBody(report: MatrixReport, row: MatrixTrace, cmp: BuildComparison): string[] {
  const a = report.builds[cmp.reference]!.label;
  const b = report.builds[cmp.candidate]!.label;
  const out: string[] = [];
  if (cmp.verdict === 'regressed') {
    const first = cmp.new[0]!;
    const message = `${describe(first.divergence)} (${plural(cmp.new.length, 'failing divergence')} new in ${b} against ${a})`;
    const body = cmp.new.map((k) => `${describe(k.divergence)}\n  key ${k.key}`).join('\n');
    out.push(`      <failure message="${escapeXml(message)}" type="regression">${escapeXmlText(body)}</failure>`);
  }
  const notes = [
    `against ${a}: ${cmp.verdict}; against the recording: ${traceVerdict(row.results[cmp.candidate]!, report.options)}`,
    ...cmp.fixed.map((k) => `fixed in ${b}: ${describe(k.divergence)}`),
    ...cmp.changed.map((v) => `other value in ${b}: ${describe(v.candidate)}`),
    ...cmp.events.differences.map((d) => `device events differ: ${d.class} line ${d.line}: ${d.subject}: ${a}: ${d.expected}; ${b}: ${d.actual}`),
  ];
  out.push(`      <system-out>${escapeXmlText(notes.join('\n'))}</system-out>`);
  return out;
}

function describe(d: Divergence | EventDivergence): string {
  if ('register' in d) return `line ${d.line}: ${d.register} ${d.class}: expected ${hex(d.expected)}, got ${hex(d.actual)}`;
  return `line ${d.line}: ${d.subject} ${d.class}: expected ${d.expected}, got ${d.actual}`;
}
