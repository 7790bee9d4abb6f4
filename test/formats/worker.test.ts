// Large files are read and scanned in a worker thread (dist/ build only); the records must be
// exactly those of in-thread parsing. Runs the built code, which `npm test` builds first.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DIGEST_SCRIPT = `
  import { createHash } from 'node:crypto';
  const { readTrace } = await import(process.env.READ_TRACE_MODULE);
  const hash = createHash('sha256');
  let records = 0;
  const sink = { access(a) { hash.update(JSON.stringify(a)); records++; }, marker(m) { hash.update(JSON.stringify(m)); records++; } };
  const result = await readTrace(process.env.DIGEST_FILE, sink, {});
  const stats = { ...result.stats, otherEvents: [...result.stats.otherEvents], deviceEvents: [...result.stats.deviceEvents] };
  console.log(JSON.stringify({ digest: hash.digest('hex'), records, worker: result.scannedInWorker, stats }));
`;

function digest(file: string, noWorker: boolean): { digest: string; records: number; worker: boolean; stats: unknown } {
  const script = join(dirname(file), 'digest.mjs');
  writeFileSync(script, DIGEST_SCRIPT);
  const env = {
    ...process.env, IGB_REPLAY_NO_WORKER: noWorker ? '1' : '0', DIGEST_FILE: file,
    READ_TRACE_MODULE: pathToFileURL(resolve('dist/src/formats/read-trace.js')).href,
  };
  const run = spawnSync(process.execPath, [script], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`digest failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { digest: string; records: number; worker: boolean; stats: unknown };
}

describe('worker-thread scanning of large files', () => {
  it('gives the same records and counts as in-thread parsing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'igb-replay-worker-'));
    try {
      const file = join(dir, 'big.log');
      const corpus = Buffer.concat(readdirSync('traces').filter((n) => n.endsWith('.log')).sort()
        .map((n) => readFileSync(join('traces', n))));
      // Over the worker threshold (8 MiB), ending without a newline to test the last line too.
      for (let i = 0; i < 2; i++) appendFileSync(file, corpus);
      appendFileSync(file, 'e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080483');
      const inWorker = digest(file, false);
      const inThread = digest(file, true);
      expect(inWorker.worker).toBe(true);
      expect(inThread.worker).toBe(false);
      expect(inWorker.records).toBeGreaterThan(20000);
      expect(inWorker).toEqual({ ...inThread, worker: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
