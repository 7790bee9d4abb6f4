// Which physical address range is the NIC's BAR0 (its register file), so that accesses can be told
// apart from those to other devices and to the NIC's other BARs (flash, MSI-X table).
//
// In order of authority: `--bar-base`; else the `PCIDEV` line of a known igb/e1000e NIC (the kernel
// prints every PCI function when the tracer starts); else the one 128 KiB `MAP` (the size of an
// igb/e1000e BAR0), if there is exactly one. Several candidates are fine as long as the accesses
// only ever hit one of them; the first access that hits a second one is an ambiguity error.

import { PCI_RESOURCES, type MapLine, type PciDevLine } from './line.js';
import { nicName, nicRegisterModel } from './nic-ids.js';
import type { DeviceModel } from '../../devices/table.js';

/** The size of an 82576 / 82574L BAR0. */
export const NIC_BAR0_SIZE = 128 * 1024;
/** PCI_REGION_FLAG_MASK: the low bits of a printed start address are resource flags. */
const FLAG_BITS = 0x10;
const IO_RESOURCE_FLAG = 0x1;

export interface Bar0 {
  readonly base: number;
  readonly size: number;
  /** Where the range came from, for messages: `PCIDEV 0010 8086:10c9 (82576)`, `--bar-base`, `MAP 1 (...)`. */
  readonly source: string;
  /** The register layout, known when a PCIDEV line names the chip (else the igb layout is assumed). */
  readonly model?: DeviceModel;
}

/** Thrown when the trace does not say unambiguously which range is the NIC's BAR0. */
export class Bar0Ambiguity extends Error {}

export class Bar0Locator {
  private readonly nics: Bar0[] = [];
  /** 128 KiB mappings by physical base (fallback when no PCIDEV line names a NIC). */
  private readonly bigMaps = new Map<number, Bar0>();
  private chosen: Bar0 | undefined;

  constructor(private readonly barBase?: number) {}

  /** A PCIDEV line; returns whether it is the NIC's (or has the `--bar-base` BAR). */
  addPciDev(dev: PciDevLine): boolean {
    const id = `${hex4(dev.vendor)}:${hex4(dev.device)}`;
    if (this.barBase !== undefined) {
      // The user named the base; the resource that starts there gives the true size.
      const i = dev.starts.findIndex((start, n) => start - (start % FLAG_BITS) === this.barBase && (dev.sizes[n] ?? 0) > 0);
      if (i < 0 || this.chosen !== undefined) return false;
      this.chosen = { base: this.barBase, size: dev.sizes[i]!, source: `--bar-base (PCIDEV ${dev.busDevfn} ${id} ${i === PCI_RESOURCES - 1 ? 'ROM' : `BAR${i}`})` };
      return true;
    }
    const start = dev.starts[0] ?? 0;
    const base = start - (start % FLAG_BITS);
    const size = dev.sizes[0] ?? 0;
    const name = nicName(dev.vendor, dev.device);
    if (name === undefined || base === 0 || start % 2 === IO_RESOURCE_FLAG) return false;
    this.nics.push({ base, size: size > 0 ? size : NIC_BAR0_SIZE, source: `PCIDEV ${dev.busDevfn} ${id} (${name})`, model: nicRegisterModel(dev.vendor, dev.device) });
    return true;
  }

  /** A MAP line; only matters for the fallback. Throws Bar0Ambiguity when it contradicts the choice made. */
  addMap(map: MapLine): void {
    if (this.barBase !== undefined || this.nics.length > 0 || map.length !== NIC_BAR0_SIZE) return;
    if (this.bigMaps.has(map.phys)) return;
    const candidate = { base: map.phys, size: map.length, source: `MAP ${map.id} (the only 128 KiB mapping)` };
    this.bigMaps.set(map.phys, candidate);
    if (this.chosen !== undefined) {
      throw new Bar0Ambiguity(`a second 128 KiB mapping at ${hex(map.phys)} besides ${hex(this.chosen.base)}`);
    }
  }

  /**
   * BAR0 if `phys` lies in it, else undefined. Chooses among the candidates on the first hit; throws
   * Bar0Ambiguity when a hit needs a different candidate than an earlier one, or an ambiguous fallback.
   */
  locate(phys: number): Bar0 | undefined {
    const chosen = this.chosen;
    if (chosen !== undefined && phys >= chosen.base && phys < chosen.base + chosen.size) return chosen;
    if (this.barBase !== undefined) {
      if (chosen !== undefined) return undefined;
      // No PCIDEV line gave the size of the BAR at --bar-base: an igb/e1000e BAR0 is 128 KiB.
      this.chosen = { base: this.barBase, size: NIC_BAR0_SIZE, source: '--bar-base' };
      return this.locate(phys);
    }
    const candidates = this.nics.length > 0 ? this.nics : [...this.bigMaps.values()];
    const hit = candidates.find((c) => phys >= c.base && phys < c.base + c.size);
    if (hit === undefined) return undefined;
    if (chosen !== undefined) {
      throw new Bar0Ambiguity(`an access to ${hex(phys)} in ${hit.source} after accesses to ${chosen.source}`);
    }
    if (this.nics.length === 0 && this.bigMaps.size > 1) {
      throw new Bar0Ambiguity(`no PCIDEV line names a known NIC and ${this.bigMaps.size} mappings are 128 KiB`);
    }
    this.chosen = hit;
    return hit;
  }

  /** The BAR0 in use: the one accesses hit, else the only candidate. */
  result(): Bar0 | undefined {
    if (this.chosen !== undefined) return this.chosen;
    if (this.barBase !== undefined) return { base: this.barBase, size: NIC_BAR0_SIZE, source: '--bar-base' };
    const candidates = this.nics.length > 0 ? this.nics : [...this.bigMaps.values()];
    return candidates.length === 1 ? candidates[0] : undefined;
  }

  /** Whether PCIDEV lines name NICs (then unused ambiguity is harmless: no access needed a choice). */
  get hasNicCandidates(): boolean {
    return this.nics.length > 0;
  }

  /** Why there is no BAR0, for the error message. */
  describeMissing(): string {
    if (this.nics.length === 0 && this.bigMaps.size > 1) {
      return `no PCIDEV line names a known igb/e1000e NIC and ${this.bigMaps.size} mappings are 128 KiB, so which is the NIC's BAR0 is ambiguous`;
    }
    return 'no PCIDEV line names a known igb/e1000e NIC and no mapping is 128 KiB (the size of its BAR0)';
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}
