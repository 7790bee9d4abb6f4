// The recording's QEMU command line: the recipe of scripts/record-linux-traces.sh plus what
// replay needs (config writes for e1000e, thread ids), with no path of this machine in it.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { buildRecordArgs, defaultAppend, recordDeviceArg, RECORD_TRACE_PATTERNS } from '../../src/record/qemu-command.js';
import { parseSidecar } from '../../src/trace/sidecar.js';

const igb = { model: 'igb' as const, mac: '52:54:00:12:34:56', properties: {} };

/** Value following `flag`, each time it occurs. */
function valuesOf(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1] ?? '<missing>'] : []));
}

describe('buildRecordArgs', () => {
  const args = buildRecordArgs({ device: igb, append: defaultAppend('init') });

  it('is the command traces/ were recorded with, plus pci_cfg_write and -msg timestamp=on', () => {
    const recorded = parseSidecar(readFileSync('traces/linux-6.1-init.json', 'utf8'), 'linux-6.1-init.json').qemu_command ?? [];
    // Same options in the same order; ours adds two before -D.
    const d = recorded.indexOf('-D');
    expect(['qemu-system-x86_64', ...args]).toEqual([...recorded.slice(0, d), '-trace', 'pci_cfg_write', '-msg', 'timestamp=on', ...recorded.slice(d)]);
    expect(valuesOf(args, '-trace')).toEqual([...RECORD_TRACE_PATTERNS]);
    expect(valuesOf(args, '-msg')).toEqual(['timestamp=on']);
  });

  it('uses only relative file names, so the stored command line fits any machine', () => {
    expect(valuesOf(args, '-kernel')).toEqual(['vmlinuz']);
    expect(valuesOf(args, '-initrd')).toEqual(['initrd.gz']);
    expect(valuesOf(args, '-D')).toEqual(['trace.log']);
    expect(args.filter((arg) => arg.startsWith('/'))).toEqual([]);
  });

  it('passes the kernel command line as one argument, untouched', () => {
    const custom = buildRecordArgs({ device: igb, append: 'console=ttyS0 init=/bin/sh foo="a b"' });
    expect(valuesOf(custom, '-append')).toEqual(['console=ttyS0 init=/bin/sh foo="a b"']);
    expect(valuesOf(args, '-append')).toEqual(['console=ttyS0 quiet panic=-1 igbrec=init']);
  });
});

describe('recordDeviceArg', () => {
  it('names the netdev and MAC, then the properties in order, escaping commas QEMU-style', () => {
    expect(recordDeviceArg(igb)).toBe('igb,netdev=n0,mac=52:54:00:12:34:56');
    expect(recordDeviceArg({ model: 'e1000e', mac: '52:54:00:aa:bb:cc', properties: { 'x-pcie-flr-init': 'off', romfile: 'a,b' } }))
      .toBe('e1000e,netdev=n0,mac=52:54:00:aa:bb:cc,x-pcie-flr-init=off,romfile=a,,b');
  });

  it('is what buildRecordArgs puts after -device', () => {
    const device = { model: 'e1000e' as const, mac: '52:54:00:00:00:01', properties: { 'x-pcie-flr-init': 'off' } };
    expect(valuesOf(buildRecordArgs({ device, append: 'x' }), '-device')).toEqual([recordDeviceArg(device)]);
  });
});
