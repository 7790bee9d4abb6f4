// Classic pcap (libpcap's savefile format: 24-byte file header, then a 16-byte header before each
// frame), as QEMU's `-object filter-dump` writes it (net/dump.c, QEMU 10.0: microsecond
// timestamps, host byte order, link type 1 = Ethernet). Both byte orders and nanosecond files are
// read too. pcapng is not: filter-dump never writes it.
//
// Written by hand rather than with an npm package: the `pcap` package is a native libpcap binding
// (a compiler and libpcap-dev at install), `pcap-parser` (0.2.1) is untyped and unmaintained and
// reports a truncated file without saying where. The format is two fixed headers; what matters
// here is that a short or corrupt file is an error naming file:offset, and that a long capture is
// read frame by frame from the file, never held whole.

import { open, type FileHandle } from 'node:fs/promises';
import { UserError } from '../errors.js';

/** One captured frame. */
export interface PcapFrame {
  /** 0-based position among the file's frames. */
  readonly index: number;
  /** Byte offset of the frame's record header in the file (for messages). */
  readonly offset: number;
  /** Capture time, microseconds since the Unix epoch. */
  readonly timeUs: number;
  /** The captured bytes (Ethernet frame, no FCS). */
  readonly data: Uint8Array;
  /** Length on the wire; larger than data.length when the capture cut the frame (snaplen). */
  readonly originalLength: number;
}

export interface PcapHeader {
  readonly littleEndian: boolean;
  readonly nanoseconds: boolean;
  readonly snaplen: number;
  readonly linkType: number;
}

/** A pcap file that is short or malformed: exit 2, with the file and byte offset. */
export class PcapFormatError extends UserError {
  constructor(readonly file: string, readonly offset: number, reason: string) {
    super(`${file}:${offset}: ${reason}`, 'the capture is damaged: compare its sha256 with the sidecar\'s `pcap` entry');
    this.name = 'PcapFormatError';
  }
}

export const FILE_HEADER_BYTES = 24;
export const RECORD_HEADER_BYTES = 16;
/** The classic pcap magic numbers: microsecond and nanosecond timestamps. */
export const MAGIC_US = 0xa1b2c3d4;
export const MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;
/** No Ethernet frame (jumbo included) comes near this: a larger length is a corrupt header. */
export const MAX_FRAME_BYTES = 256 * 1024;

export function parsePcapHeader(bytes: Uint8Array, file: string): PcapHeader {
  if (bytes.length < FILE_HEADER_BYTES) throw new PcapFormatError(file, bytes.length, `truncated file header (${bytes.length} of ${FILE_HEADER_BYTES} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, FILE_HEADER_BYTES);
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  const littleEndian = le === MAGIC_US || le === MAGIC_NS;
  if (!littleEndian && be !== MAGIC_US && be !== MAGIC_NS) {
    throw new PcapFormatError(file, 0, `not a classic pcap file (magic 0x${le.toString(16).padStart(8, '0')}; pcapng is not read)`);
  }
  const magic = littleEndian ? le : be;
  const major = view.getUint16(4, littleEndian);
  if (major !== 2) throw new PcapFormatError(file, 4, `pcap version ${major}.${view.getUint16(6, littleEndian)} (expected 2.4)`);
  const linkType = view.getUint32(20, littleEndian) & 0x0fffffff;
  if (linkType !== LINKTYPE_ETHERNET) throw new PcapFormatError(file, 20, `link type ${linkType} (expected 1, Ethernet)`);
  return { littleEndian, nanoseconds: magic === MAGIC_NS, snaplen: view.getUint32(16, littleEndian), linkType };
}

interface RecordHeader {
  readonly timeUs: number;
  readonly included: number;
  readonly original: number;
}

function parseRecordHeader(bytes: Uint8Array, at: number, header: PcapHeader, file: string, offset: number): RecordHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset + at, RECORD_HEADER_BYTES);
  const seconds = view.getUint32(0, header.littleEndian);
  const fraction = view.getUint32(4, header.littleEndian);
  const included = view.getUint32(8, header.littleEndian);
  const original = view.getUint32(12, header.littleEndian);
  if (included > MAX_FRAME_BYTES) throw new PcapFormatError(file, offset + 8, `frame length ${included} is beyond any Ethernet frame (corrupt record header)`);
  if (included > original) throw new PcapFormatError(file, offset + 8, `captured length ${included} exceeds the frame's length ${original} (corrupt record header)`);
  return { timeUs: seconds * 1e6 + (header.nanoseconds ? Math.floor(fraction / 1000) : fraction), included, original };
}

/** The frames of a capture already in memory (tests, small files). */
export function* pcapFrames(bytes: Uint8Array, file: string): Generator<PcapFrame> {
  const header = parsePcapHeader(bytes, file);
  let offset = FILE_HEADER_BYTES;
  for (let index = 0; offset < bytes.length; index++) {
    if (bytes.length - offset < RECORD_HEADER_BYTES) {
      throw new PcapFormatError(file, offset, `truncated record header of frame ${index} (${bytes.length - offset} of ${RECORD_HEADER_BYTES} bytes)`);
    }
    const record = parseRecordHeader(bytes, offset, header, file, offset);
    const start = offset + RECORD_HEADER_BYTES;
    if (bytes.length - start < record.included) {
      throw new PcapFormatError(file, start, `truncated frame ${index} (${bytes.length - start} of ${record.included} bytes)`);
    }
    yield { index, offset, timeUs: record.timeUs, data: bytes.subarray(start, start + record.included), originalLength: record.original };
    offset = start + record.included;
  }
}

const CHUNK_BYTES = 64 * 1024;

/** Reads a capture from its file frame by frame: memory holds one chunk, whatever the file's size. */
export class PcapReader {
  private buffer = new Uint8Array(0);
  /** File offset of buffer[0]. */
  private bufferOffset = 0;
  private position = 0;
  private eof = false;
  private index = 0;

  private constructor(private readonly handle: FileHandle, readonly file: string, private header: PcapHeader | undefined) {}

  static async open(path: string): Promise<PcapReader> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw new UserError(`${path}: cannot read the capture: ${error instanceof Error ? error.message : String(error)}`);
    }
    const reader = new PcapReader(handle, path, undefined);
    try {
      const head = await reader.bytes(FILE_HEADER_BYTES);
      reader.header = parsePcapHeader(head, path);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return reader;
  }

  /** The next frame, or undefined at the end of the file; throws PcapFormatError on a damaged one. */
  async next(): Promise<PcapFrame | undefined> {
    const header = this.header!;
    const offset = this.position;
    const head = await this.bytes(RECORD_HEADER_BYTES);
    if (head.length === 0) return undefined;
    if (head.length < RECORD_HEADER_BYTES) {
      throw new PcapFormatError(this.file, offset, `truncated record header of frame ${this.index} (${head.length} of ${RECORD_HEADER_BYTES} bytes)`);
    }
    const record = parseRecordHeader(head, 0, header, this.file, offset);
    const data = await this.bytes(record.included);
    if (data.length < record.included) {
      throw new PcapFormatError(this.file, offset + RECORD_HEADER_BYTES, `truncated frame ${this.index} (${data.length} of ${record.included} bytes)`);
    }
    return { index: this.index++, offset, timeUs: record.timeUs, data, originalLength: record.original };
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  /** Up to `count` bytes from the current position (fewer only at the end of the file), copied out. */
  private async bytes(count: number): Promise<Uint8Array> {
    while (this.bufferOffset + this.buffer.length - this.position < count && !this.eof) await this.fill(count);
    const start = this.position - this.bufferOffset;
    const available = Math.min(count, this.buffer.length - start);
    this.position += available;
    return this.buffer.slice(start, start + available);
  }

  private async fill(atLeast: number): Promise<void> {
    const keep = this.buffer.subarray(this.position - this.bufferOffset);
    const chunk = new Uint8Array(keep.length + Math.max(CHUNK_BYTES, atLeast));
    chunk.set(keep);
    const { bytesRead } = await this.handle.read(chunk, keep.length, chunk.length - keep.length, this.position + keep.length);
    if (bytesRead === 0) this.eof = true;
    this.buffer = chunk.subarray(0, keep.length + bytesRead);
    this.bufferOffset = this.position;
  }
}
