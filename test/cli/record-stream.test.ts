// The streaming sinks of parse --jsonl / --csv on SYNTHETIC records, into an in-memory stream.
import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { Output } from '../../src/cli/output.js';
import { csvSink, jsonlSink } from '../../src/cli/record-stream.js';
import { accesses, marker } from '../analysis/synthetic.js';

function memory(): { out: Output; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write(chunk: Buffer, _e, cb) { chunks.push(chunk); cb(); } });
  return { out: Output.stdout(sink), text: () => Buffer.concat(chunks).toString() };
}

const names = (a: { offset: number }): string | undefined => (a.offset === 8 ? 'STATUS' : undefined);

describe('csvSink', () => {
  it('writes the header even when there are no accesses, and nothing before the end', async () => {
    const { out, text } = memory();
    const sink = csvSink(out, names);
    sink.marker(marker('autoneg', -1, 1));
    await out.close();
    expect(text()).toBe('');
    sink.flush();
    await out.close();
    expect(text()).toBe('seq,line,time_us,thread,kind,space,offset,register,size,value,verdict,events\n');
  });

  it('writes one row per access, in order, across batches', async () => {
    const { out, text } = memory();
    const sink = csvSink(out, names);
    const list = accesses(Array.from({ length: 1500 }, (_, i) => ({ offset: i % 2 === 0 ? 8 : 0x4038 })));
    for (const a of list) sink.access(a);
    sink.flush();
    await out.close();
    const rows = text().trimEnd().split('\n');
    expect(rows).toHaveLength(1501);
    expect(rows[1]).toBe('0,1,,,read,mmio,0x8,STATUS,4,0x0,ok,');
    expect(rows[1500]).toBe('1499,1500,,,read,mmio,0x4038,,4,0x0,ok,');
  });
});

describe('jsonlSink', () => {
  it('writes accesses and markers in the order they arrive', async () => {
    const { out, text } = memory();
    const sink = jsonlSink(out, names);
    const [a, b] = accesses([{ offset: 8 }, { offset: 0x10 }]);
    sink.access(a!);
    sink.marker(marker('autoneg', 0, 2));
    sink.access(b!);
    sink.flush();
    await out.close();
    const records = text().trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; name?: string });
    expect(records.map((r) => r.type)).toEqual(['access', 'marker', 'access']);
    expect(records[0]!.name).toBe('STATUS');
    expect(records[2]!.name).toBeUndefined();
  });
});
