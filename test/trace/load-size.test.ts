// Whether a load keeps a trace's records in memory (`keepRecords: 'small'`) goes by the size of the
// text, not of the file: the shipped soak recording is gzip-compressed (0.9 MB holding 13 MB), and
// held whole it raised a replay's peak memory by about 30 MB. Real recordings from traces/.
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { textBytes } from '../../src/formats/input-stream.js';
import { loadTrace, STREAM_FROM_BYTES } from '../../src/trace/load.js';

const SOAK = join('traces', 'linux-6.1-soak.log.gz');

describe('the size a load judges by', () => {
  it('is the text\'s for a gzip file (its trailer), the file\'s otherwise', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'igb-replay-size-'));
    try {
      const text = readFileSync('traces/linux-6.1-init.log');
      const gz = join(dir, 'init.log.gz');
      writeFileSync(gz, gzipSync(text));
      expect(await textBytes(gz)).toBe(text.length);
      expect(await textBytes('traces/linux-6.1-init.log')).toBe(text.length);
      expect(await textBytes(join(dir, 'missing.log'))).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('streams the gzipped soak recording instead of holding its records', async () => {
    expect(statSync(SOAK).size).toBeLessThan(STREAM_FROM_BYTES);
    expect(await textBytes(SOAK)).toBeGreaterThan(STREAM_FROM_BYTES);
    const trace = await loadTrace(SOAK, { keepRecords: 'small' });
    expect(trace.records).toBeUndefined();
    expect((await loadTrace('traces/linux-6.1-init.log', { keepRecords: 'small' })).records).toBeDefined();
  }, 60_000);
});
