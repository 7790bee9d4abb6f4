// The peer the guest's TCP and UDP traffic goes to while it is recorded: servers on the host's
// loopback, on one port number for both protocols. slirp forwards the guest's connections and
// datagrams to its gateway 10.0.2.2:PORT to 127.0.0.1:PORT, so nothing leaves this machine; the
// guest learns PORT from the kernel command line (igbrec_port=PORT).
//
// TCP speaks one line first: `put` (the rest of the stream is counted; on the guest's half-close
// the sink answers `received N`) or `get N` (the sink sends N bytes and closes). busybox nc
// half-closes when its input ends, so `nc` alone is the client. UDP is TFTP (tftp-sink.ts).

import { createServer, type Server, type Socket } from 'node:net';
import { listenTftp, type TftpStats } from './tftp-sink.js';

export interface HostSinkStats extends Readonly<Record<string, number>> {
  readonly tcp_connections: number;
  readonly tcp_bytes_in: number;
  readonly tcp_bytes_out: number;
  readonly udp_puts: number;
  readonly udp_gets: number;
  readonly udp_bytes_in: number;
  readonly udp_bytes_out: number;
}

export interface HostSink {
  readonly port: number;
  stats(): HostSinkStats;
  close(): Promise<void>;
}

/** Largest `get N` served: the recordings stay small, and a typo cannot fill the trace. */
const MAX_GET_BYTES = 4 << 20;
/** Tries to find a port free for both TCP and UDP. */
const PORT_TRIES = 20;

interface TcpCounters { connections: number; bytesIn: number; bytesOut: number }

function serveConnection(socket: Socket, counters: TcpCounters): void {
  counters.connections++;
  let head = '';
  let command: string | undefined;
  let received = 0;
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    counters.bytesIn += chunk.length;
    if (command !== undefined) {
      received += chunk.length;
      return;
    }
    head += chunk.toString('latin1');
    const newline = head.indexOf('\n');
    if (newline < 0) return;
    command = head.slice(0, newline).trim();
    received = head.length - newline - 1;
    const get = /^get (\d+)$/.exec(command);
    if (get !== null) {
      const size = Math.min(Number(get[1]), MAX_GET_BYTES);
      const data = Buffer.alloc(size, 0x5a);
      counters.bytesOut += size;
      socket.end(data);
    }
  });
  socket.on('end', () => {
    if (command === 'put') {
      const reply = `received ${received}\n`;
      counters.bytesOut += reply.length;
      socket.end(reply);
    } else if (command === undefined || !command.startsWith('get ')) {
      socket.end(`unknown command ${JSON.stringify(command ?? head)}\n`);
    }
  });
}

/** Open connections, so closing the sink ends them instead of waiting for the guest. */
const openSockets = new WeakMap<Server, Set<Socket>>();

function listenTcp(port: number, counters: TcpCounters): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, counters);
  });
  openSockets.set(server, sockets);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  for (const socket of openSockets.get(server) ?? []) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** TCP on a free port, then UDP on the same number (another port if UDP's is taken). */
export async function startHostSink(): Promise<HostSink> {
  const counters: TcpCounters = { connections: 0, bytesIn: 0, bytesOut: 0 };
  for (let attempt = 0; ; attempt++) {
    const tcp = await listenTcp(0, counters);
    const address = tcp.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const udp = await listenTftp(port);
      const tftp: TftpStats = udp.session.stats;
      return {
        port,
        stats: () => ({
          tcp_connections: counters.connections, tcp_bytes_in: counters.bytesIn, tcp_bytes_out: counters.bytesOut,
          udp_puts: tftp.puts, udp_gets: tftp.gets, udp_bytes_in: tftp.bytesIn, udp_bytes_out: tftp.bytesOut,
        }),
        close: async () => {
          await new Promise<void>((resolve) => udp.socket.close(() => resolve()));
          await closeServer(tcp);
        },
      };
    } catch (error) {
      await closeServer(tcp);
      if (attempt + 1 >= PORT_TRIES) throw error;
    }
  }
}
