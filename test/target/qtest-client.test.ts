import { describe, it, expect } from '@jest/globals';
import { QtestClient } from '../../src/target/qtest-client.js';
import type { IrqEvent } from '../../src/target/qtest-protocol.js';
import {
  ProtocolError, QtestArgumentError, QtestCommandError, TargetClosedError, TargetTimeoutError,
} from '../../src/target/errors.js';
import { MemoryPeer, settle } from './memory-peer.js';

function setup(timeoutMs?: number): { peer: MemoryPeer; client: QtestClient } {
  const peer = new MemoryPeer();
  return { peer, client: new QtestClient(peer.client, { timeoutMs }) };
}

const hex16 = (n: number): string => `0x${n.toString(16).padStart(16, '0')}`;

describe('QtestClient', () => {
  it('pipelines requests and matches replies in FIFO order', async () => {
    const { peer, client } = setup();
    const reads = [0, 4, 8, 12].map((offset) => client.readl(0xfeba0000 + offset));
    const write = client.writel(0xfeba0020, 0x04201340);
    const port = client.inl(0xcfc);
    // All six were issued before any reply: they went out in a single write.
    expect(await peer.waitForLines(6)).toEqual([
      'readl 0xfeba0000', 'readl 0xfeba0004', 'readl 0xfeba0008', 'readl 0xfeba000c',
      'writel 0xfeba0020 0x4201340', 'inl 0xcfc',
    ]);
    expect(peer.writes).toHaveLength(1);
    expect(client.inFlight).toBe(6);
    peer.send(`OK ${hex16(1)}\nOK ${hex16(2)}\nOK ${hex16(3)}\nOK ${hex16(0x80080481)}\nOK\nOK 0x10c98086\n`);
    expect(await Promise.all(reads)).toEqual([1, 2, 3, 0x80080481]);
    await expect(write).resolves.toBeUndefined();
    await expect(port).resolves.toBe(0x10c98086);
    expect(client.inFlight).toBe(0);
  });

  it('resolves a batch as a typed tuple, sent in one write', async () => {
    const { peer, client } = setup();
    const batch = client.sendBatch([
      { op: 'readq', addr: 0x1000 },
      { op: 'outl', port: 0xcf8, value: 0x80001000 },
      { op: 'read', addr: 0x2000, size: 2 },
      { op: 'endianness' },
    ]);
    await peer.waitForLines(4);
    expect(peer.writes).toHaveLength(1);
    peer.send('OK 0xffffffffffffffff\nOK\nOK 0xbeef\nOK little\n');
    const [q, out, bytes, endian] = await batch;
    expect(q).toBe(0xffff_ffff_ffff_ffffn);
    expect(out).toBeUndefined();
    expect(bytes).toEqual(new Uint8Array([0xbe, 0xef]));
    expect(endian).toBe('little');
    await expect(client.sendBatch([])).resolves.toEqual([]);
  });

  it('takes IRQ lines interleaved between replies as events, not replies', async () => {
    const { peer, client } = setup();
    const irqs: IrqEvent[] = [];
    client.onIrq((irq) => irqs.push(irq));
    const a = client.readb(0);
    const b = client.readw(2);
    await peer.waitForLines(2);
    peer.send(`IRQ raise 11\nOK ${hex16(0xab)}\nIRQ lower 11\nIRQ raise 4\nOK ${hex16(0xcdef)}\n`);
    expect(await Promise.all([a, b])).toEqual([0xab, 0xcdef]);
    expect(irqs).toEqual([{ action: 'raise', line: 11 }, { action: 'lower', line: 11 }, { action: 'raise', line: 4 }]);
  });

  it('handles replies split at every possible chunk boundary', async () => {
    const { peer, client } = setup();
    const values = Array.from({ length: 20 }, (_, i) => (i * 0x01010101) >>> 0);
    const reads = values.map((_, i) => client.readl(i * 4));
    await peer.waitForLines(values.length);
    const text = values.map((v) => `OK ${hex16(v)}\n`).join('').replace('OK 0x', 'IRQ raise 1\nOK 0x');
    for (let i = 0; i < text.length; i += 7) peer.send(text.slice(i, i + 7));
    expect(await Promise.all(reads)).toEqual(values);
  });

  it('rejects FAIL and ERR replies with QtestCommandError and keeps the connection usable', async () => {
    const { peer, client } = setup();
    const step = client.clockStep(100);
    const write = client.write(0, new Uint8Array([1]));
    const after = client.readl(8);
    await peer.waitForLines(3);
    peer.send(`FAIL Unknown command 'clock_step'\nERR invalid argument size\nOK ${hex16(7)}\n`);
    const error = await step.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QtestCommandError);
    expect(error).toMatchObject({ command: 'clock_step 0x64', reply: "FAIL Unknown command 'clock_step'", code: 'command-failed' });
    await expect(write).rejects.toThrow(/ERR invalid argument size/);
    await expect(after).resolves.toBe(7);
    expect(client.closed).toBe(false);
  });

  it('rejects a batch with the first failure', async () => {
    const { peer, client } = setup();
    const batch = client.sendBatch([{ op: 'readl', addr: 0 }, { op: 'clock_step' }, { op: 'clock_set', ns: 1 }]);
    await peer.waitForLines(3);
    peer.send(`OK ${hex16(0)}\nFAIL first\nFAIL second\n`);
    await expect(batch).rejects.toMatchObject({ reply: 'FAIL first' });
  });

  it('rejects every pending request with TargetClosedError when the transport closes, and later ones too', async () => {
    const { peer, client } = setup();
    const closes: Error[] = [];
    client.onClose((error) => closes.push(error));
    const pending = [client.readl(0), client.readl(4), client.sendBatch([{ op: 'inb', port: 0x60 }])];
    await peer.waitForLines(3);
    peer.send(`OK ${hex16(5)}\n`);
    peer.hangUp();
    await expect(pending[0]).resolves.toBe(5);
    await expect(pending[1]).rejects.toBeInstanceOf(TargetClosedError);
    await expect(pending[2]).rejects.toBeInstanceOf(TargetClosedError);
    await expect(client.readl(8)).rejects.toBeInstanceOf(TargetClosedError);
    expect(closes).toHaveLength(1);
    expect(client.closed).toBe(true);
  });

  it('reports a transport error as the close reason', async () => {
    const { peer, client } = setup();
    const read = client.readl(0);
    await peer.waitForLines(1);
    peer.client.fail(new Error('EPIPE'));
    await expect(read).rejects.toThrow(/qtest connection failed: EPIPE/);
  });

  it('uses describeClose to explain an unexpected close', async () => {
    const peer = new MemoryPeer();
    const client = new QtestClient(peer.client, {
      describeClose: async () => new TargetClosedError('QEMU was killed by SIGKILL', { code: null, signal: 'SIGKILL' }, 'last words'),
    });
    const read = client.readl(0);
    peer.hangUp();
    // A request made while the explanation is pending gets the same error.
    const late = client.readl(4);
    await expect(read).rejects.toMatchObject({ exit: { signal: 'SIGKILL' }, stderrTail: 'last words' });
    await expect(late).rejects.toThrow(/SIGKILL/);
  });

  it('times out: the late request gets TargetTimeoutError, the rest TargetClosedError', async () => {
    const { peer, client } = setup(50);
    const first = client.readl(0);
    const second = client.readl(4, { timeoutMs: 10_000 });
    await peer.waitForLines(2);
    const error = await first.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TargetTimeoutError);
    expect(error).toMatchObject({ command: 'readl 0x0', timeoutMs: 50, code: 'timeout' });
    await expect(second).rejects.toBeInstanceOf(TargetClosedError);
    await expect(second).rejects.toThrow(/cannot be matched/);
    expect(client.closed).toBe(true);
    // A reply arriving after the timeout is not attributed to anything.
    peer.send(`OK ${hex16(1)}\n`);
    await settle();
  });

  it('honours a per-request timeout shorter than the default, even behind the head', async () => {
    const { peer, client } = setup(10_000);
    const head = client.readl(0);
    const short = client.readl(4, { timeoutMs: 30 });
    await peer.waitForLines(2);
    await expect(short).rejects.toBeInstanceOf(TargetTimeoutError);
    await expect(head).rejects.toBeInstanceOf(TargetClosedError);
  });

  it('does not time out requests answered in time', async () => {
    const { peer, client } = setup(40);
    for (let round = 0; round < 5; round += 1) {
      const read = client.readl(round);
      await peer.waitForLines(round + 1);
      peer.send(`OK ${hex16(round)}\n`);
      await expect(read).resolves.toBe(round);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(client.closed).toBe(false);
  });

  it('validates arguments before sending anything, for single commands and whole batches', async () => {
    const { peer, client } = setup();
    await expect(client.writeb(0, 0x100)).rejects.toBeInstanceOf(QtestArgumentError);
    await expect(client.readl(-4)).rejects.toBeInstanceOf(QtestArgumentError);
    await expect(client.command('readl  0x0')).rejects.toBeInstanceOf(QtestArgumentError);
    await expect(client.sendBatch([{ op: 'readl', addr: 0 }, { op: 'outw', port: 0xcfc, value: -1 }]))
      .rejects.toBeInstanceOf(QtestArgumentError);
    await settle();
    expect(peer.received).toEqual([]);
    expect(client.inFlight).toBe(0);
  });

  it('sends raw commands and resolves with the reply payload', async () => {
    const { peer, client } = setup();
    const raw = client.command('irq_intercept_in /machine/q35');
    const bare = client.command('set_irq_in /machine/q35 unnamed-gpio-in 0 1');
    await peer.waitForLines(2);
    peer.send('OK\nOK something\n');
    await expect(raw).resolves.toBe('');
    await expect(bare).resolves.toBe('something');
  });

  it('abandons the connection on an unsolicited or unparsable line', async () => {
    const unsolicited = setup();
    const closed = new Promise<Error>((resolve) => unsolicited.client.onClose(resolve));
    unsolicited.peer.send('OK\n');
    expect(await closed).toBeInstanceOf(TargetClosedError);
    await expect(unsolicited.client.readl(0)).rejects.toThrow(/no request is pending/);

    const garbage = setup();
    const a = garbage.client.readl(0);
    const b = garbage.client.readl(4);
    await garbage.peer.waitForLines(2);
    garbage.peer.send('qemu: something odd\n');
    await expect(a).rejects.toBeInstanceOf(ProtocolError);
    await expect(b).rejects.toBeInstanceOf(TargetClosedError);
  });

  it('rejects only the request whose OK reply has the wrong shape', async () => {
    const { peer, client } = setup();
    const bad = client.readl(0);
    const good = client.readl(4);
    await peer.waitForLines(2);
    peer.send(`OK\nOK ${hex16(9)}\n`);
    await expect(bad).rejects.toBeInstanceOf(ProtocolError);
    await expect(good).resolves.toBe(9);
  });

  it('close() rejects pending requests and is idempotent', async () => {
    const { client } = setup();
    const read = client.readl(0);
    client.close();
    client.close();
    await expect(read).rejects.toThrow(/qtest client closed/);
  });
});
