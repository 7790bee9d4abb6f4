// A file of many read chunks (the reader reuses one buffer for all of them) gives exactly the
// records and counts of the same bytes arriving from a stream in fresh buffers of another size.
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Access, Marker } from '../../src/model/access.js';
import { readTrace, type ReadTraceOptions } from '../../src/formats/read-trace.js';

async function digest(path: string, options: ReadTraceOptions = {}): Promise<{ digest: string; records: number; stats: unknown }> {
  const hash = createHash('sha256');
  let records = 0;
  const add = (record: Access | Marker): void => {
    hash.update(JSON.stringify(record));
    records++;
  };
  const result = await readTrace(path, { access: add, marker: add }, options);
  const stats = { ...result.stats, otherEvents: [...result.stats.otherEvents], deviceEvents: [...result.stats.deviceEvents] };
  return { digest: hash.digest('hex'), records, stats };
}

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield Buffer.from(bytes.subarray(i, i + size));
}

describe('a trace of many read chunks', () => {
  it('gives the same records and counts from a file as from a stream', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'igb-replay-large-'));
    try {
      const file = join(dir, 'big.log');
      const corpus = Buffer.concat(readdirSync('traces').filter((n) => n.endsWith('.log')).sort()
        .map((n) => readFileSync(join('traces', n))));
      // About 11 MB, ending without a newline to test the last line too.
      for (let i = 0; i < 2; i++) appendFileSync(file, corpus);
      appendFileSync(file, 'e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080483');
      const fromFile = await digest(file);
      const fromStream = await digest('-', { stdin: Readable.from(pieces(readFileSync(file), 100_003)) });
      expect(fromFile.records).toBeGreaterThan(20000);
      expect(fromFile).toEqual(fromStream);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
