// How `export --c-test` spells one register access in C: the helpers for dwords, libqos and
// libqtest for other widths, each the op replay sends (accessOp in src/target/qtest-protocol.ts).

import { accessOp, OP_WIDTH, type AccessWidth } from '../target/qtest-protocol.js';
import type { RegisterStep } from './steps.js';

/** The width replay sends an access with: accessOp's (an 8-byte IO access is a dword). */
export function sentWidth(step: RegisterStep): AccessWidth {
  return OP_WIDTH[accessOp(step.space === 'io' ? 'io' : 'mem', step.width, step.kind)];
}

/**
 * Dwords (all QEMU's trace records) go through the helpers. Other widths call libqos and libqtest,
 * whose accessors are named after qtest's memory ops (qpci_io_readb, qtest_readq): bytes and words
 * through libqos; 8-byte MMIO accesses (mmiotrace of a driver using readq/writeq) as
 * qtest_readq/qtest_writeq at the BAR's address, the command replay sends (libqos' qpci_io_readq
 * would send a `read` of 8 bytes).
 */
export function readCall(step: RegisterStep, offset: string): string {
  const width = sentWidth(step);
  const bar = step.space === 'io' ? 'io' : 'mmio';
  if (width === 4) return `${step.space === 'io' ? 'io_rd' : 'rd'}(r, ${offset})`;
  const op = accessOp('mem', width, 'read');
  return width === 8 ? `qtest_${op}(r->qts, r->${bar}.addr + ${offset})` : `qpci_io_${op}(r->dev, r->${bar}, ${offset})`;
}

export function writeCall(step: RegisterStep, offset: string, value: string): string {
  const width = sentWidth(step);
  const bar = step.space === 'io' ? 'io' : 'mmio';
  if (width === 4) return `${step.space === 'io' ? 'io_wr' : 'wr'}(r, ${offset}, ${value})`;
  const op = accessOp('mem', width, 'write');
  return width === 8 ? `qtest_${op}(r->qts, r->${bar}.addr + ${offset}, ${value})` : `qpci_io_${op}(r->dev, r->${bar}, ${offset}, ${value})`;
}
