// `regs` lookups against the real igb register database (src/regs/*.csv).
import { describe, expect, it } from '@jest/globals';
import { lookupRegister, parseNumber, RegisterNotFoundError } from '../../src/analysis/register-lookup.js';
import { listRegisters, registerLayout } from '../../src/analysis/register-layout.js';
import { igbRegisters } from '../../src/regs/index.js';

const db = igbRegisters();

function notFound(query: string, space: 'mmio' | 'phy' = 'mmio'): RegisterNotFoundError {
  try {
    lookupRegister(db, query, space);
  } catch (error) {
    if (error instanceof RegisterNotFoundError) return error;
    throw error;
  }
  throw new Error(`${query} was found`);
}

describe('lookupRegister', () => {
  it.each(['0xc0c0', '49344', 'RDBAL(3)', 'rdbal(3)', 'RDBAL3', 'rdbal[3]', 'E1000_RDBAL(3)'])('finds RDBAL(3) from %s', (query) => {
    const info = lookupRegister(db, query, 'mmio');
    expect(info).toMatchObject({ name: 'RDBAL(3)', offset: 0xc0c0, index: 3, register: { name: 'RDBAL', block: 'rx-queue' } });
    expect(info.layout[0]!.formula).toBe('0x0c000 + 0x40 × n (n = 0..15)');
    expect(info.aliases).toEqual([{ name: 'RDBAL_A(3)', offset: 0x2b00 }]);
  });

  it('decodes STATUS 0x80080483 field by field (link up)', () => {
    const info = lookupRegister(db, 'STATUS', 'mmio', 0x80080483);
    const fields = Object.fromEntries(info.decoded!.fields.map((f) => [f.name, f.value]));
    expect(fields).toMatchObject({ FD: 1, LU: 1, SPEED: 2, GIO_MASTER_ENABLE: 1 });
    expect(info.register.volatile).toBe(true);
  });

  it('resolves an alias to its canonical register', () => {
    const info = lookupRegister(db, '0x2800', 'mmio');
    expect(info.name).toBe('RDBAL_A(0)');
    expect(info.aliasOf).toEqual({ name: 'RDBAL(0)', offset: 0xc000 });
  });

  it('rounds an unaligned offset down and says so', () => {
    expect(lookupRegister(db, '0xa', 'mmio')).toMatchObject({ name: 'STATUS', offset: 8, requestedOffset: 10 });
  });

  it('shows both segments of an array that continues elsewhere (RAL)', () => {
    expect(registerLayout(db.all(), 'RAL').map((s) => s.formula)).toEqual([
      '0x05400 + 0x8 × n (n = 0..15)', '0x054e0 + 0x8 × (n − 16) (n = 16..31)',
    ]);
  });

  it('looks up PHY registers by name and number', () => {
    expect(lookupRegister(db, 'BMSR', 'phy')).toMatchObject({ name: 'BMSR', offset: 1, space: 'phy' });
    expect(lookupRegister(db, '20', 'phy').name).toBe('GMII_FIFO');
  });

  it('suggests close names for a typo', () => {
    const error = notFound('RDBLA');
    expect(error.suggestions).toContain('RDBAL');
    expect(error.hint).toMatch(/^did you mean: RDBAL/);
  });

  it('suggests the nearest names even without a close match, and points at --list', () => {
    const error = notFound('NOPE');
    expect(error.suggestions.length).toBeGreaterThan(0);
    expect(error.hint).toMatch(/regs --list/);
  });

  it('names the registers around an offset that has none', () => {
    const error = notFound('0x30000');
    expect(error.message).toMatch(/outside the 128 KiB BAR0/);
  });
});

describe('parseNumber', () => {
  it('reads hex and decimal, and nothing else', () => {
    expect(parseNumber('0xC0c0')).toBe(0xc0c0);
    expect(parseNumber('49344')).toBe(49344);
    expect(parseNumber('STATUS')).toBeUndefined();
    expect(parseNumber('0x')).toBeUndefined();
    expect(parseNumber('12a')).toBeUndefined();
  });
});

describe('listRegisters', () => {
  it('lists one block with array ranges', () => {
    const listing = listRegisters(db.all(), 'mmio', 'rx-queue');
    expect(listing.registers.every((r) => r.block === 'rx-queue')).toBe(true);
    expect(listing.registers.map((r) => r.name)).toContain('RDBAL(0..15)');
  });
});
