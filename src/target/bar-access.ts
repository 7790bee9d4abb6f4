// A register access of the NIC (an offset in BAR0 or in the IO BAR) as the qtest command `replay`
// sends (src/replay/qemu-target.ts) and `export --qtest` prints: the recorded width, through
// accessOp's table. One function, so the two cannot disagree again.

import type { NicBars } from './pci-setup.js';
import { accessCommand, accessWidth, type QtestCommand } from './qtest-protocol.js';

export interface BarAccess {
  readonly kind: 'read' | 'write';
  readonly space: 'mmio' | 'io';
  /** Offset in BAR0 (mmio) or in the IO BAR (0 IOADDR, 4 IODATA). */
  readonly offset: number;
  /** Width as recorded: mmiotrace keeps the driver's 1/2/4/8; QEMU logs 4 for MMIO, 8 for the IO BAR. */
  readonly size: number;
  /** Written value (ignored for reads). */
  readonly value: number;
}

export function barAccessCommand(bars: NicBars, access: BarAccess): QtestCommand {
  const width = accessWidth(access.size);
  if (access.space === 'io') return accessCommand('io', width, access.kind, bars.io + access.offset, access.value);
  return accessCommand('mem', width, access.kind, bars.mmio + access.offset, access.value);
}
