// How a tallied register is named in reports and JSON `label` fields: the database name when there
// is one, otherwise the raw offset in the notation QEMU's own log uses.

import type { RegisterSpaceName } from './trace-summary.js';

export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** `RDBAL(0)`, `0x4038`, `PHY[20] GMII_FIFO`, `IO 0x0`, `config 0x10`. */
export function registerLabel(space: RegisterSpaceName, offset: number, name: string | undefined): string {
  switch (space) {
    case 'mmio': return name ?? hex(offset);
    // QEMU's mdic trace prints PHY[n]; keep that handle next to the name so grep finds it.
    case 'phy': return name === undefined ? `PHY[${offset}]` : `PHY[${offset}] ${name}`;
    case 'io': return offset === 0 ? 'IOADDR' : offset === 4 ? 'IODATA' : `IO ${hex(offset)}`;
    case 'pci-config': return `config ${hex(offset)}`;
  }
}
