// The transmit descriptors a recording shows, from QEMU's `e1000e_tx_descr` event: both models print
// a descriptor's three words as the device read them — the first quadword (a data descriptor's
// buffer address; a context descriptor's offload parameters), the command/type/length word and the
// last word (status, options, and a context descriptor's MSS) — so all 16 bytes of every descriptor
// are known. What the words mean depends on the model's descriptor layout, a device-table fact
// (`txDescriptors`): igb's advanced descriptors (82576 datasheet 7.2.2, Linux e1000_82575.h) or
// e1000e's extended ones (82574 datasheet 7.2.10, Linux e1000e/hw.h); legacy descriptors are the
// same in both. Whatever the layout, a descriptor comes out as one of the shapes below, with its
// offload requests named. Pure.

import type { SideEvent } from '../model/access.js';
import type { TxDescriptorLayout } from '../devices/table.js';

export const TX_DESCRIPTOR_EVENT = 'e1000e_tx_descr';
export const DESCRIPTOR_BYTES = 16;

export interface TxDescriptorWords {
  readonly first: bigint;
  readonly cmdTypeLen: number;
  readonly last: number;
  /** The event's trace line. */
  readonly line: number;
}

/** The offloads a packet's first data descriptor asks of the device. */
export interface TxOffloads {
  /** TCP segmentation (TSE). */
  readonly tso: boolean;
  /** 802.1Q tag insertion (VLE). */
  readonly vlan: boolean;
  /** TCP/UDP checksum insertion (POPTS.TXSM). */
  readonly l4Checksum: boolean;
  /** IPv4 header checksum insertion (POPTS.IXSM). */
  readonly ipChecksum: boolean;
}

/** A context descriptor's offload parameters, as far as rebuilding a packet needs them. */
export interface TxContext {
  /** Context slot (advanced descriptors have two per queue; extended ones one). */
  readonly index: number;
  /** Bytes of MAC, IP and TCP/UDP headers a TSO packet's segments repeat. */
  readonly headerLength: number;
  readonly mss: number;
  /** TSO payload length, where the layout keeps it in the context (extended). */
  readonly payloadLength?: number;
  readonly line: number;
}

export type TxDescriptor =
  | {
    readonly kind: 'data'; readonly words: TxDescriptorWords; readonly address: bigint; readonly length: number; readonly eop: boolean;
    readonly offloads: TxOffloads; readonly contextIndex: number;
    /** TSO payload length, where the layout keeps it in the data descriptor (advanced). */
    readonly payloadLength?: number;
  }
  | { readonly kind: 'context'; readonly words: TxDescriptorWords; readonly context: TxContext }
  /** A legacy descriptor (DEXT clear): its checksum insertion (IC, at CSO from CSS) is not rebuilt. */
  | {
    readonly kind: 'legacy'; readonly words: TxDescriptorWords; readonly address: bigint; readonly length: number; readonly eop: boolean;
    readonly offloads: TxOffloads; readonly insertsChecksumAt: boolean;
  }
  | { readonly kind: 'unknown'; readonly words: TxDescriptorWords };

/** Command bits both layouts (and legacy descriptors) share. */
export const CMD_EOP = 1 << 24;
export const CMD_VLE = 1 << 30;
const CMD_DEXT = 1 << 29;
const DTYP_SHIFT = 20;
/** Legacy: insert a checksum at CSO. */
const LEGACY_IC = 1 << 26;
/** POPTS in the last word of a data descriptor, both layouts. */
export const POPTS_IXSM = 1 << 8;
export const POPTS_TXSM = 1 << 9;

/** Advanced (igb): DTYP, TSE, and where IDX and PAYLEN sit in olinfo_status. */
const ADV_DTYP_CONTEXT = 2;
const ADV_DTYP_DATA = 3;
export const ADV_CMD_TSE = 0x80000000;
const ADV_PAYLEN_SHIFT = 14;

/** Extended (e1000e): DTYP, TSE in the data descriptor's DCMD and the context's TUCMD. */
const EXT_DTYP_CONTEXT = 0;
const EXT_DTYP_DATA = 1;
export const EXT_CMD_TSE = 1 << 26;
const EXT_PAYLEN_MASK = 0xfffff;

const EVENT_TEXT = /^(0x[0-9a-fA-F]+|\(nil\)) : ([0-9a-fA-F]+) ([0-9a-fA-F]+)/;

/** The words of an `e1000e_tx_descr` event (`(nil)` is glibc's %p of zero); undefined if malformed. */
export function descriptorWords(event: SideEvent): TxDescriptorWords | undefined {
  const match = EVENT_TEXT.exec(event.text.trim());
  if (match === null) return undefined;
  return {
    first: match[1] === '(nil)' ? 0n : BigInt(match[1]!),
    cmdTypeLen: Number.parseInt(match[2]!, 16) >>> 0,
    last: Number.parseInt(match[3]!, 16) >>> 0,
    line: event.line,
  };
}

export function classifyDescriptor(words: TxDescriptorWords, layout: TxDescriptorLayout): TxDescriptor {
  const cmd = words.cmdTypeLen;
  if ((cmd & CMD_DEXT) === 0) return legacy(words);
  return layout === 'advanced' ? advanced(words) : extended(words);
}

function legacy(words: TxDescriptorWords): TxDescriptor {
  const cmd = words.cmdTypeLen;
  return {
    kind: 'legacy', words, address: words.first, length: cmd & 0xffff, eop: (cmd & CMD_EOP) !== 0,
    offloads: { tso: false, vlan: (cmd & CMD_VLE) !== 0, l4Checksum: false, ipChecksum: false },
    insertsChecksumAt: (cmd & LEGACY_IC) !== 0,
  };
}

const popts = (last: number): Pick<TxOffloads, 'l4Checksum' | 'ipChecksum'> => ({
  l4Checksum: (last & POPTS_TXSM) !== 0, ipChecksum: (last & POPTS_IXSM) !== 0,
});

/** igb: data descriptors carry PAYLEN and the context index; contexts give MAC/IP/L4 lengths and MSS. */
function advanced(words: TxDescriptorWords): TxDescriptor {
  const cmd = words.cmdTypeLen;
  const type = (cmd >>> DTYP_SHIFT) & 0xf;
  if (type === ADV_DTYP_DATA) {
    return {
      kind: 'data', words, address: words.first, length: cmd & 0xffff, eop: (cmd & CMD_EOP) !== 0,
      offloads: { tso: (cmd & ADV_CMD_TSE) !== 0, vlan: (cmd & CMD_VLE) !== 0, ...popts(words.last) },
      contextIndex: (words.last >>> 4) & 0x7, payloadLength: words.last >>> ADV_PAYLEN_SHIFT,
    };
  }
  if (type === ADV_DTYP_CONTEXT) {
    // vlan_macip_lens: MACLEN in bits 9-15, IPLEN in 0-8; mss_l4len_idx: MSS 16-31, L4LEN 8-15, IDX 4-6.
    const lens = Number(words.first & 0xffffffffn);
    const headerLength = ((lens >>> 9) & 0x7f) + (lens & 0x1ff) + ((words.last >>> 8) & 0xff);
    return { kind: 'context', words, context: { index: (words.last >>> 4) & 0x7, headerLength, mss: words.last >>> 16, line: words.line } };
  }
  return { kind: 'unknown', words };
}

/** e1000e: one context per queue holding HDRLEN, MSS and (TSO) PAYLEN; data descriptors the rest. */
function extended(words: TxDescriptorWords): TxDescriptor {
  const cmd = words.cmdTypeLen;
  const type = (cmd >>> DTYP_SHIFT) & 0xf;
  if (type === EXT_DTYP_DATA) {
    return {
      kind: 'data', words, address: words.first, length: cmd & 0xfffff, eop: (cmd & CMD_EOP) !== 0,
      offloads: { tso: (cmd & EXT_CMD_TSE) !== 0, vlan: (cmd & CMD_VLE) !== 0, ...popts(words.last) },
      contextIndex: 0,
    };
  }
  if (type === EXT_DTYP_CONTEXT) {
    // The last word: STATUS 0-7, HDRLEN 8-15, MSS 16-31; the command word's low 20 bits: PAYLEN.
    return {
      kind: 'context', words,
      context: { index: 0, headerLength: (words.last >>> 8) & 0xff, mss: words.last >>> 16, payloadLength: cmd & EXT_PAYLEN_MASK, line: words.line },
    };
  }
  return { kind: 'unknown', words };
}

/** The 16 bytes of a descriptor as the driver wrote them to the ring. */
export function descriptorBytes(words: TxDescriptorWords): Uint8Array {
  const bytes = new Uint8Array(DESCRIPTOR_BYTES);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, words.first, true);
  view.setUint32(8, words.cmdTypeLen, true);
  view.setUint32(12, words.last, true);
  return bytes;
}
