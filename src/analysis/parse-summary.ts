// The result of `igb-replay parse`: the record aggregate plus what the reader knew about the source
// (file, dialect, line accounting). One plain, JSON-ready object; text and JSON are renderings of it.
// The JSON form is documented in docs/json-schemas.md; bump PARSE_SUMMARY_VERSION on breaking changes.

import type { AccessKind, QemuVerdict } from '../model/access.js';
import type { Dialect } from '../formats/detect.js';
import type { DeviceModel } from '../devices/table.js';
import type { LineStats, MalformedLine } from '../formats/read-trace.js';
import type { BlockName, RecordSummary, RegisterSpaceName, RegisterTally, TimeSpan } from './trace-summary.js';

export const PARSE_SUMMARY_SCHEMA = 'igb-replay/parse-summary';
export const PARSE_SUMMARY_VERSION = 1;

/** What the trace reader reports besides the records (a subset of TraceReadResult). */
export interface SourceInfo {
  readonly file: string;
  readonly compressed: boolean;
  readonly bytes: number;
  readonly dialect: Dialect;
  readonly stats: LineStats;
}

export interface LineAccounting {
  readonly total: number;
  readonly device: number;
  readonly accessLines: number;
  readonly otherEvents: number;
  readonly otherPci: number;
  readonly otherText: number;
  readonly empty: number;
  readonly glued: number;
  /** Malformed device lines skipped (only non-zero with --lenient; otherwise parsing stops). */
  readonly malformed: number;
  readonly malformedExamples: readonly MalformedLine[];
  /** Events of other QEMU subsystems, by name, most frequent first. */
  readonly otherEventNames: Readonly<Record<string, number>>;
}

/** One register QEMU complained about, flattened for the "QEMU reported" list. */
export interface ReportedRegister {
  readonly verdict: Exclude<QemuVerdict, 'ok'>;
  readonly kind: AccessKind;
  readonly space: RegisterSpaceName;
  readonly offset: number;
  readonly name?: string;
  readonly block: BlockName;
  readonly count: number;
  readonly firstSeq: number;
  readonly firstLine: number;
}

export interface ParseSummary {
  readonly schema: typeof PARSE_SUMMARY_SCHEMA;
  readonly version: typeof PARSE_SUMMARY_VERSION;
  readonly source: {
    readonly file: string;
    readonly compressed: boolean;
    readonly bytes: number;
    readonly dialect: Dialect;
    readonly dialectDescription: string;
    /** The device the trace was recorded on, whose register database names its registers, and why. */
    readonly device?: { readonly model: DeviceModel; readonly reason: string };
  };
  readonly lines: LineAccounting;
  readonly accesses: {
    readonly total: number;
    readonly bySpace: RecordSummary['bySpace'];
    readonly byVerdict: RecordSummary['verdicts'];
  };
  readonly markers: { readonly total: number; readonly byKind: RecordSummary['markersByKind'] };
  readonly time: TimeSpan | null;
  readonly registers: RecordSummary['registers'];
  readonly qemuReported: readonly ReportedRegister[];
}

const VERDICT_ORDER: readonly QemuVerdict[] = ['unknown', 'partial', 'read-only', 'phy-unhandled'];

export function buildParseSummary(source: SourceInfo, records: RecordSummary, dialectDescription: string,
  device?: { readonly model: DeviceModel; readonly reason: string }): ParseSummary {
  return {
    schema: PARSE_SUMMARY_SCHEMA,
    version: PARSE_SUMMARY_VERSION,
    source: {
      file: source.file, compressed: source.compressed, bytes: source.bytes,
      dialect: source.dialect, dialectDescription, ...(device === undefined ? {} : { device }),
    },
    lines: lineAccounting(source.stats),
    accesses: { total: records.accesses, bySpace: records.bySpace, byVerdict: records.verdicts },
    markers: { total: records.markers, byKind: records.markersByKind },
    time: records.time ?? null,
    registers: records.registers,
    qemuReported: reportedRegisters(records.registers),
  };
}

function lineAccounting(stats: LineStats): LineAccounting {
  const otherEventNames = Object.fromEntries([...stats.otherEvents].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
  return {
    total: stats.lines,
    device: stats.deviceLines,
    accessLines: stats.accessLines,
    otherEvents: stats.otherEventLines,
    otherPci: stats.otherPciLines,
    otherText: stats.otherTextLines,
    empty: stats.emptyLines,
    glued: stats.gluedLines,
    malformed: stats.malformedLines,
    malformedExamples: stats.malformedExamples,
    otherEventNames,
  };
}

/** Every (register, verdict, kind) QEMU flagged, by verdict, then in order of first appearance. */
export function reportedRegisters(registers: RecordSummary['registers']): ReportedRegister[] {
  const all: RegisterTally[] = Object.values(registers).flat();
  const reported: ReportedRegister[] = [];
  for (const t of all) {
    for (const v of t.verdicts) {
      reported.push({
        verdict: v.verdict, kind: v.kind, space: t.space, offset: t.offset,
        ...(t.name === undefined ? {} : { name: t.name }),
        block: t.block, count: v.count, firstSeq: v.firstSeq, firstLine: v.firstLine,
      });
    }
  }
  return reported.sort((a, b) => VERDICT_ORDER.indexOf(a.verdict) - VERDICT_ORDER.indexOf(b.verdict)
    || a.firstSeq - b.firstSeq);
}
