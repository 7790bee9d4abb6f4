// Readers for the argument text of the events that define guest accesses. Each mirrors one
// format string of QEMU's hw/net/trace-events (10.0.2; unchanged since igb appeared in 8.0) or
// hw/pci/trace-events; each returns false when the text does not match, so the caller can report
// the line as malformed.

import { ByteLiteral, type ByteReader } from '../byte-reader.js';

/** Filled in by the readers; one instance is reused for every line. */
export class EventArgs {
  offset = 0;
  size = 0;
  value = 0;
  /** Second number where a format has one (PHY page). */
  extra = 0;
  /** For MDIC: the PHY register is UNHANDLED. */
  unhandled = false;
  /** For pci_cfg_*: the device name and its bus:slot.function. */
  device = '';
  address = '';
}

const COMMA = new ByteLiteral(', ');
const BYTES = new ByteLiteral(' byte(s)');
const VALUE = new ByteLiteral(', value: ');
const NOT_FULLY_IMPLEMENTED = new ByteLiteral('. It is not fully implemented.');
const PHY = new ByteLiteral('PHY[');
const OPEN = new ByteLiteral('[');
const CLOSE = new ByteLiteral(']');
const UNHANDLED = new ByteLiteral(' UNHANDLED');
const EQUALS = new ByteLiteral(' = ');
const CONFIG_WRITE = new ByteLiteral('CONFIG write ');
const LEN = new ByteLiteral(', len: ');
const SPACE = new ByteLiteral(' ');
const AT = new ByteLiteral(' @');
/** QEMU >= 7.2 prints bus:slot.fn; older versions printed slot:fn. */
const PCI_ADDRESS = /^[0-9a-f]{2}:[0-9a-f]{1,2}(\.[0-7])?$/;

/** `0x8, 4 byte(s), value: 0x80080481`, after the lead `Read from register ` (core_read) or a wrn_* one. */
export function readRegisterAccess(r: ByteReader, out: EventArgs, withValue: boolean): boolean {
  if ((out.offset = r.hex0x()) < 0 || !r.lit(COMMA) || (out.size = r.decimal()) < 0 || !r.lit(BYTES)) return false;
  out.value = 0;
  if (withValue && (!r.lit(VALUE) || (out.value = r.hex0x()) < 0)) return false;
  return r.atEnd();
}

/** `Reading register at offset: 0x00010. It is not fully implemented.` (wrn_regs_*_trivial). */
export function readTrivial(r: ByteReader, lead: ByteLiteral, out: EventArgs): boolean {
  return r.lit(lead) && (out.offset = r.hex0x()) >= 0 && r.lit(NOT_FULLY_IMPLEMENTED) && r.atEnd();
}

/** `IOADDR write 0x8` / `IO read unknown address 0x10` (one hex argument after a fixed lead). */
export function readOneHex(r: ByteReader, lead: ByteLiteral, out: EventArgs): boolean {
  return r.lit(lead) && (out.offset = r.hex0x()) >= 0 && r.atEnd();
}

/** `IODATA read 0x8, value: 0x80080481`. */
export function readIoData(r: ByteReader, lead: ByteLiteral, out: EventArgs): boolean {
  return r.lit(lead) && (out.offset = r.hex0x()) >= 0 && r.lit(VALUE) && (out.value = r.hex0x()) >= 0 && r.atEnd();
}

/**
 * `MDIC READ: PHY[2] = 0x82202a8`, `MDIC WRITE: PHY[0] = 0x1340`, `MDIC READ: PHY[20] UNHANDLED`;
 * e1000e's variant carries a page first: `PHY[0][2]`, kept in `extra`.
 */
export function readMdic(r: ByteReader, lead: ByteLiteral, out: EventArgs): boolean {
  if (!r.lit(lead) || !r.lit(PHY)) return false;
  let register = r.decimal();
  out.extra = 0;
  if (register < 0 || !r.lit(CLOSE)) return false;
  if (r.lit(OPEN)) {
    out.extra = register;
    register = r.decimal();
    if (register < 0 || !r.lit(CLOSE)) return false;
  }
  out.offset = register;
  out.unhandled = r.lit(UNHANDLED);
  out.value = 0;
  if (!out.unhandled && (!r.lit(EQUALS) || (out.value = r.hex0x()) < 0)) return false;
  return r.atEnd();
}

/** `CONFIG write 0x4, value: 0x7, len: 2` (igb_write_config, igbvf_write_config). */
export function readConfigWrite(r: ByteReader, out: EventArgs): boolean {
  return r.lit(CONFIG_WRITE) && (out.offset = r.hex0x()) >= 0 && r.lit(VALUE) && (out.value = r.hex0x()) >= 0
    && r.lit(LEN) && (out.size = r.decimal()) >= 0 && r.atEnd();
}

/** The routing id (bus << 8 | device << 3 | fn) of a `BB:DD.F` address; undefined for the older `DD:F` form. */
export function routingIdOf(address: string): number | undefined {
  const m = /^([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/.exec(address);
  return m === null ? undefined : (Number.parseInt(m[1]!, 16) << 8) | (Number.parseInt(m[2]!, 16) << 3) | Number(m[3]);
}

/** `igb 00:02.0 @0x4 -> 0x100007` (pci_cfg_read) or `... @0x4 <- 0x7` (pci_cfg_write). */
export function readPciCfg(r: ByteReader, arrow: ByteLiteral, out: EventArgs): boolean {
  out.device = r.word();
  if (out.device === '' || !r.lit(SPACE)) return false;
  out.address = r.word();
  return PCI_ADDRESS.test(out.address) && r.lit(AT) && (out.offset = r.hex0x()) >= 0 && r.lit(arrow)
    && (out.value = r.hex0x()) >= 0 && r.atEnd();
}
