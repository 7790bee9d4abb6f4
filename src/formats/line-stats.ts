// Line-level accounting of a parse, the same for every dialect: nothing in the input is dropped
// without being counted, and `parse` shows every trace's lines in one shape.

/** The timestamp prefixes of QEMU's log backend (see qemu-log/prefix.ts); other dialects count none. */
export type TimestampStyle = 'none' | 'tid-epoch' | 'iso8601';

/** The styles in the order of their numeric codes (0, 1, 2), as the QEMU-log prefix reader gives them. */
export const TIMESTAMP_STYLES: readonly TimestampStyle[] = ['none', 'tid-epoch', 'iso8601'];

export interface MalformedLine {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

export interface LineStats {
  readonly lines: number;
  readonly emptyLines: number;
  /** Lines about the device: its events, and the records that describe it. */
  readonly deviceLines: number;
  /** Lines that defined a guest access. */
  readonly accessLines: number;
  /** Events and records not about the device, by name. */
  readonly otherEvents: ReadonlyMap<string, number>;
  readonly otherEventLines: number;
  /** PCI config accesses of other PCI functions (QEMU's pci_cfg lines). */
  readonly otherPciLines: number;
  /** Lines that are not trace events or records at all (console noise, other log output). */
  readonly otherTextLines: number;
  /** Lines where a guest-error message without newline was glued before an event. */
  readonly gluedLines: number;
  readonly malformedLines: number;
  /** The first few malformed lines (lenient mode). */
  readonly malformedExamples: readonly MalformedLine[];
  readonly timestampStyles: Readonly<Record<TimestampStyle, number>>;
  /** Device events by name, accesses included. */
  readonly deviceEvents: ReadonlyMap<string, number>;
}

const MAX_EXAMPLES = 10;

export class LineCounters {
  lines = 0;
  emptyLines = 0;
  accesses = 0;
  otherTextLines = 0;
  gluedLines = 0;
  private otherPciLines = 0;
  private otherEventLines = 0;
  private malformedLines = 0;
  private readonly malformedExamples: MalformedLine[] = [];
  private readonly deviceEvents = new Map<string, number>();
  private readonly otherEvents = new Map<string, number>();
  /** Lines per timestamp style, indexed by the codes of TIMESTAMP_STYLES. */
  private readonly styleLines: [number, number, number] = [0, 0, 0];

  /** `count` lines with the timestamp style of code `code` (an index into TIMESTAMP_STYLES). */
  countStyle(code: number, count = 1): void {
    this.styleLines[code]! += count;
  }

  /** Lines of a device event (or record) by name. */
  device(name: string, count = 1): void {
    this.deviceEvents.set(name, (this.deviceEvents.get(name) ?? 0) + count);
  }

  /** Lines not about the device, by name; `pci`: PCI config accesses of another function. */
  other(name: string, count = 1, pci = false): void {
    this.otherEventLines += count;
    if (pci) this.otherPciLines += count;
    this.otherEvents.set(name, (this.otherEvents.get(name) ?? 0) + count);
  }

  addMalformed(line: number, text: string, reason: string): void {
    this.malformedLines++;
    if (this.malformedExamples.length < MAX_EXAMPLES) this.malformedExamples.push({ line, text, reason });
  }

  snapshot(): LineStats {
    let deviceLines = 0;
    for (const count of this.deviceEvents.values()) deviceLines += count;
    const [none, tidEpoch, iso8601] = this.styleLines;
    return {
      lines: this.lines,
      emptyLines: this.emptyLines,
      deviceLines,
      accessLines: this.accesses,
      otherEvents: new Map(this.otherEvents),
      otherEventLines: this.otherEventLines,
      otherPciLines: this.otherPciLines,
      otherTextLines: this.otherTextLines,
      gluedLines: this.gluedLines,
      malformedLines: this.malformedLines,
      malformedExamples: [...this.malformedExamples],
      timestampStyles: { none, 'tid-epoch': tidEpoch, iso8601 },
      deviceEvents: new Map(this.deviceEvents),
    };
  }
}
