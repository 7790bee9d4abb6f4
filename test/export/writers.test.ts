// The qtest script and C test writers on a SYNTHETIC plan (test/export/synthetic-plan.ts: hand-made
// records, not a recording): exact output, so any change to what is sent shows here.
import { describe, expect, it } from '@jest/globals';
import { qtestScript, renderCompanion, renderScript } from '../../src/export/qtest-script.js';
import { mmconfigSetupCommands, nicSetupCommands } from '../../src/target/pci-setup.js';
import { renderCTest } from '../../src/export/c-test.js';
import { encodeCommand } from '../../src/target/qtest-protocol.js';
import { syntheticPlan } from './synthetic-plan.js';
import type { TraceRecord } from '../../src/model/access.js';
import { exportPlan, type ExportPlan } from '../../src/export/steps.js';
import { igbRegisters } from '../../src/regs/index.js';
import { parseDeviceOption } from '../../src/replay/device-option.js';

const NIC = { bus: 0, device: 2, fn: 0 };

/** The PCI set-up of src/target/pci-setup.ts (NIC, then MMCONFIG) as qtest commands, for igb (BAR3 is 64-bit). */
const IGB_SETUP = [
  'outl 0xcf8 0x80001000', 'inl 0xcfc',
  'outl 0xcf8 0x80001010', 'outl 0xcfc 0xfeba0000', 'outl 0xcf8 0x80001010', 'inl 0xcfc',
  'outl 0xcf8 0x80001014', 'outl 0xcfc 0xfebc0000', 'outl 0xcf8 0x80001014', 'inl 0xcfc',
  'outl 0xcf8 0x80001018', 'outl 0xcfc 0xc040', 'outl 0xcf8 0x80001018', 'inl 0xcfc',
  'outl 0xcf8 0x8000101c', 'outl 0xcfc 0xfebf0000', 'outl 0xcf8 0x8000101c', 'inl 0xcfc',
  'outl 0xcf8 0x80001020', 'outl 0xcfc 0x0', 'outl 0xcf8 0x80001020', 'inl 0xcfc',
  'outl 0xcf8 0x80001004', 'outw 0xcfc 0x7', 'outl 0xcf8 0x80001004', 'inw 0xcfc',
  'outl 0xcf8 0x80000000', 'inl 0xcfc',
  'outl 0xcf8 0x80000064', 'outl 0xcfc 0x0', 'outl 0xcf8 0x80000060', 'outl 0xcfc 0xb0000001',
  'readl 0xb0000000',
];

describe('PCI set-up commands', () => {
  const setup = (model: 'igb' | 'e1000e') => [...nicSetupCommands(model, NIC), ...mmconfigSetupCommands()];

  it('program the BARs at the recorded guest addresses, enable decoding and MMCONFIG, with the replies to expect', () => {
    expect(setup('igb').map((c) => encodeCommand(c.command))).toEqual(IGB_SETUP);
    // Memory BARs are checked but for the prefetchable bit (the device's choice), COMMAND only in the bits set.
    expect(setup('igb').flatMap((c) => (c.expect === undefined ? [] : [c.expect]))).toEqual([
      { value: 0x10c98086 }, { value: 0xfeba0000, mask: 0xfffffff7 }, { value: 0xfebc0000, mask: 0xfffffff7 }, { value: 0xc041 },
      { value: 0xfebf0004, mask: 0xfffffff7 }, { value: 0 }, { value: 0x7, mask: 0x7 }, { value: 0x29c08086 }, { value: 0x29c08086 },
    ]);
  });

  it('treat e1000e BAR3 as 32-bit: no upper half', () => {
    expect(setup('e1000e').map((c) => encodeCommand(c.command))).not.toContain('outl 0xcf8 0x80001020');
    expect(setup('e1000e').flatMap((c) => (c.expect === undefined ? [] : [c.expect.value]))).toEqual([
      0x10d38086, 0xfeba0000, 0xfebc0000, 0xc041, 0xfebf0000, 0x7, 0x29c08086, 0x29c08086,
    ]);
  });
});

describe('qtest script (synthetic plan)', () => {
  const TRACE_PART = [
    'outl 0xcf8 0x80001004', 'outw 0xcfc 0x100', // COMMAND as written: decoding off
    // This synthetic trace then reaches the device with decoding off, as no recording can: decoding
    // goes on again before that access (plan.ts CommandTracker).
    'outl 0xcf8 0x80001004', 'outw 0xcfc 0x102',
    'writel 0xfeba0000 0x4000000', // CTRL
    'readl 0xfeba0008', // STATUS
    'readl 0xfebab600', // SYSTIML
    'readl 0xfeba0010', 'readl 0xfeba0010', 'readl 0xfeba0010', // EECD loop: recorded count
    'outl 0xcf8 0x80001004', 'outw 0xcfc 0x103', // and IO decoding before the IO BAR's first access
    'outl 0xc040 0x8', 'inl 0xc044', // IOADDR, IODATA
  ];
  const AFTER_MARKER = ['writel 0xb0010180 0x1', 'writel 0xfeba0020 0x8220000', 'outb 0xf4 0x0'];

  it('is the set-up, then every access in order, then isa-debug-exit; frozen time has no clock_step', () => {
    const text = renderScript(qtestScript(syntheticPlan(), 'frozen'));
    expect(text).toBe(`${[...IGB_SETUP, ...TRACE_PART, ...AFTER_MARKER].join('\n')}\n`);
  });

  it('steps the clock at the timer marker with --clock-step: by QEMU\'s 500 ms autoneg delay for an autoneg marker', () => {
    const text = renderScript(qtestScript(syntheticPlan(), 'clock-step'));
    expect(text).toBe(`${[...IGB_SETUP, ...TRACE_PART, 'clock_step 0x1dcd6500', ...AFTER_MARKER].join('\n')}\n`);
  });

  it('compares only the last read of a folded loop, and marks volatile reads unchecked', () => {
    const lines = qtestScript(syntheticPlan(), 'frozen').lines.slice(IGB_SETUP.length);
    expect(lines.map((l) => l.read === undefined ? '-' : `${l.read.register}@${l.read.line}x${l.read.stands}${l.read.unchecked === undefined ? '' : ' unchecked'}`))
      .toEqual(['-', '-', '-', '-', '-', 'STATUS@4x1', 'SYSTIML@5x1 unchecked', '-', '-', 'EECD@6x3', '-', '-', '-', 'IODATA STATUS@10x1', '-', '-', '-']);
    expect(lines.flatMap((l) => (l.expect === undefined ? [] : [l.expect]))).toEqual([0x80080481, 0x1234, 0x1190, 0x80080483].map((value) => ({ value })));
  });

  it('has a companion with the exact QEMU command line, which names the markers it cannot reproduce', () => {
    const plan = syntheticPlan();
    const companion = renderCompanion(plan, qtestScript(plan, 'frozen'), 'out/syn.qtest');
    expect(companion).toContain('script=$(dirname "$0")/syn.qtest\n');
    expect(companion).toContain('"$qemu" -M q35 -nodefaults -no-user-config -display none -S -qtest stdio -qtest-log none '
      + '-netdev user,id=net0,restrict=on -device igb,addr=2.0,mac=52:54:00:12:34:56,netdev=net0 '
      + '-device isa-debug-exit,iobase=0xf4,iosize=0x04 < "$script"\n');
    expect(companion).toContain('# Timer markers not reproduced (1, kind@line): autoneg@11\n');
    const stepped = renderCompanion(plan, qtestScript(plan, 'clock-step'), 'syn.qtest');
    expect(stepped).toContain('-accel qtest -qtest stdio');
    expect(stepped).not.toContain(' -S ');
  });
});

describe('C test (synthetic plan)', () => {
  const text = renderCTest(syntheticPlan(), { name: 'synthetic' });

  it('starts the NIC as replay does, with the recording\'s MAC', () => {
    expect(text).toContain('#define NIC_ARGS "-M q35 -nodefaults -netdev hubport,hubid=0,id=net0 " \\\n'
      + '    "-device igb,addr=2.0,mac=52:54:00:12:34:56,netdev=net0"\n');
    expect(text).toContain('#define NIC_VENDOR_DEVICE 0x10c98086\n');
    expect(text).toContain('#include "libqos/pci-pc.h"\n');
  });

  it('has one function per phase, each access named by register and line, stable reads asserted', () => {
    const phases = text.slice(text.indexOf('/* Phase probe'));
    expect(phases).toBe(`/* Phase probe: trace lines 1-2 (started by start of the trace) */
static void replay_probe(IgbReplay *r)
{
    cfg_wr(r, 2, 0x004, 0x100); /* COMMAND, line 1 */
}

/* Phase reset: trace lines 3-10 (started by CTRL write with RST) */
static void replay_reset(IgbReplay *r)
{
    cfg_wr(r, 2, 0x004, 0x102); /* COMMAND, line 3 */
    wr(r, 0x00000, 0x04000000); /* CTRL, line 3 */
    g_assert_cmphex(rd(r, 0x00008), ==, 0x80080481); /* STATUS, line 4 */
    rd(r, 0x0b600); /* SYSTIML, line 5; not asserted: free-running time-sync clock: absolute time differs from the recording; recorded 0x00001234 */
    g_assert_cmphex(poll(r, 0x00010, 0x00001190, 3, true), ==, 0x00001190); /* EECD, line 6, polled 3x in the recording */
    cfg_wr(r, 2, 0x004, 0x103); /* COMMAND, line 9 */
    io_wr(r, 0x0, 0x00000008); /* IOADDR, line 9 */
    g_assert_cmphex(io_rd(r, 0x4), ==, 0x80080483); /* IODATA STATUS, line 10 */
    wait_autoneg(r); /* autoneg timer fired here, line 11 */
}

/* Phase link-up: trace lines 12-14 (started by autonegotiation completed) */
static void replay_link_up(IgbReplay *r)
{
    cfg_wr(r, 4, 0x180, 0x1); /* config 0x180, line 12 */
    wr(r, 0x00020, 0x08220000); /* MDIC, line 13 */
}

static void test_synthetic(void)
{
    IgbReplay r;

    igb_replay_start(&r);
    replay_probe(&r);
    replay_reset(&r);
    replay_link_up(&r);
    igb_replay_stop(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/igb-replay/synthetic", test_synthetic);
    return g_test_run();
}
`);
  });

  it('defines only the helpers its body calls (QEMU builds with -Wunused-function -Werror)', () => {
    for (const helper of ['rd', 'wr', 'io_rd', 'io_wr', 'cfg_wr', 'poll', 'wait_autoneg']) {
      expect(text).toMatch(new RegExp(`^static \\w+ ${helper}\\(IgbReplay \\*r`, 'm'));
    }
    // A plan of MMIO writes only: no read, IO, config, poll or autoneg helper is left unused.
    const writesOnly = syntheticPlan();
    const onlyWrites = renderCTest({ ...writesOnly, steps: writesOnly.steps.filter((s) => s.kind === 'write' && s.space === 'mmio') }, { name: 'w' });
    expect(onlyWrites).toMatch(/^static void wr\(IgbReplay \*r/m);
    for (const helper of ['rd', 'io_rd', 'io_wr', 'cfg_wr', 'poll', 'wait_autoneg']) expect(onlyWrites).not.toMatch(new RegExp(`^static \\w+ ${helper}\\(`, 'm'));
  });

  it('checks the e1000e identity when exported for e1000e', () => {
    expect(renderCTest(syntheticPlan('e1000e'), { name: 'synthetic' })).toContain('#define NIC_VENDOR_DEVICE 0x10d38086\n');
  });
});

describe('a function-level reset of the recording (SYNTHETIC records)', () => {
  // A PCIe Device Control write with Initiate FLR, and QEMU's reset of the device right after it.
  const records: TraceRecord[] = [
    { type: 'access', seq: 0, line: 1, kind: 'write', space: 'pci-config', offset: 0xa8, size: 2, value: 0x8000, verdict: 'ok', events: [] },
    { type: 'marker', kind: 'reset', line: 2, afterSeq: 0, events: [{ name: 'e1000e_cb_qdev_reset_hold', category: 'reset', line: 2, text: 'E1000E qdev reset hold' }] },
    { type: 'access', seq: 1, line: 3, kind: 'read', space: 'mmio', offset: 0x8, size: 4, value: 0x80080483, verdict: 'ok', events: [] },
  ];
  const plan = (device: 'igb' | 'e1000e'): ExportPlan => exportPlan('flr.log', records, igbRegisters(), parseDeviceOption(device));

  it('programs the set-up\'s BARs again in a qtest script (BAR3\'s upper half on igb only), before the next access', () => {
    const trace = (device: 'igb' | 'e1000e'): string[] => renderScript(qtestScript(plan(device), 'frozen')).trim().split('\n').slice(IGB_SETUP.length - (device === 'igb' ? 0 : 4));
    expect(trace('igb')).toEqual([
      'outl 0xcf8 0x800010a8', 'outw 0xcfc 0x8000',
      'outl 0xcf8 0x80001010', 'outl 0xcfc 0xfeba0000', 'outl 0xcf8 0x80001014', 'outl 0xcfc 0xfebc0000',
      'outl 0xcf8 0x80001018', 'outl 0xcfc 0xc040', 'outl 0xcf8 0x8000101c', 'outl 0xcfc 0xfebf0000',
      'outl 0xcf8 0x80001020', 'outl 0xcfc 0x0',
      'readl 0xfeba0008', 'outb 0xf4 0x0',
    ]);
    expect(trace('e1000e')).not.toContain('outl 0xcf8 0x80001020');
  });

  it('restores in a C test the BARs qpci_iomap placed, saved at start', () => {
    const text = renderCTest(plan('igb'), { name: 'flr' });
    expect(text).toContain('    restore_bars(r); /* the recording\'s device reset itself after line 1 (FLR): its BARs again */\n');
    expect(text).toMatch(/^static void restore_bars\(IgbReplay \*r\)$/m);
    expect(text).toContain('        r->bars[i] = qpci_config_readl(r->dev, 0x10 + 4 * i);\n');
    expect(renderCTest(syntheticPlan(), { name: 'synthetic' })).not.toContain('restore_bars');
  });
});
