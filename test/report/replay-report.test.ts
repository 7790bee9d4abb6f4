// The replay report on SYNTHETIC results: one object built from the results and a baseline, with
// the verdict and the accepted divergences marked, that the text, JUnit and HTML renderers agree on.
import { describe, expect, it } from '@jest/globals';
import { Chalk } from 'chalk';
import { READ_CLASSES, ZERO_COUNTS, type Divergence, type ReadClass, type ReplayResult } from '../../src/model/replay.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderReplayReport } from '../../src/report/replay-text.js';
import { buildReplayReport } from '../../src/replay/report.js';
import { eventsNotCompared } from '../../src/model/events.js';

const plain = new Chalk({ level: 0 });

function divergence(seq: number, register: string, cls: Divergence['class']): Divergence {
  return {
    seq, line: seq + 10, space: 'mmio', offset: 8, register, block: 'general', expected: 0x83, actual: 0x3,
    class: cls, reason: 'value differs', fields: [{ field: 'LU', expected: 1, actual: 0 }],
  };
}

function result(divergences: Divergence[], trace = 'traces/t.log', completed = true): ReplayResult {
  return {
    schema: 'igb-replay/replay-result', version: 1, trace,
    target: { binary: 'qemu', version: '10', device: 'igb', qtestAccelerator: false, timeMode: 'markers' },
    completed, ...(completed ? {} : { stopped: { seq: 4, line: 14, reason: 'QEMU died' } }),
    events: eventsNotCompared('synthetic result'), notices: [],
    counts: ZERO_COUNTS,
    byClass: Object.fromEntries(READ_CLASSES.map((c) => [c, 0])) as Record<ReadClass, number>,
    divergences, phases: [], unknownInTarget: [], registersRead: [{ register: 'STATUS', block: 'general', reads: 3 }],
    lastLine: 40, durationMs: 1,
  };
}

const failing = result([divergence(1, 'STATUS', 'mismatch'), divergence(2, 'SYSTIML', 'volatile'), divergence(3, 'STATUS', 'mismatch')]);

describe('buildReplayReport', () => {
  it('gives the verdict over all traces: INCOMPLETE before FAIL before PASS; --strict counts volatile divergences', () => {
    const volatileOnly = result([divergence(2, 'SYSTIML', 'volatile')]);
    expect(buildReplayReport([volatileOnly], { strict: false }).verdict).toBe('PASS');
    expect(buildReplayReport([volatileOnly], { strict: true }).verdict).toBe('FAIL');
    expect(buildReplayReport([volatileOnly, failing], { strict: false }).verdict).toBe('FAIL');
    expect(buildReplayReport([failing, result([], 'traces/u.log', false)], { strict: false }).verdict).toBe('INCOMPLETE');
  });

  it('marks the divergences a baseline accepts, and only those; the results it was given stay as they were', () => {
    const report = buildReplayReport([failing], { strict: false }, { file: 'b.json', accepted: ['t.log|STATUS|mismatch|LU#0'] });
    expect(report.results[0]!.divergences.map((d) => d.accepted === true)).toEqual([true, false, false]);
    expect(failing.divergences.some((d) => d.accepted !== undefined)).toBe(false);
    expect(report.baseline).toEqual({ file: 'b.json', accepted: 1, new: ['t.log|STATUS|mismatch|LU#1'], fixed: [] });
    expect(report.verdict).toBe('FAIL');
    const all = buildReplayReport([failing], { strict: false }, { file: 'b.json', accepted: ['t.log|STATUS|mismatch|LU#0', 't.log|STATUS|mismatch|LU#1'] });
    expect(all.verdict).toBe('PASS');
  });

  it('serializes to the JSON document: schema, options, verdict, results, baseline', () => {
    const report = buildReplayReport([failing], { strict: true }, { file: 'b.json', accepted: ['t.log|STATUS|mismatch|LU#0'] });
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['schema', 'version', 'options', 'verdict', 'results', 'baseline']);
    expect(json).toMatchObject({ schema: 'igb-replay/replay-report', version: 1, options: { strict: true }, verdict: 'FAIL' });
    expect(JSON.stringify(json)).toContain('"accepted":true');
  });
});

describe('renderers of one report', () => {
  const report = buildReplayReport([failing], { strict: false }, { file: 'b.json', accepted: ['t.log|STATUS|mismatch|LU#0'] });

  it('agree on what fails: one new STATUS divergence, one accepted', () => {
    const text = renderReplayReport(report, plain);
    expect(text).toContain('Baseline b.json: 1 divergence accepted (baseline), 1 new, 0 fixed since the baseline');
    expect(text).toContain('Result: FAIL (1 new divergence; 1 accepted (baseline))');
    expect(renderJunit(report)).toContain('failures="1"');
    const html = renderHtml(report);
    expect(html).toContain('<title>igb-replay: FAIL');
    expect(html).toContain('1 read divergence, 0 device-event differences (1 accepted by the baseline)');
  });
});
