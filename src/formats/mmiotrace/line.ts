// One line of Linux mmiotrace text into a typed record. Mirrors the writer in Linux
// kernel/trace/trace_mmiotrace.c (mmio_print_pcidev, mmio_print_map, mmio_print_rw, mmio_print_mark;
// format `VERSION 20070824`, unchanged from 2.6.25 to 6.x) and Documentation/trace/mmiotrace.rst:
//   VERSION 20070824
//   PCIDEV <bus><devfn> <vendor><device> <irq> <7 × start|flags> <7 × size> [driver]
//   MAP <sec.usec> <map id> 0x<phys> 0x<virt> 0x<len> 0x<pc> <pid>
//   UNMAP <sec.usec> <map id> 0x<pc> <pid>
//   R|W <width> <sec.usec> <map id> 0x<phys> 0x<value> 0x<pc> <pid>
//   UNKNOWN <sec.usec> <map id> 0x<phys> <b>,<b>,<b> 0x<pc> <pid>   (an instruction it could not decode)
//   MARK <sec.usec> <text>                                          (a write to trace_marker)
//   mmiotrace has lost <n> events                                   (the ring buffer overflowed)
// Pure: no state, no I/O. A line starting with a record keyword but not in its format is malformed.

import type { AccessKind } from '../../model/access.js';

/** PCI resources the kernel prints per device (6 BARs and the expansion ROM). */
export const PCI_RESOURCES = 7;

export interface PciDevLine {
  readonly type: 'pcidev';
  /** `%02x%02x` of bus number and devfn, as printed (e.g. `0010` = 00:02.0). */
  readonly busDevfn: string;
  readonly vendor: number;
  readonly device: number;
  /** Start address with the low resource flag bits (bit 0 set: IO space), per resource. */
  readonly starts: readonly number[];
  readonly sizes: readonly number[];
  readonly driver?: string;
}

export interface MapLine {
  readonly type: 'map';
  readonly timeUs: number;
  readonly id: number;
  readonly phys: number;
  readonly length: number;
}

export interface RwLine {
  readonly type: 'rw';
  readonly kind: AccessKind;
  readonly width: number;
  readonly timeUs: number;
  readonly id: number;
  readonly phys: number;
  /** Undefined when the value does not fit a JavaScript number exactly (64-bit values above 2^53). */
  readonly value: number | undefined;
  readonly pid: number;
}

export type MmiotraceLine =
  | { readonly type: 'version'; readonly version: string }
  | PciDevLine
  | MapLine
  | { readonly type: 'unmap'; readonly timeUs: number; readonly id: number }
  | RwLine
  | { readonly type: 'unknown-op'; readonly timeUs: number; readonly id: number; readonly phys: number }
  | { readonly type: 'mark'; readonly timeUs: number; readonly text: string }
  | { readonly type: 'lost'; readonly count: number }
  | { readonly type: 'empty' }
  /** Not an mmiotrace record (a `# tracer` header of the `trace` file, console noise). */
  | { readonly type: 'other' }
  | { readonly type: 'malformed'; readonly reason: string };

const TIME = /^(\d+)\.(\d{6})$/;
const HEX_0X = /^0x[0-9a-f]{1,16}$/i;
const HEX_BARE = /^[0-9a-f]{1,16}$/i;
const DECIMAL = /^-?\d{1,10}$/;
const LOST = /^mmiotrace has lost (\d+) events$/;
const WIDTHS: ReadonlySet<string> = new Set(['1', '2', '4', '8']);

/** Parses `text` (one line without its terminator). */
export function parseMmiotraceLine(text: string): MmiotraceLine {
  if (text.trim() === '') return { type: 'empty' };
  // PCIDEV lines of devices without a driver end in a space; other records have none to lose.
  const fields = text.trimEnd().split(' ');
  switch (fields[0]) {
    case 'R': case 'W': return readWrite(fields);
    case 'MAP': return map(fields);
    case 'UNMAP': return unmap(fields);
    case 'PCIDEV': return pcidev(fields);
    case 'MARK': return mark(text);
    case 'UNKNOWN': return unknownOp(fields);
    case 'VERSION':
      return fields.length === 2 && /^\d+$/.test(fields[1]!) ? { type: 'version', version: fields[1]! }
        : malformed('expected "VERSION <yyyymmdd>"');
    default: {
      const lost = LOST.exec(text.trimEnd());
      return lost === null ? { type: 'other' } : { type: 'lost', count: Number(lost[1]) };
    }
  }
}

function readWrite(f: readonly string[]): MmiotraceLine {
  const expected = `expected "${f[0]} <width> <sec.usec> <map id> 0x<phys> 0x<value> 0x<pc> <pid>"`;
  if (f.length !== 8) return malformed(expected);
  const timeUs = time(f[2]!);
  const id = decimal(f[3]!);
  const phys = hex0x(f[4]!);
  const pid = decimal(f[7]!);
  if (!WIDTHS.has(f[1]!) || timeUs === undefined || id === undefined || phys === undefined || !HEX_0X.test(f[5]!)
    || !HEX_0X.test(f[6]!) || pid === undefined) {
    return malformed(WIDTHS.has(f[1]!) ? expected : `access width must be 1, 2, 4 or 8 bytes; ${expected}`);
  }
  const value = Number.parseInt(f[5]!.slice(2), 16);
  return {
    type: 'rw', kind: f[0] === 'R' ? 'read' : 'write', width: Number(f[1]), timeUs, id, phys,
    value: Number.isSafeInteger(value) ? value : undefined, pid,
  };
}

function map(f: readonly string[]): MmiotraceLine {
  const timeUs = f.length === 8 ? time(f[1]!) : undefined;
  const id = decimal(f[2] ?? '');
  const phys = hex0x(f[3] ?? '');
  const length = hex0x(f[5] ?? '');
  if (timeUs === undefined || id === undefined || phys === undefined || !HEX_0X.test(f[4]!) || length === undefined
    || !HEX_0X.test(f[6]!) || decimal(f[7]!) === undefined) {
    return malformed('expected "MAP <sec.usec> <map id> 0x<phys> 0x<virt> 0x<len> 0x<pc> <pid>"');
  }
  return { type: 'map', timeUs, id, phys, length };
}

function unmap(f: readonly string[]): MmiotraceLine {
  const timeUs = f.length === 5 ? time(f[1]!) : undefined;
  const id = decimal(f[2] ?? '');
  if (timeUs === undefined || id === undefined || !HEX_0X.test(f[3]!) || decimal(f[4]!) === undefined) {
    return malformed('expected "UNMAP <sec.usec> <map id> 0x<pc> <pid>"');
  }
  return { type: 'unmap', timeUs, id };
}

function pcidev(f: readonly string[]): MmiotraceLine {
  const expected = `expected "PCIDEV <bus><devfn> <vendor><device> <irq> <${PCI_RESOURCES} starts> <${PCI_RESOURCES} sizes> [driver]"`;
  const numbers = 3 + 2 * PCI_RESOURCES;
  if (f.length !== numbers + 1 && f.length !== numbers + 2) return malformed(expected);
  if (!/^[0-9a-f]{4}$/i.test(f[1]!) || !/^[0-9a-f]{8}$/i.test(f[2]!) || !HEX_BARE.test(f[3]!)) return malformed(expected);
  const resources: number[] = [];
  for (let i = 4; i <= numbers; i++) {
    const v = HEX_BARE.test(f[i]!) ? Number.parseInt(f[i]!, 16) : Number.NaN;
    if (!Number.isSafeInteger(v)) return malformed(expected);
    resources.push(v);
  }
  const id = Number.parseInt(f[2]!, 16);
  const driver = f[numbers + 1];
  return {
    type: 'pcidev', busDevfn: f[1]!.toLowerCase(), vendor: Math.floor(id / 0x10000), device: id % 0x10000,
    starts: resources.slice(0, PCI_RESOURCES), sizes: resources.slice(PCI_RESOURCES),
    ...(driver === undefined ? {} : { driver }),
  };
}

function mark(text: string): MmiotraceLine {
  const match = /^MARK (\S+)(?: (.*))?$/.exec(text);
  const timeUs = match === null ? undefined : time(match[1]!);
  if (timeUs === undefined) return malformed('expected "MARK <sec.usec> <text>"');
  return { type: 'mark', timeUs, text: match![2] ?? '' };
}

function unknownOp(f: readonly string[]): MmiotraceLine {
  const timeUs = f.length === 7 ? time(f[1]!) : undefined;
  const id = decimal(f[2] ?? '');
  const phys = hex0x(f[3] ?? '');
  if (timeUs === undefined || id === undefined || phys === undefined) {
    return malformed('expected "UNKNOWN <sec.usec> <map id> 0x<phys> <b>,<b>,<b> 0x<pc> <pid>"');
  }
  return { type: 'unknown-op', timeUs, id, phys };
}

function malformed(reason: string): MmiotraceLine {
  return { type: 'malformed', reason };
}

/** `sec.usec` (the kernel prints `%u.%06lu`) in microseconds. */
function time(token: string): number | undefined {
  const match = TIME.exec(token);
  return match === null ? undefined : Number(match[1]) * 1_000_000 + Number(match[2]);
}

function decimal(token: string): number | undefined {
  return DECIMAL.test(token) ? Number(token) : undefined;
}

/** A `0x` address; x86-64 physical addresses have at most 52 bits, so they are exact numbers. */
function hex0x(token: string): number | undefined {
  if (!HEX_0X.test(token)) return undefined;
  const n = Number.parseInt(token.slice(2), 16);
  return Number.isSafeInteger(n) ? n : undefined;
}
