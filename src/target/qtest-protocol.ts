// The qtest wire protocol as QEMU 10.0 speaks it (`system/qtest.c`, client `tests/qtest/libqtest.c`):
// typed commands, their exact text, and the parsing of their replies. Pure: no I/O.
//
// Why the validation is strict: QEMU splits a command on single spaces (`g_strsplit(cmd, " ", 0)`),
// parses numbers with base 0 and `g_assert`s on every failure, so a double space, an empty word,
// a missing argument or a bad number (`0x`, `08`) aborts the whole QEMU process. Every number is
// therefore written as `0x` + lowercase hex, and every argument is range-checked before sending.

import { QtestArgumentError } from './errors.js';

export type Integer = number | bigint;
export type Endianness = 'little' | 'big';

export type MemReadOp = 'readb' | 'readw' | 'readl' | 'readq';
export type MemWriteOp = 'writeb' | 'writew' | 'writel' | 'writeq';
export type PortInOp = 'inb' | 'inw' | 'inl';
export type PortOutOp = 'outb' | 'outw' | 'outl';
export type AccessSpace = 'mem' | 'io';
export type AccessWidth = 1 | 2 | 4 | 8;
export type AccessKind = 'read' | 'write';

/** The ops of one register access (memory or port IO, read or write, of a given width). */
export type SizedOp = MemReadOp | MemWriteOp | PortInOp | PortOutOp;

export type QtestCommand =
  | { readonly op: MemReadOp; readonly addr: Integer }
  | { readonly op: MemWriteOp; readonly addr: Integer; readonly value: Integer }
  | { readonly op: PortInOp; readonly port: number }
  | { readonly op: PortOutOp; readonly port: number; readonly value: number }
  | { readonly op: 'read'; readonly addr: Integer; readonly size: number }
  | { readonly op: 'write'; readonly addr: Integer; readonly data: Uint8Array }
  | { readonly op: 'clock_step'; readonly ns?: Integer }
  | { readonly op: 'clock_set'; readonly ns: Integer }
  | { readonly op: 'endianness' };

export type QtestOp = QtestCommand['op'];

/** What each command resolves to. 64-bit quantities are bigint so no bit is lost. */
export interface QtestResultByOp {
  readb: number; readw: number; readl: number; readq: bigint;
  writeb: undefined; writew: undefined; writel: undefined; writeq: undefined;
  inb: number; inw: number; inl: number;
  outb: undefined; outw: undefined; outl: undefined;
  read: Uint8Array; write: undefined;
  clock_step: bigint; clock_set: bigint;
  endianness: Endianness;
}

export type QtestResult<C extends QtestCommand = QtestCommand> = QtestResultByOp[C['op']];

/** Width in bytes each sized op carries (the value range encodeCommand allows); ACCESS_OPS maps the other way. */
export const OP_WIDTH: Readonly<Record<SizedOp, AccessWidth>> = {
  readb: 1, readw: 2, readl: 4, readq: 8,
  writeb: 1, writew: 2, writel: 4, writeq: 8,
  inb: 1, inw: 2, inl: 4,
  outb: 1, outw: 2, outl: 4,
};

interface AccessOps {
  readonly mem: { readonly read: MemReadOp; readonly write: MemWriteOp };
  readonly io: { readonly read: PortInOp; readonly write: PortOutOp };
}

/**
 * The one table from an access to its qtest op. Port IO has no 8-byte op (neither x86 nor qtest):
 * an 8-byte IO access is sent as a dword, because the only ones are QEMU's own log lines of the
 * igb/e1000e IO BAR, which say 8 bytes (its IO path passes a uint64_t) for IOADDR and IODATA,
 * both dword registers.
 */
const ACCESS_OPS: { readonly [S in AccessSpace]: { readonly [K in AccessKind]: Readonly<Record<AccessWidth, AccessOps[S][K]>> } } = {
  mem: {
    read: { 1: 'readb', 2: 'readw', 4: 'readl', 8: 'readq' },
    write: { 1: 'writeb', 2: 'writew', 4: 'writel', 8: 'writeq' },
  },
  io: {
    read: { 1: 'inb', 2: 'inw', 4: 'inl', 8: 'inl' },
    write: { 1: 'outb', 2: 'outw', 4: 'outl', 8: 'outl' },
  },
};

/** The qtest op of a `width`-byte `kind` access in memory or port IO space. */
export function accessOp(space: 'mem', width: AccessWidth, kind: 'read'): MemReadOp;
export function accessOp(space: 'mem', width: AccessWidth, kind: 'write'): MemWriteOp;
export function accessOp(space: 'io', width: AccessWidth, kind: 'read'): PortInOp;
export function accessOp(space: 'io', width: AccessWidth, kind: 'write'): PortOutOp;
export function accessOp(space: AccessSpace, width: AccessWidth, kind: AccessKind): SizedOp;
export function accessOp(space: AccessSpace, width: AccessWidth, kind: AccessKind): SizedOp {
  return ACCESS_OPS[space][kind][width];
}

/**
 * The qtest command of one register access at `address` (a port for IO); `value` is for writes.
 * Memory addresses may exceed 2^32, ports not (encodeCommand checks).
 */
export function accessCommand(space: AccessSpace, width: AccessWidth, kind: AccessKind, address: number, value = 0): QtestCommand {
  if (space === 'io') {
    return kind === 'read' ? { op: accessOp('io', width, 'read'), port: address } : { op: accessOp('io', width, 'write'), port: address, value };
  }
  return kind === 'read' ? { op: accessOp('mem', width, 'read'), addr: address } : { op: accessOp('mem', width, 'write'), addr: address, value };
}

/**
 * A recorded access size as a qtest width: 1, 2, 4 and 8 as they are; any other size (no trace
 * has one: mmiotrace accepts only these, QEMU logs MMIO as 4 bytes) as a dword.
 */
export function accessWidth(size: number): AccessWidth {
  return size === 1 || size === 2 || size === 8 ? size : 4;
}

/** An inclusive upper bound, kept in both forms so the common number path needs no bigint. */
interface Limit {
  readonly big: bigint;
  readonly num: number;
}

function limit(big: bigint): Limit {
  return { big, num: Number(big) };
}

const U64 = limit((1n << 64n) - 1n);
const I64 = limit((1n << 63n) - 1n);
const PORT = limit(0xffffn);
const WIDTH_LIMIT: Readonly<Record<AccessWidth, Limit>> = {
  1: limit(0xffn), 2: limit(0xffffn), 4: limit(0xffffffffn), 8: U64,
};
/** One `read`/`write` line carries the data as hex; keep lines (and QEMU's buffers) reasonable. */
export const MAX_BUFFER_BYTES = 1 << 20;

/** Range-checks an unsigned argument and formats it the only way QEMU reads unambiguously. */
function formatHex(op: string, what: string, n: Integer, max: Limit): string {
  const ok = typeof n === 'number'
    ? Number.isSafeInteger(n) && n >= 0 && n <= max.num
    : n >= 0n && n <= max.big;
  if (!ok) {
    throw new QtestArgumentError(op, `${what} ${String(n)} is not an integer in 0..0x${max.big.toString(16)}`);
  }
  return `0x${n.toString(16)}`;
}

function hexBytes(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

function checkSize(op: string, size: number): void {
  if (!Number.isSafeInteger(size) || size < 1 || size > MAX_BUFFER_BYTES) {
    throw new QtestArgumentError(op, `size ${size} is outside 1..${MAX_BUFFER_BYTES}`);
  }
}

/** The exact command line (without newline) for a command; throws QtestArgumentError if invalid. */
export function encodeCommand(cmd: QtestCommand): string {
  switch (cmd.op) {
    case 'readb': case 'readw': case 'readl': case 'readq':
      return `${cmd.op} ${formatHex(cmd.op, 'address', cmd.addr, U64)}`;
    case 'writeb': case 'writew': case 'writel': case 'writeq':
      return `${cmd.op} ${formatHex(cmd.op, 'address', cmd.addr, U64)} ${formatHex(cmd.op, 'value', cmd.value, WIDTH_LIMIT[OP_WIDTH[cmd.op]])}`;
    case 'inb': case 'inw': case 'inl':
      return `${cmd.op} ${formatHex(cmd.op, 'port', cmd.port, PORT)}`;
    case 'outb': case 'outw': case 'outl':
      return `${cmd.op} ${formatHex(cmd.op, 'port', cmd.port, PORT)} ${formatHex(cmd.op, 'value', cmd.value, WIDTH_LIMIT[OP_WIDTH[cmd.op]])}`;
    case 'read':
      checkSize(cmd.op, cmd.size);
      return `read ${formatHex(cmd.op, 'address', cmd.addr, U64)} 0x${cmd.size.toString(16)}`;
    case 'write':
      checkSize(cmd.op, cmd.data.byteLength);
      return `write ${formatHex(cmd.op, 'address', cmd.addr, U64)} 0x${cmd.data.byteLength.toString(16)} 0x${hexBytes(cmd.data)}`;
    case 'clock_step':
      return cmd.ns === undefined ? 'clock_step' : `clock_step ${formatHex(cmd.op, 'ns', cmd.ns, I64)}`;
    case 'clock_set':
      return `clock_set ${formatHex(cmd.op, 'ns', cmd.ns, I64)}`;
    case 'endianness':
      return 'endianness';
  }
}

/**
 * Checks a hand-written command line (for commands without a typed wrapper, e.g. irq_intercept_in)
 * against the shapes that make QEMU abort.
 */
export function validateRawCommand(line: string): void {
  const problem =
    line.length === 0 ? 'empty line'
      : /[\r\n]/.test(line) ? 'contains a line break'
        : /^ | $/.test(line) ? 'leading or trailing space'
          : line.includes('  ') ? 'double space (QEMU would see an empty argument)'
            : /\s/.test(line.replace(/ /g, '')) ? 'contains a tab or other whitespace'
              : undefined;
  if (problem !== undefined) throw new QtestArgumentError('command', `${JSON.stringify(line)}: ${problem}`);
}

export type ReplyKind = 'ok' | 'fail';

/** Classifies a reply line; `undefined` means it is not a reply at all. */
export function replyKind(line: string): ReplyKind | undefined {
  if (line === 'OK' || line.startsWith('OK ')) return 'ok';
  if (line.startsWith('FAIL') || line.startsWith('ERR')) return 'fail';
  return undefined;
}

export interface IrqEvent {
  readonly action: 'raise' | 'lower';
  readonly line: number;
}

/** Parses QEMU's asynchronous `IRQ raise N` / `IRQ lower N`; undefined for any other line. */
export function parseIrqLine(line: string): IrqEvent | undefined {
  const match = /^IRQ (raise|lower) (-?\d+)$/.exec(line);
  if (match === null) return undefined;
  return { action: match[1] === 'raise' ? 'raise' : 'lower', line: Number(match[2]) };
}

const HEX_VALUE = /^0x[0-9a-fA-F]+$/;

/**
 * Parses the payload of an `OK` reply (the text after `OK `, or '' for a bare `OK`) for `cmd`.
 * Returns an Error describing the mismatch instead of throwing, so the client can reject just
 * that request.
 */
export function decodeReply(cmd: QtestCommand, payload: string): QtestResult | Error {
  switch (cmd.op) {
    case 'readb': case 'readw': case 'readl': case 'inb': case 'inw': case 'inl':
      return HEX_VALUE.test(payload) ? Number.parseInt(payload.slice(2), 16) : new Error('expected a hex value');
    case 'readq':
      return HEX_VALUE.test(payload) ? BigInt(payload) : new Error('expected a hex value');
    case 'read':
      return decodeHexBytes(payload, cmd.size);
    case 'clock_step': case 'clock_set':
      return /^\d+$/.test(payload) ? BigInt(payload) : new Error('expected a decimal time in ns');
    case 'endianness':
      return payload === 'little' || payload === 'big' ? payload : new Error('expected "little" or "big"');
    default:
      return payload === '' ? undefined : new Error('expected a bare OK');
  }
}

function decodeHexBytes(payload: string, size: number): Uint8Array | Error {
  if (!/^0x(?:[0-9a-fA-F]{2})*$/.test(payload) || payload.length !== 2 + 2 * size) {
    return new Error(`expected 0x followed by ${size} hex bytes`);
  }
  return new Uint8Array(Buffer.from(payload.slice(2), 'hex'));
}
