// The extended capability list learnt from recorded config reads, and config reads compared at the
// width of the register they start. Header values are those of QEMU 10.0.2's igb PF in
// traces/linux-6.1-sriov.log (AER at 0x100 -> ARI at 0x150 -> SR-IOV at 0x160).

import { describe, expect, test } from '@jest/globals';
import { compareConfigRead } from '../../src/replay/config-compare.js';
import { decodeExtendedHeader, ExtendedCapabilityList } from '../../src/regs/pcie-extended-capabilities.js';

const AER_HEADER = 0x15010001;
const ARI_HEADER = 0x1601000e;

function walked(): ExtendedCapabilityList {
  const list = new ExtendedCapabilityList();
  list.see(0x100, AER_HEADER);
  list.see(0x150, ARI_HEADER);
  return list;
}

describe('ExtendedCapabilityList', () => {
  test('decodes a header: ID and next pointer', () => {
    expect(decodeExtendedHeader(ARI_HEADER)).toEqual({ id: 0x000e, next: 0x160 });
  });

  test('follows the chain from 0x100 and names the registers that start at an offset', () => {
    const list = walked();
    expect(list.registerAt(0x154)).toMatchObject({ name: 'ARI Capability', width: 2, capability: 'ARI', capabilityAt: 0x150 });
    expect(list.registerAt(0x156)).toMatchObject({ name: 'ARI Control', width: 2 });
    expect(list.registerAt(0x104)).toMatchObject({ name: 'Uncorrectable Error Status', width: 4, capability: 'AER' });
    // Inside a register, or in a capability whose header has not been read: unknown.
    expect(list.registerAt(0x155)).toBeUndefined();
    expect(list.registerAt(0x170)).toBeUndefined();
  });

  test('a read at an offset no header pointed to does not count as a header', () => {
    const list = new ExtendedCapabilityList();
    list.see(0x150, ARI_HEADER);
    expect(list.registerAt(0x154)).toBeUndefined();
  });

  test('a word-wide header read (the ID alone) names nothing', () => {
    const list = new ExtendedCapabilityList();
    list.see(0x100, 0x0001);
    expect(list.registerAt(0x104)).toBeUndefined();
  });

  test('SR-IOV registers once its header (pointed to by ARI) is read', () => {
    const list = walked();
    list.see(0x160, 0x00010010);
    expect(list.registerAt(0x170)).toMatchObject({ name: 'NumVFs', width: 2, capability: 'SR-IOV' });
  });
});

describe('compareConfigRead at a register width', () => {
  test('a recorded 0 at the ARI Capability register is a 16-bit 0: a Next Function Number of 1 differs', () => {
    const register = walked().registerAt(0x154);
    // Without the layout the byte at 0x154 (0) matches; with it the 16-bit register (0x100) does not.
    expect(compareConfigRead(0x154, 0x0, 0x00000100).class).toBe('match');
    const compared = compareConfigRead(0x154, 0x0, 0x00000100, undefined, register);
    expect(compared).toMatchObject({ class: 'mismatch', actual: 0x100 });
    expect(compared.reason).toContain('ARI Capability, a 16-bit register of the ARI capability at 0x150');
  });

  test('a register read whole still matches, and a dword read across two registers too', () => {
    const register = walked().registerAt(0x154);
    expect(compareConfigRead(0x154, 0x0, 0x00000000, undefined, register).class).toBe('match');
    expect(compareConfigRead(0x154, 0x00100000, 0x00100000, undefined, register).class).toBe('match');
  });
});
