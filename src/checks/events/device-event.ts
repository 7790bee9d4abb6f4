// The side events a replay compares, typed from QEMU's trace lines, and the ones it leaves out with
// the reason the report shows. Formats: QEMU 10.0.2 hw/net/trace-events (shared/reference/
// igb-trace-events.tsv lists every event with its emitter).

import { TIMER_ARMED_EVENT } from '../../devices/throttle-timers.js';
import type { SideEvent } from '../../model/access.js';
import { isReceiveReadiness } from '../../formats/qemu-log/events.js';

export type DeviceEvent =
  /** An interrupt sent: MSI-X vector, MSI message, or the legacy line's new level. */
  | {
    readonly kind: 'notify'; readonly how: 'msix' | 'msi' | 'legacy'; readonly value: number;
    /** The causes QEMU showed pending just before it at the same place (e1000e: what the vector sends). */
    readonly causes?: number;
  }
  /** An interrupt held back because the vector's [E]ITR throttling timer was running. */
  | { readonly kind: 'postponed'; readonly register: number }
  /** A vector's throttling timer ran out and sent what it held back (`Sending MSI-X postponed by EITR[n]`). */
  | { readonly kind: 'timer-fired'; readonly vector: number }
  /** `e1000e_irq_set` / `_clear`: an interrupt register (offset) went from one value to another. */
  | { readonly kind: 'irq-register'; readonly op: 'set' | 'clear'; readonly register: number; readonly from: number; readonly to: number }
  /** `e1000e_irq_pending_interrupts`: the causes pending after a change. */
  | { readonly kind: 'pending'; readonly pending: number; readonly icr: number; readonly ims: number }
  /** Any other compared event, compared by its text. */
  | { readonly kind: 'other'; readonly name: string; readonly text: string };

/**
 * Where an event was logged: at a register access, a stretch of time or the start (`register`), or
 * where the replay injected the frames the recording received (`packet`), where what the device did
 * with each frame (filters, RSS, descriptors, buffers, metadata) is compared too.
 */
export type EventContext = 'register' | 'packet';

/** The device's receive path (QEMU's rx events), compared where frames were injected. */
const RECEIVE_EVENT = /(^e1000x_rx_|_rx_|vlan_is_vlan_pkt)/;

interface ExclusionRule {
  readonly test: (name: string) => boolean;
  readonly reason: string;
}

/**
 * QEMU's net layer asks the NIC whether it can take a frame whenever its backend has one, and
 * again after each: how often depends on the backend (slirp when recorded, the tool's socket).
 */
const RECEIVE_READINESS: ExclusionRule = {
  test: isReceiveReadiness,
  reason: 'receive readiness, asked by the network backend: how often depends on the backend, not on the device',
};

/** Why an event is not compared, keyed by the first rule that matches its name. */
const EXCLUDED: readonly ExclusionRule[] = [
  RECEIVE_READINESS,
  {
    // igb_write_config / igbvf_write_config repeat the PF's or a VF's config write (pci_cfg_write) with its width.
    test: (name) => /^e1000e_(core_(read|write)|wrn_regs_|io_)/.test(name) || /^igb(vf)?_write_config$/.test(name) || name.startsWith('pci_cfg_'),
    reason: 'the access itself (its read value is compared)',
  },
  { test: (name) => name.includes('mdic'), reason: 'PHY access through MDIC (compared as the MDIC read value)' },
  {
    test: (name) => /(^e1000x_rx_|_rx_|_tx_|ring_free_space|rx_can_recv|vlan_is_vlan_pkt)/.test(name),
    reason: 'data path at a register access or a packet not injected: frames are compared by the data-path check, received frames\' events where they were injected',
  },
  {
    // Printed when the ITR timer is armed, with the delay left: depends on how much virtual time
    // has passed, which a replay controls only at markers (the notifications themselves are compared).
    test: (name) => name === TIMER_ARMED_EVENT,
    reason: 'throttling timer armed: its delay depends on virtual time between markers',
  },
  { test: (name) => name.startsWith('e1000e_cb_') || name === 'e1000e_cfg_support_virtio', reason: 'QEMU device set-up callback' },
];

/** The reason an event is left out, or undefined when it is compared. */
export function exclusionReason(name: string, context: EventContext = 'register'): string | undefined {
  const reason = EXCLUDED.find((rule) => rule.test(name))?.reason;
  if (context === 'packet' && reason !== undefined && isReceivePathEvent(name)) return undefined;
  return reason;
}

/** An event of the device's receive path (what it did with a received frame), not a readiness poll. */
export function isReceivePathEvent(name: string): boolean {
  return RECEIVE_EVENT.test(name) && !RECEIVE_READINESS.test(name);
}

/** Host addresses QEMU prints (`from: 0x7f24...`, the buffer it copies from): they differ from run to run. */
const HOST_POINTER = /, from: (0x[0-9a-fA-F]+|\(nil\))/;

const HEX = '0x([0-9a-fA-F]+)';

function num(text: string): number {
  return text.startsWith('0x') ? Number.parseInt(text.slice(2), 16) : Number(text);
}

const PATTERNS: ReadonlyMap<string, { readonly re: RegExp; readonly make: (m: RegExpExecArray) => DeviceEvent }> = new Map([
  ['e1000e_irq_msix_notify_vec', { re: new RegExp(`^MSI-X notify vector ${HEX}$`), make: (m) => ({ kind: 'notify', how: 'msix', value: num(`0x${m[1]!}`) }) }],
  ['e1000e_irq_msi_notify', { re: new RegExp(`^MSI notify ${HEX}$`), make: (m) => ({ kind: 'notify', how: 'msi', value: num(`0x${m[1]!}`) }) }],
  ['e1000e_irq_legacy_notify', { re: /^IRQ line state: (\d+)$/, make: (m) => ({ kind: 'notify', how: 'legacy', value: Number(m[1]) }) }],
  ['e1000e_irq_postponed_by_xitr', { re: new RegExp(`^Interrupt postponed by \\[E\\]ITR register ${HEX}$`), make: (m) => ({ kind: 'postponed', register: num(`0x${m[1]!}`) }) }],
  ['e1000e_irq_msix_notify_postponed_vec', { re: /^Sending MSI-X postponed by EITR\[(\d+)\]$/, make: (m) => ({ kind: 'timer-fired', vector: Number(m[1]) }) }],
  ['e1000e_irq_pending_interrupts', {
    re: new RegExp(`^ICR PENDING: ${HEX} \\(ICR: ${HEX}, IMS: ${HEX}\\)$`),
    make: (m) => ({ kind: 'pending', pending: num(`0x${m[1]!}`), icr: num(`0x${m[2]!}`), ims: num(`0x${m[3]!}`) }),
  }],
]);

const IRQ_REGISTER = new RegExp(`^(?:Setting|Clearing) interrupt register ${HEX}: ${HEX} --> ${HEX}$`);

/** The typed event, or undefined when it is not compared (see exclusionReason). */
export function deviceEvent(event: SideEvent, context: EventContext = 'register'): DeviceEvent | undefined {
  if (exclusionReason(event.name, context) !== undefined) return undefined;
  if (event.name === 'e1000e_irq_set' || event.name === 'e1000e_irq_clear') {
    const m = IRQ_REGISTER.exec(event.text);
    if (m !== null) {
      return { kind: 'irq-register', op: event.name === 'e1000e_irq_set' ? 'set' : 'clear', register: num(`0x${m[1]!}`), from: num(`0x${m[2]!}`), to: num(`0x${m[3]!}`) };
    }
  }
  const pattern = PATTERNS.get(event.name);
  const m = pattern?.re.exec(event.text);
  if (pattern !== undefined && m !== null && m !== undefined) return pattern.make(m);
  return { kind: 'other', name: event.name, text: event.text.replace(HOST_POINTER, '') };
}

/** True for events that show packets moving: a frame transmitted, received or written to the guest. */
export function isPacketEvent(event: SideEvent): boolean {
  if (event.name === 'e1000e_tx_descr') return !event.text.startsWith('(nil)');
  return event.name === 'e1000e_rx_receive_iov' || event.name === 'e1000e_rx_written_to_guest';
}

/** Human form of a notification: `MSI-X vector 1`, `MSI`, `legacy INTx level 1`. */
export function describeNotify(how: 'msix' | 'msi' | 'legacy', value: number): string {
  if (how === 'msix') return `MSI-X vector ${value}`;
  if (how === 'msi') return 'MSI';
  return `legacy INTx level ${value}`;
}
