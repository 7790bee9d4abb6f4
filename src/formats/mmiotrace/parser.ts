// Linux mmiotrace text (see line.ts for the formats) into the access model: accesses inside the NIC's
// BAR0 become `mmio` Access records at canonical offsets, MARK lines become `mark` Markers, and
// everything else is counted. Lines arrive in blocks from the LineSplitter, so memory stays bounded.
//
// Line accounting: "device" lines are those that made a record or describe the NIC (accesses inside
// its BAR0, MARK, the NIC's PCIDEV line); every other record (VERSION, MAP, UNMAP, other PCI
// functions, accesses outside BAR0) is an "other event", by name.
//
// What the model cannot get from mmiotrace: QEMU's verdicts (every access is `ok`: no emulator was
// asked), PHY accesses behind MDIC (they stay plain MDIC register accesses) and wall-clock time
// (`timeUs` counts from the kernel trace clock's origin, roughly boot).

import type { Access, Marker } from '../../model/access.js';
import type { Dialect } from '../detect.js';
import { ByteReader } from '../byte-reader.js';
import { Ch } from '../chars.js';
import { excerpt, TraceFormatError, TraceInputError } from '../errors.js';
import type { LineBlockConsumer } from '../line-splitter.js';
import { LineCounters, type LineStats } from '../line-stats.js';
import type { RecordSink } from '../sink.js';
import { type Bar0, Bar0Ambiguity, Bar0Locator } from './bar0.js';
import { canonicalOffsetFor, type CanonicalOffset } from './canonical-offset.js';
import { parseMmiotraceLine, type RwLine } from './line.js';
import { readRwLine } from './rw-line.js';

export interface MmiotraceOptions {
  /** Name used in error messages. */
  readonly file: string;
  /** Skip malformed lines (counting them) instead of failing on the first. */
  readonly lenient?: boolean;
  /** Physical address of the NIC's BAR0, overriding detection from PCIDEV/MAP lines. */
  readonly barBase?: number;
  /** Alias -> canonical register offset (default: the igb register database). */
  readonly canonicalOffset?: CanonicalOffset;
}

/** Names under which records that are not about the NIC's registers are counted. */
const OTHER = {
  readOutside: 'R outside the NIC BAR0',
  writeOutside: 'W outside the NIC BAR0',
  unknownOutside: 'UNKNOWN outside the NIC BAR0',
  otherPciDev: 'PCIDEV of other functions',
} as const;

const BAR_BASE_HINT = 'pass --bar-base ADDR with the physical address of the NIC\'s BAR0 (lspci -v: "Memory at ...", or the PCIDEV line)';
/**
 * A pause of the driver this long (recorded time) lets the device's timers run in the replay.
 * Longer than the driver's busy-waits (udelay polls of EECD, MDIC, SWSM: microseconds apart) and
 * its short sleeps while resetting (msleep 10–20 ms): letting time run fires every pending timer at
 * once (without the qtest accelerator time cannot be advanced by a set amount), so a drain there
 * would complete autonegotiation long before the driver saw it happen. Shorter than its long
 * sleeps (100 ms PHY and reset waits) and the wait for link-up, where the hardware's timers did fire.
 */
export const IDLE_GAP_US = 50_000;

/** Distinct BAR0 offsets whose canonical offset is remembered. */
const MAX_MEMO_OFFSETS = 1 << 16;

export class MmiotraceParser implements LineBlockConsumer {
  private readonly counters = new LineCounters();
  private readonly reader = new ByteReader();
  private readonly bar0: Bar0Locator;
  private readonly canonicalOffset: CanonicalOffset;
  private readonly canonicalMemo = new Map<Bar0['model'], Map<number, number>>();
  private lineNo = 0;
  private seq = 0;
  private lastAccessUs: number | undefined;
  private lastIdleUs: number | undefined;

  constructor(private readonly options: MmiotraceOptions, private readonly sink: RecordSink) {
    this.bar0 = new Bar0Locator(options.barBase);
    this.canonicalOffset = options.canonicalOffset ?? canonicalOffsetFor;
  }

  block(bytes: Buffer, start: number, end: number): void {
    const r = this.reader;
    let pos = start;
    while (pos < end) {
      let newline = bytes.indexOf(Ch.Newline, pos);
      if (newline < 0 || newline >= end) newline = end;
      const stop = newline > pos && bytes[newline - 1] === Ch.CR ? newline - 1 : newline;
      const rw = readRwLine(r.on(bytes, pos, stop));
      if (rw === undefined) {
        this.line(bytes.toString('latin1', pos, stop));
      } else {
        this.counters.lines++;
        this.access(++this.lineNo, rw, () => bytes.toString('latin1', pos, stop));
      }
      pos = newline + 1;
    }
  }

  /** One line without its terminator. */
  private line(text: string): void {
    const lineNo = ++this.lineNo;
    const c = this.counters;
    c.lines++;
    const parsed = parseMmiotraceLine(text);
    switch (parsed.type) {
      case 'empty': c.emptyLines++; return;
      case 'other': c.otherTextLines++; return;
      case 'malformed': return this.malformed(text, parsed.reason);
      case 'lost': return this.malformed(text, `the tracer lost ${parsed.count} events, so the trace is incomplete`);
      case 'version': c.other('VERSION'); return;
      case 'pcidev':
        if (this.bar0.addPciDev(parsed)) c.device('PCIDEV');
        else c.other(OTHER.otherPciDev);
        return;
      case 'map':
        this.guard(() => text, () => this.bar0.addMap(parsed));
        c.other('MAP');
        return;
      case 'unmap': c.other('UNMAP'); return;
      case 'unknown-op':
        if (this.guard(() => text, () => this.bar0.locate(parsed.phys)) === undefined) c.other(OTHER.unknownOutside);
        else this.malformed(text, 'mmiotrace could not decode the instruction of this BAR0 access, so its kind, width and value are unknown');
        return;
      case 'mark': return this.mark(lineNo, parsed.timeUs, parsed.text);
      case 'rw': return this.access(lineNo, parsed, () => text);
    }
  }

  finish(): LineStats {
    const missing = this.bar0.result() === undefined ? this.bar0.describeMissing() : undefined;
    if (missing !== undefined && !this.bar0.hasNicCandidates) {
      throw new TraceInputError(this.options.file, `is a Linux mmiotrace, but ${missing}`, BAR_BASE_HINT);
    }
    return this.counters.snapshot();
  }

  /** The dialect with the BAR0 the accesses were taken from. */
  dialect(): Dialect {
    const bar0 = this.bar0.result();
    return bar0 === undefined ? { format: 'mmiotrace' } : { format: 'mmiotrace', bar0 };
  }

  /** `textOf` makes the line's text, which only an error message needs. */
  private access(lineNo: number, rw: RwLine, textOf: () => string): void {
    const bar = this.guard(textOf, () => this.bar0.locate(rw.phys));
    if (bar === undefined) {
      this.counters.other(rw.kind === 'read' ? OTHER.readOutside : OTHER.writeOutside);
      return;
    }
    if (rw.value === undefined) return this.malformed(textOf(), 'the value does not fit in 53 bits, which this tool cannot represent exactly');
    this.counters.accesses++;
    this.counters.device(rw.kind === 'read' ? 'R' : 'W');
    this.idleGap(lineNo, rw.timeUs);
    const access: Access = {
      type: 'access', seq: this.seq++, line: lineNo, kind: rw.kind, space: 'mmio',
      offset: this.canonical(rw.phys - bar.base, bar.model), size: rw.width, value: rw.value, verdict: 'ok',
      events: [], timeUs: rw.timeUs, thread: rw.pid,
    };
    this.sink.access(access);
  }

  /**
   * A long enough pause of the driver before this access is where the device's timers (autoneg,
   * interrupt throttling) fired on the recorded hardware; mmiotrace shows no timers, so the gap
   * itself becomes the marker replay lets time run at.
   */
  private idleGap(lineNo: number, timeUs: number): void {
    const last = this.lastAccessUs;
    this.lastAccessUs = timeUs;
    this.lastIdleUs ??= timeUs;
    if (last === undefined || timeUs - last < IDLE_GAP_US) return;
    // Time elapsed since the previous idle marker, so that stepping by it at each marker keeps the
    // replay's virtual clock where the recording's was (the short pauses in between included).
    const elapsedUs = timeUs - this.lastIdleUs;
    this.lastIdleUs = timeUs;
    this.sink.marker({
      type: 'marker', kind: 'idle', line: lineNo, afterSeq: this.seq - 1, timeUs: last, elapsedUs,
      events: [{ name: 'idle', category: 'other', line: lineNo, text: `no device access for ${((timeUs - last) / 1000).toFixed(1)} ms` }],
    });
  }

  private mark(lineNo: number, timeUs: number, text: string): void {
    this.counters.device('MARK');
    const marker: Marker = {
      type: 'marker', kind: 'mark', line: lineNo, afterSeq: this.seq - 1, timeUs,
      events: [{ name: 'MARK', category: 'other', line: lineNo, text }],
    };
    this.sink.marker(marker);
  }

  /** The canonical offset, looked up once per register: a trace touches a few hundred. */
  private canonical(offset: number, model: Bar0['model']): number {
    let memo = this.canonicalMemo.get(model);
    if (memo === undefined) this.canonicalMemo.set(model, memo = new Map());
    let canonical = memo.get(offset);
    if (canonical === undefined) {
      canonical = this.canonicalOffset(offset, model);
      // Bounded, so that a hostile trace cannot grow it without limit.
      if (memo.size < MAX_MEMO_OFFSETS) memo.set(offset, canonical);
    }
    return canonical;
  }

  /** Runs a BAR0 decision; an ambiguity is an input error at this line (not skippable: it is no typo). */
  private guard<T>(textOf: () => string, decide: () => T): T {
    try {
      return decide();
    } catch (error) {
      if (!(error instanceof Bar0Ambiguity)) throw error;
      throw new TraceInputError(this.options.file, `${this.lineNo}: which range is the NIC's BAR0 is ambiguous `
        + `(${error.message}): ${excerpt(textOf())}`, BAR_BASE_HINT);
    }
  }

  private malformed(text: string, reason: string): void {
    if (!this.options.lenient) throw new TraceFormatError(this.options.file, this.lineNo, text, reason);
    this.counters.addMalformed(this.lineNo, text, reason);
  }
}
