// The MACs a captured frame is the NIC's own by: the recording's, and every receive-address entry the
// guest made valid. Synthetic records pin the rules; the SR-IOV recording's VF MAC is learnt from
// the PF driver's own writes.
import { describe, expect, it } from '@jest/globals';
import type { Access } from '../../src/model/access.js';
import { igbRegisters } from '../../src/regs/database.js';
import { OwnMacs } from '../../src/datapath/own-macs.js';
import { macBytes } from '../../src/frames/frame-cursor.js';
import { loadTrace } from '../../src/trace/load.js';

const registers = igbRegisters();
const PF = macBytes('52:54:00:12:34:56');

function write(seq: number, name: string, value: number): Access {
  return { type: 'access', seq, line: seq + 1, kind: 'write', space: 'mmio', offset: registers.lookupName(name)!.offset, size: 4, value, verdict: 'ok', events: [] } as Access;
}

/** A frame of 60 bytes from `src`. */
function from(src: string): Uint8Array {
  const frame = new Uint8Array(60);
  frame.set(macBytes(src), 6);
  return frame;
}

describe('OwnMacs', () => {
  it('knows the recording\'s MAC, and a valid entry once its RAH is written', () => {
    const own = new OwnMacs(registers, PF);
    expect(own.sentBy(from('52:54:00:12:34:56'))).toBe(true);
    expect(own.sentBy(from('0a:ec:92:dd:a0:f9'))).toBe(false);
    own.see([write(0, 'RAL(17)', 0xdd92ec0a)]);
    expect(own.sentBy(from('0a:ec:92:dd:a0:f9'))).toBe(false);
    // AV and pool 0: the PF driver's entry for VF 0.
    own.see([write(1, 'RAH(17)', 0x8004f9a0)]);
    expect(own.sentBy(from('0a:ec:92:dd:a0:f9'))).toBe(true);
    expect(own.count).toBe(2);
  });

  it('ignores entries without AV, multicast and all-zero addresses, and frames too short to have a source', () => {
    const own = new OwnMacs(registers, PF);
    own.see([write(0, 'RAL(2)', 0x44332211), write(1, 'RAH(2)', 0x6655)]);
    own.see([write(2, 'RAL(3)', 0x0000005e01), write(3, 'RAH(3)', 0x80000000)]);
    own.see([write(4, 'RAL(4)', 0), write(5, 'RAH(4)', 0x80000000)]);
    expect(own.count).toBe(1);
    expect(own.sentBy(new Uint8Array(10))).toBe(false);
  });

  it('learns the VF\'s MAC from the SR-IOV recording, the source of its frames in the capture', async () => {
    const trace = await loadTrace('traces/linux-6.1-sriov.log');
    const own = new OwnMacs(registers, PF);
    own.see(trace.records ?? []);
    expect(own.sentBy(from('0a:ec:92:dd:a0:f9'))).toBe(true);
    expect(own.sentBy(from('52:55:0a:00:02:02'))).toBe(false);
  });
});
