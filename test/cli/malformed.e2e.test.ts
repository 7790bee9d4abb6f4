// End-to-end: a real trace with one corrupted e1000e_core_read line (a SYNTHETIC corruption made
// here in a temp file): strict mode stops with file:LINE, --lenient skips and counts it.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, runCli, tempDir, traceText } from './run-cli.js';

afterAll(removeTempDirs);

const lines = traceText('linux-6.1-init').split('\n');
const index = lines.findIndex((l) => l.startsWith('e1000e_core_read '));
const corrupted = lines[index]!.replace(/value: 0x[0-9a-f]+$/, 'value: 0xZZ');
const lineNo = index + 1;
const dir = tempDir();
const path = join(dir, 'corrupt.log');
writeFileSync(path, [...lines.slice(0, index), corrupted, ...lines.slice(index + 1)].join('\n'), 'latin1');

describe('a malformed device line', () => {
  it('stops parse with exit 2, naming file:LINE and quoting the line', () => {
    expect(corrupted).toMatch(/value: 0xZZ$/);
    const result = runCli(['parse', path]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${path}:${lineNo}:`);
    expect(result.stderr).toContain(corrupted);
    expect(result.stderr).toContain('--lenient');
  });

  it('does the same for the streaming outputs and leaves no --output file behind', () => {
    const result = runCli(['parse', path, '--jsonl']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${path}:${lineNo}:`);
    const outDir = tempDir();
    const withOutput = runCli(['parse', path, '--csv', '-o', join(outDir, 'x.csv')]);
    expect(withOutput.status).toBe(2);
    expect(readdirSync(outDir)).toEqual([]);
  });

  it('is skipped and counted with --lenient', () => {
    const result = runCli(['parse', path, '--lenient']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('1 malformed line skipped');
    expect(result.stdout).toContain(`${path}:${lineNo}:`);
  });

  it('is reported on stderr with --lenient --jsonl, where stdout is data', () => {
    const result = runCli(['parse', path, '--lenient', '--jsonl']);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('1 malformed line skipped');
    expect(result.stdout.split('\n')[0]).toMatch(/^\{"type":"marker"/);
  });
});
