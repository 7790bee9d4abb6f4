// The PCI functions whose BAR0 is an igb/e1000e register file this tool understands: the one list
// that decides which `PCIDEV` line of a mmiotrace is the NIC. IDs from Linux
// drivers/net/ethernet/intel/igb/e1000_hw.h and e1000e/hw.h (v6.x); QEMU's igb model is an 82576
// (8086:10c9), its e1000e model an 82574L (8086:10d3).

export const INTEL_VENDOR = 0x8086;

/** Device ID -> chip name, for messages and the dialect description. */
const NIC_DEVICES: ReadonlyMap<number, string> = new Map([
  // 82576, the chip QEMU's igb emulates, in all its board variants.
  [0x10c9, '82576'], [0x10e6, '82576 fiber'], [0x10e7, '82576 SerDes'], [0x10e8, '82576 quad copper'],
  [0x1526, '82576 quad copper ET2'], [0x150a, '82576NS'], [0x1518, '82576NS SerDes'], [0x150d, '82576 SerDes quad'],
  // The rest of the igb family: same BAR0 layout for the registers the driver shares with the 82576.
  [0x10a7, '82575EB copper'], [0x10a9, '82575EB fiber/SerDes'], [0x10d6, '82575GB quad copper'],
  [0x150e, '82580 copper'], [0x150f, '82580 fiber'], [0x1510, '82580 SerDes'], [0x1511, '82580 SGMII'],
  [0x1516, '82580 copper dual'], [0x1527, '82580 quad fiber'],
  [0x1521, 'I350 copper'], [0x1522, 'I350 fiber'], [0x1523, 'I350 SerDes'], [0x1524, 'I350 SGMII'],
  [0x1533, 'I210 copper'], [0x1536, 'I210 fiber'], [0x1537, 'I210 SerDes'], [0x1538, 'I210 SGMII'],
  [0x157b, 'I210 copper flashless'], [0x157c, 'I210 SerDes flashless'], [0x1539, 'I211 copper'],
  // 82574L, the chip QEMU's e1000e emulates (igb began as a copy of it).
  [0x10d3, '82574L'],
]);

/** Which register database a NIC's BAR0 follows: the 82574L's is e1000e's, every other listed one igb's. */
export function nicRegisterModel(vendor: number, device: number): 'igb' | 'e1000e' {
  return vendor === INTEL_VENDOR && device === 0x10d3 ? 'e1000e' : 'igb';
}

/** The chip name when `vendor:device` is a NIC this tool reads, else undefined. */
export function nicName(vendor: number, device: number): string | undefined {
  return vendor === INTEL_VENDOR ? NIC_DEVICES.get(device) : undefined;
}

/** The IDs as `8086:10c9` strings, for hints. */
export function nicIdList(): string[] {
  return [...NIC_DEVICES.keys()].map((id) => `8086:${id.toString(16).padStart(4, '0')}`);
}
