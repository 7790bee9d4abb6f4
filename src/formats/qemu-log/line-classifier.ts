// For a line that is not a core access: find its event name and tell the device's events from
// other subsystems' (by name family; pci_cfg lines by the device model word). Lines not about the
// device are counted here by name, without a string made of them; for the device's, the parser
// gets the name's EventInfo, looked up once per distinct name.

import { ByteLiteral } from '../byte-reader.js';
import { Ch, isNameByte } from '../chars.js';
import type { EventInfo, EventRegistry } from './event-registry.js';
import { isDeviceEvent } from './events.js';
import { nameHash, NameTable, nextNameHash } from './name-table.js';
import type { LinePrefix } from './prefix.js';

const PCI_READ = new ByteLiteral('pci_cfg_read ');
const PCI_READ_NAME_LENGTH = PCI_READ.length - 1;
const PCI_READ_FIRST = PCI_READ.byteAt(0);

const FAMILY_DEVICE = 0;
const FAMILY_PCI = 1;
const FAMILY_OTHER = 2;

interface NameEntry {
  readonly name: string;
  readonly family: number;
  /** Lines of this name not about the device. */
  foreign: number;
  /** The registry's entry of this name, once a line of it was the device's. */
  info: EventInfo | undefined;
}

/** What a line is, as far as the classifier can tell. */
export const enum LineClass {
  /** Not a trace event: for the general path. */
  Other,
  /** An event line of the device's families (or the NIC's pci_cfg line): name and its EventInfo are in the classifier. */
  Event,
  /** An event not about the device: counted, nothing more to do. */
  Foreign,
}

/** Counts of the lines not about the device, for the parse statistics. */
export interface ForeignCounts {
  readonly byName: readonly (readonly [string, number])[];
  /** Lines per timestamp style code: none, tid-epoch, iso8601. */
  readonly styles: readonly [number, number, number];
}

export class LineClassifier {
  /** The name bounds and event of the last LineClass.Event line. */
  nameStart = 0;
  nameEnd = 0;
  info: EventInfo | undefined;
  private readonly pciReadHash = nameHash(Buffer.from(PCI_READ.text, 'latin1'), 0, PCI_READ_NAME_LENGTH);
  private readonly pciReadEntry: NameEntry;
  private readonly nicWords: readonly Buffer[];
  private readonly names = new NameTable<NameEntry>();
  /** Where the lines of names past the table's bound are counted. */
  private readonly overflow: NameEntry = { name: '(other event names)', family: FAMILY_OTHER, foreign: 0, info: undefined };
  private readonly styles: [number, number, number] = [0, 0, 0];

  /** `prefix`: the parser's, holding the prefix of the line being classified. */
  constructor(nicDevices: readonly string[], private readonly prefix: LinePrefix, private readonly events: EventRegistry) {
    this.nicWords = nicDevices.map((name) => Buffer.from(`${name} `, 'latin1'));
    this.pciReadEntry = this.entry(PCI_READ.text.slice(0, PCI_READ_NAME_LENGTH), this.pciReadHash);
  }

  /**
   * The line whose text after its prefix starts at `nameStart` and ends at `newline` (`view`: a
   * DataView of all of `bytes`); the prefix is read.
   */
  classify(bytes: Buffer, view: DataView, nameStart: number, newline: number): LineClass {
    if (bytes[nameStart] === PCI_READ_FIRST && PCI_READ.matches(bytes, view, nameStart, newline)) {
      // A bus scan reads the config space of every PCI function: make that common line cheap.
      return this.decide(this.pciReadEntry, this.pciReadHash, bytes, nameStart, nameStart + PCI_READ_NAME_LENGTH, newline);
    }
    let nameEnd = nameStart;
    let hash = 0;
    let underscores = 0;
    for (; nameEnd < newline; nameEnd++) {
      const c = bytes[nameEnd]!;
      if (!isNameByte(c)) break;
      if (c === Ch.Underscore) underscores++;
      hash = nextNameHash(hash, c);
    }
    // QEMU names every trace event `group_event`; a word without `_` is ordinary text.
    if (underscores === 0 || (nameEnd < newline && bytes[nameEnd] !== Ch.Space && bytes[nameEnd] !== Ch.CR)) return LineClass.Other;
    let entry = this.names.find(hash, bytes, nameStart, nameEnd);
    if (entry === undefined) entry = this.entry(bytes.toString('latin1', nameStart, nameEnd), hash);
    return this.decide(entry, hash, bytes, nameStart, nameEnd, newline);
  }

  foreignCounts(): ForeignCounts {
    const byName: [string, number][] = [];
    for (const entry of this.names.values()) if (entry.foreign > 0) byName.push([entry.name, entry.foreign]);
    if (this.overflow.foreign > 0) byName.push([this.overflow.name, this.overflow.foreign]);
    return { byName, styles: [...this.styles] };
  }

  private decide(entry: NameEntry, hash: number, bytes: Buffer, nameStart: number, nameEnd: number, newline: number): LineClass {
    const device = entry.family === FAMILY_DEVICE
      || (entry.family === FAMILY_PCI && this.startsWithNicWord(bytes, nameEnd + 1, newline));
    if (!device) {
      entry.foreign++;
      this.styles[this.prefix.style]!++;
      return LineClass.Foreign;
    }
    this.nameStart = nameStart;
    this.nameEnd = nameEnd;
    this.info = entry.info ?? (entry.info = this.events.found(hash, bytes, nameStart, nameEnd));
    return LineClass.Event;
  }

  /** A new name's entry; kept in the table unless it is full. */
  private entry(name: string, hash: number): NameEntry {
    const family = name.startsWith('pci_cfg_') ? FAMILY_PCI : isDeviceEvent(name) ? FAMILY_DEVICE : FAMILY_OTHER;
    // Bounded, so that a hostile input cannot grow the table without limit.
    if (this.names.full) return family === FAMILY_OTHER ? this.overflow : { name, family, foreign: 0, info: undefined };
    const entry: NameEntry = { name, family, foreign: 0, info: undefined };
    this.names.add(hash, name, entry);
    return entry;
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
