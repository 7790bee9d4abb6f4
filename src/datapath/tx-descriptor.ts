// The transmit descriptors a recording shows, from QEMU's `e1000e_tx_descr` event: igb prints the
// descriptor's three words as the device read them — the first quadword (a data descriptor's
// buffer address; a context descriptor's vlan_macip_lens and seqnum_seed), cmd_type_len and
// olinfo_status (a context descriptor's mss_l4len_idx) — so all 16 bytes of every descriptor are
// known. Bit layouts follow the 82576 datasheet (advanced transmit descriptors, 7.2.2) and
// Linux's e1000_82575.h. Pure.

import type { SideEvent } from '../model/access.js';

export const TX_DESCRIPTOR_EVENT = 'e1000e_tx_descr';
export const DESCRIPTOR_BYTES = 16;

export interface TxDescriptorWords {
  readonly first: bigint;
  readonly cmdTypeLen: number;
  readonly olinfo: number;
  /** The event's trace line. */
  readonly line: number;
}

/** cmd_type_len bits of advanced descriptors. */
const DEXT = 1 << 29;
const DTYP_SHIFT = 20;
const DTYP_CONTEXT = 2;
const DTYP_DATA = 3;
export const CMD_EOP = 1 << 24;
export const CMD_VLE = 1 << 30;
export const CMD_TSE = 0x80000000;
/** Legacy descriptor: insert checksum, and VLAN from the special field. */
const LEGACY_IC = 1 << 26;
/** olinfo_status of a data descriptor. */
export const POPTS_IXSM = 1 << 8;
export const POPTS_TXSM = 1 << 9;

export type TxDescriptor =
  | { readonly kind: 'data'; readonly words: TxDescriptorWords; readonly address: bigint; readonly length: number; readonly eop: boolean }
  | { readonly kind: 'context'; readonly words: TxDescriptorWords; readonly context: TxContext }
  /** A legacy descriptor (DEXT clear): only plain frames (no checksum insertion, no tag) are rebuilt. */
  | { readonly kind: 'legacy'; readonly words: TxDescriptorWords; readonly address: bigint; readonly length: number; readonly eop: boolean; readonly offloads: boolean }
  | { readonly kind: 'unknown'; readonly words: TxDescriptorWords };

/** An advanced context descriptor's offload parameters. */
export interface TxContext {
  readonly index: number;
  readonly vlan: number;
  readonly macLength: number;
  readonly ipLength: number;
  readonly l4Length: number;
  readonly mss: number;
  readonly line: number;
}

const EVENT_TEXT = /^(0x[0-9a-fA-F]+|\(nil\)) : ([0-9a-fA-F]+) ([0-9a-fA-F]+)/;

/** The words of an `e1000e_tx_descr` event (`(nil)` is glibc's %p of zero); undefined if malformed. */
export function descriptorWords(event: SideEvent): TxDescriptorWords | undefined {
  const match = EVENT_TEXT.exec(event.text.trim());
  if (match === null) return undefined;
  return {
    first: match[1] === '(nil)' ? 0n : BigInt(match[1]!),
    cmdTypeLen: Number.parseInt(match[2]!, 16) >>> 0,
    olinfo: Number.parseInt(match[3]!, 16) >>> 0,
    line: event.line,
  };
}

export function classifyDescriptor(words: TxDescriptorWords): TxDescriptor {
  const cmd = words.cmdTypeLen;
  const length = cmd & 0xffff;
  const eop = (cmd & CMD_EOP) !== 0;
  if ((cmd & DEXT) === 0) {
    return { kind: 'legacy', words, address: words.first, length, eop, offloads: (cmd & (LEGACY_IC | CMD_VLE)) !== 0 };
  }
  const type = (cmd >>> DTYP_SHIFT) & 0xf;
  if (type === DTYP_DATA) return { kind: 'data', words, address: words.first, length, eop };
  if (type === DTYP_CONTEXT) {
    const lens = Number(words.first & 0xffffffffn);
    return {
      kind: 'context', words,
      context: {
        index: (words.olinfo >>> 4) & 0x7, vlan: lens >>> 16, macLength: (lens >>> 9) & 0x7f, ipLength: lens & 0x1ff,
        l4Length: (words.olinfo >>> 8) & 0xff, mss: words.olinfo >>> 16, line: words.line,
      },
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
  view.setUint32(12, words.olinfo, true);
  return bytes;
}
