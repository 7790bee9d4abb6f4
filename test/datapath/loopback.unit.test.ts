// Loopback: frames the device loops back into its own receive path never reach the network
// backend, so the capture has none of them. The mode follows the driver's writes (synthetic
// accesses below, labelled so: one register write each), and on the real ethtool recording (the
// offline self-test's loopback test) the transmit path takes no captured frame for a looped-back
// packet, so every frame that did go out is rebuilt.
import { describe, expect, it } from '@jest/globals';
import { LoopbackMode } from '../../src/datapath/loopback.js';
import { TxDataPath } from '../../src/datapath/tx-path.js';
import { FrameCursor, frameDirection, macBytes } from '../../src/frames/frame-cursor.js';
import { pcapFrames } from '../../src/frames/pcap.js';
import { readTrace } from '../../src/formats/read-trace.js';
import { deviceRow } from '../../src/devices/table.js';
import { registersFor } from '../../src/regs/database.js';
import type { Access, AddressSpace, TraceRecord } from '../../src/model/access.js';
import { readFileSync } from 'node:fs';

const RCTL = 0x100;
const CTRL = 0x0;
const BMCR = 0;

/** A synthetic register write (not from a recording). */
function write(space: AddressSpace, offset: number, value: number): Access {
  return { type: 'access', seq: 1, line: 1, kind: 'write', space, offset, size: space === 'phy' ? 2 : 4, value, verdict: 'ok', events: [] } as Access;
}

describe.each(['igb', 'e1000e'] as const)('loopback mode of %s (synthetic writes)', (model) => {
  const mode = (...writes: Access[]): string | undefined => {
    const loopback = new LoopbackMode(registersFor(model));
    for (const w of writes) loopback.see(w);
    return loopback.active;
  };

  it('is on with the PHY in loopback (BMCR bit 14) until a BMCR write clears it', () => {
    expect(mode(write('phy', BMCR, 0x4140))).toMatch(/PHY loopback/);
    expect(mode(write('phy', BMCR, 0x4140), write('phy', BMCR, 0x0140))).toBeUndefined();
    expect(mode(write('phy', 1, 0x4140))).toBeUndefined();
  });

  it('is on with RCTL.LBM 01 (MAC loopback) and off when it is written 00', () => {
    expect(mode(write('mmio', RCTL, 0x4008062))).toMatch(/MAC loopback/);
    expect(mode(write('mmio', RCTL, 0x4008022))).toBeUndefined();
    expect(mode(write('mmio', RCTL, 0x40), write('mmio', RCTL, 0x2))).toBeUndefined();
  });

  it('is off after a device reset (CTRL.RST); a PHY reset (CTRL.PHY_RST) ends PHY loopback only', () => {
    expect(mode(write('phy', BMCR, 0x4140), write('mmio', RCTL, 0x40), write('mmio', CTRL, 1 << 26))).toBeUndefined();
    expect(mode(write('phy', BMCR, 0x4140), write('mmio', CTRL, 1 << 31 >>> 0))).toBeUndefined();
    expect(mode(write('mmio', RCTL, 0x40), write('mmio', CTRL, 1 << 31 >>> 0))).toMatch(/MAC loopback/);
  });
});

describe.each([['linux-6.1-ethtool', 'igb'], ['linux-6.1-e1000e-ethtool', 'e1000e']] as const)('the offline self-test in %s (%s)', (name, model) => {
  it('takes no captured frame for a looped-back packet: every packet that went out is rebuilt from its own frame', async () => {
    const records: TraceRecord[] = [];
    await readTrace(`traces/${name}.log`, { access: (a) => records.push(a), marker: (m) => records.push(m) }, {});
    const mac = macBytes('52:54:00:12:34:56');
    const path = new TxDataPath(registersFor(model), deviceRow(model).txDescriptors, new FrameCursor(`traces/${name}.pcap`, 'tx', mac));
    const seeds = [...(await path.window(records)).values()];
    await path.close();
    const skipped = seeds.flatMap((s) => s.skipped);
    const looped = skipped.filter((s) => /looped back inside the device/.test(s.reason));
    // Both drivers' loopback tests send 64 frames a round (igb ten rounds here, e1000e one).
    expect(looped.length).toBeGreaterThanOrEqual(64);
    expect(looped.every((s) => s.frames === 0)).toBe(true);
    expect(skipped.filter((s) => !looped.includes(s))).toEqual([]);
    const sent = [...pcapFrames(new Uint8Array(readFileSync(`traces/${name}.pcap`)), `${name}.pcap`)].filter((f) => frameDirection(f.data, mac) === 'tx');
    const expected = seeds.flatMap((s) => s.expected);
    expect(expected.length).toBe(sent.length);
    expect(expected.every((frame) => frame.data !== undefined)).toBe(true);
  });
});
