// First stage of parsing a block of whole lines: find every line and decode the core_read /
// core_write lines (nine in ten) into numbers. The result is plain typed arrays, so this stage can
// run in a worker thread and hand its work over without copying (see scan-worker.ts); the second
// stage (QemuLogParser.consume) builds records from it on the main thread. In-thread parsing uses
// the same two stages, so both ways give the same records by construction.

import { BytePrefix } from './byte-prefix.js';
import { isDeviceEvent } from './events.js';
import { EventTable } from './event-table.js';
import { ByteLiteral, type FastCoreLine } from './fast-core.js';

/** Per-line fields, in this order, in `BlockScan.fields`. */
export const FIELD_KIND = 0;
export const FIELD_OFFSET = 1;
export const FIELD_SIZE = 2;
export const FIELD_VALUE = 3;
export const FIELD_TIME = 4;
export const FIELD_THREAD = 5;
export const FIELD_STYLE = 6;
export const FIELDS_PER_LINE = 7;

/**
 * FIELD_KIND values. For LINE_EVENT and LINE_FOREIGN lines FIELD_OFFSET / FIELD_SIZE hold the
 * event name's start and end and FIELD_VALUE its EventTable hash; the time fields are set too.
 */
export const LINE_OTHER = 0;
export const LINE_CORE_READ = 1;
export const LINE_CORE_WRITE = 2;
/** An event line of the device's families (or the NIC's pci_cfg line). */
export const LINE_EVENT = 3;
/** An event line that is not about the device: another subsystem, or another PCI function. */
export const LINE_FOREIGN = 4;

/** FIELD_STYLE values. */
export const STYLE_NONE = 0;
export const STYLE_TID_EPOCH = 1;
export const STYLE_ISO = 2;

export interface BlockScan {
  /** Number of lines found. */
  count: number;
  /** `count + 1` entries: the start of each line and, last, the end of the block. */
  starts: Int32Array;
  /** FIELDS_PER_LINE numbers per line; only FIELD_KIND is set for LINE_OTHER lines. */
  fields: Float64Array;
}

export function createBlockScan(capacityLines = 4096): BlockScan {
  return { count: 0, starts: new Int32Array(capacityLines + 1), fields: new Float64Array(capacityLines * FIELDS_PER_LINE) };
}

const NEWLINE = 10;

/** Scans `bytes[start, end)`, which holds whole lines, each ending in `\n`, into `out` (grown as needed). */
export function scanBlock(fast: FastCoreLine, classifier: LineClassifier, bytes: Buffer, start: number, end: number,
  out: BlockScan): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  let pos = start;
  while (pos < end) {
    if (count + 1 >= out.starts.length) grow(out);
    out.starts[count] = pos;
    const base = count * FIELDS_PER_LINE;
    const fields = out.fields;
    const next = fast.match(bytes, view, pos, end);
    if (next > 0) {
      const prefix = fast.prefix;
      fields[base + FIELD_KIND] = fast.kind === 'read' ? LINE_CORE_READ : LINE_CORE_WRITE;
      fields[base + FIELD_OFFSET] = fast.offset;
      fields[base + FIELD_SIZE] = fast.size;
      fields[base + FIELD_VALUE] = fast.value;
      fields[base + FIELD_TIME] = prefix.timeUs;
      fields[base + FIELD_THREAD] = prefix.thread;
      fields[base + FIELD_STYLE] = prefix.style === 'none' ? STYLE_NONE : prefix.style === 'tid-epoch' ? STYLE_TID_EPOCH : STYLE_ISO;
      pos = next;
    } else {
      const newline = bytes.indexOf(NEWLINE, pos);
      classifier.classify(bytes, pos, newline, fields, base);
      pos = newline + 1;
    }
    count++;
  }
  out.starts[count] = end;
  out.count = count;
}

function grow(out: BlockScan): void {
  const starts = new Int32Array(out.starts.length * 2);
  starts.set(out.starts);
  const fields = new Float64Array(out.fields.length * 2);
  fields.set(out.fields);
  out.starts = starts;
  out.fields = fields;
}

const CH_SPACE = 32;
const CH_P = 112;
const PCI_READ_NAME = 'pci_cfg_read';
const PCI_READ_HASH = EventTable.hash(Buffer.from(PCI_READ_NAME, 'latin1'), 0, PCI_READ_NAME.length);
const FAMILY_DEVICE = 0;
const FAMILY_PCI = 1;
const FAMILY_OTHER = 2;
const CH_0 = 48;
const CH_9 = 57;
const CH_LOWER_A = 97;
const CH_LOWER_Z = 122;

/**
 * Finds the event name of a line that is not a core access, hashes it and tells the device's
 * events from other subsystems' (by name family, and for pci_cfg lines by the device model word),
 * so that the main thread only counts the lines not about the device.
 */
export class LineClassifier {
  private readonly prefix = new BytePrefix();
  private readonly pciRead = new ByteLiteral(`${PCI_READ_NAME} `);
  private lastBytes: Buffer | undefined;
  private lastView: DataView | undefined;
  private readonly nicWords: readonly Buffer[];
  /**
   * Name family per hash. A collision could only misfile a line as LINE_EVENT / LINE_FOREIGN; the
   * main thread checks the name itself, so records stay right.
   */
  private readonly familyByHash = new Map<number, number>();

  constructor(nicDevices: readonly string[]) {
    this.nicWords = nicDevices.map((name) => Buffer.from(`${name} `, 'latin1'));
  }

  classify(bytes: Buffer, start: number, newline: number, fields: Float64Array, base: number): void {
    fields[base + FIELD_KIND] = LINE_OTHER;
    const prefix = this.prefix;
    const first = bytes[start]!;
    let pos = start;
    if (first === CH_P && this.pciRead.matches(bytes, this.view(bytes), start, newline)) {
      // A bus scan reads the config space of every PCI function: make that common line cheap.
      prefix.clear();
      this.setEvent(fields, base, this.startsWithNicWord(bytes, start + PCI_READ_NAME.length + 1, newline) ? LINE_EVENT : LINE_FOREIGN,
        start, start + PCI_READ_NAME.length, PCI_READ_HASH);
      return;
    }
    if (first >= CH_LOWER_A && first <= CH_LOWER_Z) prefix.clear();
    else if (first >= CH_0 && first <= CH_9) pos = prefix.read(bytes, start, newline);
    else return;
    if (pos < 0) return;
    let nameEnd = pos;
    let hash = 0;
    let underscores = 0;
    for (; nameEnd < newline; nameEnd++) {
      const c = bytes[nameEnd]!;
      if (c === 95) underscores++;
      else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90))) break;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    const stop = nameEnd;
    // QEMU names every trace event `group_event`; a word without `_` is ordinary text.
    if (underscores === 0 || (stop < newline && bytes[stop] !== CH_SPACE && bytes[stop] !== 13)) return;
    this.setEvent(fields, base, this.isDeviceLine(bytes, pos, stop, newline, hash) ? LINE_EVENT : LINE_FOREIGN, pos, stop, hash);
  }

  private setEvent(fields: Float64Array, base: number, kind: number, nameStart: number, nameEnd: number, hash: number): void {
    const prefix = this.prefix;
    fields[base + FIELD_KIND] = kind;
    fields[base + FIELD_OFFSET] = nameStart;
    fields[base + FIELD_SIZE] = nameEnd;
    fields[base + FIELD_VALUE] = hash;
    fields[base + FIELD_TIME] = prefix.timeUs;
    fields[base + FIELD_THREAD] = prefix.thread;
    fields[base + FIELD_STYLE] = prefix.style === 'none' ? STYLE_NONE : prefix.style === 'tid-epoch' ? STYLE_TID_EPOCH : STYLE_ISO;
  }

  private view(bytes: Buffer): DataView {
    if (this.lastBytes !== bytes || this.lastView === undefined) {
      this.lastBytes = bytes;
      this.lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.lastView;
  }

  private isDeviceLine(bytes: Buffer, start: number, end: number, newline: number, hash: number): boolean {
    let family = this.familyByHash.get(hash);
    if (family === undefined) {
      const name = bytes.toString('latin1', start, end);
      family = name.startsWith('pci_cfg_') ? FAMILY_PCI : isDeviceEvent(name) ? FAMILY_DEVICE : FAMILY_OTHER;
      this.familyByHash.set(hash, family);
    }
    // pci_cfg lines are the device's when their model word is the NIC's (decided per line).
    return family === FAMILY_DEVICE || (family === FAMILY_PCI && this.startsWithNicWord(bytes, end + 1, newline));
  }

  private startsWithNicWord(bytes: Buffer, pos: number, newline: number): boolean {
    for (const word of this.nicWords) {
      if (pos + word.length > newline) continue;
      let same = true;
      for (let i = 0; i < word.length && same; i++) same = bytes[pos + i] === word[i];
      if (same) return true;
    }
    return false;
  }
}
