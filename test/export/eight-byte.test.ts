// 8-byte accesses (SYNTHETIC records: no shipped trace has one; mmiotrace records them when a
// driver uses readq/writeq) go out as readq/writeq in replay, in the exported qtest script and in
// the exported C test alike; an 8-byte IO access (QEMU logs every IO-BAR access so) as a dword.
import { describe, expect, it } from '@jest/globals';
import type { Access, TraceRecord } from '../../src/model/access.js';
import { exportPlan } from '../../src/export/steps.js';
import { qtestScript, renderScript } from '../../src/export/qtest-script.js';
import { renderCTest } from '../../src/export/c-test.js';
import { igbRegisters } from '../../src/regs/index.js';
import { parseDeviceOption } from '../../src/replay/device-option.js';
import { runPlan, type BatchOp, type ReplayTarget } from '../../src/replay/engine.js';
import { planReplay } from '../../src/replay/plan.js';
import { barAccessCommand } from '../../src/target/bar-access.js';
import { mmconfigSetupCommands, nicSetupCommands, RECORDED_GUEST_BARS } from '../../src/target/pci-setup.js';
import { encodeCommand } from '../../src/target/qtest-protocol.js';

type Spec = Pick<Access, 'kind' | 'space' | 'offset' | 'value' | 'size'> & Partial<Pick<Access, 'register'>>;

const RAL0 = 0x5400;
/** More than 32 bits, so a dword access could not carry it. */
const MAC_QWORD = 0x1_2345_6789;

function records(): TraceRecord[] {
  const specs: Spec[] = [
    { kind: 'write', space: 'mmio', offset: RAL0, value: MAC_QWORD, size: 8 },
    { kind: 'read', space: 'mmio', offset: RAL0, value: MAC_QWORD, size: 8 },
    { kind: 'read', space: 'mmio', offset: 0x8, value: 0x0481, size: 2 },
    { kind: 'write', space: 'io', offset: 0x0, value: 0x8, size: 8 },
    { kind: 'read', space: 'io', offset: 0x4, value: 0x80080483, size: 8, register: 0x8 },
  ];
  return specs.map((spec, seq) => ({ type: 'access', seq, line: seq + 1, verdict: 'ok', events: [], ...spec }));
}

const TRACE_PART = ['writeq 0xfeba5400 0x123456789', 'readq 0xfeba5400', 'readw 0xfeba0008', 'outl 0xc040 0x8', 'inl 0xc044'];

describe('8-byte accesses (synthetic records)', () => {
  const plan = exportPlan('synthetic-qword.txt', records(), igbRegisters(), parseDeviceOption('igb'));

  it('are readq/writeq in the exported qtest script', () => {
    const setupLength = nicSetupCommands('igb', { bus: 0, device: 2, fn: 0 }).length + mmconfigSetupCommands().length;
    const lines = renderScript(qtestScript(plan, 'frozen')).trimEnd().split('\n').slice(setupLength);
    expect(lines).toEqual([...TRACE_PART, 'outb 0xf4 0x0']);
  });

  it('are qtest_readq/qtest_writeq in the exported C test', () => {
    const text = renderCTest(plan, { name: 'qword' });
    expect(text).toContain('    qtest_writeq(r->qts, r->mmio.addr + 0x05400, 0x0000000123456789); /* RAL(0), line 1 */\n');
    expect(text).toContain('    g_assert_cmphex(qtest_readq(r->qts, r->mmio.addr + 0x05400), ==, 0x0000000123456789); /* RAL(0), line 2 */\n');
    expect(text).toContain('g_assert_cmphex(qpci_io_readw(r->dev, r->mmio, 0x00008), ==, 0x00000481);');
    expect(text).toContain('io_wr(r, 0x0, 0x00000008);');
    expect(text).toContain('g_assert_cmphex(io_rd(r, 0x4), ==, 0x80080483);');
  });

  it('are the same commands replay sends (the engine\'s batches through the live target\'s mapping)', async () => {
    const sent: BatchOp[] = [];
    const target: ReplayTarget = {
      advancesTime: false,
      runBatch: async (ops) => {
        sent.push(...ops);
        return ops.map(() => 0);
      },
      readMmio: async () => 0,
      readConfig: async () => 0,
      setLink: async () => undefined,
      writeMmio: async () => undefined,
      readIo: async () => 0,
      writeIo: async () => undefined,
      writeConfig: async () => undefined,
      advanceTime: async () => undefined,
    };
    const run = await runPlan(planReplay(records(), igbRegisters()), target);
    expect(run.completed).toBe(true);
    expect(sent.map((op) => encodeCommand(barAccessCommand(RECORDED_GUEST_BARS, op)))).toEqual(TRACE_PART);
  });
});
