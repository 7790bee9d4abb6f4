// The SR-IOV recording (traces/linux-6.1-sriov.log) replayed against real QEMU 10.0.2 in the
// topology its sidecar records: the PF behind a PCIe root port (01:00.0), its VFs created by the
// replayed NumVFs and VF Enable config writes, VF config accesses sent to the VFs' own functions
// (01:10.0, 01:10.2), and VF register accesses through the PF's BAR at the PF offsets QEMU logged.
// Checks that the VF's device events (mailbox both ways, VF resets) are compared and the target
// logs exactly the recording's, that config reads of PF and VFs all match, that what still differs
// is explained (packets, or throttling timers the replay could not let fire) with its reason, and
// that five replays agree exactly. The whole trace replays in about 3 s, so the test takes it all.
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { SideEvent } from '../../src/model/access.js';
import { EXPLAINED_EVENT_CLASSES, FAILING_EVENT_CLASSES } from '../../src/model/events.js';
import { FAILING_CLASSES, type ReplayResult } from '../../src/model/replay.js';
import { exclusionReason } from '../../src/checks/events/device-event.js';
import { loadTrace } from '../../src/trace/load.js';
import { divergenceKeys, replayFile, requireQemu } from './replay-env.js';

const SRIOV_TRACE = 'traces/linux-6.1-sriov.log';
/** The VF events: the PF's and the VF's mailbox writes, and VF resets (by VF Enable, or the VF driver). */
const VF_EVENTS = new Set(['igb_set_pfmailbox', 'igb_set_vfmailbox', 'igb_core_vf_reset']);

const vfEvents = (events: readonly SideEvent[]): string[] => events.filter((e) => VF_EVENTS.has(e.name)).map((e) => `${e.name} ${e.text}`);

let result: ReplayResult;
const recorded: string[] = [];
const logged: string[] = [];

beforeAll(async () => {
  await requireQemu();
  result = await replayFile(SRIOV_TRACE, { time: 'auto', strict: false }, {
    onWindow: ({ records, run, observations }) => {
      // The recording's VF events where the replay has a counterpart: realize (before the first
      // access) and every access it sent; the target's at the same places.
      const sent = new Set(run.places.map((a) => a.seq));
      for (const r of records) {
        if (r.type === 'marker' ? r.afterSeq < 0 : sent.has(r.seq)) recorded.push(...vfEvents(r.events));
      }
      const target = observations.events;
      if (target !== undefined) logged.push(...vfEvents(target.start), ...[...target.byPlace.values()].flatMap(vfEvents));
    },
  });
});

describe('the SR-IOV recording', () => {
  it('has a sidecar that puts the PF behind a PCIe root port, which the replay recreates', async () => {
    const trace = await loadTrace(SRIOV_TRACE);
    expect(trace.sidecar?.content.pcie_root_port).toBe('pcie-root-port,id=rp0,slot=0');
    expect(trace.device.placement).toEqual({ kind: 'root-port', device: 'pcie-root-port,id=rp0,slot=0' });
    expect(result.target.placement).toBe('behind pcie-root-port,id=rp0,slot=0');
    expect(result.completed).toBe(true);
  });

  it('reads back every config register of the PF and the VFs as recorded', async () => {
    const trace = await loadTrace(SRIOV_TRACE);
    const bar = (offset: number): boolean => (offset >= 0x10 && offset <= 0x27) || (offset >= 0x30 && offset < 0x34);
    const reads = (trace.records ?? []).filter((r) => r.type === 'access' && r.space === 'pci-config' && r.kind === 'read' && !bar(r.offset));
    expect(result.counts.configReads).toBe(reads.length);
    expect(reads.filter((r) => r.type === 'access' && r.vf !== undefined).length).toBeGreaterThan(150);
    const config = result.divergences.filter((d) => d.space === 'pci-config');
    // COMMAND too: the recording's COMMAND writes are replayed as written, and before the first of
    // them the replay's COMMAND is the one the firmware's first read shows (plan.ts CommandTracker).
    expect(config.map((d) => `${d.register} ${d.class}`)).toEqual([]);
  });

  it('compares the VF events, and the target logs exactly the recording\'s', () => {
    for (const name of VF_EVENTS) expect(exclusionReason(name)).toBeUndefined();
    expect(recorded.filter((e) => e.startsWith('igb_set_pfmailbox')).length).toBeGreaterThan(50);
    expect(recorded.filter((e) => e.startsWith('igb_set_vfmailbox')).length).toBeGreaterThan(50);
    // VF7..VF0 at realize, VF0 and VF1 when VF Enable turned them on, and the igbvf driver's resets.
    expect(recorded.filter((e) => e.startsWith('igb_core_vf_reset')).length).toBeGreaterThanOrEqual(12);
    expect(logged).toEqual(recorded);
    expect(result.events.divergences.filter((d) => VF_EVENTS.has(d.subject))).toEqual([]);
  });

  it('differs in reads and device events only where a reason explains it', () => {
    expect(result.divergences.filter((d) => FAILING_CLASSES.has(d.class))).toEqual([]);
    expect(result.events.divergences.filter((d) => FAILING_EVENT_CLASSES.has(d.class))).toEqual([]);
    const frozen = result.events.divergences.filter((d) => d.class === 'explained-by-frozen-time');
    // VF0's mailbox vector: its throttling timer fired while the PF's autonegotiation was pending.
    expect(frozen.length).toBeGreaterThan(0);
    const vectors = new Set(frozen.map((d) => /EITR\((\d+)\) throttling timer fired at line [\d,]+, where the replay let no time run \(an autonegotiation was pending/.exec(d.reason)?.[1]));
    expect([...vectors]).toEqual(['23']);
    for (const d of result.events.divergences) expect(EXPLAINED_EVENT_CLASSES.has(d.class)).toBe(true);
  });

  it('is deterministic: four more replays diverge in exactly the same reads and events', async () => {
    for (let i = 0; i < 4; i++) {
      const again = await replayFile(SRIOV_TRACE, { time: 'auto', strict: false });
      expect(divergenceKeys(again)).toEqual(divergenceKeys(result));
      expect(again.events.divergences).toEqual(result.events.divergences);
      expect(again.events.tally).toEqual(result.events.tally);
      expect(again.counts).toEqual(result.counts);
    }
  });
});
