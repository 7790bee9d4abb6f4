// Host-side link changes: the guest's console requests, the trace lines that show QEMU applied
// them, and their pairing for the sidecar. Trace texts are synthetic, shaped like the real
// recordings' lines (thread id, time, event), including QEMU's own link down at exit.
import { describe, expect, it } from '@jest/globals';
import { hostEvents, linkChangesInTrace, linkRequestOf } from '../../src/record/host-link.js';

const TRACE = [
  '100@1.000001:e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080783',
  '99@2.000001:e1000e_link_status_changed New link status: 0',
  '100@2.100001:e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080781',
  '99@4.000001:e1000e_link_status_changed New link status: 1',
  '100@5.000001:e1000e_core_write Write to register 0x18, 4 byte(s), value: 0x0',
  // Deleting the netdev at QEMU's exit takes the NIC's link down: not a host event.
  '99@6.000001:e1000e_link_status_changed New link status: 0',
  '',
].join('\n');

describe('linkRequestOf', () => {
  it('reads the guest\'s requests, with or without a carriage return', () => {
    expect(linkRequestOf('IGBREC: host set_link down')).toBe(false);
    expect(linkRequestOf('IGBREC: host set_link up\r')).toBe(true);
    expect(linkRequestOf('Booting from ROM...IGBREC: host set_link up')).toBe(true);
  });

  it('ignores everything else', () => {
    expect(linkRequestOf('IGBREC: carrier down')).toBeUndefined();
    expect(linkRequestOf('IGBREC: host set_link sideways')).toBeUndefined();
    expect(linkRequestOf('IGBREC: host set_link down now')).toBeUndefined();
  });
});

describe('linkChangesInTrace', () => {
  it('lists the link changes with their 1-based lines, without QEMU\'s link down at exit', () => {
    expect(linkChangesInTrace(TRACE)).toEqual([{ line: 2, up: false }, { line: 4, up: true }]);
  });

  it('keeps a last-line change that is not a link down, and plain lines without a prefix', () => {
    expect(linkChangesInTrace('x\ne1000e_link_status_changed New link status: 1')).toEqual([{ line: 2, up: true }]);
  });

  it('drops the exit\'s link down with the events e1000e logs after it (its link interrupt), and keeps a down the guest saw', () => {
    const e1000eExit = [TRACE.trimEnd(), '99@6.000040:e1000e_irq_set Setting interrupt register 0xc0: 0x80000002 --> 0x80000006', ''].join('\n');
    expect(linkChangesInTrace(e1000eExit)).toEqual([{ line: 2, up: false }, { line: 4, up: true }]);
    const seen = [TRACE.trimEnd(), '100@7.000001:e1000e_core_read Read from register 0x8, 4 byte(s), value: 0x80080781', ''].join('\n');
    expect(linkChangesInTrace(seen)).toEqual([{ line: 2, up: false }, { line: 4, up: true }, { line: 6, up: false }]);
  });

  it('finds nothing in a trace whose only change is the exit', () => {
    expect(linkChangesInTrace('a\n99@6.0:e1000e_link_status_changed New link status: 0\n')).toEqual([]);
  });
});

describe('hostEvents', () => {
  const changes = linkChangesInTrace(TRACE);

  it('pairs each set_link with the trace line where QEMU applied it', () => {
    expect(hostEvents([{ up: false }, { up: true }], changes)).toEqual([
      { command: 'set_link', netdev: 'n0', up: false, trace_line: 2 },
      { command: 'set_link', netdev: 'n0', up: true, trace_line: 4 },
    ]);
  });

  it('is empty when the guest asked for nothing and the trace shows nothing', () => {
    expect(hostEvents([], [])).toEqual([]);
  });

  it('explains a command QEMU refused', () => {
    expect(hostEvents([{ up: false, error: 'Device \'n0\' not found' }], changes)).toBe('QMP set_link down failed: Device \'n0\' not found');
  });

  it('explains changes that do not match the commands', () => {
    expect(hostEvents([{ up: false }], changes)).toBe('the guest asked for link down but the trace shows e1000e_link_status_changed 0 (line 2), 1 (line 4)');
    expect(hostEvents([{ up: true }, { up: false }], changes)).toMatch(/asked for link up, down but/);
    expect(hostEvents([{ up: false }], [])).toMatch(/shows e1000e_link_status_changed never$/);
  });
});
