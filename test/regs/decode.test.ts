import { describe, expect, it } from '@jest/globals';
import { formatDecoded, formatFieldDiff, igbRegisters } from '../../src/regs/database.js';
import type { RegisterRef } from '../../src/model/register.js';

const db = igbRegisters();

function reg(name: string): RegisterRef {
  const ref = db.lookupName(name);
  if (ref === undefined) throw new Error(`no register ${name}`);
  return ref;
}

function fieldsOf(name: string, value: number): Record<string, number> {
  return Object.fromEntries(db.decode(reg(name), value).map((d) => [d.field.name, d.value]));
}

describe('decode', () => {
  it('decodes STATUS after autonegotiation (0x80080483)', () => {
    const status = fieldsOf('STATUS', 0x80080483);
    expect(status).toMatchObject({ FD: 1, LU: 1, SPEED: 2, PHYRA: 1, GIO_MASTER_ENABLE: 1, BIT31: 1, TXOFF: 0 });
    expect(formatDecoded(db.decode(reg('STATUS'), 0x80080483)))
      .toBe('FD=1 LU=1 SPEED=2 PHYRA=1 GIO_MASTER_ENABLE=1 BIT31=1');
  });

  it('decodes an MDIC read of BMSR (0x1821796d)', () => {
    expect(fieldsOf('MDIC', 0x1821796d)).toEqual({
      DATA: 0x796d, REGADD: 1, PHYADD: 1, OP: 2, READY: 1, INT_EN: 0, ERROR: 0, DEST: 0,
    });
    expect(formatDecoded(db.decode(reg('MDIC'), 0x1821796d))).toBe('DATA=0x796d REGADD=1 PHYADD=1 OP=2 READY=1');
  });

  it('lists every field with all=true, and fields cover 32-bit values', () => {
    expect(formatDecoded(db.decode(reg('EERD'), 0x54520002), { all: true })).toBe('START=0 DONE=1 ADDR=0 DATA=0x5452');
    expect(fieldsOf('IVAR(0)', 0x81808180)).toEqual({ RXQ_N: 0x80, TXQ_N: 0x81, RXQ_N8: 0x80, TXQ_N8: 0x81 });
  });

  it('reports set bits outside every field only when asked', () => {
    const tctl = db.decode(reg('TCTL'), 0xa40400f8, { undefinedBits: true }).map((d) => d.field.name);
    expect(tctl).toEqual(expect.arrayContaining(['bit[29]', 'bit[31]']));
    expect(db.decode(reg('TCTL'), 0xa40400f8).map((d) => d.field.name)).not.toContain('bit[29]');
  });

  it('decodes ICS/IMS/IMC/IAM like ICR and EICS/EIMS/EIMC/EIAC/EIAM like EICR', () => {
    for (const name of ['ICS', 'IMS', 'IMC', 'IAM']) expect(fieldsOf(name, 0x4)).toMatchObject({ LSC: 1 });
    for (const name of ['EICS', 'EIMS', 'EIMC', 'EIAC', 'EIAM', 'EICR']) {
      expect(formatDecoded(db.decode(reg(name), 0x80000005))).toBe('VEC0=1 VEC2=1 OTHER=1');
    }
  });

  it('gives aliases the fields of their canonical register', () => {
    expect(fieldsOf('SRRCTL_A(1)', 0x02000002)).toMatchObject({ BSIZEPACKET: 2, DESCTYPE: 1 });
    expect(fieldsOf('RAH_A(0)', 0x80005634)).toMatchObject({ ADDR_HI: 0x5634, AV: 1 });
  });

  it('decodes PHY registers', () => {
    const bmsr = db.lookupPhy(1);
    expect(bmsr && formatDecoded(db.decode(bmsr, 0x796d)))
      .toBe('EXT_CAP=1 LINK_STATUS=1 AN_ABILITY=1 AN_COMPLETE=1 MF_PREAMBLE_SUPPR=1 EXT_STATUS=1 10T_HD=1 10T_FD=1 100X_HD=1 100X_FD=1');
  });

  it('returns no fields for registers without a layout', () => {
    expect(db.decode(reg('RDBAL(0)'), 0x12345678)).toEqual([]);
  });
});

describe('diffFields', () => {
  it('names the fields that differ', () => {
    const diffs = db.diffFields(reg('STATUS'), 0x80080483, 0x80080481);
    expect(diffs.map((d) => formatFieldDiff('STATUS', d))).toEqual(['STATUS.LU: expected 1, got 0']);
  });

  it('reports multi-bit fields with their values and differing unnamed bits as bit runs', () => {
    const diffs = db.diffFields(reg('TCTL'), 0xa40400fa, 0x040400f8 | 0x2);
    expect(diffs.map((d) => [d.field.name, d.expected, d.actual])).toEqual([['bit[29]', 1, 0], ['bit[31]', 1, 0]]);
    const speed = db.diffFields(reg('CTRL'), 0x200, 0x100);
    expect(speed.map((d) => [d.field.name, d.expected, d.actual])).toEqual([['SPEED', 2, 1]]);
  });

  it('is empty for equal values and for registers without fields', () => {
    expect(db.diffFields(reg('STATUS'), 5, 5)).toEqual([]);
    expect(db.diffFields(reg('RDBAL(0)'), 1, 2)).toEqual([]);
  });
});
