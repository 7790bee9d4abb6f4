// The device-event check where received frames were injected, on SYNTHETIC records and target logs
// (hand-made, in the exact line formats of QEMU 10.0.2's hw/net/trace-events): what the device did
// with each frame is compared at a packet place, host pointers aside; a frame received inside a
// transmit write is handed over before it and pools its interrupts with the write's; readiness polls are left out with their reason.

import { describe, expect, it } from '@jest/globals';
import type { Access, Marker, SideEvent, TraceRecord } from '../../src/model/access.js';
import { compareDeviceEvents } from '../../src/checks/events/compare-events.js';
import type { TimeSegment } from '../../src/model/events.js';
import { igbRegisters } from '../../src/regs/index.js';
import { injectedBeforeWrite, recordedFrames } from '../../src/datapath/rx-path.js';

function at(line: number, name: string, text: string): SideEvent {
  return { name, category: name.includes('_irq_') ? 'irq' : 'rx', line, text };
}

const EICR = 0x1580;
const receipt = (line: number): SideEvent => at(line, 'e1000e_rx_receive_iov', 'Received vector of 1 fragments');
const descriptor = (line: number): SideEvent => at(line, 'e1000e_rx_descr', 'Next RX descriptor: ring #0, PA: 0x2b01000, length: 16');
const buffer = (line: number, from: string): SideEvent => at(line, 'igb_rx_desc_buff_write', `buffer 1, addr: 0x2b000c0, offset: 0, from: ${from}, length: 98`);
const packetType = (line: number, type: number): SideEvent => at(line, 'e1000e_rx_metadata_pkt_type', `the packet type is ${type}`);
const written = (line: number): SideEvent => at(line, 'e1000e_rx_written_to_guest', 'Received packet written to guest (queue 0)');
const irqSet = (line: number, from: number, to: number): SideEvent => at(line, 'e1000e_irq_set', `Setting interrupt register 0x${EICR.toString(16)}: 0x${from.toString(16)} --> 0x${to.toString(16)}`);
const notify = (line: number, vector: number): SideEvent => at(line, 'e1000e_irq_msix_notify_vec', `MSI-X notify vector 0x${vector.toString(16)}`);
const canRecv = (line: number): SideEvent => at(line, 'e1000e_rx_can_recv', 'Can receive');
const txDescr = (line: number): SideEvent => at(line, 'e1000e_tx_descr', '0x2a46002 : 2b300156 558000');

function write(seq: number, line: number, events: SideEvent[]): Access {
  return { type: 'access', seq, line, kind: 'write', space: 'mmio', offset: 0xe018, size: 4, value: 1, verdict: 'ok', events };
}
function packetMarker(line: number, afterSeq: number, events: SideEvent[]): Marker {
  return { type: 'marker', kind: 'rx-packet', line, afterSeq, events };
}

/** What the target logged while it received the marker's frames (its time segment of cause `packet`). */
function received(markerLine: number, events: SideEvent[]): TimeSegment {
  return { afterPlace: 1, cause: 'packet', markerLine, events };
}

function check(records: TraceRecord[], byPlace: Map<number, SideEvent[]>, time: TimeSegment[], injected: number[], transmitsAt: number[] = []) {
  const places = records.filter((r): r is Access => r.type === 'access');
  return compareDeviceEvents({
    records, places, registers: igbRegisters(), actualOf: () => undefined,
    target: { start: [], byPlace, time, placesLogged: places.length },
    received: new Set(injected), transmitsAt: new Set(transmitsAt),
  });
}

const failing = (divergences: readonly { class: string }[]) => divergences.filter((d) => !d.class.startsWith('explained'));

describe('a frame received from the backend\'s own thread, injected', () => {
  const frame = (type: number, from: string): SideEvent[] => [receipt(11), descriptor(12), buffer(13, from), packetType(14, type), written(15), irqSet(16, 0, 2), notify(17, 1)];
  const records = (): TraceRecord[] => [write(0, 10, []), packetMarker(11, 0, frame(17, '0x7f249b4df990'))];

  it('matches what the target did with it, whatever host buffer QEMU copied from', () => {
    const result = check(records(), new Map(), [received(11, frame(17, '0x55f4c9549b44'))], [11]);
    expect(result.divergences).toEqual([]);
    expect(result.tally.compared).toBe(14);
  });

  it('fails at the packet place, naming the metadata that differs', () => {
    const result = check(records(), new Map(), [received(11, frame(2, '0x55f4c9549b44'))], [11]);
    expect(failing(result.divergences)).toEqual([expect.objectContaining({
      class: 'event-differs', line: 11, subject: 'e1000e_rx_metadata_pkt_type', place: { kind: 'packet', frames: 1 },
      expected: 'the packet type is 17', actual: 'the packet type is 2',
    })]);
  });

  it('fails when the target did not take the frame at all', () => {
    const result = check(records(), new Map(), [received(11, [])], [11]);
    expect(failing(result.divergences).map((d) => d.class)).toContain('interrupt-missing');
    expect(failing(result.divergences).map((d) => d.class)).toContain('event-missing');
  });

  it('leaves the backend\'s readiness polls out, with the reason', () => {
    const result = check(records(), new Map(), [received(11, [canRecv(1), ...frame(17, '0x1'), canRecv(2)])], [11]);
    expect(result.divergences).toEqual([]);
    expect(result.tally.excluded).toContainEqual({ reason: expect.stringMatching(/^receive readiness/), events: 2 });
  });

  it('without injection, leaves the frame\'s events out as before', () => {
    const result = check(records(), new Map(), [], []);
    expect(result.divergences).toEqual([]);
    expect(result.tally.excluded).toContainEqual({ reason: expect.stringMatching(/^a received packet/), events: 7 });
  });
});

describe('a frame received inside a transmit tail write (the backend answered at once), injected just before it', () => {
  // Recorded: the TX descriptor, the backend asking whether the NIC can take a frame, then the
  // receipt (the marker) inside the write, then what the device did with the frame and its
  // interrupt (vector 1), then the write's own TX interrupt (vector 2).
  const recorded = (type: number): TraceRecord[] => [
    write(0, 19, [txDescr(20), canRecv(21), descriptor(23), buffer(24, '0x7f01'), packetType(25, type), written(26), irqSet(27, 0, 2), notify(28, 1), irqSet(29, 0, 4), notify(30, 2)]),
    packetMarker(22, 0, [receipt(22)]),
  ];
  // The target: the frame handed over before the write (its time segment comes before place 0), then the write.
  const writeTarget = new Map([[0, [txDescr(8), irqSet(9, 0, 4), notify(10, 2)]]]);
  const frameTarget = [{ ...received(22, [receipt(1), descriptor(2), buffer(3, '0x55f4'), packetType(4, 17), written(5), irqSet(6, 0, 2), notify(7, 1)]), afterPlace: 0 }];

  it('splits the frame from the write: its receive path at the packet place, its interrupts with the write', () => {
    const frames = recordedFrames(recorded(17)[1] as Marker, recorded(17)[0] as Access);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.nested).toBe(true);
    expect(frames[0]!.events.map((e) => e.line)).toEqual([22, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(injectedBeforeWrite(frames, recorded(17)[1] as Marker, recorded(17)[0] as Access)).toBe(true);
  });

  it('finds nothing when the device did the same: the frame\'s interrupts come before the write\'s, as recorded', () => {
    const result = check(recorded(17), writeTarget, frameTarget, [22]);
    expect(result.divergences).toEqual([]);
  });

  it('fails at the packet place when the device handled the frame otherwise', () => {
    const result = check(recorded(33), writeTarget, frameTarget, [22]);
    expect(failing(result.divergences)).toEqual([expect.objectContaining({
      class: 'event-differs', subject: 'e1000e_rx_metadata_pkt_type', place: { kind: 'packet', frames: 1 }, line: 22,
    })]);
  });

  it('goes after any other write (a receive tail write lets the backend flush what it held), and after a frame of its own thread', () => {
    const rdt: Access = { ...write(0, 20, [descriptor(23), written(26)]), offset: 0xc018 };
    const marker = packetMarker(22, 0, [receipt(22)]);
    expect(injectedBeforeWrite(recordedFrames(marker, rdt), marker, rdt)).toBe(false);
    const own = packetMarker(22, 0, [receipt(22), descriptor(23), written(24)]);
    const tx = write(0, 20, [txDescr(21)]);
    expect(injectedBeforeWrite(recordedFrames(own, tx), own, tx)).toBe(false);
  });
});

describe('a frame the device switched to itself inside a transmit tail write (SR-IOV loopback), not injected', () => {
  // Recorded: the TX descriptor, then straight away the receipt (no readiness poll: the device hands
  // the frame to another of its pools), what it did with it, its interrupt, then the write's own.
  const recorded = (type: number): TraceRecord[] => [
    write(0, 19, [txDescr(20)]),
    packetMarker(21, 0, [receipt(21), descriptor(22), buffer(23, '0x7f01'), packetType(24, type), written(25), irqSet(26, 0, 2), notify(27, 1), irqSet(28, 0, 4), notify(29, 2)]),
  ];
  // The target made the frame itself during the replayed write: everything at the write's place.
  const target = new Map([[0, [txDescr(1), receipt(2), descriptor(3), buffer(4, '0x55f4'), packetType(5, 17), written(6), irqSet(7, 0, 2), notify(8, 1), irqSet(9, 0, 4), notify(10, 2)]]]);

  it('is told apart from a backend\'s frame by what came just before its receipt', () => {
    const [tx, marker] = recorded(17) as [Access, Marker];
    expect(recordedFrames(marker, tx).map((f) => f.switched)).toEqual([true]);
    const answered: Access = { ...tx, events: [txDescr(20), canRecv(20)] };
    expect(recordedFrames(marker, answered).map((f) => f.switched)).toEqual([false]);
  });

  it('is compared with what the target did inside the write where the replay handed the transmit over: its receive path as a switched frame\'s, its interrupts as the write\'s', () => {
    expect(check(recorded(17), target, [], [], [0]).divergences).toEqual([]);
    expect(failing(check(recorded(33), target, [], [], [0]).divergences)).toEqual([expect.objectContaining({
      class: 'event-differs', subject: 'e1000e_rx_metadata_pkt_type', place: { kind: 'packet', frames: 1, switched: true }, line: 21,
      expected: 'the packet type is 33', actual: 'the packet type is 17',
    })]);
    // A target that made no such frame: the receive path is missing; the interrupt's timing the transmit explains, as any transmit's.
    const withoutFrame = new Map([[0, [txDescr(1), irqSet(9, 0, 4), notify(10, 2)]]]);
    const divergences = check(recorded(17), withoutFrame, [], [], [0]).divergences;
    expect(failing(divergences)).toContainEqual(expect.objectContaining({ class: 'event-missing', subject: 'e1000e_rx_receive_iov', place: expect.objectContaining({ switched: true }) }));
    expect(divergences).toContainEqual(expect.objectContaining({
      class: 'explained-by-traffic', subject: 'MSI-X vector 1', place: expect.objectContaining({ kind: 'access' }), line: 19,
    }));
  });

  it('without the transmit handed over, is what the recording\'s device did alone (a time pool), as before', () => {
    expect(failing(check(recorded(17), new Map([[0, [txDescr(1)]]]), [], []).divergences)).toEqual([]);
  });
});
