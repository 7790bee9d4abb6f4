// Second half of the block scan: for a line that is not a core access, find its event name and
// tell the device's events from other subsystems' (by name family; pci_cfg lines by the device
// model word). Lines not about the device are counted here by name and never stored, so they
// cost the record-building thread nothing.

import { BytePrefix } from './byte-prefix.js';
import {
  FIELD_KIND, FIELD_OFFSET, FIELD_SIZE, FIELD_STYLE, FIELD_THREAD, FIELD_TIME, FIELD_VALUE,
  LINE_EVENT, LINE_OTHER, STYLE_ISO, STYLE_NONE, STYLE_TID_EPOCH,
} from './block-scan.js';
import { EventTable, MAX_EVENT_NAMES } from './event-table.js';
import { isDeviceEvent } from './events.js';
import { ByteLiteral } from './fast-core.js';

const CH_SPACE = 32;
const CH_CR = 13;
const CH_UNDERSCORE = 95;
const CH_0 = 48;
const CH_9 = 57;
const CH_LOWER_A = 97;
const CH_LOWER_Z = 122;
const CH_P = 112;
const PCI_READ_NAME = 'pci_cfg_read';

const FAMILY_DEVICE = 0;
const FAMILY_PCI = 1;
const FAMILY_OTHER = 2;

interface NameEntry {
  readonly bytes: Buffer;
  readonly name: string;
  readonly family: number;
  /** Lines of this name not about the device. */
  foreign: number;
  readonly next: NameEntry | undefined;
}

/** Counts of the lines not stored, for the parse statistics. */
export interface ForeignCounts {
  readonly byName: readonly (readonly [string, number])[];
  /** Lines per timestamp style: none, tid-epoch, iso8601. */
  readonly styles: readonly [number, number, number];
}

export class LineClassifier {
  private readonly prefix = new BytePrefix();
  private readonly pciRead = new ByteLiteral(`${PCI_READ_NAME} `);
  private readonly pciReadEntry: NameEntry;
  private readonly nicWords: readonly Buffer[];
  private readonly names = new Map<number, NameEntry>();
  private size = 0;
  private readonly overflow: NameEntry = { bytes: Buffer.alloc(0), name: '(other event names)', family: FAMILY_OTHER, foreign: 0, next: undefined };
  private readonly styles: [number, number, number] = [0, 0, 0];
  private lastBytes: Buffer | undefined;
  private lastView: DataView | undefined;

  constructor(nicDevices: readonly string[]) {
    this.nicWords = nicDevices.map((name) => Buffer.from(`${name} `, 'latin1'));
    const bytes = Buffer.from(PCI_READ_NAME, 'latin1');
    this.pciReadEntry = this.entry(bytes, 0, bytes.length, EventTable.hash(bytes, 0, bytes.length));
  }

  /**
   * Fills the line's fields (kind LINE_EVENT with the name's bounds and hash, or LINE_OTHER);
   * returns false for a line not about the device, which it has counted instead.
   */
  classify(bytes: Buffer, start: number, newline: number, fields: Float64Array, base: number): boolean {
    fields[base + FIELD_KIND] = LINE_OTHER;
    const prefix = this.prefix;
    const first = bytes[start]!;
    if (first === CH_P && this.pciRead.matches(bytes, this.view(bytes), start, newline)) {
      // A bus scan reads the config space of every PCI function: make that common line cheap.
      prefix.clear();
      const nameEnd = start + PCI_READ_NAME.length;
      return this.decide(this.pciReadEntry, bytes, start, nameEnd, newline, fields, base);
    }
    let pos = start;
    if (first >= CH_LOWER_A && first <= CH_LOWER_Z) prefix.clear();
    else if (first >= CH_0 && first <= CH_9) pos = prefix.read(bytes, start, newline);
    else return true;
    if (pos < 0) return true;
    let nameEnd = pos;
    let hash = 0;
    let underscores = 0;
    for (; nameEnd < newline; nameEnd++) {
      const c = bytes[nameEnd]!;
      if (c === CH_UNDERSCORE) underscores++;
      else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90))) break;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    // QEMU names every trace event `group_event`; a word without `_` is ordinary text.
    if (underscores === 0 || (nameEnd < newline && bytes[nameEnd] !== CH_SPACE && bytes[nameEnd] !== CH_CR)) return true;
    return this.decide(this.entry(bytes, pos, nameEnd, hash), bytes, pos, nameEnd, newline, fields, base);
  }

  foreignCounts(): ForeignCounts {
    const byName: [string, number][] = [];
    for (const head of this.names.values()) {
      for (let entry: NameEntry | undefined = head; entry !== undefined; entry = entry.next) {
        if (entry.foreign > 0) byName.push([entry.name, entry.foreign]);
      }
    }
    if (this.overflow.foreign > 0) byName.push([this.overflow.name, this.overflow.foreign]);
    return { byName, styles: [...this.styles] };
  }

  private decide(entry: NameEntry, bytes: Buffer, nameStart: number, nameEnd: number, newline: number,
    fields: Float64Array, base: number): boolean {
    const device = entry.family === FAMILY_DEVICE
      || (entry.family === FAMILY_PCI && this.startsWithNicWord(bytes, nameEnd + 1, newline));
    const style = this.prefix.style === 'none' ? STYLE_NONE : this.prefix.style === 'tid-epoch' ? STYLE_TID_EPOCH : STYLE_ISO;
    if (!device) {
      entry.foreign++;
      this.styles[style]++;
      return false;
    }
    fields[base + FIELD_KIND] = LINE_EVENT;
    fields[base + FIELD_OFFSET] = nameStart;
    fields[base + FIELD_SIZE] = nameEnd;
    fields[base + FIELD_VALUE] = EventTable.hash(bytes, nameStart, nameEnd);
    fields[base + FIELD_TIME] = this.prefix.timeUs;
    fields[base + FIELD_THREAD] = this.prefix.thread;
    fields[base + FIELD_STYLE] = style;
    return true;
  }

  /** The entry for a name, compared byte for byte (a hash collision never mixes two names). */
  private entry(bytes: Buffer, start: number, end: number, hash: number): NameEntry {
    const head = this.names.get(hash);
    for (let entry = head; entry !== undefined; entry = entry.next) {
      if (sameBytes(entry.bytes, bytes, start, end)) return entry;
    }
    const name = bytes.toString('latin1', start, end);
    const family = name.startsWith('pci_cfg_') ? FAMILY_PCI : isDeviceEvent(name) ? FAMILY_DEVICE : FAMILY_OTHER;
    const entry: NameEntry = { bytes: Buffer.from(name, 'latin1'), name, family, foreign: 0, next: head };
    // Bounded, so that a hostile input cannot grow the table without limit.
    if (this.size >= MAX_EVENT_NAMES) return family === FAMILY_OTHER ? this.overflow : entry;
    this.size++;
    this.names.set(hash, entry);
    return entry;
  }

  private view(bytes: Buffer): DataView {
    if (this.lastBytes !== bytes || this.lastView === undefined) {
      this.lastBytes = bytes;
      this.lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    return this.lastView;
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

function sameBytes(name: Buffer, bytes: Buffer, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== bytes[start + i]) return false;
  return true;
}
