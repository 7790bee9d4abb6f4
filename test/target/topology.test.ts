// Where the NIC sits on the replay machine's PCI tree: the QEMU arguments, the functions the
// set-up programs, the VFs' addresses, and the root port's set-up commands as data.
import { describe, expect, it } from '@jest/globals';
import { deviceRow, vfNumberOf } from '../../src/devices/table.js';
import { formatFunction, vfFunction } from '../../src/target/pci-config.js';
import { placementSetup, rootPortSetupCommands } from '../../src/target/pci-setup.js';
import { buildQemuArgs, DEFAULT_MACHINE } from '../../src/target/qemu-args.js';
import { encodeCommand } from '../../src/target/qtest-protocol.js';
import {
  nicFunction, PlacementError, ROOT_BUS, ROOT_PORT_DEVICE, rootPortDeviceArg, rootPortFunction, type NicPlacement,
} from '../../src/target/topology.js';

const BEHIND_PORT: NicPlacement = { kind: 'root-port', device: ROOT_PORT_DEVICE };
const FILES = { qtest: { kind: 'stdio' as const }, log: 'qemu.log' };
const igb = deviceRow('igb').sriov!;

function devices(args: readonly string[]): string[] {
  return args.filter((_, i) => args[i - 1] === '-device');
}

describe('QEMU arguments', () => {
  it('put the NIC in its slot on the root bus by default', () => {
    expect(devices(buildQemuArgs(DEFAULT_MACHINE, FILES))).toEqual(['igb,addr=2.0,mac=52:54:00:12:34:56,netdev=net0']);
  });

  it('put the root port in the slot and the NIC at 0.0 on its bus, as the recording had it', () => {
    expect(devices(buildQemuArgs({ ...DEFAULT_MACHINE, placement: BEHIND_PORT }, FILES))).toEqual([
      'pcie-root-port,id=rp0,slot=0,addr=2.0', 'igb,bus=rp0,addr=0.0,mac=52:54:00:12:34:56,netdev=net0',
    ]);
  });

  it('refuse a root port a replay cannot recreate as given', () => {
    for (const device of ['pcie-root-port,id=rp0,romfile=/etc/passwd', 'ioh3420,id=rp0', 'pcie-root-port,slot=0', 'pcie-root-port,id=rp0,addr=3.0']) {
      expect(() => rootPortDeviceArg(device, 2)).toThrow(PlacementError);
      expect(() => buildQemuArgs({ ...DEFAULT_MACHINE, placement: { kind: 'root-port', device } }, FILES)).toThrow(RangeError);
    }
  });
});

describe('functions', () => {
  it('the NIC is 00:02.0 on the root bus and 01:00.0 behind the port at 00:02.0', () => {
    expect(formatFunction(nicFunction(ROOT_BUS, 2))).toBe('00:02.0');
    expect(rootPortFunction(ROOT_BUS, 2)).toBeUndefined();
    expect(formatFunction(nicFunction(BEHIND_PORT, 2))).toBe('01:00.0');
    expect(formatFunction(rootPortFunction(BEHIND_PORT, 2)!)).toBe('00:02.0');
  });

  it('VF n is at the PF + 0x80 + 2n, where the recording logged igbvf 01:10.0 and 01:10.2', () => {
    const pf = nicFunction(BEHIND_PORT, 2);
    expect([0, 1, 7].map((vf) => formatFunction(vfFunction(pf, igb, vf)))).toEqual(['01:10.0', '01:10.2', '01:11.6']);
    expect(formatFunction(vfFunction(nicFunction(ROOT_BUS, 2), igb, 1))).toBe('00:12.2');
    // And back: the parser's direction.
    expect(vfNumberOf(0x100, igb, 0x182)).toBe(1);
    expect(vfNumberOf(0x100, igb, 0x181)).toBeUndefined();
    expect(vfNumberOf(0x100, igb, 0x190)).toBeUndefined();
    expect(vfNumberOf(0x100, igb, 0x100)).toBeUndefined();
  });
});

describe('root port set-up', () => {
  it('numbers bus 1, opens windows around the NIC\'s BARs, closes the prefetchable one, enables it', () => {
    const sent = rootPortSetupCommands({ bus: 0, device: 2, fn: 0 }).map((c) => encodeCommand(c.command));
    const writes = sent.filter((line) => line.startsWith('out') && !line.startsWith('outl 0xcf8'));
    expect(writes).toEqual([
      'outl 0xcfc 0x10100', // primary 0, secondary 1, subordinate 1
      'outw 0xcfc 0xc0c0', // IO 0xc000-0xcfff: the IO BAR at 0xc040
      'outl 0xcfc 0xfeb0feb0', // memory 0xfeb00000-0xfebfffff: BAR0, BAR1, BAR3 at 0xfeba0000-0xfebf3fff
      'outl 0xcfc 0x0', 'outl 0xcfc 0x0', // prefetchable upper halves
      'outl 0xcfc 0xfff0', // prefetchable base above its limit: closed
      'outw 0xcfc 0x7',
    ]);
    expect(sent[0]).toBe('outl 0xcf8 0x80001000');
  });

  it('runs before the NIC\'s, which is programmed at 01:00.0', () => {
    const { nic, parts } = placementSetup({ model: 'igb', slot: 2, placement: BEHIND_PORT });
    expect(parts.map((part) => formatFunction(part.f))).toEqual(['00:02.0', '01:00.0']);
    expect(formatFunction(nic)).toBe('01:00.0');
    expect(encodeCommand(parts[1]!.commands[0]!.command)).toBe('outl 0xcf8 0x80010000');
    expect(placementSetup({ model: 'igb', slot: 2 }).parts.map((part) => formatFunction(part.f))).toEqual(['00:02.0']);
  });
});
