// The PCI set-up as data, run by the live runner against a SYNTHETIC PCI bus (test/target/pci-peer.ts)
// over the real qtest client: what goes on the wire, that it stops at the first failed check, and
// the errors it throws. (test/target/qemu-session.test.ts runs the same set-up against real QEMU.)
import { describe, expect, it } from '@jest/globals';
import { QtestClient } from '../../src/target/qtest-client.js';
import { encodeCommand } from '../../src/target/qtest-protocol.js';
import {
  enableMmconfig, mmconfigSetupCommands, nicSetupCommands, RECORDED_GUEST_BARS, setupNic,
} from '../../src/target/pci-setup.js';
import { TargetError } from '../../src/target/errors.js';
import { PciPeer, type PciPeerOptions } from './pci-peer.js';

const NIC = { bus: 0, device: 2, fn: 0 };

function connect(options: PciPeerOptions = {}): { peer: PciPeer; client: QtestClient } {
  const peer = new PciPeer(options);
  return { peer, client: new QtestClient(peer.client) };
}

async function setupError(promise: Promise<unknown>): Promise<TargetError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TargetError);
  expect(error).toMatchObject({ code: 'pci-setup' });
  return error as TargetError;
}

describe('setupNic', () => {
  it('sends nicSetupCommands, pipelined up to each checked read, and resolves with the BARs', async () => {
    const { peer, client } = connect();
    await expect(setupNic(client, { model: 'igb', slot: 2 })).resolves.toEqual(RECORDED_GUEST_BARS);
    const commands = nicSetupCommands('igb', NIC);
    expect(peer.received).toEqual(commands.map((c) => encodeCommand(c.command)));
    // One batch per checked read: identity, BAR0-4 (BAR4 is BAR3's upper half), COMMAND.
    expect(peer.chunks).toBe(commands.filter((c) => c.expect !== undefined).length);
    expect(peer.chunks).toBe(7);
  });

  it('stops at a wrong vendor:device, before programming anything', async () => {
    const { peer, client } = connect({ nicId: 0x10d38086 });
    const error = await setupError(setupNic(client, { model: 'igb', slot: 2 }));
    expect(error.message).toBe('PCI setup of 00:02.0 failed: vendor:device is 0x8086:0x10d3, expected 0x8086:0x10c9 (igb)');
    expect(peer.received).toEqual(['outl 0xcf8 0x80001000', 'inl 0xcfc']);
  });

  it('reports a BAR that does not keep its address', async () => {
    const { client } = connect({ stuckBars: new Set([0x14]) });
    const error = await setupError(setupNic(client, { model: 'igb', slot: 2 }));
    expect(error.message).toBe('PCI setup of 00:02.0 failed: BAR1 reads back 0xffffffff after writing 0xfebc0000 (misaligned or wrong type?)');
  });

  it('reports a BAR3 that is not the 64-bit BAR the device table says igb has', async () => {
    const { client } = connect({ barTypes: new Map([[0x18, 0x1]]) });
    const error = await setupError(setupNic(client, { model: 'igb', slot: 2 }));
    expect(error.message).toBe('PCI setup of 00:02.0 failed: BAR3 reads back 0xfebf0000 after writing 0xfebf0000 (misaligned or wrong type?)');
  });

  it('ignores a prefetchable bit, and COMMAND bits the set-up did not write', async () => {
    const { client } = connect({ barTypes: new Map([[0x10, 0x8], [0x18, 0x1], [0x1c, 0x4]]), commandExtra: 0x400 });
    await expect(setupNic(client, { model: 'igb', slot: 2 })).resolves.toEqual(RECORDED_GUEST_BARS);
  });

  it('programs e1000e BAR3 as 32-bit (no upper half)', async () => {
    const { peer, client } = connect({ nicId: 0x10d38086, barTypes: new Map([[0x18, 0x1]]) });
    await setupNic(client, { model: 'e1000e', slot: 2 });
    expect(peer.received).not.toContain('outl 0xcf8 0x80001020');
  });
});

describe('enableMmconfig', () => {
  it('enables PCIEXBAR and reads config space through the window', async () => {
    const { peer, client } = connect();
    const window = await enableMmconfig(client);
    expect(peer.received).toEqual(mmconfigSetupCommands().map((c) => encodeCommand(c.command)));
    expect(await window.read(NIC, 0x00, 4)).toBe(0x10c98086);
    expect(peer.received.at(-1)).toBe('readl 0xb0010000');
  });

  it('writes no PCIEXBAR to a host bridge that is not q35\'s', async () => {
    const { peer, client } = connect({ hostBridgeId: 0x12378086 });
    const error = await setupError(enableMmconfig(client));
    expect(error.message).toBe('PCI setup of 00:00.0 failed: host bridge is 0x12378086, not the q35 MCH (0x29c08086)');
    expect(peer.received).toEqual(['outl 0xcf8 0x80000000', 'inl 0xcfc']);
  });

  it('reports a window that does not decode', async () => {
    const { client } = connect({ noMmconfig: true });
    const error = await setupError(enableMmconfig(client));
    expect(error.message).toBe('PCI setup of 00:00.0 failed: MMCONFIG at 0xb0000000 reads 0xffffffff instead of the MCH ID');
  });

  it('rejects a base that is not 256 MiB aligned below 4 GiB, sending nothing', async () => {
    const { peer, client } = connect();
    await expect(enableMmconfig(client, 0xb0100000)).rejects.toThrow(RangeError);
    expect(() => mmconfigSetupCommands(0x100000000)).toThrow('MMCONFIG base 0x100000000 must be 256 MiB aligned and below 4 GiB');
    expect(peer.received).toEqual([]);
  });
});
