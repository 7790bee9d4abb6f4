// End-to-end: the built CLI's --baseline/--update-baseline against a real QEMU. e1000e lacks much of
// what the igb driver needs, so linux-6.1-init.log against it gives hundreds of failing divergences.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BaselineSummary } from '../../src/model/replay-report.js';
import type { BaselineFile } from '../../src/baseline/file.js';
import { removeTempDirs, runCli, tempDir, traceText } from '../cli/run-cli.js';
import { INIT_TRACE, requireQemu } from '../replay/replay-env.js';

beforeAll(async () => {
  await requireQemu();
});

afterAll(removeTempDirs);

function readBaseline(path: string): BaselineFile {
  return JSON.parse(readFileSync(path, 'utf8')) as BaselineFile;
}

function replayWith(baseline: string, json: string): { status: number | null; stdout: string; summary: BaselineSummary } {
  const result = runCli(['replay', INIT_TRACE, '--device', 'e1000e', '--baseline', baseline, '--json', json]);
  return { status: result.status, stdout: result.stdout, summary: (JSON.parse(readFileSync(json, 'utf8')) as { baseline: BaselineSummary }).baseline };
}

describe('replay --baseline (built CLI)', () => {
  const dir = tempDir();
  const baseline = join(dir, 'b.json');

  it('--update-baseline writes the failing divergences and exits 0; then the same run passes', () => {
    const update = runCli(['replay', INIT_TRACE, '--device', 'e1000e', '--update-baseline', '--baseline', baseline]);
    expect(update.status).toBe(0);
    const written = readBaseline(baseline);
    expect(written).toMatchObject({ schema: 'igb-replay/baseline', version: 1 });
    expect(written.accepted.length).toBeGreaterThan(0);
    expect(written.accepted.every((key) => key.startsWith('linux-6.1-init.log|'))).toBe(true);
    expect(new Set(written.accepted).size).toBe(written.accepted.length);

    const run = replayWith(baseline, join(dir, 'all.json'));
    expect(run.status).toBe(0);
    expect(run.summary).toEqual({ file: baseline, accepted: written.accepted.length, new: [], fixed: [] });
    expect(run.stdout).toContain('accepted (baseline)');
    expect(run.stdout).toContain('Result: PASS');
  });

  it('fails with exit 1 on a divergence the baseline does not list, naming its key', () => {
    const accepted = readBaseline(baseline).accepted;
    const removed = accepted[Math.floor(accepted.length / 2)]!;
    const edited = join(dir, 'minus-one.json');
    writeFileSync(edited, JSON.stringify({ ...readBaseline(baseline), accepted: accepted.filter((k) => k !== removed) }));
    const run = replayWith(edited, join(dir, 'minus-one-report.json'));
    expect(run.status).toBe(1);
    expect(run.summary.new).toEqual([removed]);
    expect(run.summary.accepted).toBe(accepted.length - 1);
    expect(run.stdout).toContain(`new    ${removed}`);
    expect(run.stdout).toContain('Result: FAIL (1 new divergence');
  });

  it('reports a baseline entry that no longer occurs as fixed, and still exits 0', () => {
    const fake = 'linux-6.1-init.log|CTRL|mismatch|RST#0';
    const edited = join(dir, 'plus-fake.json');
    const original = readBaseline(baseline);
    writeFileSync(edited, JSON.stringify({ ...original, accepted: [...original.accepted, fake] }));
    const run = replayWith(edited, join(dir, 'plus-fake-report.json'));
    expect(run.status).toBe(0);
    expect(run.summary.fixed).toEqual([fake]);
    expect(run.summary.new).toEqual([]);
    expect(run.stdout).toContain(`fixed  ${fake}`);
  });

  it('still accepts everything when the trace gained lines (keys have no line numbers)', () => {
    const moved = join(tempDir(), 'linux-6.1-init.log');
    writeFileSync(moved, `pci_cfg_read unrelated line\n\n${traceText('linux-6.1-init')}`, 'latin1');
    const result = runCli(['replay', moved, '--device', 'e1000e', '--baseline', baseline, '--json', join(dir, 'moved.json')]);
    expect(result.status).toBe(0);
    const summary = (JSON.parse(readFileSync(join(dir, 'moved.json'), 'utf8')) as { baseline: BaselineSummary }).baseline;
    expect(summary).toMatchObject({ accepted: readBaseline(baseline).accepted.length, new: [], fixed: [] });
  });

  it('exits 2 naming the file when the baseline is missing or invalid, before starting QEMU', () => {
    const missing = runCli(['replay', INIT_TRACE, '--baseline', join(dir, 'nope.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.json: cannot read: ENOENT');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schema":"igb-replay/baseline","version":1,"accepted":"x"}');
    const invalid = runCli(['replay', INIT_TRACE, '--baseline', bad]);
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain('bad.json: "accepted" must be an array');
  });

  it('--update-baseline without --baseline is a usage error', () => {
    const result = runCli(['replay', INIT_TRACE, '--update-baseline']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--update-baseline needs --baseline FILE');
  });
});
