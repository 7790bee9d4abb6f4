// The e1000e (82574L) register database beside the igb one: loads from the bundled CSVs, resolves
// the 82574 names and offsets, decodes fields, and differs from igb where the devices differ.

import { describe, expect, it } from '@jest/globals';
import { igbRegisters, registersFor } from '../../src/regs/database.js';
import type { RegisterRef } from '../../src/model/register.js';

const db = registersFor('e1000e');
const igb = registersFor('igb');

function named(name: string): RegisterRef {
  const ref = db.lookupName(name);
  if (ref === undefined) throw new Error(`no e1000e register ${name}`);
  return ref;
}

/** The non-zero fields of a decode: with toEqual, every set bit must belong to a named field. */
function fields(name: string, value: number): Record<string, number> {
  return Object.fromEntries(db.decode(named(name), value, { undefinedBits: true })
    .filter((d) => d.value !== 0).map((d) => [d.field.name, d.value]));
}

describe('registersFor', () => {
  it('loads each model once and keeps igbRegisters() the igb database', () => {
    expect(registersFor('e1000e')).toBe(db);
    expect(registersFor('igb')).toBe(igbRegisters());
    expect(db).not.toBe(igb);
  });

  it('loads the e1000e tables: 250 BAR0 rows, the shared PHY table', () => {
    expect(db.all()).toHaveLength(250);
    expect(db.allPhy()).toHaveLength(igb.allPhy().length);
    expect(db.all().length).toBeLessThan(igb.all().length);
  });
});

describe('e1000e lookups', () => {
  it.each([
    [0x0, 'CTRL'], [0x8, 'STATUS'], [0xc0, 'ICR'], [0xd0, 'IMS'], [0x100, 'RCTL'],
    [0x2800, 'RDBAL(0)'], [0x2900, 'RDBAL(1)'], [0x3818, 'TDT(0)'], [0x3918, 'TDT(1)'],
    [0x20, 'MDIC'], [0x14, 'EERD'], [0xe4, 'IVAR'], [0xdc, 'EIAC'], [0xf8, 'EITR(4)'],
    [0x3940, 'TARC(1)'], [0xf00, 'EXTCNF_CTRL'], [0x5f40, 'FCRTV'], [0x10000 + 4 * 10239, 'PBM(10239)'],
  ])('offset %i is %s', (offset, name) => {
    expect(db.lookupOffset(offset)?.name).toBe(name);
  });

  it.each([
    ['RDBAL(1)', 0x2900], ['RDBAL1', 0x2900], ['E1000_RDBAL(0)', 0x2800], ['TDT(0)', 0x3818],
    ['EIAC_82574', 0xdc], ['EITR_82574(2)', 0xf0], ['SEQEC', 0x4038], ['RXMTRL', 0xb634], ['TARC1', 0x3940],
  ])('name %s is at %i', (name, offset) => {
    expect(named(name).offset).toBe(offset);
  });

  it('maps the 82542-era aliases onto queue 0 (QEMU logs the canonical offset)', () => {
    const alias = db.lookupOffset(0x110);
    expect(alias?.name).toBe('RDBAL_A(0)');
    expect(alias === undefined ? undefined : db.canonical(alias).name).toBe('RDBAL(0)');
    const tdt = db.lookupOffset(0x438);
    expect(tdt === undefined ? undefined : db.canonical(tdt).offset).toBe(0x3818);
    const fcrth = db.lookupOffset(0x160);
    expect(fcrth === undefined ? undefined : db.canonical(fcrth).name).toBe('FCRTH');
  });

  it('has registers QEMU e1000e implements that igb does not, and the other way round', () => {
    // TARC(0) (e1000e_get_tarc), RDTR and EXTCNF_CTRL: e1000e only (igb maps RDBAL(1) at 0x2900 too).
    for (const offset of [0x3840, 0x2820, 0xf00]) {
      expect(db.lookupOffset(offset)).toBeDefined();
      expect(igb.lookupOffset(offset)).toBeUndefined();
    }
    // igb's 0xC000 queue block, EICR and GPIE: nothing there on the 82574.
    for (const offset of [0xc000, 0x1580, 0x1514]) {
      expect(igb.lookupOffset(offset)).toBeDefined();
      expect(db.lookupOffset(offset)).toBeUndefined();
    }
    // Same name, different place: FCRTV moved from 0x5F40 (82574) to 0x2460 (82576).
    expect(named('FCRTV').offset).not.toBe(igb.lookupName('FCRTV')?.offset);
  });
});

describe('e1000e fields', () => {
  it('decodes STATUS as QEMU e1000e returns it after link-up (recorded value 0x80283)', () => {
    expect(fields('STATUS', 0x80283)).toEqual({ FD: 1, LU: 1, SPEED: 2, ASDV: 2, GIO_MASTER_ENABLE: 1 });
  });

  it('decodes CTRL, RCTL, MDIC and EERD', () => {
    expect(fields('CTRL', 0x58140241)).toMatchObject({ FD: 1, SLU: 1, SPEED: 2, SWDPIN0: 1, ADVD3WUC: 1, RFCE: 1, TFCE: 1, VME: 1 });
    expect(fields('RCTL', 0x0400801a)).toMatchObject({ EN: 1, UPE: 1, MPE: 1, BAM: 1, SECRC: 1 });
    expect(fields('MDIC', 0x1821796d)).toEqual({ DATA: 0x796d, REGADD: 1, PHYADD: 1, OP: 2, READY: 1 });
    expect(fields('EERD', 0x12340006)).toEqual({ DONE: 1, ADDR: 1, DATA: 0x1234 });
  });

  it('decodes the 82574 MSI-X registers: ICR causes 20-24, IVAR entries, EIAC like ICR', () => {
    expect(fields('ICR', 0x81f00000)).toEqual({ RXQ0: 1, RXQ1: 1, TXQ0: 1, TXQ1: 1, OTHER: 1, INT_ASSERTED: 1 });
    expect(fields('EIAC_82574', 0x01f00000)).toEqual({ RXQ0: 1, RXQ1: 1, TXQ0: 1, TXQ1: 1, OTHER: 1 });
    expect(fields('IMS', 0x4)).toEqual({ LSC: 1 });
    // Linux e1000_configure_msix on the 82574 (the value traces/linux-6.1-e1000e-init.log writes):
    // RX queue 0 on vector 0, TX queue 0 on 1, other causes on 2.
    expect(fields('IVAR', 0x800a0908)).toEqual({
      RXQ0_VALID: 1, TXQ0_VEC: 1, TXQ0_VALID: 1, OTHER_VEC: 2, OTHER_VALID: 1, TX_INT_EVERY_WB: 1,
    });
  });

  it('gives queue arrays and the aliases the same fields', () => {
    expect(fields('TXDCTL(1)', 0x141011f)).toEqual({ PTHRESH: 0x1f, HTHRESH: 1, WTHRESH: 1, COUNT_DESC: 1, GRAN: 1 });
    const alias = db.lookupOffset(0x44); // RAH_A(0)
    expect(alias === undefined ? [] : db.decode(alias, 0x80000000).filter((d) => d.value !== 0).map((d) => d.field.name)).toEqual(['AV']);
  });
});

// Every BAR0 offset QEMU 10.0.2's e1000e gives a read or write handler (hw/net/e1000e_core.c
// e1000e_macreg_readops/writeops, mac_reg_access aliases), as [first offset, dwords], written down
// from those tables by hand: the database must name each one.
const QEMU_E1000E_OFFSETS: readonly (readonly [number, number])[] = [
  [0x0, 3], [0x10, 5], [0x28, 3], [0x38, 1], [0x40, 32], [0xc0, 3], [0xd0, 1], [0xd8, 9], [0x100, 1], [0x108, 1],
  [0x110, 3], [0x120, 1], [0x128, 1], [0x160, 1], [0x168, 1], [0x170, 1], [0x400, 1], [0x410, 1],
  [0x420, 3], [0x430, 1], [0x438, 1], [0x440, 1], [0x458, 1], [0x600, 128], [0xe00, 1], [0xf00, 1], [0xf08, 1],
  [0xf10, 1], [0x1000, 1], [0x1008, 1], [0x1010, 5], [0x1028, 6], [0x1050, 1], [0x2160, 1], [0x2168, 1],
  [0x2170, 1], [0x2410, 1], [0x2418, 1], [0x2420, 1], [0x2428, 1], [0x2430, 1], [0x2800, 3], [0x2810, 1],
  [0x2818, 1], [0x2820, 1], [0x2828, 2], [0x2900, 3], [0x2910, 1], [0x2918, 1], [0x2928, 1], [0x2c00, 1],
  [0x2c08, 1], [0x3410, 1], [0x3418, 1], [0x3420, 1], [0x3428, 1], [0x3430, 1], [0x3800, 3], [0x3810, 1],
  [0x3818, 1], [0x3820, 1], [0x3828, 2], [0x3840, 1], [0x3900, 3], [0x3910, 1], [0x3918, 1], [0x3928, 1], [0x3940, 1],
  [0x4000, 8], [0x4020, 1], [0x4028, 1], [0x4030, 4], [0x4040, 1], [0x4048, 15], [0x4088, 4], [0x40a0, 25],
  [0x5000, 1], [0x5008, 1], [0x5010, 4], [0x5200, 128], [0x5400, 32], [0x5600, 128], [0x5800, 1], [0x5808, 1],
  [0x5810, 1], [0x5818, 1], [0x5820, 3], [0x5830, 1], [0x5838, 1], [0x5840, 7], [0x5860, 1], [0x5880, 12],
  [0x5a00, 32], [0x5b00, 1], [0x5b08, 1], [0x5b10, 9], [0x5b50, 1], [0x5b64, 2], [0x5c00, 64], [0x5f00, 11],
  [0x5f40, 1], [0x8000, 1], [0x8008, 1], [0x8010, 1], [0x8018, 1], [0x9000, 255], [0x9400, 255], [0x9800, 255],
  [0xb600, 15], [0xb638, 1], [0x10000, 10240],
];

describe('coverage of QEMU e1000e', () => {
  it('names every offset QEMU 10.0.2 e1000e handles', () => {
    const missing: string[] = [];
    for (const [first, dwords] of QEMU_E1000E_OFFSETS) {
      for (let i = 0; i < dwords; i++) {
        const offset = first + 4 * i;
        if (db.lookupOffset(offset) === undefined) missing.push(`0x${offset.toString(16)}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
