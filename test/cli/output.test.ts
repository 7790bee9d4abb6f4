// Output: atomic --output files, backpressure, and a reader that goes away (EPIPE).
import { afterAll, describe, expect, it } from '@jest/globals';
import { createReadStream, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { OutputError } from '../../src/cli/errors.js';
import { Output, ReaderGone, checkJsonTarget, openOutput, writeJson, writeText } from '../../src/cli/output.js';

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

describe('an output that is not a regular file', () => {
  /** A FIFO in a temp dir, as bash's `--json >(jq .)` or a named pipe gives one; resolves with what its reader read. */
  const fifo = (): { path: string; read: Promise<string> } => {
    const path = join(tempDir(), 'pipe');
    execFileSync('mkfifo', [path]);
    const read = new Promise<string>((resolve, reject) => {
      let text = '';
      createReadStream(path, 'utf8').on('data', (chunk) => { text += String(chunk); }).on('end', () => resolve(text)).on('error', reject);
    });
    return { path, read };
  };

  it('is written in place: a FIFO stays a FIFO and its reader gets the JSON (a temporary file renamed over it would replace it)', async () => {
    const { path, read } = fifo();
    await writeJson(path, { a: 1 }, process.stdout);
    expect(await read).toBe('{\n  "a": 1\n}\n');
    expect(statSync(path).isFIFO()).toBe(true);
    expect(readdirSync(join(path, '..'))).toEqual(['pipe']);
  });

  it('is not read to check that it holds JSON (reading a FIFO would wait for a writer)', async () => {
    const { path, read } = fifo();
    await expect(checkJsonTarget(path)).resolves.toBeUndefined();
    await writeText(path, 'x\n', process.stdout, 0o755);
    expect(await read).toBe('x\n');
    expect(statSync(path).mode & 0o777).not.toBe(0o755);
  });

  it('through a symbolic link: the file it points to is replaced, the link stays', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'real.json'), '{}\n');
    symlinkSync('real.json', join(dir, 'link.json'));
    await writeJson(join(dir, 'link.json'), { b: 2 }, process.stdout);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real.json'), 'utf8')).toBe('{\n  "b": 2\n}\n');
    expect(readdirSync(dir).sort()).toEqual(['link.json', 'real.json']);
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
