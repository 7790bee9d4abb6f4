// The recorder's host sink, spoken to over the loopback the way the guest does through slirp:
// TCP `put`/`get N` as busybox nc sends them (half-close at the end of input), and TFTP as
// busybox tftp sends it (RFC 1350 with the blksize and tsize options).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { parseRequest, TftpSession } from '../../src/record/tftp-sink.js';
import { startHostSink, type HostSink } from '../../src/record/host-sink.js';

const op = (message: Buffer): number => message.readUInt16BE(0);
const block = (message: Buffer): number => message.readUInt16BE(2);
const request = (code: number, name: string, ...options: string[]): Buffer =>
  Buffer.concat([Buffer.from([0, code]), Buffer.from([name, 'octet', ...options].map((field) => `${field}\0`).join(''))]);
const data = (number: number, length: number): Buffer => Buffer.concat([Buffer.from([0, 3, number >> 8, number & 0xff]), Buffer.alloc(length)]);
const ack = (number: number): Buffer => Buffer.from([0, 4, number >> 8, number & 0xff]);

describe('TftpSession (the protocol, no sockets)', () => {
  it('parses a request\'s name and options, option names case-insensitively', () => {
    const { name, options } = parseRequest(request(1, 'get-10', 'BLKSIZE', '1024', 'tsize', '0').subarray(2));
    expect(name).toBe('get-10');
    expect([...options]).toEqual([['blksize', '1024'], ['tsize', '0']]);
  });

  it('a put without options: ACK 0, then an ACK per block until a short one', () => {
    const session = new TftpSession();
    expect(session.receive('c', request(2, 'put')).map(block)).toEqual([0]);
    expect(session.receive('c', data(1, 512)).map(block)).toEqual([1]);
    expect(session.receive('c', data(1, 512)).map(block)).toEqual([1]); // a repeat is acknowledged, not counted
    expect(session.receive('c', data(2, 100)).map(block)).toEqual([2]);
    expect(session.stats).toEqual({ puts: 1, gets: 0, bytesIn: 612, bytesOut: 0 });
  });

  it('a get with blksize: OACK, then blocks of that size, ending with an empty one for an exact multiple', () => {
    const session = new TftpSession();
    const [oack] = session.receive('c', request(1, 'get-2048', 'blksize', '1024', 'tsize', '0'));
    expect(op(oack!)).toBe(6);
    expect(oack!.subarray(2).toString('latin1')).toBe('blksize\u00001024\u0000tsize\u00002048\u0000');
    const lengths = [0, 1, 2].map((n) => session.receive('c', ack(n))[0]!.length - 4);
    expect(lengths).toEqual([1024, 1024, 0]);
    expect(session.receive('c', ack(3))).toEqual([]);
    expect(session.stats).toEqual({ puts: 0, gets: 1, bytesIn: 0, bytesOut: 2048 });
  });

  it('refuses a read of anything but get-N', () => {
    const [reply] = new TftpSession().receive('c', request(1, 'etc-passwd'));
    expect(op(reply!)).toBe(5);
    expect(reply!.toString('latin1')).toContain('ask for get-N');
  });
});

describe('startHostSink (real sockets on 127.0.0.1)', () => {
  let sink: HostSink;
  beforeAll(async () => { sink = await startHostSink(); });
  afterAll(async () => { await sink.close(); });

  /** Sends `input`, half-closes like busybox nc, and collects the reply. */
  function nc(input: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(sink.port, '127.0.0.1', () => socket.end(input));
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
    });
  }

  it('TCP put: counts what follows the command line and answers with the count', async () => {
    const reply = await nc(Buffer.concat([Buffer.from('put\n'), Buffer.alloc(100_000, 1)]));
    expect(reply.toString()).toBe('received 100000\n');
  });

  it('TCP get N: sends exactly N bytes', async () => {
    expect((await nc(Buffer.from('get 70000\n'))).length).toBe(70_000);
  });

  it('TFTP on the same port number: a get of 1500 bytes in 512-byte blocks', async () => {
    const socket: Socket = createSocket('udp4');
    const received: number[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', (message, from) => {
        if (op(message) !== 3) return reject(new Error(`unexpected opcode ${op(message)}`));
        received.push(message.length - 4);
        socket.send(ack(block(message)), from.port, from.address);
        if (message.length - 4 < 512) resolve();
      });
      socket.send(request(1, 'get-1500'), sink.port, '127.0.0.1');
    });
    socket.close();
    expect(received).toEqual([512, 512, 476]);
    expect(sink.stats()).toMatchObject({ tcp_connections: 2, tcp_bytes_out: 70_000 + 'received 100000\n'.length, udp_gets: 1, udp_bytes_out: 1500 });
  });
});
