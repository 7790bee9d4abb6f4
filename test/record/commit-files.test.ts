// All or nothing: the files of a recording appear together, and a failure leaves none of them
// (and no staging file) behind.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitFiles } from '../../src/record/commit-files.js';

const dir = mkdtempSync(join(tmpdir(), 'igb-replay-commit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('commitFiles', () => {
  it('copies and writes every file, replacing an older version, with no staging file left', async () => {
    const source = join(dir, 'source.log');
    writeFileSync(source, 'trace bytes\n');
    writeFileSync(join(dir, 'out.json'), 'old sidecar');
    await commitFiles([
      { path: join(dir, 'out.log'), content: { copyFrom: source } },
      { path: join(dir, 'out.json'), content: { text: '{"new": true}\n' } },
    ]);
    expect(readFileSync(join(dir, 'out.log'), 'utf8')).toBe('trace bytes\n');
    expect(readFileSync(join(dir, 'out.json'), 'utf8')).toBe('{"new": true}\n');
    expect(readdirSync(dir).sort()).toEqual(['out.json', 'out.log', 'source.log']);
  });

  it('puts nothing in place when one file cannot be staged', async () => {
    const before = readdirSync(dir).sort();
    const failing = commitFiles([
      { path: join(dir, 'second.json'), content: { text: 'sidecar' } },
      { path: join(dir, 'second.log'), content: { copyFrom: join(dir, 'no-such-file') } },
    ]);
    await expect(failing).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
