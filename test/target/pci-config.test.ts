// Config-space accesses as qtest commands (src/target/pci-config.ts): legacy below 0x100, MMCONFIG above.
import { describe, expect, it } from '@jest/globals';
import { configAddress, configSize, configWriteCommands, legacyConfigRead, mmconfigRead } from '../../src/target/pci-config.js';
import { encodeCommand } from '../../src/target/qtest-protocol.js';

const NIC = { bus: 0, device: 2, fn: 0 };
const lines = (f = NIC, reg = 0, size: 1 | 2 | 4 = 4, value = 0): string[] =>
  configWriteCommands(f, reg, size, value, 'x').map((c) => encodeCommand(c.command));

describe('config accesses', () => {
  it('select the dword through 0xcf8 and reach the byte within it at 0xcfc + (reg & 3)', () => {
    expect(configAddress({ bus: 1, device: 3, fn: 2 }, 0x3e)).toBe(0x8001_1a3c);
    expect(lines(NIC, 0x04, 2, 0x103)).toEqual(['outl 0xcf8 0x80001004', 'outw 0xcfc 0x103']);
    expect(lines(NIC, 0x3d, 1, 1)).toEqual(['outl 0xcf8 0x8000103c', 'outb 0xcfd 0x1']);
    expect(legacyConfigRead(NIC, 0x06, 2).map(encodeCommand)).toEqual(['outl 0xcf8 0x80001004', 'inw 0xcfe']);
  });

  it('go through the MMCONFIG window from 0x100 on', () => {
    expect(lines(NIC, 0x180, 4, 1)).toEqual(['writel 0xb0010180 0x1']);
    expect(configWriteCommands(NIC, 0x160, 2, 1, 'x', 0xe0000000).map((c) => encodeCommand(c.command))).toEqual(['writew 0xe0010160 0x1']);
    expect(encodeCommand(mmconfigRead(0xb0000000, { bus: 1, device: 0, fn: 1 }, 0x100, 1))).toBe('readb 0xb0101100');
  });

  it('name the select and the data write for a script\'s reader', () => {
    expect(configWriteCommands(NIC, 0x04, 2, 7, 'COMMAND').map((c) => c.what)).toEqual(['select COMMAND', 'COMMAND']);
  });

  it('refuse misaligned registers and registers out of reach', () => {
    expect(() => lines(NIC, 0x05, 2)).toThrow(RangeError);
    expect(() => legacyConfigRead(NIC, 0x100, 4)).toThrow('config register 0x100 (size 4) must be aligned and below 0x100');
    expect(() => lines(NIC, 0xffe, 4)).toThrow(RangeError);
  });

  it('take recorded sizes 1 and 2 as they are and anything else as a dword', () => {
    expect([1, 2, 4, 8].map(configSize)).toEqual([1, 2, 4, 4]);
  });
});
