// `parse`'s summary takes a fast path: the records are not kept and no device event carries its
// text (src/trace/load.ts, QemuLogOptions.eventText), so the reader makes no string per event line.
// It must give exactly what the full parser's records give: checked on every shipped trace and on
// synthetic edge cases of the input (CRLF, no final newline, a line cut off at the end, gzip).

import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TraceSummaryBuilder, type RegisterNames } from '../../src/analysis/trace-summary.js';
import { registersFor } from '../../src/regs/index.js';
import { loadTrace } from '../../src/trace/load.js';

const names: RegisterNames = registersFor('igb');
const dir = mkdtempSync(join(tmpdir(), 'igb-replay-fast-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The summary, line stats, device and MAC as `parse` gets them: the fast path. */
async function fastPath(path: string, lenient = false): Promise<unknown> {
  const summary = new TraceSummaryBuilder(names);
  const trace = await loadTrace(path, { keepRecords: false, sink: summary, lenient });
  return { summary: summary.result(), stats: trace.read.stats, device: trace.device, mac: trace.mac };
}

/** The same from the full parser's records, every event with its text. */
async function fullParser(path: string, lenient = false): Promise<unknown> {
  const trace = await loadTrace(path, { keepRecords: true, lenient });
  const summary = new TraceSummaryBuilder(names);
  for (const record of trace.records ?? []) {
    if (record.type === 'access') summary.access(record);
    else summary.marker(record);
  }
  expect(trace.records?.some((r) => r.events.some((e) => e.text !== ''))).toBe(true);
  return { summary: summary.result(), stats: trace.read.stats, device: trace.device, mac: trace.mac };
}

const shipped = readdirSync('traces').filter((name) => name.endsWith('.log')).sort();

describe('the summary fast path agrees with the full parser', () => {
  it.each(shipped)('on the shipped trace %s', async (name) => {
    const path = join('traces', name);
    expect(await fastPath(path)).toEqual(await fullParser(path));
  });

  const init = readFileSync(join('traces', 'linux-6.1-init-ts.log'), 'latin1');
  const lines = init.split('\n').slice(0, 3000);
  const cases: [string, string | Buffer][] = [
    ['CRLF line ends', lines.join('\r\n')],
    ['no newline after the last line', lines.join('\n')],
    ['a last line cut off mid-event', `${lines.join('\n')}\ne1000e_core_read Read from register 0x`],
    ['a cut-off line and CRLF, lenient', `${lines.join('\r\n')}\r\ne1000e_core_write Write to reg`],
    ['gzip', gzipSync(Buffer.from(`${lines.join('\n')}\n`, 'latin1'))],
  ];
  it.each(cases)('on synthetic input: %s', async (name, content) => {
    const path = join(dir, `${name.replace(/\W+/g, '-')}.log`);
    writeFileSync(path, content);
    const lenient = name.includes('lenient') || name.includes('cut off');
    expect(await fastPath(path, lenient)).toEqual(await fullParser(path, lenient));
  });
});
