// Readers for the argument text of the events that define guest accesses. Each mirrors one
// format string of QEMU's hw/net/trace-events (10.0.2; unchanged since igb appeared in 8.0) or
// hw/pci/trace-events; each returns false when the text does not match, so the caller can report
// the line as malformed.

import type { LineScanner } from './scanner.js';

/** Filled in by the readers; one instance is reused for every line. */
export class EventArgs {
  offset = 0;
  size = 0;
  value = 0;
  /** Second number where a format has one (PHY page, PCI slot). */
  extra = 0;
  /** For MDIC: the PHY register is UNHANDLED. */
  unhandled = false;
  /** For pci_cfg_*: the device name and its bus:slot.function. */
  device = '';
  address = '';
}

/** `Read from register 0x8, 4 byte(s), value: 0x80080481` (core_read; with `WARNING: ` prefixes for wrn_*). */
export function readRegisterAccess(s: LineScanner, lead: string, out: EventArgs, withValue: boolean): boolean {
  if (!s.lit(lead)) return false;
  out.offset = s.hex0x();
  if (!s.lit(', ')) return false;
  out.size = s.dec();
  if (!s.lit(' byte(s)')) return false;
  if (withValue) {
    if (!s.lit(', value: ')) return false;
    out.value = s.hex0x();
  } else {
    out.value = 0;
  }
  return !Number.isNaN(out.offset) && !Number.isNaN(out.size) && !Number.isNaN(out.value) && s.atEnd();
}

/** `Reading register at offset: 0x00010. It is not fully implemented.` (wrn_regs_*_trivial). */
export function readTrivial(s: LineScanner, lead: string, out: EventArgs): boolean {
  if (!s.lit(lead)) return false;
  out.offset = s.hex0x();
  return !Number.isNaN(out.offset) && s.lit('. It is not fully implemented.') && s.atEnd();
}

/** `IOADDR write 0x8` / `IO read unknown address 0x10` (one hex argument after a fixed lead). */
export function readOneHex(s: LineScanner, lead: string, out: EventArgs): boolean {
  if (!s.lit(lead)) return false;
  out.offset = s.hex0x();
  return !Number.isNaN(out.offset) && s.atEnd();
}

/** `IODATA read 0x8, value: 0x80080481`. */
export function readIoData(s: LineScanner, lead: string, out: EventArgs): boolean {
  if (!s.lit(lead)) return false;
  out.offset = s.hex0x();
  if (!s.lit(', value: ')) return false;
  out.value = s.hex0x();
  return !Number.isNaN(out.offset) && !Number.isNaN(out.value) && s.atEnd();
}

/**
 * `MDIC READ: PHY[2] = 0x82202a8`, `MDIC WRITE: PHY[0] = 0x1340`, `MDIC READ: PHY[20] UNHANDLED`;
 * e1000e's variant carries a page first: `PHY[0][2]`, kept in `extra`.
 */
export function readMdic(s: LineScanner, lead: string, out: EventArgs): boolean {
  if (!s.lit(lead) || !s.lit('PHY[')) return false;
  let register = s.dec();
  out.extra = 0;
  if (!s.lit(']')) return false;
  if (s.lit('[')) {
    out.extra = register;
    register = s.dec();
    if (!s.lit(']')) return false;
  }
  out.offset = register;
  out.unhandled = s.lit(' UNHANDLED');
  if (out.unhandled) {
    out.value = 0;
  } else {
    if (!s.lit(' = ')) return false;
    out.value = s.hex0x();
  }
  return !Number.isNaN(out.offset) && !Number.isNaN(out.value) && s.atEnd();
}

/** `CONFIG write 0x4, value: 0x7, len: 2` (igb_write_config, igbvf_write_config). */
export function readConfigWrite(s: LineScanner, out: EventArgs): boolean {
  if (!s.lit('CONFIG write ')) return false;
  out.offset = s.hex0x();
  if (!s.lit(', value: ')) return false;
  out.value = s.hex0x();
  if (!s.lit(', len: ')) return false;
  out.size = s.dec();
  return !Number.isNaN(out.offset) && !Number.isNaN(out.value) && !Number.isNaN(out.size) && s.atEnd();
}

/** `igb 00:02.0 @0x4 -> 0x100007` (pci_cfg_read) or `... @0x4 <- 0x7` (pci_cfg_write). */
export function readPciCfg(s: LineScanner, arrow: string, out: EventArgs): boolean {
  out.device = s.word();
  if (out.device === '' || !s.lit(' ')) return false;
  out.address = s.word();
  // QEMU >= 7.2 prints bus:slot.fn; older versions printed slot:fn.
  if (!/^[0-9a-f]{2}:[0-9a-f]{1,2}(\.[0-7])?$/.test(out.address)) return false;
  if (!s.lit(' @')) return false;
  out.offset = s.hex0x();
  if (!s.lit(arrow)) return false;
  out.value = s.hex0x();
  return !Number.isNaN(out.offset) && !Number.isNaN(out.value) && s.atEnd();
}
