import { describe, it, expect } from '@jest/globals';
import { QmpClient, type QmpEvent } from '../../src/target/qmp-client.js';
import { QmpCommandError, TargetClosedError, TargetTimeoutError } from '../../src/target/errors.js';
import { MemoryPeer, settle } from './memory-peer.js';

const GREETING = '{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": "Debian"}, "capabilities": ["oob"]}}\r\n';

/** Plays QEMU's side of the handshake and returns the connected client. */
async function connected(timeoutMs?: number): Promise<{ peer: MemoryPeer; client: QmpClient }> {
  const peer = new MemoryPeer();
  const connecting = QmpClient.connect(peer.client, { timeoutMs });
  peer.send(GREETING);
  const [capabilities] = await peer.waitForLines(1);
  expect(JSON.parse(capabilities ?? '')).toEqual({ execute: 'qmp_capabilities', id: 1 });
  peer.send('{"return": {}, "id": 1}\r\n');
  return { peer, client: await connecting };
}

describe('QmpClient', () => {
  it('negotiates capabilities after the greeting', async () => {
    const { client } = await connected();
    expect(client.greeting?.version.qemu).toEqual({ major: 10, minor: 0, micro: 2 });
  });

  it('takes a greeting QEMU sent before the client existed (QMP connected before qtest)', async () => {
    const peer = new MemoryPeer();
    peer.send(GREETING);
    await settle();
    const connecting = QmpClient.connect(peer.client, { timeoutMs: 1000 });
    const [capabilities] = await peer.waitForLines(1);
    expect(JSON.parse(capabilities ?? '')).toEqual({ execute: 'qmp_capabilities', id: 1 });
    peer.send('{"return": {}, "id": 1}\r\n');
    expect((await connecting).greeting?.capabilities).toEqual(['oob']);
  });

  it('fails at once, not by timeout, on a connection QEMU already closed', async () => {
    const peer = new MemoryPeer();
    peer.hangUp();
    await settle();
    await expect(QmpClient.connect(peer.client, { timeoutMs: 60_000 })).rejects.toThrow(/QEMU closed the QMP connection/);
  });

  it('matches replies by id, even out of order, and types known commands', async () => {
    const { peer, client } = await connected();
    const status = client.execute('query-status');
    const raw = client.executeRaw('human-monitor-command', { 'command-line': 'info pci' });
    const sent = (await peer.waitForLines(3)).slice(1).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(sent).toEqual([
      { execute: 'query-status', id: 2 },
      { execute: 'human-monitor-command', arguments: { 'command-line': 'info pci' }, id: 3 },
    ]);
    peer.send('{"return": "Bus 0", "id": 3}\r\n{"return": {"status": "prelaunch", "running": false}, "id": 2}\r\n');
    await expect(status).resolves.toEqual({ status: 'prelaunch', running: false });
    await expect(raw).resolves.toBe('Bus 0');
  });

  it('rejects a QMP error with QmpCommandError', async () => {
    const { peer, client } = await connected();
    const bogus = client.executeRaw('bogus');
    await peer.waitForLines(2);
    peer.send('{"id": 2, "error": {"class": "CommandNotFound", "desc": "The command bogus has not been found"}}\r\n');
    const error = await bogus.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QmpCommandError);
    expect(error).toMatchObject({ command: 'bogus', errorClass: 'CommandNotFound', code: 'qmp-error' });
  });

  it('emits events and can wait for a named one', async () => {
    const { peer, client } = await connected();
    const seen: QmpEvent[] = [];
    client.onEvent((event) => seen.push(event));
    const stopped = client.waitForEvent('STOP');
    peer.send('{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME"}\r\n');
    peer.send('{"timestamp": {"seconds": 1, "microseconds": 3}, "event": "STOP"}\r\n');
    await expect(stopped).resolves.toMatchObject({ event: 'STOP', timestamp: { seconds: 1, microseconds: 3 } });
    expect(seen.map((event) => event.event)).toEqual(['RESUME', 'STOP']);
  });

  it('rejects pending commands and event waits when QEMU hangs up', async () => {
    const { peer, client } = await connected();
    const quit = client.execute('quit');
    const event = client.waitForEvent('SHUTDOWN');
    await peer.waitForLines(2);
    peer.hangUp();
    await expect(quit).rejects.toBeInstanceOf(TargetClosedError);
    await expect(event).rejects.toBeInstanceOf(TargetClosedError);
    await expect(client.execute('cont')).rejects.toBeInstanceOf(TargetClosedError);
  });

  it('times out a command and a missing greeting', async () => {
    const { peer, client } = await connected(40);
    await expect(client.execute('stop')).rejects.toBeInstanceOf(TargetTimeoutError);
    await expect(client.waitForEvent('NEVER', 20)).rejects.toBeInstanceOf(TargetTimeoutError);
    expect(peer.received).toHaveLength(2);

    const silent = new MemoryPeer();
    await expect(QmpClient.connect(silent.client, { timeoutMs: 30 })).rejects.toThrow(/QMP greeting/);
  });

  it('abandons the connection on invalid JSON', async () => {
    const { peer, client } = await connected();
    const status = client.execute('query-status');
    peer.send('not json\r\n');
    await expect(status).rejects.toThrow(/invalid JSON/);
    expect(client.closed).toBe(true);
  });
});
