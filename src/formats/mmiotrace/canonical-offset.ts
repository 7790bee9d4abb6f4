// BAR0 offsets as the driver wrote them -> the canonical offsets the access model uses. Linux (and so
// mmiotrace) may use a legacy alias (RDBAL_A(1) at 0x2900); QEMU logs the register it maps to
// (RDBAL(1) at 0xc040), and replay, diff and triage key registers by that.

import { igbRegisters } from '../../regs/database.js';

export type CanonicalOffset = (offset: number) => number;

/** Canonical offset by the igb register database; offsets it does not know stay as they are. */
export function igbCanonicalOffset(offset: number): number {
  const db = igbRegisters();
  const ref = db.lookupOffset(offset);
  if (ref === undefined) return offset;
  const canonical = db.canonical(ref);
  // A byte or word access inside a register keeps its position within the register.
  return canonical === ref ? offset : canonical.offset + (offset - ref.offset);
}
