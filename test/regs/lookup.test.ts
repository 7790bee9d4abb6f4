import { describe, expect, it } from '@jest/globals';
import { igbRegisters } from '../../src/regs/database.js';

const db = igbRegisters();

function nameAt(offset: number): string | undefined {
  return db.lookupOffset(offset)?.name;
}

describe('lookupOffset', () => {
  it.each([
    [0x0, 'CTRL'],
    [0x8, 'STATUS'],
    [0xc0c0, 'RDBAL(3)'],
    [0xc00c, 'SRRCTL(0)'],
    [0xe018 + 15 * 0x40, 'TDT(15)'],
    [0x16e0, 'EITR(24)'],
    [0x1740, 'IVAR_MISC'],
    [0x4124, 'HTCBDPC'],
    [0x10080 + 7 * 0x100, 'PVTEICR(7)'],
  ])('offset %i is %s', (offset, name) => {
    expect(nameAt(offset)).toBe(name);
  });

  it('models RA as Linux RAL/RAH pairs, continuing at 0x54E0 for entries 16 and up', () => {
    expect(nameAt(0x5400)).toBe('RAL(0)');
    expect(nameAt(0x5404)).toBe('RAH(0)');
    expect(nameAt(0x5478)).toBe('RAL(15)');
    expect(nameAt(0x547c)).toBe('RAH(15)');
    expect(nameAt(0x54e0)).toBe('RAL(16)');
    expect(nameAt(0x551c)).toBe('RAH(23)');
  });

  it('rounds unaligned offsets down to the containing register', () => {
    expect(nameAt(0x9)).toBe('STATUS');
    expect(db.lookupOffset(0xc0c3)?.offset).toBe(0xc0c0);
  });

  it('returns undefined outside the BAR, in gaps and for non-integers', () => {
    expect(db.lookupOffset(0x20000)).toBeUndefined();
    expect(db.lookupOffset(-4)).toBeUndefined();
    expect(db.lookupOffset(0x2c)).toBeDefined();
    expect(db.lookupOffset(0x108)).toBeUndefined();
    expect(db.lookupOffset(1.5)).toBeUndefined();
  });
});

describe('aliases', () => {
  it('resolves a legacy alias offset to the alias register and maps it to the canonical element', () => {
    const alias = db.lookupOffset(0x2800);
    expect(alias?.name).toBe('RDBAL_A(0)');
    expect(alias?.def.aliasOf).toBe('RDBAL');
    expect(alias && db.canonical(alias).name).toBe('RDBAL(0)');
    expect(alias && db.canonical(alias).offset).toBe(0xc000);
  });

  it.each([
    ['RDBAL_A(1)', 'RDBAL(1)'],
    ['TDT_A(3)', 'TDT(3)'],
    ['RAH_A(2)', 'RAH(2)'],
    ['VFTA_A(127)', 'VFTA(127)'],
    ['FCRTL_A', 'FCRTL'],
    ['RDFH_A', 'RDFH'],
    ['TXCTL_A(3)', 'TXCTL(3)'],
  ])('%s -> %s', (alias, canonical) => {
    const ref = db.lookupName(alias);
    expect(ref && db.canonical(ref).name).toBe(canonical);
  });

  it('leaves canonical registers alone', () => {
    const ref = db.lookupName('CTRL');
    expect(ref && db.canonical(ref)).toBe(ref);
  });

  it('resolves the offsets Linux E1000_RDBAL(n) uses for queues below 4 (the aliases)', () => {
    expect(nameAt(0x2800 + 2 * 0x100)).toBe('RDBAL_A(2)');
    expect(nameAt(0x3818 + 3 * 0x100)).toBe('TDT_A(3)');
  });
});

describe('lookupName', () => {
  it.each([
    ['CTRL', 0x0],
    ['ctrl', 0x0],
    ['RDBAL(3)', 0xc0c0],
    ['RDBAL3', 0xc0c0],
    ['rdbal[3]', 0xc0c0],
    ['rdbal[0x3]', 0xc0c0],
    ['E1000_RDBAL(3)', 0xc0c0],
    ['TDT_15', 0xe3d8],
    ['IVAR0', 0x1700],
    ['MTA', 0x5200],
    ['RAL(17)', 0x54e8],
    ['PRC64', 0x405c],
    ['GSCN_0', 0x5b20],
    ['TRGTTIML0', 0xb644],
    ['MAVTV2', 0x5018],
    ['E1000_IP4AT_REG(1)', 0x5848],
    ['DCA_RXCTRL(2)', 0xc094],
    ['ICRXOC', 0x4124],
    ['CEXTERR', 0x403c],
  ])('%s is at offset %i', (name, offset) => {
    expect(db.lookupName(name)?.offset).toBe(offset);
  });

  it('returns the same RegisterRef object as lookupOffset', () => {
    expect(db.lookupName('SRRCTL(5)')).toBe(db.lookupOffset(0xc00c + 5 * 0x40));
  });

  it('rejects unknown names, indexes out of range, and indexes on scalars', () => {
    expect(db.lookupName('NOPE')).toBeUndefined();
    expect(db.lookupName('RDBAL(16)')).toBeUndefined();
    expect(db.lookupName('CTRL(0)')).toBeUndefined();
    expect(db.lookupName('')).toBeUndefined();
    expect(db.lookupName('RDBAL(')).toBeUndefined();
  });
});

describe('PHY registers', () => {
  it('are a separate address space looked up by register number', () => {
    expect(db.lookupPhy(0)?.name).toBe('BMCR');
    expect(db.lookupPhy(1)?.name).toBe('BMSR');
    expect(db.lookupPhy(0x14)?.name).toBe('GMII_FIFO');
    expect(db.lookupPhy(0x1f)?.name).toBe('PAGE_SELECT');
    expect(db.lookupPhy(0x0b)).toBeUndefined();
    expect(db.lookupPhy(0x20)).toBeUndefined();
  });

  it('accept Linux names', () => {
    expect(db.lookupPhyName('PHY_STATUS')?.offset).toBe(1);
    expect(db.lookupPhyName('IGP01E1000_PHY_PORT_CONFIG')?.offset).toBe(0x10);
    expect(db.lookupName('BMSR')).toBeUndefined();
  });
});
