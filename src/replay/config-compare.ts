// How a replayed PCI config read compares with the recording's `pci_cfg_read` line.
//
// QEMU's pci_cfg_read event does not print the access width, so the replay reads the whole dword
// the offset lies in and the recorded value is compared at every width it could have had: a naturally
// aligned 1, 2 or 4 bytes within the dword that the recorded value fits in. A value that fits a
// narrower read (firmware reads the vendor id as a word) matches if any such width matches; a value
// wider than 16 bits can only have been a dword read and is compared as one.
//
// In extended config space the registers of the capabilities the device table knows
// (src/regs/pcie-extended-capabilities.ts) are read whole, so a read that starts one is compared at
// that register's width or wider: a recorded 0 at the ARI Capability register is a 16-bit 0, not a
// byte that matches whatever the Next Function Number above it says.
//
// COMMAND (0x04): the replay turns on IO and memory decoding and bus mastering before the first
// access (its PCI set-up stands in for the recording's firmware, which the trace shows only in
// part), and keeps decoding on when the driver turns it off; a difference in only those bits is
// the replay's set-up, not the device's behaviour. That holds for the PF only: the replay leaves a
// VF's COMMAND as the recording wrote it.

import type { ReadClass } from '../model/replay.js';
import type { LocatedRegister } from '../regs/pcie-extended-capabilities.js';

/** COMMAND bits the replay's set-up decides: IO space, memory space, bus master. */
const SET_UP_BITS = 0x7;
const COMMAND = 0x04;

export interface ConfigComparison {
  readonly class: Extract<ReadClass, 'match' | 'mismatch' | 'set-up'>;
  /** The target's value at the width the comparison settled on. */
  readonly actual: number;
  readonly reason: string;
}

/** The value at byte offset `offset` of `dword` (read at offset & ~3), `width` bytes wide. */
function slice(dword: number, offset: number, width: number): number {
  const shifted = dword >>> (8 * (offset & 3));
  return width === 4 ? shifted >>> 0 : shifted & ((1 << (8 * width)) - 1);
}

/** Widths a read at `offset` returning `value` could have had. */
export function possibleWidths(offset: number, value: number): number[] {
  return [1, 2, 4].filter((width) => offset % width === 0 && (offset & 3) + width <= 4 && (width === 4 || value < 2 ** (8 * width)));
}

/**
 * `vf`: the read was of an SR-IOV virtual function's config space (absent: the PF's); `register`:
 * the capability register the read starts, when known (then narrower widths are not considered).
 */
export function compareConfigRead(offset: number, recorded: number, dword: number, vf?: number, register?: LocatedRegister): ConfigComparison {
  const widths = possibleWidths(offset, recorded).filter((width) => register === undefined || width >= register.width);
  const widest = widths[widths.length - 1] ?? 4;
  if (widths.some((width) => slice(dword, offset, width) === recorded)) {
    return { class: 'match', actual: recorded, reason: 'same value' };
  }
  const actual = slice(dword, offset, widest);
  const setUp = offset === COMMAND && vf === undefined ? widths.find((width) => ((slice(dword, offset, width) ^ recorded) & ~SET_UP_BITS) === 0) : undefined;
  if (setUp !== undefined) {
    return {
      class: 'set-up', actual: slice(dword, offset, setUp),
      reason: 'COMMAND differs only in IO/memory decoding and bus mastering, which the replay\'s own PCI set-up turns on',
    };
  }
  const width = widths.length > 1 ? `${widths.join(', ')}-byte widths` : `a ${widest}-byte width`;
  const what = register === undefined ? ''
    : `${register.name}, a ${8 * register.width}-bit register of the ${register.capability} capability at 0x${register.capabilityAt.toString(16)}, read whole; `;
  return { class: 'mismatch', actual, reason: `value differs (${what}pci_cfg_read prints no width; compared at ${width})` };
}
