// Text renderers on SYNTHETIC summaries (see test/analysis/synthetic.ts): content, alignment,
// and colour only when the injected chalk instance asks for it.
import { describe, expect, it } from '@jest/globals';
import { Chalk } from 'chalk';
import { stripVTControlCharacters } from 'node:util';
import { buildParseSummary, type ParseSummary } from '../../src/analysis/parse-summary.js';
import { offlineTriage } from '../../src/analysis/offline-triage.js';
import { TraceSummaryBuilder } from '../../src/analysis/trace-summary.js';
import { lookupRegister } from '../../src/analysis/register-lookup.js';
import type { LineStats } from '../../src/formats/read-trace.js';
import { igbRegisters } from '../../src/regs/index.js';
import { renderParseSummary } from '../../src/report/parse-summary-text.js';
import { renderRegisterInfo } from '../../src/report/register-text.js';
import { renderTable } from '../../src/report/table.js';
import { renderTriage } from '../../src/report/triage-text.js';
import { accesses, marker, syntheticNames } from '../analysis/synthetic.js';

const plain = new Chalk({ level: 0 });
// The start of every ANSI colour sequence.
const ANSI = '\u001b[';

function stats(overrides: Partial<LineStats> = {}): LineStats {
  return {
    lines: 20, emptyLines: 1, deviceLines: 18, accessLines: 8, otherEvents: new Map([['pci_cfg_read', 1]]),
    otherEventLines: 1, otherPciLines: 1, otherTextLines: 0, gluedLines: 0, malformedLines: 0, malformedExamples: [],
    timestampStyles: { none: 19, 'tid-epoch': 0, iso8601: 0 }, deviceEvents: new Map(), ...overrides,
  };
}

function syntheticSummary(statOverrides: Partial<LineStats> = {}): ParseSummary {
  const builder = new TraceSummaryBuilder(syntheticNames());
  for (const a of accesses([
    { offset: 0x10, verdict: 'partial' }, { offset: 0x8 }, { kind: 'write', offset: 0 },
    { offset: 0x4038, verdict: 'unknown' }, { space: 'phy', offset: 20, verdict: 'phy-unhandled' },
  ])) builder.access(a);
  builder.marker(marker('autoneg', 2, 9));
  const source = { file: 'synthetic.log', compressed: false, bytes: 1234, dialect: { format: 'qemu-log', timestamps: 'none' } as const, stats: stats(statOverrides) };
  return buildParseSummary(source, builder.result(), 'synthetic dialect');
}

describe('renderParseSummary (synthetic)', () => {
  it('shows the line accounting, access table, markers, registers and what QEMU reported', () => {
    const text = renderParseSummary(syntheticSummary(), { color: plain, top: 20 });
    expect(text).not.toContain(ANSI);
    expect(text).toContain('Trace     synthetic.log (1,234 bytes)');
    expect(text).toMatch(/Lines {5}20: 18 device, 1 other events \(1 PCI config of other functions\), 0 other text, 1 empty, 0 glued, 0 malformed lines skipped/);
    expect(text).toMatch(/^ {2}mmio +3 +1 +4$/m);
    expect(text).toContain('Markers   1 (autoneg 1)');
    expect(text).toMatch(/^ {2}EECD +0x00010 +nvm +1 +0 +1 +partial read ×1$/m);
    expect(text).toMatch(/^ {2}unknown +SEC +0x04038 +read +1 +4$/m);
    expect(text).toMatch(/^ {2}phy-unhandled +PHY\[20\] GMII_FIFO +20 +read +1 +5$/m);
    expect(text).toContain('no timestamps in this trace');
  });

  it('limits the register table to --top and says so', () => {
    const text = renderParseSummary(syntheticSummary(), { color: plain, top: 1 });
    expect(text).toContain('Registers touched  4 (top 1 by accesses; --top N for more, --top 0 for all)');
  });

  it('lists malformed lines skipped in lenient mode with their line numbers', () => {
    const text = renderParseSummary(syntheticSummary({
      malformedLines: 1, malformedExamples: [{ line: 7, text: 'e1000e_core_read Read from register 0x8 \u0007', reason: 'bad value' }],
    }), { color: plain, top: 20 });
    expect(text).toContain('1 malformed line skipped');
    // Control characters from the trace never reach the terminal.
    expect(text).toContain('synthetic.log:7: bad value: e1000e_core_read Read from register 0x8 ?');
  });

  it('colours only when asked to', () => {
    expect(renderParseSummary(syntheticSummary(), { color: new Chalk({ level: 1 }), top: 20 })).toContain(ANSI);
  });
});

describe('renderTriage (synthetic)', () => {
  it('prints one table per block and the scoring formula', () => {
    const summary = syntheticSummary();
    const text = renderTriage(offlineTriage({ accesses: summary.accesses.total, registers: summary.registers },
      { file: 'synthetic.log', dialectDescription: 'synthetic' }), plain);
    expect(text).toContain('The recording QEMU flagged 3 registers in 3 blocks');
    expect(text).toMatch(/^1\. NVM \/ EEPROM \[nvm\]/m);
    expect(text).toMatch(/^ +1 +EECD +0x00010 +partial read ×1 +1 +1 +100\.0 +EECD \(synthetic\)$/m);
    expect(text).toContain('Ranking: score = 100 × m × (wc × ln(1+n)/ln(1+nMax) + we × (1 − s/S))');
  });
});

describe('renderRegisterInfo (real register database)', () => {
  it('shows the decoded value with LU = 1', () => {
    const text = renderRegisterInfo(lookupRegister(igbRegisters(), 'STATUS', 'mmio', 0x80080483), plain);
    expect(text).toMatch(/^ {2}1 +LU +1 +Link up$/m);
    expect(text).toContain('non-zero: FD=1 LU=1 SPEED=2');
  });
});

describe('renderTable', () => {
  it('aligns columns, ignoring colour codes when measuring', () => {
    const lines = renderTable([['a', 'bb'], [new Chalk({ level: 1 }).red('ccc'), 'd']], { align: ['left', 'right'] });
    expect(lines.map((l) => stripVTControlCharacters(l))).toEqual(['  a    bb', '  ccc   d']);
  });
});
