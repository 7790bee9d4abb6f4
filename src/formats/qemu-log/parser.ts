// Parser for QEMU's `log` trace backend output of the igb / e1000e NICs.
// Mirrors the event formats of hw/net/trace-events and hw/pci/trace-events (QEMU 8.0 .. 10.1) and
// the emitting code in hw/net/igb_core.c and hw/net/igb.c. One line in, zero or one record out
// (through the AccessAssembler, which attaches side events to their cause).
//
// Three paths, fastest first: core_read / core_write lines (nine in ten) are matched on the bytes
// (fast-core.ts); other lines are classified by their event name (line-classifier.ts), which counts
// other subsystems' lines and lets plain device events become side events without more reading;
// every other line takes the general path, which reads any prefix and dispatches on the event
// name to its handler (handlers.ts).
//
// All in the calling thread: a worker thread that scanned while this one built records measured
// no faster on two vCPUs (the two threads compete with each other and with V8's compiler and GC
// threads), and as a single pass each line is read once, with no scan results to store and load.

import { DEVICE_MODELS, DEVICES } from '../../devices/table.js';
import type { AccessKind, AddressSpace, QemuVerdict, SideEvent, SideEventCategory } from '../../model/access.js';
import { TIMER_ARMED_EVENT } from '../../devices/throttle-timers.js';
import { ByteReader } from '../byte-reader.js';
import { Ch, isNameByte } from '../chars.js';
import { TraceFormatError } from '../errors.js';
import type { LineBlockConsumer } from '../line-splitter.js';
import { LineCounters, type LineStats } from '../line-stats.js';
import type { RecordSink } from '../sink.js';
import { AccessAssembler, EventRole, type PhyEffect } from './assembler.js';
import { EventRegistry } from './event-registry.js';
import { markerKindOf } from './events.js';
import { FastCoreLine } from './fast-core.js';
import { deviceEventHandlers, type HandlerHost } from './handlers.js';
import { LineClass, LineClassifier } from './line-classifier.js';
import { LinePrefix, skipProgramPrefix } from './prefix.js';

export interface QemuLogOptions {
  /** Name used in error messages. */
  readonly file: string;
  /** Skip malformed device lines (counting them) instead of failing on the first. */
  readonly lenient?: boolean;
  /** PCI device model names whose `pci_cfg_*` lines are the NIC's (default igb, e1000e). */
  readonly nicDevices?: readonly string[];
  /**
   * The NIC's `BB:DD.F`, when known beforehand: a replay target's log is read in segments, and a
   * segment's VF config lines must be told apart without the PF's first line (default: the first seen).
   */
  readonly nicAddress?: string;
  /**
   * The device events whose text the records keep (default: all); the others get an empty text,
   * which spares a string per event line to a reader that only counts (`parse`'s summary).
   */
  readonly eventText?: (name: string) => boolean;
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
  private readonly classifier: LineClassifier;
  /** The prefix of the line being read, whichever path reads it. */
  private readonly prefix = new LinePrefix();
  private readonly nicDevices: ReadonlySet<string>;
  private readonly events: EventRegistry;
  private readonly counters = new LineCounters();
  /** core_read / core_write lines of the fast path, added to the event counts at the end. */
  private coreReads = 0;
  private coreWrites = 0;
  /** The general path's line and cursor. */
  private readonly reader = new ByteReader();
  private lineStart = 0;

  constructor(private readonly options: QemuLogOptions, sink: RecordSink) {
    this.assembler = new AccessAssembler(sink);
    this.nicDevices = new Set(options.nicDevices ?? DEVICE_MODELS);
    // The models' SR-IOV VFs (igbvf) are the NIC's functions too: the handler decides by address.
    const vfDevices = DEVICES.filter((row) => this.nicDevices.has(row.model)).flatMap((row) => row.sriov === undefined ? [] : [row.sriov.vfDevice]);
    this.events = new EventRegistry(deviceEventHandlers(this, {
      devices: this.nicDevices, ...(options.nicAddress === undefined ? {} : { address: options.nicAddress }),
    }), options.eventText);
    this.classifier = new LineClassifier([...this.nicDevices, ...vfDevices], this.prefix, this.events);
  }

  /** Parses the whole lines in `bytes[start, end)`. */
  block(bytes: Buffer, start: number, end: number): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fast = this.fast;
    const prefix = this.prefix;
    const counters = this.counters;
    let pos = start;
    while (pos < end) {
      this.lineNo++;
      // The prefix is read once, for every path: event lines start with their name or a timestamp.
      const first = bytes[pos]!;
      let namePos = -1;
      if (first >= Ch.LowerA && first <= Ch.LowerZ) {
        prefix.clear();
        namePos = pos;
      } else if (first >= Ch.Digit0 && first <= Ch.Digit9) {
        namePos = prefix.readTimestamp(bytes, pos, end);
      }
      if (namePos >= 0) {
        const next = fast.match(bytes, view, namePos, end);
        if (next > 0) {
          counters.lines++;
          counters.countStyle(prefix.style);
          if (fast.kind === 'read') this.coreReads++;
          else this.coreWrites++;
          this.addRegisterAccess(fast.kind, fast.offset, fast.size, fast.value, 'ok', prefix.timeUs, prefix.thread);
          pos = next;
          continue;
        }
      }
      const newline = bytes.indexOf(Ch.Newline, pos);
      const stop = newline > pos && bytes[newline - 1] === Ch.CR ? newline - 1 : newline;
      if (namePos < 0 || !this.eventLine(bytes, view, pos, namePos, newline, stop)) this.line(bytes, pos, stop);
      pos = newline + 1;
    }
  }

  finish(): LineStats {
    this.assembler.finish();
    const counters = this.counters;
    const foreign = this.classifier.foreignCounts();
    for (const [name, count] of foreign.byName) {
      counters.other(name, count, name.startsWith('pci_cfg_'));
      counters.lines += count;
    }
    foreign.styles.forEach((count, style) => counters.countStyle(style, count));
    this.events.countInto(counters);
    if (this.coreReads > 0) counters.device('e1000e_core_read', this.coreReads);
    if (this.coreWrites > 0) counters.device('e1000e_core_write', this.coreWrites);
    this.coreReads = this.coreWrites = 0;
    return counters.snapshot();
  }

  // HandlerHost: what the handlers do with the general path's line.

  registerAccess(kind: AccessKind, offset: number, size: number, value: number, verdict: QemuVerdict): void {
    this.addRegisterAccess(kind, offset, size, value, verdict, this.prefix.timeUs, this.prefix.thread);
  }

  addAccess(kind: AccessKind, space: AddressSpace, offset: number, size: number, value: number, verdict: QemuVerdict, vf?: number): void {
    this.counters.accesses++;
    this.assembler.addAccess(this.lineNo, kind, space, offset, size, value, verdict, undefined,
      this.prefix.timeUs, this.prefix.thread, vf);
  }

  sideEvent(name: string, pos: number, role: EventRole, phy?: PhyEffect): void {
    const info = this.events.named(name);
    const text = info.keepsText ? this.reader.bytes.toString('latin1', pos, this.reader.end) : '';
    const event = sideEventOf(name, info.category, this.lineNo, text, this.prefix.timeUs);
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

  private addRegisterAccess(kind: AccessKind, offset: number, size: number, value: number, verdict: QemuVerdict,
    timeUs: number, thread: number): void {
    const viaIo = size === IO_PATH_SIZE;
    this.counters.accesses++;
    this.assembler.addAccess(this.lineNo, kind, viaIo ? 'io' : 'mmio', viaIo ? IODATA : offset, size, value, verdict,
      viaIo ? offset : undefined, timeUs, thread);
  }

  /**
   * The second-fastest path: a line with an event name after its prefix, classified by that name
   * (other subsystems' lines are only counted). Side events without arguments to interpret are
   * recorded here, and events with a handler dispatched to it; false (having changed nothing) for
   * lines the general path must read.
   */
  private eventLine(bytes: Buffer, view: DataView, lineStart: number, namePos: number, newline: number, stop: number): boolean {
    const classifier = this.classifier;
    const kind = classifier.classify(bytes, view, namePos, newline);
    if (kind !== LineClass.Event) return kind === LineClass.Foreign;
    const { nameEnd, info } = classifier;
    const foreign = info!.kind === 'other';
    // The general path would not take a name that ends in a lone CR for a name.
    if (!foreign && info!.handler !== undefined && nameEnd < stop && bytes[nameEnd] !== Ch.Space) return false;
    const prefix = this.prefix;
    this.counters.lines++;
    this.counters.countStyle(prefix.style);
    if (foreign) {
      info!.foreign++;
      return true;
    }
    const argsStart = nameEnd < stop ? nameEnd + 1 : stop;
    if (info!.handler !== undefined) {
      // As the general path's dispatch() would, without reading the prefix and the name again.
      this.lineStart = lineStart;
      const r = this.reader.on(bytes, argsStart, stop);
      if (info!.kind !== 'pci') info!.count++;
      info!.handler(r);
      return true;
    }
    info!.count++;
    const text = info!.keepsText ? bytes.toString('latin1', argsStart, stop) : '';
    const event = sideEventOf(info!.name, info!.category, this.lineNo, text, prefix.timeUs);
    this.assembler.addEvent(event, prefix.thread, prefix.timeUs, markerKindOf(info!.name, text), EventRole.Plain);
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

/** A timer's arming keeps its time (SideEvent.timeUs); other events do not need it. */
function sideEventOf(name: string, category: SideEventCategory, line: number, text: string, timeUs: number): SideEvent {
  return name === TIMER_ARMED_EVENT && !Number.isNaN(timeUs) ? { name, category, line, text, timeUs } : { name, category, line, text };
}
