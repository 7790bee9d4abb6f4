// A qtest command decided in advance, with the reply it must get: what a script that cannot react
// to answers is made of (export), and what the live PCI set-up runs and checks (pci-setup.ts).

import type { QtestCommand } from './qtest-protocol.js';

export interface ExpectedReply {
  readonly value: number;
  /** The bits compared, when only some are the sender's business (e.g. COMMAND); all when absent. */
  readonly mask?: number;
}

export interface PlannedCommand {
  readonly command: QtestCommand;
  /** For reads whose answer is known: what it must be. */
  readonly expect?: ExpectedReply;
  /** Why the command is there, for readers and error messages. */
  readonly what: string;
}

export function meetsExpectation(reply: number, expect: ExpectedReply): boolean {
  if (expect.mask === undefined) return reply === expect.value;
  return ((reply & expect.mask) >>> 0) === ((expect.value & expect.mask) >>> 0);
}
