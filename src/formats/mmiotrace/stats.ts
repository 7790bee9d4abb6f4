// Line accounting of a mmiotrace parse in the shape the QEMU-log parser reports (QemuLogStats), so
// `parse` and its JSON show both alike. Mapping: "device" lines are those that made a record or
// describe the NIC (accesses inside its BAR0, MARK, the NIC's PCIDEV line); every other record
// (VERSION, MAP, UNMAP, other PCI functions, accesses outside BAR0) is an "other event", by name.

import type { MalformedLine, QemuLogStats } from '../qemu-log/stats.js';

const MAX_EXAMPLES = 10;

/** Names under which records that are not about the NIC's registers are counted. */
export const OTHER = {
  readOutside: 'R outside the NIC BAR0',
  writeOutside: 'W outside the NIC BAR0',
  unknownOutside: 'UNKNOWN outside the NIC BAR0',
  otherPciDev: 'PCIDEV of other functions',
} as const;

export class MmiotraceCounters {
  lines = 0;
  emptyLines = 0;
  accesses = 0;
  otherTextLines = 0;
  private otherEventLines = 0;
  private malformedLines = 0;
  private readonly malformedExamples: MalformedLine[] = [];
  private readonly deviceEvents = new Map<string, number>();
  private readonly otherEvents = new Map<string, number>();

  device(name: string): void {
    this.deviceEvents.set(name, (this.deviceEvents.get(name) ?? 0) + 1);
  }

  other(name: string): void {
    this.otherEventLines++;
    this.otherEvents.set(name, (this.otherEvents.get(name) ?? 0) + 1);
  }

  addMalformed(line: number, text: string, reason: string): void {
    this.malformedLines++;
    if (this.malformedExamples.length < MAX_EXAMPLES) this.malformedExamples.push({ line, text, reason });
  }

  snapshot(): QemuLogStats {
    let deviceLines = 0;
    for (const count of this.deviceEvents.values()) deviceLines += count;
    return {
      lines: this.lines,
      emptyLines: this.emptyLines,
      deviceLines,
      accessLines: this.accesses,
      otherEvents: new Map(this.otherEvents),
      otherEventLines: this.otherEventLines,
      // PCIDEV lines list devices; they are no PCI config accesses of other functions.
      otherPciLines: 0,
      otherTextLines: this.otherTextLines,
      gluedLines: 0,
      malformedLines: this.malformedLines,
      malformedExamples: [...this.malformedExamples],
      // mmiotrace times are not one of the QEMU log prefixes.
      timestampStyles: { none: 0, 'tid-epoch': 0, iso8601: 0 },
      deviceEvents: new Map(this.deviceEvents),
    };
  }
}
