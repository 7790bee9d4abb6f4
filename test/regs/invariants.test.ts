import { describe, expect, it } from '@jest/globals';
import { FUNCTIONAL_BLOCKS, type RegisterDef } from '../../src/model/register.js';
import { igbRegisters } from '../../src/regs/database.js';
import { QEMU_REGISTERS } from './qemu-register-set.js';

const db = igbRegisters();

function* elementOffsets(def: RegisterDef): Generator<number> {
  for (let i = 0; i < def.count; i++) yield def.offset + i * def.stride;
}

describe('database invariants', () => {
  it('has the expected size', () => {
    const elements = db.all().reduce((n, d) => n + d.count, 0);
    expect(db.all().length).toBeGreaterThan(300);
    expect(elements).toBeGreaterThan(2400);
    expect(db.allPhy().length).toBeGreaterThanOrEqual(20);
  });

  it('keeps every BAR0 element inside 0..0x1FFFF, dword aligned and 32 bits wide', () => {
    for (const def of db.all()) {
      expect(def.width).toBe(32);
      for (const offset of elementOffsets(def)) {
        expect(offset % 4).toBe(0);
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset).toBeLessThanOrEqual(0x1fffc);
      }
    }
  });

  it('resolves every element by its offset and by its display name to the same reference', () => {
    for (const def of [...db.all()]) {
      for (const offset of elementOffsets(def)) {
        const ref = db.lookupOffset(offset);
        expect(ref?.def).toBe(def);
        expect(ref?.offset).toBe(offset);
        expect(ref && db.lookupName(ref.name)).toBe(ref);
      }
    }
  });

  it('keeps fields inside the register width, sorted and non-overlapping', () => {
    for (const def of [...db.all(), ...db.allPhy()]) {
      let nextFree = 0;
      for (const field of def.fields) {
        expect(field.lo).toBeGreaterThanOrEqual(nextFree);
        expect(field.hi).toBeGreaterThanOrEqual(field.lo);
        expect(field.hi).toBeLessThan(def.width);
        nextFree = field.hi + 1;
      }
    }
  });

  it('maps every alias element to a canonical, non-alias element with the same index', () => {
    const aliases = db.all().filter((d) => d.aliasOf !== undefined);
    expect(aliases.length).toBeGreaterThanOrEqual(25);
    for (const def of aliases) {
      for (const offset of elementOffsets(def)) {
        const ref = db.lookupOffset(offset);
        const target = ref && db.canonical(ref);
        expect(target?.def.name).toBe(def.aliasOf);
        expect(target?.def.aliasOf).toBeUndefined();
        expect(target?.index).toBe(ref?.index);
      }
    }
  });

  it('uses every functional block and lists each register in exactly one', () => {
    expect([...db.byBlock().keys()]).toEqual(FUNCTIONAL_BLOCKS);
    const grouped = [...db.byBlock().values()].reduce((n, defs) => n + defs.length, 0);
    expect(grouped).toBe(db.all().length);
  });

  it('keeps PHY registers at register numbers 0..31 with 16-bit width', () => {
    for (const def of db.allPhy()) {
      expect(def.width).toBe(16);
      expect(def.offset).toBeLessThan(32);
      expect(db.lookupPhy(def.offset)?.def).toBe(def);
    }
  });
});

describe('coverage of QEMU 10.0.2 igb registers', () => {
  it.each(QEMU_REGISTERS.map((r) => [r[0], r] as const))('covers %s', (_name, [name, offset, count, stride]) => {
    for (let i = 0; i < count; i++) {
      const at = offset + i * stride;
      expect(db.lookupOffset(at)?.offset).toBe(at);
    }
    // Where the database knows QEMU's name, it must lead to QEMU's first element.
    const byName = db.lookupName(name);
    if (byName !== undefined) expect(byName.offset).toBe(offset);
  });
});

describe('coverage of Linux igb registers QEMU does not implement', () => {
  it.each([
    'ALGNERRC', 'SYMERRS', 'RXERRC', 'SEC', 'CEXTERR', 'TSCTFC', 'ICRXPTC', 'ICRXATC', 'ICTXPTC', 'ICTXATC',
    'ICTXQEC', 'ICTXQMTC', 'ICRXDMTC', 'ICRXOC', 'CBTMPC', 'HTDPMC', 'CBRMPC', 'RPTHC', 'HGPTC', 'HGORCL',
    'HGORCH', 'HGOTCL', 'HGOTCH', 'LENERRS', 'SCVPC', 'B2OGPRC', 'O2BSPC', 'B2OSPC', 'O2BGPTC',
    'TSAUXC', 'TSICR', 'TSIM', 'TSSDP', 'SYSTIMR', 'DCA_ID', 'DCA_CTRL', 'DCA_RXCTRL(0)', 'DCA_TXCTRL(15)',
    'PBA', 'PBS', 'I2CCMD', 'MDICNFG', 'CONNSW', 'PCS_LCTL', 'PCS_LSTAT', 'IOVCTL', 'TXSWC', 'DVMOLR(7)',
    'PSRTYPE(7)', 'SAQF(7)', 'FTQF(7)', 'IMIR(7)', 'MSIXBM(9)', 'FFVT(127)', 'FFLT(3)', 'THSTAT', 'DMACR',
  ])('has %s', (name) => {
    expect(db.lookupName(name)).toBeDefined();
  });
});
