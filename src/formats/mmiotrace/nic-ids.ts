// Which `PCIDEV` line of a mmiotrace is the NIC: a chip whose BAR0 follows a register layout this
// tool knows. The chips and their ids are rows of src/devices/table.ts; this is mmiotrace's view.

import { chipById, knownChipIds, type DeviceModel } from '../../devices/table.js';

/** Which register database a NIC's BAR0 follows, for a chip nicName() knows. */
export function nicRegisterModel(vendor: number, device: number): DeviceModel | undefined {
  return chipById(vendor, device)?.row.model;
}

/** The chip name when `vendor:device` is a NIC this tool reads, else undefined. */
export function nicName(vendor: number, device: number): string | undefined {
  return chipById(vendor, device)?.name;
}

/** The IDs as `8086:10c9` strings, for hints. */
export function nicIdList(): string[] {
  return knownChipIds();
}
