// JUnit rendering on synthetic results, checked by a real XML parser: well-formed even with hostile
// trace content, one testsuite per trace, one testcase per register read, failures and notes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { READ_CLASSES, type Divergence, type ReadClass, type RegisterRead, type ReplayResult } from '../../src/model/replay.js';
import { escapeXml, renderJunit } from '../../src/report/junit.js';
import { buildReplayReport } from '../../src/replay/report.js';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';
import { INIT_TRACE, requireQemu } from '../replay/replay-env.js';
import { eventsNotCompared } from '../../src/model/events.js';

function divergence(seq: number, register: string, cls: Divergence['class'], overrides: Partial<Divergence> = {}): Divergence {
  return {
    seq, line: seq + 10, space: 'mmio', offset: 8, register, block: 'general', expected: 0x83, actual: 0x3,
    class: cls, reason: 'value differs', fields: [{ field: 'LU', expected: 1, actual: 0 }], ...overrides,
  };
}

const reads: RegisterRead[] = [{ register: 'CTRL', block: 'general', reads: 1 }, { register: 'STATUS', block: 'general', reads: 2 },
  { register: 'SYSTIML', block: 'timesync', reads: 1 }];

function result(divergences: Divergence[], trace = 'traces/t.log', completed = true, registersRead = reads): ReplayResult {
  return {
    schema: 'igb-replay/replay-result', version: 1, trace,
    target: { binary: 'qemu', version: '10', device: 'igb', qtestAccelerator: false, timeMode: 'markers' },
    completed, ...(completed ? {} : { stopped: { seq: 4, line: 14, reason: 'QEMU died <signal & "9">' } }),
    events: eventsNotCompared('synthetic result'), notices: [],
    counts: { accesses: 0, reads: 0, writes: 0, configWrites: 0, configReads: 0, skipped: 0, markers: 0, timeAdvances: 0, linkChanges: 0, polls: 0 },
    byClass: Object.fromEntries(READ_CLASSES.map((c) => [c, 0])) as Record<ReadClass, number>,
    divergences, phases: [], unknownInTarget: [], registersRead, lastLine: 40, durationMs: 1234,
  };
}

interface Case { '@_classname': string; '@_name': string; failure?: { '@_message': string }; 'system-out'?: string }
interface Suite { '@_name': string; '@_tests': string; '@_failures': string; testcase: Case[] }

function parse(xml: string): Suite[] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(xml) as
    { testsuites: { testsuite: Suite[] } };
  return doc.testsuites.testsuite;
}

describe('renderJunit', () => {
  it('has one testcase per register read; failures carry the first divergence and a count', () => {
    const r = result([divergence(1, 'STATUS', 'mismatch'), divergence(2, 'SYSTIML', 'volatile', { fields: [] }), divergence(3, 'STATUS', 'mismatch')]);
    const [suite] = parse(renderJunit(buildReplayReport([r], { strict: false })));
    expect(suite).toMatchObject({ '@_name': 'traces/t.log', '@_tests': '3', '@_failures': '1' });
    expect(suite!.testcase.map((c) => `${c['@_classname']}.${c['@_name']}`)).toEqual(['general.CTRL', 'general.STATUS', 'timesync.SYSTIML']);
    const status = suite!.testcase[1]!;
    expect(status.failure!['@_message']).toBe('line 11: mismatch: expected 0x83, got 0x3; fields LU 1→0: value differs (2 failing reads of STATUS)');
    expect(suite!.testcase[2]!.failure).toBeUndefined();
    expect(suite!.testcase[2]!['system-out']).toContain('volatile');
  });

  it('passes accepted divergences with a note, and reports an incomplete replay as an error', () => {
    const r = result([divergence(1, 'STATUS', 'mismatch')], 'traces/t.log', false);
    const xml = renderJunit(buildReplayReport([r], { strict: false }, { file: 'b.json', accepted: ['t.log|STATUS|mismatch|LU#0'] }));
    const [suite] = parse(xml);
    expect(suite!['@_failures']).toBe('0');
    expect(suite!.testcase[1]!['system-out']).toMatch(/^accepted \(baseline\): line 11/);
    expect(xml).toContain('errors="1"');
    expect(xml).toContain('QEMU died &lt;signal &amp; &quot;9&quot;&gt;');
  });

  it('stays well-formed with hostile names: markup, quotes, control characters, lone surrogates', () => {
    const hostile = 'X"\'<&>]]>\u0000\u0001\u001b\ud800\n\tend';
    const r = result([divergence(1, hostile, 'mismatch', { block: hostile, reason: hostile, fields: [{ field: hostile, expected: 1, actual: 0 }] })], hostile,
      true, [{ register: hostile, block: hostile, reads: 1 }]);
    const [suite] = parse(renderJunit(buildReplayReport([r], { strict: false })));
    const testcase = suite!.testcase[0]!;
    expect(testcase['@_name']).toContain('X"\'<&>]]>\\u0000\\u0001\\u001b\\ud800');
    expect(testcase.failure!['@_message']).toContain('<&>');
  });

  it('escapes the five special characters and keeps ordinary text', () => {
    expect(escapeXml('a&b<c>d"e\'f')).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f');
    expect(escapeXml('RDBAL(0) → ok 😀')).toBe('RDBAL(0) → ok 😀');
  });
});

// End-to-end: `replay --junit` with the built CLI against a real QEMU.
describe('replay --junit (built CLI)', () => {
  beforeAll(async () => {
    await requireQemu();
  });

  afterAll(removeTempDirs);

  it('writes an all-passing report for linux-6.1-init.log against igb', () => {
    const out = join(tempDir(), 'junit.xml');
    expect(runCli(['replay', INIT_TRACE, '--junit', out]).status).toBe(0);
    const [suite] = parse(readFileSync(out, 'utf8'));
    expect(suite!['@_name']).toBe(INIT_TRACE);
    expect(suite!['@_failures']).toBe('0');
    expect(Number(suite!['@_tests'])).toBe(suite!.testcase.length);
    expect(suite!.testcase.map((c) => c['@_name'])).toEqual(expect.arrayContaining(['CTRL', 'STATUS', 'EECD']));
    // Volatile registers pass, with what differed in <system-out>.
    expect(suite!.testcase.find((c) => c['@_name'] === 'SYSTIML')?.['system-out']).toContain('volatile');
  });

  it('with --junit-by phase: one test case per phase of the recording, failing where the divergences are', () => {
    const out = join(tempDir(), 'junit-phases.xml');
    expect(runCli(['replay', INIT_TRACE, '--device', 'e1000e', '--junit', out, '--junit-by', 'phase']).status).toBe(1);
    const [suite] = parse(readFileSync(out, 'utf8'));
    const names = suite!.testcase.map((c) => c['@_name']);
    expect(names.slice(0, 4)).toEqual(['probe', 'nvm-phy-id', 'reset', 'nvm-phy-id #2']);
    expect(names).toContain('traffic');
    const nvm = suite!.testcase.find((c) => c['@_name'] === 'nvm-phy-id');
    expect(nvm!['@_classname']).toBe('phase.nvm-phy-id');
    // The first failing read of the e1000e replay is EECD during NVM identification (line 129).
    expect(nvm!.failure!['@_message']).toMatch(/^EECD: line 129: mismatch: .*\(\d+ failing reads in nvm-phy-id\)$/);
    expect(suite!.testcase.find((c) => c['@_name'] === 'probe')!.failure).toBeUndefined();
    expect(suite!.testcase.filter((c) => c.failure !== undefined).length).toBe(Number(suite!['@_failures']));
  });

  it('reports failing registers against e1000e, with the first divergence', () => {
    const out = join(tempDir(), 'junit.xml');
    expect(runCli(['replay', INIT_TRACE, '--device', 'e1000e', '--junit', out]).status).toBe(1);
    const [suite] = parse(readFileSync(out, 'utf8'));
    const failing = suite!.testcase.filter((c) => c.failure !== undefined);
    expect(failing.length).toBe(Number(suite!['@_failures']));
    expect(failing.map((c) => c['@_name'])).toContain('STATUS');
    const [first] = failing;
    expect(first!.failure!['@_message']).toMatch(
      new RegExp(`^line \\d+: [a-z-]+: expected 0x[0-9a-f]+, got 0x[0-9a-f]+.*\\(\\d+ failing reads? of ${first!['@_name'].replace(/[()]/g, '\\$&')}\\)$`));
  });
});
