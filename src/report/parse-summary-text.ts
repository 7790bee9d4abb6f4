// Text rendering of the `parse` summary (ParseSummary). Colour comes from the injected chalk
// instance, so the caller decides (TTY, NO_COLOR, FORCE_COLOR) and tests pass a level-0 one.

import type { ChalkInstance } from 'chalk';
import { ADDRESS_SPACES, MARKER_KINDS, QEMU_VERDICTS } from '../model/access.js';
import type { ParseSummary, ReportedRegister } from '../analysis/parse-summary.js';
import type { RegisterTally } from '../analysis/trace-summary.js';
import { registerLabel } from '../regs/naming.js';
import { excerpt } from '../formats/errors.js';
import { duration, hexPad, isoMicros, num, plural } from './format.js';
import { renderTable } from './table.js';
import { verdictText } from './verdict-text.js';

export interface SummaryTextOptions {
  readonly color: ChalkInstance;
  /** Registers to list in the "registers touched" table; 0 lists all. */
  readonly top: number;
}

export function renderParseSummary(s: ParseSummary, options: SummaryTextOptions): string {
  const c = options.color;
  const sections = [
    header(s, c),
    accessSection(s, c),
    registerSection(s.registers.mmio, options),
    phySection(s.registers.phy, c),
    otherSpaces(s),
    reportedSection(s.qemuReported, c),
  ];
  return `${sections.filter((x) => x.length > 0).map((x) => x.join('\n')).join('\n\n')}\n`;
}

function header(s: ParseSummary, c: ChalkInstance): string[] {
  const l = s.lines;
  const size = s.source.compressed ? `${num(s.source.bytes)} bytes after gunzip` : `${num(s.source.bytes)} bytes`;
  const lines = [
    `${c.bold('Trace')}     ${s.source.file} (${size})`,
    `${c.bold('Dialect')}   ${s.source.dialectDescription}`,
    ...(s.source.device === undefined ? [] : [`${c.bold('Device')}    ${s.source.device.model} register names (${s.source.device.reason})`]),
    `${c.bold('Lines')}     ${num(l.total)}: ${num(l.device)} device, ${num(l.otherEvents)} other events`
      + `${l.otherPci > 0 ? ` (${num(l.otherPci)} PCI config of other functions)` : ''}, ${num(l.otherText)} other text, `
      + `${num(l.empty)} empty, ${num(l.glued)} glued, ${plural(l.malformed, 'malformed line')} skipped`,
    `${c.bold('Time')}      ${timeText(s)}`,
  ];
  if (l.malformed > 0) {
    lines.push(c.yellow(`  ${plural(l.malformed, 'malformed line')} skipped${l.malformedExamples.length < l.malformed ? `, first ${l.malformedExamples.length}` : ''}:`));
    for (const m of l.malformedExamples) lines.push(`    ${s.source.file}:${m.line}: ${m.reason}: ${excerpt(m.text)}`);
  }
  return lines;
}

function timeText(s: ParseSummary): string {
  const t = s.time;
  if (t === null) return 'no timestamps in this trace';
  // mmiotrace stamps seconds since the traced machine booted, not wall-clock time.
  if (s.source.dialect.format === 'mmiotrace') {
    return `${(t.firstUs / 1e6).toFixed(6)} s .. ${(t.lastUs / 1e6).toFixed(6)} s since boot (${duration(t.durationUs)}, ${plural(t.threads, 'pid')})`;
  }
  return `${isoMicros(t.firstUs)} .. ${isoMicros(t.lastUs)} (${duration(t.durationUs)}, ${plural(t.threads, 'thread')})`;
}

function accessSection(s: ParseSummary, c: ChalkInstance): string[] {
  const rows = [['', 'reads', 'writes', 'total']];
  for (const space of ADDRESS_SPACES) {
    const k = s.accesses.bySpace[space];
    if (k.read + k.write > 0) rows.push([space, num(k.read), num(k.write), num(k.read + k.write)]);
  }
  const markers = MARKER_KINDS.filter((k) => s.markers.byKind[k] > 0).map((k) => `${k} ${num(s.markers.byKind[k])}`);
  const verdicts = QEMU_VERDICTS.map((v) => `${v} ${num(s.accesses.byVerdict[v])}`);
  return [
    `${c.bold('Accesses')}  ${num(s.accesses.total)}`,
    ...(rows.length > 1 ? renderTable(rows, { align: ['left', 'right', 'right', 'right'] }) : []),
    ...(s.accesses.bySpace.phy.read + s.accesses.bySpace.phy.write > 0
      ? [c.dim('  (phy accesses are derived from the MDIC writes that caused them)')] : []),
    `${c.bold('Markers')}   ${num(s.markers.total)}${markers.length > 0 ? ` (${markers.join(', ')})` : ''}`,
    `${c.bold('QEMU verdicts')}  ${verdicts.join(', ')}`,
  ];
}

function registerSection(tallies: readonly RegisterTally[], options: SummaryTextOptions): string[] {
  const c = options.color;
  if (tallies.length === 0) return [`${c.bold('Registers touched')}  none`];
  const shown = options.top > 0 ? tallies.slice(0, options.top) : tallies;
  const note = shown.length < tallies.length ? ` (top ${shown.length} by accesses; --top N for more, --top 0 for all)` : '';
  const rows = [['register', 'offset', 'block', 'reads', 'writes', 'first line', 'QEMU']];
  for (const t of shown) {
    rows.push([registerLabel('mmio', t.offset, t.name), hexPad(t.offset, 5), t.block, num(t.reads), num(t.writes),
      num(t.firstLine), verdictList(t, c)]);
  }
  return [`${c.bold('Registers touched')}  ${num(tallies.length)}${note}`,
    ...renderTable(rows, { align: ['left', 'left', 'left', 'right', 'right', 'right', 'left'] })];
}

function phySection(tallies: readonly RegisterTally[], c: ChalkInstance): string[] {
  if (tallies.length === 0) return [];
  const sorted = [...tallies].sort((a, b) => a.offset - b.offset);
  const rows = [['register', 'reads', 'writes', 'first line', 'QEMU']];
  for (const t of sorted) {
    rows.push([registerLabel('phy', t.offset, t.name), num(t.reads), num(t.writes), num(t.firstLine), verdictList(t, c)]);
  }
  return [`${c.bold('PHY registers touched')}  ${num(tallies.length)} (through MDIC)`,
    ...renderTable(rows, { align: ['left', 'right', 'right', 'right', 'left'] })];
}

function otherSpaces(s: ParseSummary): string[] {
  const lines: string[] = [];
  const config = s.registers['pci-config'];
  const io = s.registers.io;
  const count = (list: readonly RegisterTally[]): number => list.reduce((sum, t) => sum + t.reads + t.writes, 0);
  if (config.length > 0) lines.push(`PCI config  ${plural(count(config), 'access', 'accesses')} at ${plural(config.length, 'offset')}`);
  if (io.length > 0) lines.push(`IO BAR      ${plural(count(io), 'access', 'accesses')} to IOADDR/IODATA not counted as registers`);
  return lines;
}

function reportedSection(reported: readonly ReportedRegister[], c: ChalkInstance): string[] {
  const title = c.bold('QEMU reported');
  if (reported.length === 0) return [`${title}  nothing: no unknown, partial, read-only or PHY-unhandled accesses`];
  const registers = new Set(reported.map((r) => `${r.space}:${r.offset}`)).size;
  const rows = [['verdict', 'register', 'offset', 'access', 'count', 'first line']];
  for (const r of reported) {
    const offset = r.space === 'phy' ? String(r.offset) : hexPad(r.offset, 5);
    rows.push([verdictText(r.verdict, c), registerLabel(r.space, r.offset, r.name), offset, r.kind, num(r.count), num(r.firstLine)]);
  }
  return [`${title}  ${plural(registers, 'register')} (igb-replay triage ranks them)`,
    ...renderTable(rows, { align: ['left', 'left', 'left', 'left', 'right', 'right'] })];
}

function verdictList(t: RegisterTally, c: ChalkInstance): string {
  return t.verdicts.map((v) => `${verdictText(v.verdict, c)} ${v.kind} ×${num(v.count)}`).join(', ');
}
