import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, runCli, tempDir } from '../cli/run-cli.js';

afterAll(removeTempDirs);

describe('igb-replay diff (built CLI)', () => {
  it('exits 0 for a trace against itself', () => {
    const r = runCli(['diff', 'traces/linux-6.1-init.log', 'traces/linux-6.1-init.log']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Equivalent: no differences.');
  });

  it('exits 1 when the traces differ, and names the first difference', () => {
    const r = runCli(['diff', 'traces/linux-6.1-init.log', 'traces/linux-6.12-init.log']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('First difference: A:123 B:after 122  only in A: 1 access  [config 0xa8 1/0]');
  });

  it('writes --json FILE atomically; --json -o FILE (deprecated) too, with a note', () => {
    const file = join(tempDir(), 'diff.json');
    const r = runCli(['diff', 'traces/linux-6.1-init.log', 'traces/linux-6.12-init.log', '--json', file, '--no-ignore-volatile']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    const old = runCli(['diff', 'traces/linux-6.1-init.log', 'traces/linux-6.12-init.log', '--json', '-o', `${file}.old`, '--no-ignore-volatile']);
    expect(old.status).toBe(1);
    expect(old.stderr).toMatch(/^igb-replay: warning: `--json -o FILE` is deprecated: write `--json FILE`.*\n$/);
    expect(readFileSync(`${file}.old`, 'utf8')).toBe(readFileSync(file, 'utf8'));
    const json = JSON.parse(readFileSync(file, 'utf8')) as { schema: string; version: number; equivalent: boolean; counts: { changedReads: number } };
    expect(json).toMatchObject({ schema: 'igb-replay/diff', version: 1, equivalent: false });
    expect(json.counts.changedReads).toBeGreaterThan(0);
  });

  it('exits 2 for usage and input errors', () => {
    expect(runCli(['diff', 'traces/linux-6.1-init.log']).status).toBe(2);
    expect(runCli(['diff', 'traces/linux-6.1-init.log', 'traces/missing.log']).status).toBe(2);
    expect(runCli(['diff', 'traces/linux-6.1-init.log', 'traces/linux-6.12-init.log', '--block', 'nope']).status).toBe(2);
    const r = runCli(['diff', 'traces/linux-6.1-init.log', 'traces/linux-6.12-init.log', '--registers', 'STATUZ']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('did you mean');
  });
});
