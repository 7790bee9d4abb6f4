// Text rendering of a trace diff (DiffResult): a verdict line, the first difference, tallies per
// block and per register (first difference first), then the differences in trace order.

import type { ChalkInstance } from 'chalk';
import type { Difference, DiffResult, DiffTally, SeqRange } from '../diff/result.js';
import { formatFieldValue } from '../regs/index.js';
import { hexPad, num, plural } from './format.js';
import { renderTable } from './table.js';
import { verdictText } from './verdict-text.js';

export interface DiffTextOptions {
  readonly color: ChalkInstance;
  /** Differences listed (0: all that the result holds); registers listed is 3× this. */
  readonly limit: number;
}

export function renderDiff(r: DiffResult, options: DiffTextOptions): string {
  const c = options.color;
  const lines = [
    `${c.bold('Trace diff')}  A: ${r.a.file} (${plural(r.a.accesses, 'access', 'accesses')})`,
    `            B: ${r.b.file} (${plural(r.b.accesses, 'access', 'accesses')})`,
    `Aligned ${num(r.alignment.matched)} accesses; ${num(r.alignment.onlyInA)} only in A, ${num(r.alignment.onlyInB)} only in B.`
      + (filterText(r) === '' ? '' : `  Filter: ${filterText(r)}.`),
    verdictLine(r, c),
  ];
  const ignored = r.counts.ignored.reads + r.counts.ignored.writes;
  if (r.options.ignoreVolatile && ignored > 0) {
    lines.push(c.dim(`Ignored (--ignore-volatile): ${plural(r.counts.ignored.reads, 'volatile read value')}, `
      + `${plural(r.counts.ignored.writes, 'per-boot write value')}; --no-ignore-volatile shows them.`));
  }
  if (r.first !== undefined) lines.push('', `${c.bold('First difference:')} ${differenceText(r.first, c)}`);
  lines.push(...phaseLines(r, c));
  if (r.blocks.length > 0) lines.push('', c.bold('By block'), ...renderTable(tallyRows('block', r.blocks.map((b) => [b.block, b])), { align: ALIGN }));
  if (r.registers.length > 0) {
    const shown = options.limit === 0 ? r.registers : r.registers.slice(0, options.limit * 3);
    lines.push('', c.bold('By register'), ...renderTable(tallyRows('register', shown.map((t) => [t.label, t])), { align: ALIGN }));
    if (shown.length < r.registers.length) lines.push(c.dim(`  … ${plural(r.registers.length - shown.length, 'more register')} (--limit 0 or --json for all)`));
  }
  const listed = options.limit === 0 ? r.differences : r.differences.slice(0, options.limit);
  if (listed.length > 0) {
    const total = r.differences.length + r.omitted;
    lines.push('', c.bold(listed.length < total ? `Differences (first ${num(listed.length)} of ${num(total)})` : 'Differences'));
    for (const d of listed) lines.push(`  ${differenceText(d, c)}`);
  }
  return `${lines.join('\n')}\n`;
}

const ALIGN = ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'] as const;

function tallyRows(head: string, rows: readonly (readonly [string, DiffTally])[]): string[][] {
  const table = [[head, 'reads', 'writes', 'verdicts', 'only A', 'only B', 'ignored', 'first A', 'first B']];
  for (const [name, t] of rows) {
    table.push([name, cnt(t.changedReads), cnt(t.changedWrites), cnt(t.changedVerdicts), cnt(t.onlyInA), cnt(t.onlyInB),
      cnt(t.ignored), num(t.firstLineA), num(t.firstLineB)]);
  }
  return table;
}

/** The two phase sequences when they differ, and the differences per phase of A. */
function phaseLines(r: DiffResult, c: ChalkInstance): string[] {
  const out: string[] = [];
  const same = r.phases.a.length === r.phases.b.length && r.phases.a.every((p, i) => p === r.phases.b[i]);
  if (!same) {
    out.push('', c.bold('Phases differ'), `  A: ${r.phases.a.join(' → ')}`, `  B: ${r.phases.b.join(' → ')}`);
  }
  if (r.phases.byPhase.length > 0) {
    const table = [['phase (A)', 'lines A', 'reads', 'writes', 'verdicts', 'hunks', 'only A', 'only B', 'ignored']];
    for (const p of r.phases.byPhase) {
      table.push([p.phase, `${num(p.firstLineA)}–${num(p.lastLineA)}`, cnt(p.changedReads), cnt(p.changedWrites), cnt(p.changedVerdicts),
        cnt(p.hunks), cnt(p.onlyInA), cnt(p.onlyInB), cnt(p.ignored)]);
    }
    out.push('', c.bold('By phase'), ...renderTable(table, { align: ALIGN }));
  }
  return out;
}

function cnt(n: number): string {
  return n === 0 ? '-' : num(n);
}

function verdictLine(r: DiffResult, c: ChalkInstance): string {
  if (r.equivalent) return c.green('Equivalent: no differences.');
  const k = r.counts;
  const parts = [
    plural(k.changedReads, 'changed read'), plural(k.changedWrites, 'changed write'), plural(k.changedVerdicts, 'changed verdict'),
    `${plural(k.hunks, 'hunk')} (${num(k.onlyInA)} only in A, ${num(k.onlyInB)} only in B)`,
  ];
  return `${c.red('Different:')} ${parts.join(', ')}.`;
}

function filterText(r: DiffResult): string {
  const parts: string[] = [];
  if (r.options.registers !== undefined) parts.push(`--registers ${r.options.registers.join(',')}`);
  if (r.options.block !== undefined) parts.push(`--block ${r.options.block}`);
  return parts.join(' ');
}

export function differenceText(d: Difference, c: ChalkInstance): string {
  switch (d.type) {
    case 'changed-read':
    case 'changed-write': {
      const fields = d.fields.length === 0 ? '' : `  (${d.fields.map((f) => `${f.field}: ${formatFieldValue(f.expected)} → ${formatFieldValue(f.actual)}`).join(', ')})`;
      return `A:${num(d.a.line)} B:${num(d.b.line)}  ${d.type === 'changed-read' ? 'read ' : 'write'} ${c.cyan(d.register.label)}  `
        + `${hexPad(d.expected, 8)} → ${c.yellow(hexPad(d.actual, 8))}${fields}`;
    }
    case 'changed-verdict':
      return `A:${num(d.a.line)} B:${num(d.b.line)}  ${d.kind.padEnd(5)} ${c.cyan(d.register.label)}  QEMU verdict `
        + `${verdictText(d.expected, c)} → ${verdictText(d.actual, c)}`;
    case 'hunk': {
      const regs = d.registers.slice(0, 6).map((x) => `${x.label} ${x.inA}/${x.inB}`).join(', ');
      const more = d.registers.length > 6 ? `, … ${d.registers.length - 6} more` : '';
      const which = d.b.count === 0 ? c.red(`only in A: ${plural(d.a.count, 'access', 'accesses')}`)
        : d.a.count === 0 ? c.green(`only in B: ${plural(d.b.count, 'access', 'accesses')}`)
          : c.yellow(`A has ${num(d.a.count)}, B has ${num(d.b.count)} other accesses`);
      const after = d.after === undefined ? ''
        : c.dim(`  — after ${d.after.register} read ${hexPad(d.after.expected, 8)} → ${hexPad(d.after.actual, 8)} (A:${num(d.after.a.line)})`);
      return `A:${rangeText(d.a)} B:${rangeText(d.b)}  ${which}  [${regs}${more}] (A/B)${after}`;
    }
  }
}

function rangeText(s: SeqRange): string {
  if (s.count === 0) return `after ${num(s.afterLine ?? 0)}`;
  return s.firstLine === s.lastLine ? num(s.firstLine ?? 0) : `${num(s.firstLine ?? 0)}-${num(s.lastLine ?? 0)}`;
}
