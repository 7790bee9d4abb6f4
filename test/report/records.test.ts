// JSONL objects and CSV rows of SYNTHETIC records.
import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CSV_COLUMNS, accessCsvRow, accessJson, markerJson } from '../../src/report/records.js';
import { accesses, marker } from '../analysis/synthetic.js';

describe('record renderings (synthetic)', () => {
  const [a] = accesses([{ offset: 0xc0c0, value: 0x80080483, timeUs: 1_795_462_728_241_599, thread: 14139 }]);

  it('puts JSON keys in a fixed order with the register name', () => {
    expect(Object.keys(accessJson(a!, 'RDBAL(3)'))).toEqual(
      ['type', 'seq', 'line', 'timeUs', 'thread', 'kind', 'space', 'offset', 'name', 'size', 'value', 'verdict', 'events']);
    expect(Object.keys(markerJson(marker('autoneg', 3, 9)))).toEqual(['type', 'kind', 'line', 'afterSeq', 'events']);
  });

  it('writes CSV rows in header order with hex offsets and values, round-tripping through csv-parse', () => {
    const withEvents = { ...a!, events: [{ name: 'e1000e_irq_set', category: 'irq' as const, line: 2, text: 'x, "y"' }] };
    const text = stringify([[...CSV_COLUMNS], accessCsvRow(withEvents, 'RDBAL(3)')]);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([{
      seq: '0', line: '1', time_us: '1795462728241599', thread: '14139', kind: 'read', space: 'mmio',
      offset: '0xc0c0', register: 'RDBAL(3)', size: '4', value: '0x80080483', verdict: 'ok', events: 'e1000e_irq_set',
    }]);
  });
});
