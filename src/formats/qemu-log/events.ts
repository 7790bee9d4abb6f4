// What each QEMU trace event means for the access model.
// Mirrors hw/net/trace-events and the emitting code in hw/net/igb_core.c, hw/net/igb.c,
// hw/net/e1000e_core.c and hw/net/e1000x_common.c (QEMU 8.0 .. 10.1); see
// shared/reference/igb-trace-events.tsv for the full catalogue with the emitting source of each.

import type { MarkerKind, SideEventCategory } from '../../model/access.js';

/** Event families that belong to the NIC; anything else in a log is "not about the device". */
export function isDeviceEvent(name: string): boolean {
  return name.startsWith('e1000e_') || name.startsWith('igb') || name.startsWith('e1000x_');
}

/** The two events whose text, not only their name, decides where they belong (see below). */
const IRQ_CLEAR = 'e1000e_irq_clear';
const AUTONEG_FLOWCTL = 'e1000e_link_autoneg_flowctl';

/** Whether the parser must read an event's text to place it (a reader that keeps no text keeps these). */
export function textPlacesEvent(name: string): boolean {
  return name === IRQ_CLEAR || name === AUTONEG_FLOWCTL;
}

const ICR = 0xc0;
const ICS = 0xc8;
const IMS = 0xd0;
const IMC = 0xd8;
const CTRL = 0x0;
const STATUS = 0x8;

/**
 * Events a register *read* emits before its `core_read` line (the readop runs first, the
 * core_read trace is printed after it returns). Used to split the events between two accesses.
 */
const READ_EFFECTS: ReadonlyMap<string, readonly number[]> = new Map([
  ['e1000e_link_read_params', [CTRL]],
  // e1000e only: its STATUS read handler logs the link state it computes.
  ['e1000e_link_status', [STATUS]],
  ['e1000e_irq_read_ics', [ICS]],
  ['e1000e_irq_read_ims', [IMS, IMC]],
  ['e1000e_irq_icr_clear_zero_ims', [ICR]],
  ['e1000e_irq_icr_clear_nonmsix_icr_read', [ICR]],
  ['e1000e_irq_icr_clear_iame', [ICR]],
  ['e1000e_irq_icr_clear_icr_bit_ims', [ICR]],
  ['e1000e_irq_icr_read_entry', [ICR]],
  ['igb_irq_icr_clear_gpie_nsicr', [ICR]],
]);

/**
 * A read of ICR that clears it (outside MSI-X, or with GPIE.NSICR) logs `e1000e_irq_clear` of ICR,
 * the causes then pending and the interrupt line dropping, all before its core_read line; the
 * same event names are also a write's after-effects, so only the one naming ICR itself tells.
 */
const ICR_CLEARED_BY_READ = /^Clearing interrupt register 0xc0:/;

/** True when the event is emitted by a read of the register at `offset` before its core_read line. */
export function isReadEffectOf(name: string, offset: number, text = ''): boolean {
  if (name === IRQ_CLEAR) return offset === ICR && ICR_CLEARED_BY_READ.test(text);
  const offsets = READ_EFFECTS.get(name);
  return offsets !== undefined && offsets.includes(offset);
}

/**
 * Events that only a device timer or the network backend emits: they begin a marker.
 * `e1000e_link_autoneg_flowctl` is also printed on link-down, but only the autoneg timer prints
 * it with state 1, so it starts a marker only then (see `markerKindOf`).
 */
const MARKER_STARTS: ReadonlyMap<string, MarkerKind> = new Map<string, MarkerKind>([
  ['e1000x_link_negotiation_done', 'autoneg'],
  ['e1000e_irq_msix_notify_postponed_vec', 'itr-timer'],
  ['e1000e_irq_throttling_timer', 'itr-timer'],
  ['e1000e_irq_fire_delayed_interrupts', 'itr-timer'],
  ['e1000e_irq_msi_notify_postponed', 'itr-timer'],
  ['e1000e_irq_legacy_notify_postponed', 'itr-timer'],
  ['e1000e_rx_receive_iov', 'rx-packet'],
  ['e1000e_link_status_changed', 'link-change'],
  ['e1000e_cb_qdev_reset_hold', 'reset'],
  ['e1000e_cb_pci_realize', 'reset'],
]);

/**
 * QEMU's net layer asking the NIC whether it can take a frame (its ring's free space, buffers, the
 * answer): printed whenever the backend has a frame, before the frame's own receipt, so from the
 * backend's thread such events announce a packet, not a timer.
 */
const RECEIVE_READINESS = /ring_free_space|rx_has_buffers|rx_can_recv/;

export function isReceiveReadiness(name: string): boolean {
  return RECEIVE_READINESS.test(name);
}

export function markerKindOf(name: string, text: string): MarkerKind | undefined {
  if (name === AUTONEG_FLOWCTL) return text.endsWith(' 1') ? 'autoneg' : undefined;
  return MARKER_STARTS.get(name);
}

/** Coarse category from the event name (the parser asks once per distinct name). */
export function categoryOf(name: string): SideEventCategory {
  if (name.includes('mdic')) return 'mdic';
  if (name.includes('mailbox')) return 'mailbox';
  if (name.includes('reset') || name.includes('realize') || name.includes('mac_indicate')) return 'reset';
  if (name.includes('config') || name.includes('_cfg_')) return 'config';
  if (name.includes('_irq_') || name.includes('msix') || name.includes('msi_')) return 'irq';
  if (name.includes('_link_') || name.includes('negotiation') || name.includes('autoneg')) return 'link';
  if (name.includes('_rx_')) return 'rx';
  if (name.includes('_tx_') || name.includes('ring_free')) return 'tx';
  return 'other';
}
