// Joining shard reports, on SYNTHETIC reports (only the fields merging reads; results are stubs
// named by trace): corpus order restored, every shard required exactly once, options and builds
// required to agree, verdicts recomputed.
import { describe, expect, it } from '@jest/globals';
import { checkReport, mergeMatrixReports, mergeReplayReports } from '../../src/corpus/merge.js';
import type { MatrixReport } from '../../src/model/matrix-report.js';
import type { ReplayResult } from '../../src/model/replay.js';
import type { ReplayReport } from '../../src/model/replay-report.js';

function result(trace: string, completed = true): ReplayResult {
  return { trace, completed, divergences: [], events: { divergences: [] } } as unknown as ReplayResult;
}

function shardReport(index: number, count: number, traces: [string, number][], strict = false): { file: string; report: ReplayReport } {
  return {
    file: `shard-${index}.json`,
    report: {
      schema: 'igb-replay/replay-report', version: 1, options: { strict }, verdict: 'PASS',
      results: traces.map(([t]) => result(t)), shard: { index, count, corpus: 5, positions: traces.map(([, p]) => p) },
    },
  };
}

describe('mergeReplayReports', () => {
  const one = shardReport(1, 2, [['a.log', 0], ['c.log', 2], ['e.log', 4]]);
  const two = shardReport(2, 2, [['b.log', 1], ['d.log', 3]]);

  it('puts the shards back in corpus order, whatever order they are given in', () => {
    const merged = mergeReplayReports([two, one]);
    expect(merged.results.map((r) => r.trace)).toEqual(['a.log', 'b.log', 'c.log', 'd.log', 'e.log']);
    expect(merged).toMatchObject({ schema: 'igb-replay/replay-report', verdict: 'PASS' });
    expect(merged.shard).toBeUndefined();
  });

  it('recomputes the verdict from the results', () => {
    const stopped = { ...two, report: { ...two.report, results: [result('b.log', false), result('d.log')] } };
    expect(mergeReplayReports([one, stopped]).verdict).toBe('INCOMPLETE');
  });

  it('refuses a missing shard, a repeated one, one of another split, and other options', () => {
    expect(() => mergeReplayReports([one])).toThrow('shard 2/2 missing');
    expect(() => mergeReplayReports([one, two, { ...one, file: 'again.json' }])).toThrow('again.json: shard 1/2 is also in shard-1.json');
    expect(() => mergeReplayReports([one, shardReport(2, 3, [['b.log', 1]])])).toThrow('does not belong with shard-1.json');
    expect(() => mergeReplayReports([one, shardReport(2, 2, [['b.log', 1]], true)])).toThrow('replayed with --strict');
    const whole = { file: 'whole.json', report: { ...two.report, shard: undefined } };
    expect(() => mergeReplayReports([one, whole])).toThrow('whole.json: has no shard information');
  });

  it('joins whole runs in the order given', () => {
    const a = { file: 'a.json', report: { ...one.report, shard: undefined } };
    const b = { file: 'b.json', report: { ...two.report, shard: undefined } };
    expect(mergeReplayReports([b, a]).results.map((r) => r.trace)).toEqual(['b.log', 'd.log', 'a.log', 'c.log', 'e.log']);
  });
});

describe('mergeMatrixReports', () => {
  function matrix(index: number, version: string, traces: [string, number][]): { file: string; report: MatrixReport } {
    return {
      file: `m-${index}.json`,
      report: {
        schema: 'igb-replay/matrix-report', version: 1, options: { strict: false }, verdict: 'SAME',
        builds: [{ label: 'A', binary: '/a', version: 'QEMU 10.0.2', qtestAccelerator: true }, { label: 'B', binary: '/b', version, qtestAccelerator: true }],
        traces: traces.map(([trace]) => ({ trace, results: [result(trace), result(trace)], comparisons: [{ verdict: index === 2 ? 'regressed' : 'same' }] })),
        shard: { index, count: 2, corpus: 3, positions: traces.map(([, p]) => p) },
      } as unknown as MatrixReport,
    };
  }

  it('joins rows in corpus order and recomputes the verdict', () => {
    const merged = mergeMatrixReports([matrix(2, 'QEMU 10.1.0', [['b.log', 1]]), matrix(1, 'QEMU 10.1.0', [['a.log', 0], ['c.log', 2]])]);
    expect(merged.traces.map((t) => t.trace)).toEqual(['a.log', 'b.log', 'c.log']);
    expect(merged.verdict).toBe('REGRESSED');
  });

  it('refuses shards of other builds', () => {
    expect(() => mergeMatrixReports([matrix(1, 'QEMU 10.1.0', [['a.log', 0]]), matrix(2, 'QEMU 9.2.0', [['b.log', 1]])])).toThrow('m-2.json: compares other builds');
  });
});

describe('checkReport', () => {
  it('names the file of anything that is not a version 1 report', () => {
    expect(() => checkReport('x.json', { schema: 'igb-replay/baseline', version: 1 })).toThrow('x.json: not a replay report (schema "igb-replay/baseline", version 1)');
    expect(() => checkReport('y.json', { schema: 'igb-replay/replay-report', version: 2 })).toThrow('y.json: not a replay report');
    expect(() => checkReport('z.json', [])).toThrow('z.json: not a replay report');
  });
});
