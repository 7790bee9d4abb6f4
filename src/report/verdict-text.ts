// One colour per QEMU verdict, the same in every report: unknown (QEMU has no handler) is the
// most serious, so it is red; partial and read-only are yellow; PHY-unhandled is magenta.

import type { ChalkInstance } from 'chalk';
import type { QemuVerdict } from '../model/access.js';

export function verdictText(verdict: QemuVerdict, c: ChalkInstance): string {
  switch (verdict) {
    case 'unknown': return c.red(verdict);
    case 'partial':
    case 'read-only': return c.yellow(verdict);
    case 'phy-unhandled': return c.magenta(verdict);
    case 'ok': return verdict;
  }
}
