// Output: atomic --output files, backpressure, and a reader that goes away (EPIPE).
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { OutputError } from '../../src/cli/errors.js';
import { Output, ReaderGone, openOutput } from '../../src/cli/output.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'igb-replay-output-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('file output', () => {
  it('appears under its name only when complete, with no temporary file left', async () => {
    const dir = tempDir();
    const out = await Output.file(join(dir, 'result.json'));
    out.write('{"a":');
    expect(readdirSync(dir)).not.toContain('result.json');
    out.write('1}\n');
    await out.close();
    expect(readdirSync(dir)).toEqual(['result.json']);
    expect(readFileSync(join(dir, 'result.json'), 'utf8')).toBe('{"a":1}\n');
  });

  it('leaves nothing behind when aborted', async () => {
    const dir = tempDir();
    const out = await Output.file(join(dir, 'result.csv'));
    out.write('half');
    await out.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('fails up front, naming the file, when the directory does not exist', async () => {
    const path = join(tempDir(), 'missing', 'x.csv');
    await expect(openOutput(path, process.stdout)).rejects.toThrow(OutputError);
    await expect(openOutput(path, process.stdout)).rejects.toThrow(path);
  });
});

describe('stream output', () => {
  it('waits for drain when the consumer is behind', async () => {
    const chunks: string[] = [];
    let release: () => void = () => undefined;
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        release = () => callback();
      },
    });
    const out = Output.stdout(slow);
    out.write('0123456789abcdef');
    let ready = false;
    const waiting = out.ready().then(() => { ready = true; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(ready).toBe(false);
    release();
    await waiting;
    expect(ready).toBe(true);
    expect(chunks.join('')).toBe('0123456789abcdef');
  });

  it('turns EPIPE into ReaderGone instead of an uncaught error', async () => {
    const closed = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const out = Output.stdout(closed);
    out.write('line\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.readerGone).toBe(true);
    await expect(out.ready()).rejects.toThrow(ReaderGone);
    out.write('ignored\n');
    await expect(out.close()).rejects.toThrow(ReaderGone);
  });
});
