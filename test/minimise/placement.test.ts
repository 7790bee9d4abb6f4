// Minimising an SR-IOV recording: candidate traces are read from memory, without the sidecar that
// says the NIC sat behind a PCIe root port, so every candidate must replay in the topology the full
// replay had. Against an in-memory target (every read gives 0, so STATUS diverges at once).
import { describe, expect, it } from '@jest/globals';
import { minimiseTrace } from '../../src/minimise/minimise-trace.js';
import type { NicPlacement } from '../../src/target/topology.js';
import { FakeTarget } from '../replay/fake-target.js';

describe('minimise', () => {
  it('replays every candidate of the SR-IOV recording behind its root port', async () => {
    const placements: NicPlacement[] = [];
    const result = await minimiseTrace('traces/linux-6.1-sriov.log', {
      register: 'STATUS', time: 'markers', maxReplays: 3,
      targets: (spec) => {
        placements.push(spec.placement);
        return Promise.resolve(new FakeTarget());
      },
    });
    expect(result.replays).toBe(3);
    expect(placements).toHaveLength(3);
    for (const placement of placements) expect(placement).toEqual({ kind: 'root-port', device: 'pcie-root-port,id=rp0,slot=0' });
  });
});
