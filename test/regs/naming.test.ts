// Register naming: one spelling per kind of name, for registers (replay, JUnit, baseline keys) and
// for access paths (diff, export), over the real igb register database.
import { describe, expect, it } from '@jest/globals';
import { igbRegisters } from '../../src/regs/database.js';
import { accessLabel, databaseName, registerLabel, registerOf, type AccessPath } from '../../src/regs/naming.js';

const db = igbRegisters();

describe('registerOf', () => {
  it.each<[AccessPath, string, string]>([
    [{ space: 'mmio', offset: 0xc0c0 }, 'RDBAL(3)', 'rx-queue'],
    [{ space: 'mmio', offset: 0x8 }, 'STATUS', 'general'],
    [{ space: 'mmio', offset: 0x1ff00 }, '0x1ff00', 'unmapped'],
    [{ space: 'io', offset: 4, register: 0x8 }, 'STATUS', 'general'],
    [{ space: 'io', offset: 4, register: 0x1ff00 }, '0x1ff00', 'unmapped'],
    [{ space: 'io', offset: 0 }, 'IOADDR', 'io'],
    [{ space: 'io', offset: 4 }, 'IODATA', 'io'],
    [{ space: 'phy', offset: 2 }, 'PHY[2] PHYID1', 'phy'],
    [{ space: 'phy', offset: 0x1b }, 'PHY[27]', 'phy'],
    [{ space: 'pci-config', offset: 4 }, 'config 0x4', 'pci-config'],
  ])('%j is %s in block %s', (path, name, block) => {
    expect(registerOf(db, path)).toEqual({ name, block });
  });
});

describe('accessLabel', () => {
  it('names the IODATA path with the register IOADDR selected, and everything else as registerOf', () => {
    expect(accessLabel(db, { space: 'io', offset: 4, register: 0x8 })).toBe('IODATA STATUS');
    expect(accessLabel(db, { space: 'io', offset: 4, register: 0x1ff00 })).toBe('IODATA 0x1ff00');
    expect(accessLabel(db, { space: 'mmio', offset: 0xc0c0 })).toBe('RDBAL(3)');
    expect(accessLabel(db, { space: 'phy', offset: 1 })).toBe('PHY[1] BMSR');
    expect(accessLabel(db, { space: 'io', offset: 0 })).toBe('IOADDR');
    expect(accessLabel(db, { space: 'pci-config', offset: 0xa8 })).toBe('config 0xa8');
  });
});

describe('registerLabel and databaseName', () => {
  it('label tallies that carry their name, and give the database name only where there is one', () => {
    expect(registerLabel('mmio', 0x4038, undefined)).toBe('0x4038');
    expect(registerLabel('phy', 20, 'GMII_FIFO')).toBe('PHY[20] GMII_FIFO');
    expect(registerLabel('io', 8, undefined)).toBe('IO 0x8');
    expect(databaseName(db, { space: 'io', offset: 4, register: 0x8 })).toBe('STATUS');
    expect(databaseName(db, { space: 'io', offset: 4, register: 0x1ff00 })).toBeUndefined();
    expect(databaseName(db, { space: 'pci-config', offset: 4 })).toBeUndefined();
  });
});
