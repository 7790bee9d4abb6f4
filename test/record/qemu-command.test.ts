// The recording's QEMU command line: the recipe of scripts/record-linux-traces.sh plus what
// replay needs (config reads and writes, thread ids, a capture of every frame), with no path of
// this machine in it.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { buildRecordArgs, defaultAppend, recordDeviceArg, RECORD_TRACE_PATTERNS, ROOT_PORT_ARG, WORK_FILES } from '../../src/record/qemu-command.js';
import { parseSidecar } from '../../src/trace/sidecar.js';

const igb = { model: 'igb' as const, mac: '52:54:00:12:34:56', properties: {} };

/** Value following `flag`, each time it occurs. */
function valuesOf(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1] ?? '<missing>'] : []));
}

describe('buildRecordArgs', () => {
  const args = buildRecordArgs({ device: igb, append: defaultAppend('init') });

  it('is the command traces/ were first recorded with, plus the frame capture, config-space events and -msg timestamp=on', () => {
    const recorded = parseSidecar(readFileSync('traces/linux-6.1-init.json', 'utf8'), 'linux-6.1-init.json').qemu_command ?? [];
    // Same options in the same order; ours adds the capture after -device and more before -D, and
    // keeps the kernel's empty-bus scans out of the config-space trace (pci=noearly,lastbus=0).
    const device = recorded.indexOf('-device') + 2;
    const d = recorded.indexOf('-D');
    const expected = [
      ...recorded.slice(0, device), '-object', 'filter-dump,id=dump0,netdev=n0,file=frames.pcap',
      ...recorded.slice(device, d), '-trace', 'pci_cfg_write', '-trace', 'pci_cfg_read', '-msg', 'timestamp=on', ...recorded.slice(d),
    ];
    const append = expected.indexOf('-append') + 1;
    expect(expected[append]).toBe('console=ttyS0 quiet panic=-1 igbrec=init');
    expected[append] = 'console=ttyS0 quiet panic=-1 pci=noearly,lastbus=0 igbrec=init';
    expect(['qemu-system-x86_64', ...args]).toEqual(expected);
    expect(valuesOf(args, '-trace')).toEqual([...RECORD_TRACE_PATTERNS]);
    expect(RECORD_TRACE_PATTERNS).toEqual(expect.arrayContaining(['pci_cfg_read', 'pci_cfg_write']));
    expect(valuesOf(args, '-msg')).toEqual(['timestamp=on']);
  });

  it('captures every frame of the NIC\'s netdev into the work directory', () => {
    expect(valuesOf(args, '-object')).toEqual([`filter-dump,id=dump0,netdev=n0,file=${WORK_FILES.pcap}`]);
    expect(valuesOf(args, '-netdev')).toEqual(['user,id=n0']);
  });

  it('gives the guest 512 MiB and one vCPU unless told otherwise', () => {
    expect(valuesOf(args, '-m')).toEqual(['512']);
    expect(valuesOf(args, '-smp')).toEqual(['1']);
    const bigger = buildRecordArgs({ device: igb, append: 'x', memoryMiB: 2048, smp: 4 });
    expect(valuesOf(bigger, '-m')).toEqual(['2048']);
    expect(valuesOf(bigger, '-smp')).toEqual(['4']);
  });

  it('puts the NIC behind a PCIe root port for SR-IOV, and only then', () => {
    expect(valuesOf(args, '-device')).toEqual(['igb,netdev=n0,mac=52:54:00:12:34:56']);
    const sriov = buildRecordArgs({ device: igb, append: 'x', rootPort: true });
    expect(valuesOf(sriov, '-device')).toEqual([ROOT_PORT_ARG, 'igb,bus=rp0,netdev=n0,mac=52:54:00:12:34:56']);
  });

  it('adds a QMP monitor QEMU connects to (a relative socket path) only when asked', () => {
    expect(args).not.toContain('-mon');
    const withQmp = buildRecordArgs({ device: igb, append: 'x', qmp: true });
    expect(valuesOf(withQmp, '-chardev')).toEqual([`socket,id=qmp0,path=${WORK_FILES.qmp}`]);
    expect(valuesOf(withQmp, '-mon')).toEqual(['chardev=qmp0,mode=control']);
    expect(withQmp.filter((arg) => arg.startsWith('/'))).toEqual([]);
  });

  it('joins the NIC, slirp and the recorder\'s frame stream on a hub for host frames, the capture on the NIC\'s port', () => {
    const hub = buildRecordArgs({ device: igb, append: 'x', hostFrames: true });
    expect(valuesOf(hub, '-netdev')).toEqual([
      'hubport,id=n0,hubid=0', 'user,id=slirp0', 'hubport,id=hub0slirp,hubid=0,netdev=slirp0',
      `stream,id=host0,server=off,addr.type=unix,addr.path=${WORK_FILES.hostFrames}`, 'hubport,id=hub0host,hubid=0,netdev=host0',
    ]);
    expect(valuesOf(hub, '-device')).toEqual(['igb,netdev=n0,mac=52:54:00:12:34:56']);
    expect(valuesOf(hub, '-object')).toEqual([`filter-dump,id=dump0,netdev=n0,file=${WORK_FILES.pcap}`]);
    expect(hub.filter((arg) => arg.startsWith('/'))).toEqual([]);
  });

  it('boots an aarch64 guest on the virt machine with the max CPU and its PL011 console, without the x86 PCI options', () => {
    const arm = buildRecordArgs({ device: igb, append: defaultAppend('init', undefined, 'aarch64'), arch: 'aarch64' });
    expect(arm.slice(0, 4)).toEqual(['-M', 'virt', '-cpu', 'max']);
    expect(valuesOf(arm, '-append')).toEqual(['console=ttyAMA0 quiet panic=-1 igbrec=init']);
    // Everything after the machine is the same command as on x86.
    expect(arm.slice(4).filter((arg) => arg !== valuesOf(arm, '-append')[0])).toEqual(args.slice(2).filter((arg) => arg !== valuesOf(args, '-append')[0]));
    expect(defaultAppend('nomsi', 'pci=nomsi', 'aarch64')).toBe('console=ttyAMA0 quiet panic=-1 igbrec=nomsi pci=nomsi');
  });

  it('turns virt\'s 64-bit PCI window off for SR-IOV on aarch64 (VF BARs there never reached the device), and only then', () => {
    expect(buildRecordArgs({ device: igb, append: 'x', arch: 'aarch64', rootPort: true }).slice(0, 4)).toEqual(['-M', 'virt,highmem=off', '-cpu', 'max']);
    expect(buildRecordArgs({ device: igb, append: 'x', rootPort: true }).slice(0, 2)).toEqual(['-M', 'q35']);
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
    expect(valuesOf(args, '-append')).toEqual(['console=ttyS0 quiet panic=-1 pci=noearly,lastbus=0 igbrec=init']);
  });

  it('appends what a scenario adds to the kernel command line after the scenario', () => {
    expect(defaultAppend('nomsi', 'pci=nomsi')).toBe('console=ttyS0 quiet panic=-1 pci=noearly,lastbus=0 igbrec=nomsi pci=nomsi');
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
