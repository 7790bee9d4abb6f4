// Parser for QEMU's `log` trace backend output of the igb / e1000e NICs.
// Mirrors the event formats of hw/net/trace-events and hw/pci/trace-events (QEMU 8.0 .. 10.1) and
// the emitting code in hw/net/igb_core.c and hw/net/igb.c. One line in, zero or one record out
// (through the AccessAssembler, which attaches side events to their cause).
//
// A block of lines is first scanned (block-scan.ts: core accesses decoded, other subsystems'
// lines counted), then built into records here: core accesses and plain device events straight
// from the scan, every other line on the general path, which reads any prefix and dispatches on
// the event name to its handler (handlers.ts).

import type { AccessKind, AddressSpace, QemuVerdict, SideEvent } from '../../model/access.js';
import { ByteReader } from '../byte-reader.js';
import { Ch, isNameByte } from '../chars.js';
import { TraceFormatError } from '../errors.js';
import type { LineBlockConsumer } from '../line-splitter.js';
import { LineCounters, type LineStats } from '../line-stats.js';
import type { RecordSink } from '../sink.js';
import { AccessAssembler, EventRole, type PhyEffect } from './assembler.js';
import {
  type BlockScan, createBlockScan, FIELD_END, FIELD_KIND, FIELD_LINE, FIELD_OFFSET, FIELD_SIZE, FIELD_STYLE,
  FIELD_THREAD, FIELD_TIME, FIELD_VALUE, FIELDS_PER_LINE, LINE_CORE_READ, LINE_CORE_WRITE, LINE_OTHER, scanBlock,
} from './block-scan.js';
import { EventRegistry } from './event-registry.js';
import { markerKindOf } from './events.js';
import { FastCoreLine } from './fast-core.js';
import { deviceEventHandlers, type HandlerHost } from './handlers.js';
import { type ForeignCounts, LineClassifier } from './line-classifier.js';
import { LinePrefix, skipProgramPrefix } from './prefix.js';

export interface QemuLogOptions {
  /** Name used in error messages. */
  readonly file: string;
  /** Skip malformed device lines (counting them) instead of failing on the first. */
  readonly lenient?: boolean;
  /** PCI device model names whose `pci_cfg_*` lines are the NIC's (default igb, e1000e). */
  readonly nicDevices?: readonly string[];
}

/** IO BAR offset of IODATA (IOADDR is at 0). */
const IODATA = 4;
/** The IO BAR path calls the core with a uint64_t, so QEMU logs 8 bytes for it. */
const IO_PATH_SIZE = 8;
/** `-d guest_errors` messages of igb have no newline, so an event can follow one on its line. */
const GLUED_EVENT = /(?:\d+@\d+\.\d{6}:)?(?:e1000e_|e1000x_|igb|pci_cfg_)[a-z0-9_]* /;

export class QemuLogParser implements LineBlockConsumer, HandlerHost {
  readonly assembler: AccessAssembler;
  lineNo = 0;
  private readonly fast = new FastCoreLine();
  private readonly scan = createBlockScan();
  private readonly classifier: LineClassifier;
  private readonly nicDevices: ReadonlySet<string>;
  private readonly events: EventRegistry;
  private readonly counters = new LineCounters();
  /** core_read / core_write lines of the scan, added to the event counts at the end. */
  private coreReads = 0;
  private coreWrites = 0;
  /** The general path's line, prefix and cursor. */
  private readonly prefix = new LinePrefix();
  private readonly reader = new ByteReader();
  private lineStart = 0;

  constructor(private readonly options: QemuLogOptions, sink: RecordSink) {
    this.assembler = new AccessAssembler(sink);
    this.nicDevices = new Set(options.nicDevices ?? ['igb', 'e1000e']);
    this.classifier = new LineClassifier([...this.nicDevices]);
    this.events = new EventRegistry(deviceEventHandlers(this, this.nicDevices));
  }

  /** The PCI device models whose pci_cfg lines count as the NIC's. */
  get nicDeviceNames(): string[] {
    return [...this.nicDevices];
  }

  /** Parses whole lines in this thread: scan, then build records. */
  block(bytes: Buffer, start: number, end: number): void {
    scanBlock(this.fast, this.classifier, bytes, start, end, this.scan);
    this.consume(bytes, this.scan);
  }

  /** Builds records from a scanned block (scanned here or in a worker thread). */
  consume(bytes: Buffer, scan: BlockScan): void {
    const { starts, fields, count } = scan;
    const counters = this.counters;
    const firstLine = this.lineNo + 1;
    for (let i = 0; i < count; i++) {
      const base = i * FIELDS_PER_LINE;
      const lineNo = firstLine + fields[base + FIELD_LINE]!;
      this.lineNo = lineNo;
      const kind = fields[base + FIELD_KIND]!;
      if (kind === LINE_CORE_READ || kind === LINE_CORE_WRITE) {
        counters.lines++;
        counters.countStyle(fields[base + FIELD_STYLE]!);
        if (kind === LINE_CORE_READ) this.coreReads++;
        else this.coreWrites++;
        this.coreAccess(lineNo, kind === LINE_CORE_READ ? 'read' : 'write', fields, base);
        continue;
      }
      const pos = starts[i]!;
      const newline = fields[base + FIELD_END]!;
      const stop = newline > pos && bytes[newline - 1] === Ch.CR ? newline - 1 : newline;
      if (kind === LINE_OTHER || !this.namedEventLine(bytes, stop, fields, base)) this.line(bytes, pos, stop);
    }
    this.lineNo = firstLine - 1 + scan.lines;
  }

  /** Adds the lines a block scan counted but did not store (those not about the device). */
  addForeignCounts(counts: ForeignCounts): void {
    for (const [name, count] of counts.byName) {
      if (count === 0) continue;
      this.counters.other(name, count, name.startsWith('pci_cfg_'));
      this.counters.lines += count;
    }
    counts.styles.forEach((count, style) => this.counters.countStyle(style, count));
  }

  finish(): LineStats {
    this.assembler.finish();
    this.addForeignCounts(this.classifier.foreignCounts());
    const counters = this.counters;
    this.events.countInto(counters);
    if (this.coreReads > 0) counters.device('e1000e_core_read', this.coreReads);
    if (this.coreWrites > 0) counters.device('e1000e_core_write', this.coreWrites);
    this.coreReads = this.coreWrites = 0;
    return counters.snapshot();
  }

  registerAccess(kind: AccessKind, offset: number, size: number, value: number, verdict: QemuVerdict): void {
    this.addRegisterAccess(kind, offset, size, value, verdict, this.prefix.timeUs, this.prefix.thread);
  }

  addAccess(kind: AccessKind, space: AddressSpace, offset: number, size: number, value: number, verdict: QemuVerdict): void {
    this.counters.accesses++;
    this.assembler.addAccess(this.lineNo, kind, space, offset, size, value, verdict, undefined,
      this.prefix.timeUs, this.prefix.thread);
  }

  sideEvent(name: string, pos: number, role: EventRole, phy?: PhyEffect): void {
    const info = this.events.named(name);
    const text = this.reader.bytes.toString('latin1', pos, this.reader.end);
    const event: SideEvent = { name, category: info.category, line: this.lineNo, text };
    this.assembler.addEvent(event, this.prefix.thread, this.prefix.timeUs, markerKindOf(name, text), role, phy);
  }

  malformed(reason: string): void {
    const text = this.reader.bytes.toString('latin1', this.lineStart, this.reader.end);
    if (!this.options.lenient) throw new TraceFormatError(this.options.file, this.lineNo, text, reason);
    this.counters.addMalformed(this.lineNo, text, reason);
  }

  countPci(name: string, nic: boolean): void {
    const info = this.events.named(name);
    if (nic) info.count++;
    else info.foreign++;
  }

  /** Records a core_read / core_write line decoded by the scan. */
  private coreAccess(lineNo: number, kind: AccessKind, fields: Float64Array, base: number): void {
    this.addRegisterAccess(kind, fields[base + FIELD_OFFSET]!, fields[base + FIELD_SIZE]!, fields[base + FIELD_VALUE]!, 'ok',
      fields[base + FIELD_TIME]!, fields[base + FIELD_THREAD]!);
  }

  private addRegisterAccess(kind: AccessKind, offset: number, size: number, value: number, verdict: QemuVerdict,
    timeUs: number, thread: number): void {
    const viaIo = size === IO_PATH_SIZE;
    this.counters.accesses++;
    this.assembler.addAccess(this.lineNo, kind, viaIo ? 'io' : 'mmio', viaIo ? IODATA : offset, size, value, verdict,
      viaIo ? offset : undefined, timeUs, thread);
  }

  /**
   * The second-fastest path: an event line whose name the scan found. Records side events without
   * arguments to interpret; returns false (having changed nothing) for lines whose arguments need
   * the general path.
   */
  private namedEventLine(bytes: Buffer, stop: number, fields: Float64Array, base: number): boolean {
    const nameStart = fields[base + FIELD_OFFSET]!;
    const nameEnd = fields[base + FIELD_SIZE]!;
    // `| 0` turns the stored double back into a small integer, the fast kind of Map key.
    const info = this.events.found(fields[base + FIELD_VALUE]! | 0, bytes, nameStart, nameEnd);
    const foreign = info.kind === 'other';
    if (!foreign && info.handler !== undefined) return false;
    this.counters.lines++;
    this.counters.countStyle(fields[base + FIELD_STYLE]!);
    if (foreign) {
      info.foreign++;
      return true;
    }
    info.count++;
    const text = bytes.toString('latin1', nameEnd < stop ? nameEnd + 1 : stop, stop);
    const event: SideEvent = { name: info.name, category: info.category, line: this.lineNo, text };
    this.assembler.addEvent(event, fields[base + FIELD_THREAD]!, fields[base + FIELD_TIME]!,
      markerKindOf(info.name, text), EventRole.Plain);
    return true;
  }

  /** The general path: the line `bytes[start, end)` without its terminator. */
  private line(bytes: Buffer, start: number, end: number): void {
    this.lineStart = start;
    const r = this.reader.on(bytes, start, end);
    this.counters.lines++;
    if (start === end) {
      this.counters.emptyLines++;
      return;
    }
    const isEvent = this.prefix.read(r);
    this.counters.countStyle(this.prefix.style);
    if (!isEvent || !this.dispatch(r)) this.nonEventLine(bytes, start, end);
  }

  /** Handles the event line whose name is at `r`; false when the text there is not an event name. */
  private dispatch(r: ByteReader): boolean {
    const bytes = r.bytes;
    const pos = r.pos;
    let nameEnd = pos;
    let underscores = 0;
    for (; nameEnd < r.end && isNameByte(bytes[nameEnd]!); nameEnd++) if (bytes[nameEnd] === Ch.Underscore) underscores++;
    // QEMU names every trace event `group_event`; a first word without `_` is ordinary text.
    if (underscores === 0 || (nameEnd < r.end && bytes[nameEnd] !== Ch.Space)) return skipProgramPrefix(r) && this.dispatch(r);
    const info = this.events.named(bytes.toString('latin1', pos, nameEnd));
    r.pos = nameEnd < r.end ? nameEnd + 1 : r.end;
    if (info.handler !== undefined) {
      // pci_cfg lines are counted by their handler once it is known whether they are the NIC's.
      if (info.kind !== 'pci') info.count++;
      info.handler(r);
    } else if (info.kind === 'device') {
      info.count++;
      this.sideEvent(info.name, r.pos, EventRole.Plain);
    } else {
      info.foreign++;
    }
    return true;
  }

  /** A line that does not start with an event: other output, or a guest-error message glued onto an event. */
  private nonEventLine(bytes: Buffer, start: number, end: number): void {
    const glued = GLUED_EVENT.exec(bytes.toString('latin1', start, end));
    if (glued !== null && glued.index > 0) {
      this.counters.gluedLines++;
      const r = this.reader.on(bytes, start + glued.index, end);
      if (this.prefix.read(r) && this.dispatch(r)) return;
    }
    this.counters.otherTextLines++;
  }
}
