// Transports must not lose what QEMU says before anyone listens: QEMU writes its QMP greeting as
// soon as the connection is accepted, and the launcher attaches the QMP client only once the qtest
// connection is in too (issue #13).
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { StreamTransport, createMemoryTransportPair, type Transport, type TransportClosed } from '../../src/target/transport.js';
import { UnixSocketListener } from '../../src/target/unix-socket.js';
import { settle } from './memory-peer.js';

const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything a transport reports, in the order it reports it. */
function record(transport: Transport): string[] {
  const seen: string[] = [];
  transport.onData((chunk) => seen.push(`data:${chunk}`));
  transport.onClose((closed: TransportClosed) => seen.push(`close:${closed.error?.message ?? 'clean'}`));
  return seen;
}

describe('a transport whose listener attaches late', () => {
  it('keeps data that arrived before the first listener and delivers it first, in order', async () => {
    const [a, b] = createMemoryTransportPair();
    a.write('greeting\n');
    a.write('second\n');
    await settle();
    const seen: string[] = [];
    b.onData((chunk) => seen.push(chunk));
    a.write('third\n');
    await settle();
    expect(seen).toEqual(['greeting\n', 'second\n', 'third\n']);
  });

  it('tells a late listener about a close, after the data that came before it', async () => {
    const [a, b] = createMemoryTransportPair();
    a.write('last words\n');
    a.fail(new Error('connection reset'));
    await settle();
    expect(b.closed).toBe(true);
    const seen = record(b);
    expect(seen).toEqual([]); // delivered on a microtask, not inside the subscribe call
    await settle();
    expect(seen).toEqual(['data:last words\n', 'close:clean']);
  });

  it('delivers kept data before a close that happens while it is still queued', async () => {
    const input = new PassThrough();
    const transport = new StreamTransport(input, new PassThrough());
    input.write('early');
    await settle();
    const seen = record(transport);
    transport.close(); // before the microtask that hands over the backlog
    await settle();
    expect(seen).toEqual(['data:early', 'close:clean']);
  });

  it('a data listener that attaches after the close still gets the data', async () => {
    const input = new PassThrough();
    const transport = new StreamTransport(input, new PassThrough());
    input.end('said before dying');
    await settle();
    expect(transport.closed).toBe(true);
    const seen = record(transport);
    await settle();
    expect(seen).toEqual(['data:said before dying', 'close:clean']);
  });
});

describe('an accepted unix socket', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'transport-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a greeting sent at once by the peer until the client attaches, as QMP does', async () => {
    const listener = await UnixSocketListener.listen(join(dir, 'qmp.sock'));
    const peer = createConnection(listener.path);
    try {
      const accepted = listener.accept({ timeoutMs: 5000 });
      peer.on('connect', () => peer.write('{"QMP": {}}\r\n'));
      const transport = await accepted;
      // The launcher is busy elsewhere (waiting for the qtest connection) while the greeting lands.
      await later(50);
      const seen = record(transport);
      await settle();
      expect(seen).toEqual(['data:{"QMP": {}}\r\n']);
      peer.end();
      await later(50);
      expect(seen).toEqual(['data:{"QMP": {}}\r\n', 'close:clean']);
    } finally {
      peer.destroy();
      listener.close();
    }
  });
});
