import { describe, expect, it } from '@jest/globals';
import { RegisterDatabaseError } from '../../src/regs/errors.js';
import { parseRegisterTables } from '../../src/regs/loader.js';
import { PHY_SPACE } from '../../src/regs/space.js';
import type { RegisterDef } from '../../src/model/register.js';

const REG_HEADER = 'name,offset,count,stride,width,access,read_side_effect,volatile,block,alias_of,fields_like,'
  + 'index_base,alt_names,description';
const FIELD_HEADER = 'register,field,lo,hi,description';
const CTRL = 'CTRL,0x0,1,,32,RW,no,no,general,,,,,"Device Control"';
const STATUS = 'STATUS,0x8,1,,32,RO,no,yes,general,,,,,"Device Status"';

/** Parses synthetic tables; line 1 of each file is its header, so data row k is on line k+1. */
function load(registerRows: string[], fieldRows: string[] = []): RegisterDef[] {
  return parseRegisterTables({
    registers: { file: 'regs.csv', text: [REG_HEADER, ...registerRows].join('\n') },
    fields: { file: 'fields.csv', text: [FIELD_HEADER, ...fieldRows].join('\n') },
  });
}

function errorOf(fn: () => unknown): RegisterDatabaseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof RegisterDatabaseError) return err;
    throw err;
  }
  throw new Error('expected a RegisterDatabaseError');
}

describe('parseRegisterTables', () => {
  it('accepts a valid table and attaches fields, aliases and borrowed fields', () => {
    const defs = load([
      CTRL, STATUS,
      'Q,0x100,4,0x40,32,RW,no,no,rx-queue,,,,,"Queue"',
      'Q_A,0x800,2,0x4,32,RW,no,no,rx-queue,Q,,,,"Alias"',
      'CTRL_DUP,0x4,1,,32,WO,no,no,general,,CTRL,,,"Duplicate"',
    ], ['CTRL,FD,0,0,"Full duplex"', 'CTRL,SPEED,8,9,"Speed"', 'Q,EN,25,25,"Enable"']);
    expect(defs.map((d) => d.name)).toEqual(['CTRL', 'STATUS', 'Q', 'Q_A', 'CTRL_DUP']);
    expect(defs[0]?.fields.map((f) => f.name)).toEqual(['FD', 'SPEED']);
    expect(defs[3]?.aliasOf).toBe('Q');
    expect(defs[3]?.fields.map((f) => f.name)).toEqual(['EN']);
    expect(defs[4]?.fields.map((f) => f.name)).toEqual(['FD', 'SPEED']);
  });

  it('treats # as a comment only at the start of a line', () => {
    const defs = load(['# a comment row', 'A,0x0,1,,32,RW,no,no,general,,,,,"queue #2, see note"']);
    expect(defs.map((d) => d.description)).toEqual(['queue #2, see note']);
  });

  it('counts comment lines in line numbers', () => {
    const err = errorOf(() => parseRegisterTables({
      registers: { file: 'regs.csv', text: ['# source', '# more', REG_HEADER, CTRL, CTRL].join('\n') },
      fields: { file: 'fields.csv', text: FIELD_HEADER },
    }));
    expect(err.message).toBe('regs.csv:5: duplicate register name CTRL (line 4)');
    expect([err.file, err.line]).toEqual(['regs.csv', 5]);
  });

  it.each([
    ['a duplicate name', [CTRL, STATUS, CTRL], 'regs.csv:4: duplicate register name CTRL (line 2)'],
    ['overlapping offsets', [CTRL, 'A,0x0,1,,32,RW,no,no,general,,,,,"A"'], 'regs.csv:3: A at 0x0 overlaps CTRL (line 2)'],
    ['an array running into a register',
      ['Q,0x100,4,0x4,32,RW,no,no,rx-queue,,,,,"Q"', 'B,0x10c,1,,32,RW,no,no,general,,,,,"B"'],
      'regs.csv:3: B at 0x10c overlaps Q(3) (line 2)'],
    ['a bad hex offset', ['A,0xZZ,1,,32,RW,no,no,general,,,,,"A"'], "regs.csv:2: column offset: bad hex number '0xZZ' (want 0x...)"],
    ['a hex offset without 0x', ['A,100,1,,32,RW,no,no,general,,,,,"A"'], "regs.csv:2: column offset: bad hex number '100' (want 0x...)"],
    ['a bad count', ['A,0x0,four,,32,RW,no,no,general,,,,,"A"'], "regs.csv:2: column count: bad number 'four'"],
    ['an unknown access type', ['A,0x0,1,,32,RX,no,no,general,,,,,"A"'], "regs.csv:2: column access: unknown value 'RX'"],
    ['an unknown block', ['A,0x0,1,,32,RW,no,no,misc,,,,,"A"'], "regs.csv:2: column block: unknown value 'misc'"],
    ['a bad yes/no', ['A,0x0,1,,32,RW,maybe,no,general,,,,,"A"'], "regs.csv:2: column read_side_effect: want yes or no, got 'maybe'"],
    ['a misaligned offset', ['A,0x2,1,,32,RW,no,no,general,,,,,"A"'], 'regs.csv:2: column offset: 0x2 is not aligned to 4'],
    ['an offset past the BAR', ['A,0x20000,1,,32,RW,no,no,general,,,,,"A"'], 'regs.csv:2: A ends at 0x20004, past the BAR0 size 0x20000'],
    ['an array without stride', ['A,0x0,2,,32,RW,no,no,general,,,,,"A"'], 'regs.csv:2: column stride: an array of 2 needs a stride'],
    ['a wrong width', ['A,0x0,1,,16,RW,no,no,general,,,,,"A"'], 'regs.csv:2: column width: BAR0 registers are 32 bits, got 16'],
    ['an unknown alias target', ['A_A,0x0,1,,32,RW,no,no,general,B,,,,"A"'], 'regs.csv:2: column alias_of: unknown register B'],
    ['an alias wider than its target',
      ['Q,0x100,2,0x4,32,RW,no,no,rx-queue,,,,,"Q"', 'Q_A,0x800,4,0x4,32,RW,no,no,rx-queue,Q,,,,"A"'],
      'regs.csv:3: column alias_of: Q_A(2) has no counterpart in Q'],
    ['an unknown fields_like target', ['A,0x0,1,,32,RW,no,no,general,,B,,,"A"'], 'regs.csv:2: column fields_like: unknown register B'],
    ['a clashing alternative name', [CTRL, 'A,0x4,1,,32,RW,no,no,general,,,,CTRL,"A"'],
      'regs.csv:3: alternative name CTRL is already used by CTRL (line 2)'],
    ['a missing column', ['A,0x0,1'], 'regs.csv:2: Invalid Record Length'],
  ])('rejects %s with file:line', (_what, rows, message) => {
    expect(errorOf(() => load(rows)).message).toContain(message);
  });

  it('allows one array name on several rows when the index ranges are disjoint', () => {
    const defs = load([
      'RAL,0x5400,16,0x8,32,RW,no,no,filters,,,,,"low"',
      'RAL,0x54e0,8,0x8,32,RW,no,no,filters,,,16,,"high"',
    ]);
    expect(defs[1]?.indexBase).toBe(16);
    expect(errorOf(() => load([
      'RAL,0x5400,16,0x8,32,RW,no,no,filters,,,,,"low"',
      'RAL,0x54e0,8,0x8,32,RW,no,no,filters,,,8,,"high"',
    ])).message).toBe('regs.csv:3: duplicate register name RAL: indexes 8..15 repeat those of line 2');
  });

  it('rejects a header with unknown or missing columns', () => {
    const err = errorOf(() => parseRegisterTables({
      registers: { file: 'regs.csv', text: 'name,offset\nA,0x0' },
      fields: { file: 'fields.csv', text: FIELD_HEADER },
    }));
    expect(err.message).toMatch(/^regs\.csv:1: bad header: missing column\(s\) count, stride/);
  });
});

describe('field validation', () => {
  it.each([
    ['a field beyond the width', ['CTRL,FD,0,32,"x"'], 'fields.csv:2: field FD: bits 0..32 are outside 0..31'],
    ['lo above hi', ['CTRL,SPEED,9,8,"x"'], 'fields.csv:2: field SPEED: lo 9 is above hi 8'],
    ['a bad bit number', ['CTRL,FD,zero,0,"x"'], "fields.csv:2: column lo: bad number 'zero'"],
    ['overlapping fields', ['CTRL,SPEED,8,9,"x"', 'CTRL,FRC,9,9,"y"'],
      'fields.csv:3: field CTRL.FRC (bits 9..9) overlaps SPEED (bits 8..9, line 2)'],
    ['a repeated field name', ['CTRL,FD,0,0,"x"', 'CTRL,FD,1,1,"y"'], 'fields.csv:3: duplicate field CTRL.FD (line 2)'],
    ['an unknown register', ['NOPE,FD,0,0,"x"'], 'fields.csv:2: field for unknown register NOPE'],
    ['fields on a register that borrows them', ['CTRL_DUP,FD,0,0,"x"'],
      'fields.csv:2: CTRL_DUP takes its fields from CTRL; list them there'],
  ])('rejects %s with file:line', (_what, rows, message) => {
    const regs = [CTRL, 'CTRL_DUP,0x4,1,,32,WO,no,no,general,,CTRL,,,"Duplicate"'];
    expect(errorOf(() => load(regs, rows)).message).toBe(message);
  });
});

describe('PHY address space', () => {
  it('uses register numbers and 16-bit widths', () => {
    const text = [REG_HEADER, 'BMCR,0x00,1,,16,RW,no,no,phy,,,,,"Control"', 'BMSR,0x01,1,,16,RO,yes,yes,phy,,,,,"Status"'];
    const defs = parseRegisterTables({
      registers: { file: 'phy.csv', text: text.join('\n') },
      fields: { file: 'phyf.csv', text: `${FIELD_HEADER}\nBMCR,RESET,15,15,"Reset"` },
    }, PHY_SPACE);
    expect(defs.map((d) => [d.name, d.offset, d.width])).toEqual([['BMCR', 0, 16], ['BMSR', 1, 16]]);
    const bad = errorOf(() => parseRegisterTables({
      registers: { file: 'phy.csv', text: `${REG_HEADER}\nX,0x20,1,,16,RW,no,no,phy,,,,,"X"` },
      fields: { file: 'phyf.csv', text: FIELD_HEADER },
    }, PHY_SPACE));
    expect(bad.message).toBe('phy.csv:2: X ends at 0x21, past the PHY size 0x20');
  });
});
