// Parser for QEMU's `log` trace backend output of the igb / e1000e NICs.
// Mirrors the event formats of hw/net/trace-events and hw/pci/trace-events (QEMU 8.0 .. 10.1) and
// the emitting code in hw/net/igb_core.c and hw/net/igb.c. One line in, zero or one record out
// (through the AccessAssembler, which attaches side events to their cause).

import type { AccessKind, AddressSpace, QemuVerdict, SideEvent, SideEventCategory } from '../../model/access.js';
import { TraceFormatError } from '../errors.js';
import type { LineBlockConsumer } from '../line-splitter.js';
import { EventArgs, readConfigWrite, readIoData, readMdic, readOneHex, readPciCfg, readRegisterAccess, readTrivial } from './arguments.js';
import type { RecordSink } from '../sink.js';
import { AccessAssembler, EventRole, type PhyEffect } from './assembler.js';
import { categoryOf, isDeviceEvent, markerKindOf } from './events.js';
import { EventTable, MAX_EVENT_NAMES, type EventHandler, type EventInfo } from './event-table.js';
import { FastCoreLine } from './fast-core.js';
import { type ForeignCounts, LineClassifier } from './line-classifier.js';
import {
  type BlockScan, createBlockScan, FIELD_KIND, FIELD_OFFSET, FIELD_SIZE, FIELD_STYLE, FIELD_THREAD, FIELD_TIME,
  FIELD_VALUE, FIELDS_PER_LINE, LINE_CORE_READ, LINE_CORE_WRITE, LINE_EVENT, LINE_FOREIGN, LINE_OTHER, scanBlock, FIELD_LINE, FIELD_END,
} from './block-scan.js';
import { LinePrefix, skipProgramPrefix } from './prefix.js';
import { LineScanner } from './scanner.js';
import { LineCounters, type LineStats, TIMESTAMP_STYLES } from '../line-stats.js';

export interface QemuLogOptions {
  /** Name used in error messages. */
  readonly file: string;
  /** Skip malformed device lines (counting them) instead of failing on the first. */
  readonly lenient?: boolean;
  /** PCI device model names whose `pci_cfg_*` lines are the NIC's (default igb, e1000e). */
  readonly nicDevices?: readonly string[];
}

type Handler = EventHandler;


/** IO BAR offset of IODATA (IOADDR is at 0). */
const IODATA = 4;
/** The IO BAR path calls the core with a uint64_t, so QEMU logs 8 bytes for it. */
const IO_PATH_SIZE = 8;
const CH_CR = 13;

export class QemuLogParser implements LineBlockConsumer {
  private readonly prefix = new LinePrefix();
  private readonly fast = new FastCoreLine();
  private readonly scan = createBlockScan();
  private readonly classifier: LineClassifier;
  private readonly scanner = new LineScanner();
  private readonly args = new EventArgs();
  private readonly assembler: AccessAssembler;
  private readonly counters = new LineCounters();
  /** core_read / core_write lines of the fast path, added to the event counts at the end. */
  private coreReads = 0;
  private coreWrites = 0;
  private readonly handlers: ReadonlyMap<string, Handler>;
  private readonly events = new Map<string, EventInfo>();
  private readonly eventTable = new EventTable();
  private readonly nicDevices: ReadonlySet<string>;
  private nicAddress = '';
  /** Line of the last NIC pci_cfg_write, whose igb_write_config twin follows on the next line. */
  private pciCfgWriteLine = -1;
  private lineNo = 0;
  private lineText = '';
  private lineStart = 0;
  private lineEnd = 0;

  constructor(private readonly options: QemuLogOptions, sink: RecordSink) {
    this.assembler = new AccessAssembler(sink);
    this.nicDevices = new Set(options.nicDevices ?? ['igb', 'e1000e']);
    this.classifier = new LineClassifier([...this.nicDevices]);
    this.handlers = this.buildHandlers();
    for (const name of this.handlers.keys()) this.eventInfo(name);
  }

  /** Parses whole lines in this thread: scan, then build records. */
  /** The PCI device models whose pci_cfg lines count as the NIC's. */
  get nicDeviceNames(): string[] {
    return [...this.nicDevices];
  }

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
      const stop = newline > pos && bytes[newline - 1] === CH_CR ? newline - 1 : newline;
      if (fields[base + FIELD_KIND] === LINE_OTHER || !this.namedEventLine(bytes, LINE_EVENT, stop, fields, base, lineNo)) {
        const text = bytes.toString('latin1', pos, stop);
        this.line(text, 0, text.length, lineNo);
      }
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

  /** Records a core_read / core_write line decoded by the scan. */
  private coreAccess(lineNo: number, kind: AccessKind, fields: Float64Array, base: number): void {
    const offset = fields[base + FIELD_OFFSET]!;
    const size = fields[base + FIELD_SIZE]!;
    const viaIo = size === IO_PATH_SIZE;
    this.counters.accesses++;
    this.assembler.addAccess(lineNo, kind, viaIo ? 'io' : 'mmio', viaIo ? IODATA : offset, size,
      fields[base + FIELD_VALUE]!, 'ok', viaIo ? offset : undefined, fields[base + FIELD_TIME]!, fields[base + FIELD_THREAD]!);
  }

  /**
   * The second-fastest path: an event line whose name the scan found. Counts lines not about the
   * device and records side events without arguments to interpret; returns false (having changed
   * nothing) for lines whose arguments need the general path.
   */
  private namedEventLine(bytes: Buffer, kind: number, stop: number, fields: Float64Array, base: number,
    lineNo: number): boolean {
    const nameStart = fields[base + FIELD_OFFSET]!;
    const nameEnd = fields[base + FIELD_SIZE]!;
    // `| 0` turns the stored double back into a small integer, the fast kind of Map key.
    const hash = fields[base + FIELD_VALUE]! | 0;
    let info = this.eventTable.find(hash, bytes, nameStart, nameEnd);
    if (info === undefined) {
      info = this.eventInfo(bytes.toString('latin1', nameStart, nameEnd));
      this.eventTable.add(hash, info);
    }
    const foreign = info.kind === 'other' || (info.kind === 'pci' && kind === LINE_FOREIGN);
    if (!foreign && info.handler !== undefined) return false;
    this.counters.lines++;
    this.counters.countStyle(fields[base + FIELD_STYLE]!);
    this.lineNo = lineNo;
    if (foreign) {
      info.foreign++;
      return true;
    }
    info.count++;
    const text = bytes.toString('latin1', nameEnd < stop ? nameEnd + 1 : stop, stop);
    const event: SideEvent = { name: info.name, category: info.category, line: lineNo, text };
    this.assembler.addEvent(event, fields[base + FIELD_THREAD]!, fields[base + FIELD_TIME]!,
      markerKindOf(info.name, text), EventRole.Plain);
    return true;
  }

  /** The general path: every other line, `text[start, end)` without its terminator. */
  line(text: string, start: number, end: number, lineNo: number): void {
    this.lineNo = lineNo;
    this.lineText = text;
    this.lineStart = start;
    this.lineEnd = end;
    this.counters.lines++;
    if (start === end) {
      this.counters.emptyLines++;
      return;
    }
    const prefix = this.prefix;
    prefix.read(text, start, end);
    this.counters.countStyle(TIMESTAMP_STYLES.indexOf(prefix.style));
    if (prefix.namePos < 0 || !this.dispatch(prefix.namePos, end)) this.nonEventLine(text, start, end);
  }

  finish(): LineStats {
    this.assembler.finish();
    this.addForeignCounts(this.classifier.foreignCounts());
    const counters = this.counters;
    for (const info of this.events.values()) {
      if (info.count > 0) counters.device(info.name, info.count);
      if (info.foreign > 0) counters.other(info.name, info.foreign, info.kind === 'pci');
    }
    if (this.coreReads > 0) counters.device('e1000e_core_read', this.coreReads);
    if (this.coreWrites > 0) counters.device('e1000e_core_write', this.coreWrites);
    this.coreReads = this.coreWrites = 0;
    return counters.snapshot();
  }

  /** Handles an event line; false when the text at `pos` is not an event name. */
  private dispatch(pos: number, end: number): boolean {
    const text = this.lineText;
    const nameEnd = eventNameEnd(text, pos, end);
    // QEMU names every trace event `group_event`; a first word without `_` is ordinary text.
    if (nameEnd === pos || (nameEnd < end && text.charCodeAt(nameEnd) !== 32) || text.indexOf('_', pos) >= nameEnd
      || text.indexOf('_', pos) < 0) {
      const afterProgram = skipProgramPrefix(text, pos, end);
      return afterProgram >= 0 && this.dispatch(afterProgram, end);
    }
    const info = this.eventInfo(text.slice(pos, nameEnd));
    const argsPos = nameEnd < end ? nameEnd + 1 : end;
    if (info.handler !== undefined) {
      // pci_cfg lines are counted by their handler once it is known whether they are the NIC's.
      if (info.kind !== 'pci') info.count++;
      info.handler(argsPos, end);
    } else if (info.kind === 'device') {
      info.count++;
      this.sideEvent(info.name, argsPos, end, EventRole.Plain, undefined, info.category);
    } else {
      info.foreign++;
    }
    return true;
  }

  /** One lookup per line gives everything the parser needs to know about an event name. */
  private eventInfo(name: string): EventInfo {
    let info = this.events.get(name);
    if (info === undefined) {
      const kind = name.startsWith('pci_cfg_') ? 'pci' : isDeviceEvent(name) ? 'device' : 'other';
      if (this.events.size >= MAX_EVENT_NAMES) {
        // Bounded, so a hostile input cannot grow the table without limit.
        return this.eventInfo(kind === 'device' ? '(other device event names)' : '(other event names)');
      }
      info = { name, kind, handler: this.handlers.get(name), category: categoryOf(name), count: 0, foreign: 0 };
      this.events.set(name, info);
    }
    return info;
  }

  /** A line that does not start with an event: other output, or a guest-error message glued onto an event. */
  private nonEventLine(text: string, start: number, end: number): void {
    const glued = /(?:\d+@\d+\.\d{6}:)?(?:e1000e_|e1000x_|igb|pci_cfg_)[a-z0-9_]* /.exec(text.slice(start, end));
    if (glued !== null && glued.index > 0) {
      // `-d guest_errors` messages of igb have no newline (see qemu-igb-facts §1.2, item 12).
      this.counters.gluedLines++;
      const at = start + glued.index;
      this.prefix.read(text, at, end);
      if (this.prefix.namePos >= 0 && this.dispatch(this.prefix.namePos, end)) return;
    }
    this.counters.otherTextLines++;
  }

  /** `Read from register 0xOFF, N byte(s), value: 0xV` after `lead` was matched (pos at `0x`). */
  private registerAccess(kind: AccessKind, pos: number, end: number, verdict: QemuVerdict, withValue: boolean): void {
    const s = this.scanner.reset(this.lineText, pos, end);
    if (!readRegisterAccess(s, '', this.args, withValue)) {
      this.malformed(`expected "register 0x<offset>, <n> byte(s)${withValue ? ', value: 0x<value>' : ''}"`);
      return;
    }
    const { offset, size, value } = this.args;
    const viaIo = size === IO_PATH_SIZE;
    this.addAccess(kind, viaIo ? 'io' : 'mmio', viaIo ? IODATA : offset, size, value, verdict, viaIo ? offset : undefined);
  }

  private addAccess(kind: AccessKind, space: AddressSpace, offset: number, size: number, value: number,
    verdict: QemuVerdict, register: number | undefined): void {
    this.counters.accesses++;
    this.assembler.addAccess(this.lineNo, kind, space, offset, size, value, verdict, register,
      this.prefix.timeUs, this.prefix.thread);
  }

  private sideEvent(name: string, pos: number, end: number, role: EventRole, phy?: PhyEffect,
    category: SideEventCategory = categoryOf(name)): void {
    const text = this.lineText.slice(pos, end);
    const event: SideEvent = { name, category, line: this.lineNo, text };
    this.assembler.addEvent(event, this.prefix.thread, this.prefix.timeUs, markerKindOf(name, text), role, phy);
  }

  private malformed(reason: string): void {
    const text = this.lineText.slice(this.lineStart, this.lineEnd);
    if (!this.options.lenient) throw new TraceFormatError(this.options.file, this.lineNo, text, reason);
    this.counters.addMalformed(this.lineNo, text, reason);
  }

  private buildHandlers(): Map<string, Handler> {
    const h = new Map<string, Handler>();
    const wrn = (kind: AccessKind, lead: string, verdict: QemuVerdict, withValue: boolean): Handler => (pos, end) => {
      const s = this.scanner.reset(this.lineText, pos, end);
      if (!s.lit(lead)) return this.malformed(`expected "${lead}0x<offset>, ..."`);
      this.registerAccess(kind, s.pos, end, verdict, withValue);
    };
    h.set('e1000e_core_read', wrn('read', 'Read from register ', 'ok', true));
    h.set('e1000e_core_write', wrn('write', 'Write to register ', 'ok', true));
    h.set('e1000e_wrn_regs_read_unknown', wrn('read', 'WARNING: Read from unknown register ', 'unknown', false));
    h.set('e1000e_wrn_regs_write_unknown', wrn('write', 'WARNING: Write to unknown register ', 'unknown', true));
    h.set('e1000e_wrn_regs_write_ro', wrn('write', 'WARNING: Write to RO register ', 'read-only', true));
    h.set('e1000e_wrn_regs_read_trivial', (pos, end) => this.trivial('WARNING: Reading register at offset: ', pos, end));
    h.set('e1000e_wrn_regs_write_trivial', (pos, end) => this.trivial('WARNING: Writing to register at offset: ', pos, end));
    h.set('e1000e_io_write_addr', (pos, end) => this.ioAddress('write', 'IOADDR write ', pos, end));
    h.set('e1000e_io_read_addr', (pos, end) => this.ioAddress('read', 'IOADDR read ', pos, end));
    h.set('e1000e_wrn_io_write_unknown', (pos, end) => this.ioUnknown('write', 'IO write unknown address ', pos, end));
    h.set('e1000e_wrn_io_read_unknown', (pos, end) => this.ioUnknown('read', 'IO read unknown address ', pos, end));
    h.set('e1000e_io_write_data', (pos, end) => this.ioData('e1000e_io_write_data', 'IODATA write ', EventRole.AnnouncesNext, pos, end));
    h.set('e1000e_io_read_data', (pos, end) => this.ioData('e1000e_io_read_data', 'IODATA read ', EventRole.ConfirmsPrevious, pos, end));
    for (const prefix of ['igb_core_mdic', 'e1000e_core_mdic']) {
      h.set(`${prefix}_read`, (pos, end) => this.mdic(`${prefix}_read`, 'read', 'MDIC READ: ', pos, end));
      h.set(`${prefix}_read_unhandled`, (pos, end) => this.mdic(`${prefix}_read_unhandled`, 'read', 'MDIC READ: ', pos, end));
      h.set(`${prefix}_write`, (pos, end) => this.mdic(`${prefix}_write`, 'write', 'MDIC WRITE: ', pos, end));
      h.set(`${prefix}_write_unhandled`, (pos, end) => this.mdic(`${prefix}_write_unhandled`, 'write', 'MDIC WRITE: ', pos, end));
    }
    h.set('igb_write_config', (pos, end) => this.configWrite(pos, end));
    h.set('pci_cfg_read', (pos, end) => this.pciCfg('read', ' -> ', pos, end));
    h.set('pci_cfg_write', (pos, end) => this.pciCfg('write', ' <- ', pos, end));
    return h;
  }

  private trivial(lead: string, pos: number, end: number): void {
    const name = lead.includes('Reading') ? 'e1000e_wrn_regs_read_trivial' : 'e1000e_wrn_regs_write_trivial';
    if (!readTrivial(this.scanner.reset(this.lineText, pos, end), lead, this.args)) {
      return this.malformed(`expected "${lead}0x<offset>. It is not fully implemented."`);
    }
    this.sideEvent(name, pos, end, EventRole.AnnouncesNext);
  }

  private ioAddress(kind: AccessKind, lead: string, pos: number, end: number): void {
    if (!readOneHex(this.scanner.reset(this.lineText, pos, end), lead, this.args)) {
      return this.malformed(`expected "${lead}0x<address>"`);
    }
    this.addAccess(kind, 'io', 0, 4, this.args.offset, 'ok', undefined);
  }

  private ioUnknown(kind: AccessKind, lead: string, pos: number, end: number): void {
    if (!readOneHex(this.scanner.reset(this.lineText, pos, end), lead, this.args)) {
      return this.malformed(`expected "${lead}0x<address>"`);
    }
    // QEMU does not print the value of such a write; a read returned 0.
    this.addAccess(kind, 'io', this.args.offset, 4, 0, 'unknown', undefined);
  }

  private ioData(name: string, lead: string, role: EventRole, pos: number, end: number): void {
    if (!readIoData(this.scanner.reset(this.lineText, pos, end), lead, this.args)) {
      return this.malformed(`expected "${lead}0x<register>, value: 0x<value>"`);
    }
    this.sideEvent(name, pos, end, role);
  }

  private mdic(name: string, kind: AccessKind, lead: string, pos: number, end: number): void {
    const args = this.args;
    if (!readMdic(this.scanner.reset(this.lineText, pos, end), lead, args)) {
      return this.malformed(`expected "${lead}PHY[<n>] = 0x<value>" or "... UNHANDLED"`);
    }
    // The read event prints the whole new MDIC value; the PHY data is its low 16 bits.
    const phy: PhyEffect = {
      kind, register: args.extra * 32 + args.offset, value: args.value & 0xffff,
      verdict: args.unhandled ? 'phy-unhandled' : 'ok',
    };
    this.sideEvent(name, pos, end, EventRole.Plain, phy);
  }

  private configWrite(pos: number, end: number): void {
    const args = this.args;
    if (!readConfigWrite(this.scanner.reset(this.lineText, pos, end), args)) {
      return this.malformed('expected "CONFIG write 0x<offset>, value: 0x<value>, len: <n>"');
    }
    const held = this.assembler.heldAccess;
    if (held !== undefined && this.pciCfgWriteLine === this.lineNo - 1 && held.space === 'pci-config'
      && held.kind === 'write' && held.offset === args.offset && !this.assembler.hasPendingEvents) {
      // pci_cfg_write already recorded this write; igb_write_config only adds its width.
      this.assembler.setHeldSize(args.size);
      this.sideEvent('igb_write_config', pos, end, EventRole.Plain);
      return;
    }
    this.addAccess('write', 'pci-config', args.offset, args.size, args.value, 'ok', undefined);
  }

  private pciCfg(kind: AccessKind, arrow: string, pos: number, end: number): void {
    const args = this.args;
    if (!readPciCfg(this.scanner.reset(this.lineText, pos, end), arrow, args)) {
      return this.malformed(`expected "<device> <bus>:<slot>.<fn> @0x<offset>${arrow}0x<value>"`);
    }
    const name = kind === 'read' ? 'pci_cfg_read' : 'pci_cfg_write';
    const info = this.eventInfo(name);
    if (this.nicAddress === '' && this.nicDevices.has(args.device)) this.nicAddress = args.address;
    if (!this.nicDevices.has(args.device) || args.address !== this.nicAddress) {
      info.foreign++;
      return;
    }
    info.count++;
    // pci_cfg_* do not print the width; the natural alignment of the offset is the best guess,
    // and igb_write_config (printed right after a write) corrects it.
    const size = args.offset % 4 === 0 ? 4 : args.offset % 2 === 0 ? 2 : 1;
    if (kind === 'write') this.pciCfgWriteLine = this.lineNo;
    this.addAccess(kind, 'pci-config', args.offset, size, args.value, 'ok', undefined);
  }
}

/** End of an event name: letters, digits and underscores. */
function eventNameEnd(text: string, pos: number, end: number): number {
  let p = pos;
  while (p < end) {
    const c = text.charCodeAt(p);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90)) p++;
    else break;
  }
  return p;
}
