// Line-level accounting of a parse: nothing in the input is dropped without being counted.

import type { TimestampStyle } from './prefix.js';

export interface MalformedLine {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

export interface QemuLogStats {
  readonly lines: number;
  readonly emptyLines: number;
  /** Lines of the NIC's event families (and the NIC's pci_cfg lines). */
  readonly deviceLines: number;
  /** Lines that defined a guest access. */
  readonly accessLines: number;
  /** Events of other QEMU subsystems, by name. */
  readonly otherEvents: ReadonlyMap<string, number>;
  readonly otherEventLines: number;
  /** pci_cfg lines of other PCI functions. */
  readonly otherPciLines: number;
  /** Lines that are not trace events at all (console noise, other log output). */
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

export class ParseCounters {
  lines = 0;
  emptyLines = 0;
  accesses = 0;
  coreReads = 0;
  coreWrites = 0;
  otherTextLines = 0;
  gluedLines = 0;
  private otherPciLines = 0;
  private otherEventLines = 0;
  private malformedLines = 0;
  private readonly malformedExamples: MalformedLine[] = [];
  private styleNone = 0;
  private styleTidEpoch = 0;
  private styleIso = 0;
  private readonly deviceEvents = new Map<string, number>();
  private readonly otherEvents = new Map<string, number>();

  addStyleCount(code: number, count: number): void {
    if (code === 0) this.styleNone += count;
    else if (code === 1) this.styleTidEpoch += count;
    else this.styleIso += count;
  }

  /** The numeric style codes of block-scan.ts: 0 none, 1 tid-epoch, 2 iso8601. */
  countStyleCode(code: number): void {
    if (code === 0) this.styleNone++;
    else if (code === 1) this.styleTidEpoch++;
    else this.styleIso++;
  }

  countStyle(style: TimestampStyle): void {
    if (style === 'none') this.styleNone++;
    else if (style === 'tid-epoch') this.styleTidEpoch++;
    else this.styleIso++;
  }

  /** Lines that are not about the device, by event name (pci: pci_cfg lines of other functions). */
  addForeignCount(name: string, count: number, pci: boolean): void {
    this.otherEventLines += count;
    if (pci) this.otherPciLines += count;
    this.otherEvents.set(name, (this.otherEvents.get(name) ?? 0) + count);
  }

  addDeviceEventCount(name: string, count: number): void {
    this.deviceEvents.set(name, (this.deviceEvents.get(name) ?? 0) + count);
  }

  addMalformed(line: number, text: string, reason: string): void {
    this.malformedLines++;
    if (this.malformedExamples.length < MAX_EXAMPLES) this.malformedExamples.push({ line, text, reason });
  }

  snapshot(): QemuLogStats {
    const deviceEvents = new Map(this.deviceEvents);
    if (this.coreReads > 0) deviceEvents.set('e1000e_core_read', (deviceEvents.get('e1000e_core_read') ?? 0) + this.coreReads);
    if (this.coreWrites > 0) deviceEvents.set('e1000e_core_write', (deviceEvents.get('e1000e_core_write') ?? 0) + this.coreWrites);
    let deviceLines = 0;
    for (const count of deviceEvents.values()) deviceLines += count;
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
      timestampStyles: { none: this.styleNone, 'tid-epoch': this.styleTidEpoch, iso8601: this.styleIso },
      deviceEvents,
    };
  }
}
