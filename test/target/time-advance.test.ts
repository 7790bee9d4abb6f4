// Letting virtual time run at a marker against a real QEMU (markers mode: -S, halt firmware,
// icount): the target reports whether the timer event the marker stands for (autonegotiation
// done) happened, instead of swallowing a target whose link never comes up.
import { describe, it, expect, beforeAll, afterEach } from '@jest/globals';
import type { Marker } from '../../src/model/access.js';
import { QemuReplayTarget } from '../../src/replay/qemu-target.js';
import { requireQemu } from './qemu-env.js';

const STATUS = 0x0008;
const MDIC = 0x0020;
const LINK_UP = 0x2;
/** MDIC write of PHY BMCR with "restart autonegotiation", as the driver does to bring the link up. */
const RESTART_AUTONEG = 0x04201340;

function marker(kind: Marker['kind']): Marker {
  return { type: 'marker', kind, line: 1, afterSeq: 0, events: [] };
}

const targets: QemuReplayTarget[] = [];

async function start(): Promise<QemuReplayTarget> {
  const target = await QemuReplayTarget.start({ device: 'igb', time: 'markers' });
  targets.push(target);
  return target;
}

beforeAll(async () => {
  await requireQemu();
});

afterEach(async () => {
  await Promise.all(targets.splice(0).map((target) => target.close()));
});

describe('QemuReplayTarget.advanceTime in markers mode', () => {
  it('reports a restarted autonegotiation as done, and the link is up after it', async () => {
    const target = await start();
    await target.writeMmio(MDIC, RESTART_AUTONEG);
    expect(await target.readMmio(STATUS) & LINK_UP).toBe(0);
    const advance = await target.advanceTime(marker('autoneg'));
    expect(advance).toMatchObject({ awaited: 'autoneg', happened: true });
    expect(advance.waitedMs).toBeGreaterThan(0);
    expect(await target.readMmio(STATUS) & LINK_UP).toBe(LINK_UP);
  });

  it('reports an autonegotiation that never completes (backend link down), marker after marker', async () => {
    const target = await start();
    await target.session.qmp?.executeRaw('set_link', { name: 'net0', up: false });
    await target.writeMmio(MDIC, RESTART_AUTONEG);
    expect(await target.advanceTime(marker('autoneg'))).toMatchObject({ awaited: 'autoneg', happened: false });
    expect(await target.advanceTime(marker('autoneg'))).toMatchObject({ awaited: 'autoneg', happened: false });
    expect(await target.readMmio(STATUS) & LINK_UP).toBe(0);
    expect(target.session.alive).toBe(true);
  });

  it('only lets time run at a marker with no event to wait for', async () => {
    const target = await start();
    expect(await target.advanceTime(marker('itr-timer'))).toMatchObject({ awaited: 'none', happened: true });
    expect(await target.session.qmp?.execute('query-status')).toMatchObject({ running: false });
  });
});
