// End-to-end, the built CLI against a real QEMU: a corpus replayed in parallel (order, summary),
// split into shards and merged back, and the exit codes `git bisect run` reads.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReplayReport } from '../../src/model/replay-report.js';
import { removeTempDirs, runCli, tempDir } from './run-cli.js';
import { INIT_TRACE, requireQemu } from '../replay/replay-env.js';

const CORPUS = [join('traces', 'linux-6.12-init.log'), INIT_TRACE, join('traces', 'linux-6.1-e1000e-init.log')];
let qemu: string;

beforeAll(async () => {
  qemu = (await requireQemu()).path;
});

afterAll(removeTempDirs);

function readReport(path: string): ReplayReport {
  return JSON.parse(readFileSync(path, 'utf8')) as ReplayReport;
}

describe('a corpus', () => {
  it('-j 2: results in the order given, and a summary table of each trace\'s result and time', () => {
    const out = join(tempDir(), 'all.json');
    const result = runCli(['replay', ...CORPUS, '-j', '2', '--json', out]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(readReport(out).results.map((r) => r.trace)).toEqual(CORPUS);
    const summary = result.stdout.slice(result.stdout.indexOf('Summary: 3 traces'));
    const rows = CORPUS.map((trace) => summary.split('\n').find((line) => line.trimStart().startsWith(`${trace} `)));
    for (const row of rows) expect(row).toMatch(/ PASS +0 +0 +\d+\.\d s$/);
    expect(summary).toContain('3 passed, 0 failed, 0 incomplete');
  });

  it('--shard: the shards together are the corpus, and merge puts them back in its order', () => {
    const dir = tempDir();
    const shards = [1, 2].map((i) => {
      const out = join(dir, `shard-${i}.json`);
      const result = runCli(['replay', ...CORPUS, '--shard', `${i}/2`, '--json', out]);
      expect(result.status).toBe(0);
      return out;
    });
    const parts = shards.map(readReport);
    expect(parts.map((p) => p.results.length).sort()).toEqual([1, 2]);
    expect(parts.every((p) => p.shard?.count === 2 && p.shard.corpus === 3)).toBe(true);
    const merged = join(dir, 'merged.json');
    const result = runCli(['merge', shards[1]!, shards[0]!, '--json', merged]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Summary: 3 traces');
    const report = readReport(merged);
    expect(report.results.map((r) => r.trace)).toEqual(CORPUS);
    expect(report.verdict).toBe('PASS');
    expect(report.shard).toBeUndefined();
  });

  it('merge refuses an incomplete set of shards, and files that are not reports', () => {
    const dir = tempDir();
    const out = join(dir, 'shard-1.json');
    expect(runCli(['replay', CORPUS[0]!, CORPUS[1]!, '--shard', '1/2', '--json', out]).status).toBe(0);
    const missing = runCli(['merge', out]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('shard 2/2 missing');
    const notReport = runCli(['merge', out, 'traces/linux-6.1-init.json']);
    expect(notReport.status).toBe(2);
    expect(notReport.stderr).toContain('traces/linux-6.1-init.json: not a replay report');
  });

  it('exits 2 for a directory that holds no trace', () => {
    const empty = runCli(['replay', tempDir()]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('no traces in this directory');
  });
});

describe('--bisect exit codes', () => {
  /** SYNTHETIC: answers the binary checks as the real QEMU, but fails to start a machine. */
  function brokenBuild(): string {
    const path = join(tempDir(), 'qemu-system-x86_64');
    writeFileSync(path, `#!/bin/sh\ncase "$1" in --version|-device) exec '${qemu}' "$@";; esac\necho 'synthetic broken build' >&2\nexit 1\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('125 when the build under test does not start (3 without --bisect)', () => {
    const build = brokenBuild();
    expect(runCli(['replay', INIT_TRACE, '--qemu', build]).status).toBe(3);
    const result = runCli(['replay', INIT_TRACE, '--qemu', build, '--bisect']);
    expect(result.status).toBe(125);
    expect(result.stderr).toContain('synthetic broken build');
    expect(result.stderr).toContain('git bisect skips this commit');
    expect(runCli(['replay', INIT_TRACE, '--qemu', '/nonexistent/qemu-system-x86_64', '--bisect']).status).toBe(125);
  });

  it('0 good, 1 bad, 128 for an error that says nothing about the commit', () => {
    expect(runCli(['replay', INIT_TRACE, '--bisect']).status).toBe(0);
    expect(runCli(['replay', INIT_TRACE, '--device', 'e1000e', '--bisect']).status).toBe(1);
    const bad = runCli(['replay', INIT_TRACE, '--device', 'bogus', '--bisect']);
    expect(bad.status).toBe(128);
    expect(bad.stderr).toContain('git bisect stops');
  });
});
