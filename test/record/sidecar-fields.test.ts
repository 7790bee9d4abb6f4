// The sidecar fields `record` added for the data-path checks (frame capture, guest RAM and vCPUs,
// root port, host events, host sink): written by buildSidecar, read back unchanged, validated like
// the older fields (file:line: reason: offending text), and optional, so older sidecars still load.
// The sidecar texts below are synthetic.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { buildSidecar, type SidecarInput } from '../../src/record/build-sidecar.js';
import { parseSidecar, serializeSidecar, SidecarError } from '../../src/trace/sidecar.js';

const SHA = 'a'.repeat(64);

const INPUT: SidecarInput = {
  tracePath: 'out/sriov.log', trace: { sha256: SHA, lines: 3, bytes: 99 }, scenario: 'sriov',
  recordedAt: new Date('2026-12-04T18:00:00Z'), recordedBy: 'igb-replay record --scenario sriov', qemuBinary: '/usr/bin/qemu-system-x86_64',
  qemuVersion: 'QEMU emulator version 10.0.2', qemuArgs: ['-M', 'q35'], timeoutS: 180,
  device: { model: 'igb', mac: '52:54:00:12:34:56', properties: {} }, rootPort: true, memoryMiB: 1024, smp: 2, arch: 'x86_64',
  append: 'console=ttyS0', guest: { kernel: '/k', initrd: '/i', project: true, info: { modules: ['igb'], extra_modules: ['8021q', 'igbvf'] } },
  vmlinuzSha256: SHA, initrdSha256: SHA, consoleMarkers: ['IGBREC: done sriov'],
  pcap: { file: 'sriov.pcap', sha256: 'b'.repeat(64), bytes: 1000, frames: 12 },
  hostEvents: [{ command: 'set_link', netdev: 'n0', up: false, trace_line: 40 }],
  hostSink: { tcp_connections: 2, udp_puts: 1 },
};

/** A minimal valid sidecar with one field set to `value`, as text. */
const withField = (key: string, value: unknown): string => `{\n  "trace": "t.log",\n  "sha256": "${SHA}",\n  ${JSON.stringify(key)}: ${JSON.stringify(value)}\n}\n`;

describe('the new fields', () => {
  it('are written by buildSidecar and read back unchanged', () => {
    const sidecar = buildSidecar(INPUT);
    expect(sidecar).toMatchObject({
      memory_mib: 1024, smp: 2, pcie_root_port: 'pcie-root-port,id=rp0,slot=0', device: 'igb,bus=rp0,netdev=n0,mac=52:54:00:12:34:56',
      pcap: INPUT.pcap, host_events: INPUT.hostEvents, host_sink: INPUT.hostSink, guest_extra_modules: ['8021q.ko', 'igbvf.ko'],
      guest_arch: 'x86_64',
    });
    expect(parseSidecar(serializeSidecar(sidecar), 'sriov.json')).toEqual(sidecar);
  });

  it('list a split kernel package\'s parts (Debian\'s newer packaging), and nothing for a kernel in one package', () => {
    const part = { package: 'linux-binary-7.3.4+deb13-amd64=7.3.4-1~bpo13+1', deb: 'linux-binary-7.3.4+deb13-amd64_7.3.4-1~bpo13+1_amd64.deb', sha256: 'c'.repeat(64) };
    const info = { ...INPUT.guest.info, kernel_parts: [part] };
    const split = buildSidecar({ ...INPUT, guest: { ...INPUT.guest, info } });
    expect(split.kernel_parts).toEqual([`linux-binary-7.3.4+deb13-amd64=7.3.4-1~bpo13+1 ${'c'.repeat(64)}`]);
    expect(parseSidecar(serializeSidecar(split), 'split.json')).toEqual(split);
    expect('kernel_parts' in buildSidecar({ ...INPUT, guest: { ...INPUT.guest, info: { ...info, kernel_parts: [] } } })).toBe(false);
    expect('kernel_parts' in buildSidecar(INPUT)).toBe(false);
  });

  it('leave out what does not apply: no root port, host events or sink', () => {
    const plain = buildSidecar({ ...INPUT, rootPort: false, hostEvents: undefined, hostSink: undefined });
    expect('host_events' in plain || 'host_sink' in plain || 'pcie_root_port' in plain).toBe(false);
    expect(plain.device).toBe('igb,netdev=n0,mac=52:54:00:12:34:56');
  });

  it('are optional: a sidecar written before them still loads', () => {
    const old = parseSidecar(readFileSync('traces/linux-6.1-traffic.json', 'utf8'), 'linux-6.1-traffic.json');
    expect(old.pcap).toBeUndefined();
    expect(old.memory_mib).toBeUndefined();
  });
});

describe('validation of the new fields', () => {
  it.each([
    ['memory_mib', '512', 'expected a non-negative integer'],
    ['smp', 1.5, 'expected a non-negative integer'],
    ['pcie_root_port', 'ioh3420,id=rp0', 'malformed value'],
    ['guest_arch', 'riscv64', 'malformed value'],
    ['guest_arch', 64, 'expected a string'],
    ['pcap', 'x.pcap', 'expected an object {file, sha256, bytes, frames}'],
    ['pcap', { file: 'dir/x.pcap', sha256: SHA, bytes: 1, frames: 1 }, 'expected "file" to be a file name'],
    ['pcap', { file: 'x.pcap', sha256: 'ABC', bytes: 1, frames: 1 }, 'expected "sha256" to be 64 lowercase hex digits'],
    ['pcap', { file: 'x.pcap', sha256: SHA, bytes: 1, frames: -1 }, 'expected "bytes" and "frames" to be non-negative integers'],
    ['host_events', { command: 'set_link' }, 'expected an array of {command, netdev, up, trace_line}'],
    ['host_events', [{ command: 'set_link', netdev: 'n0', up: 'no', trace_line: 3 }], 'entry 0: expected {"command": "set_link", "netdev": string, "up": boolean, "trace_line": line number}'],
    ['host_events', [{ command: 'set_link', netdev: 'n0', up: true, trace_line: 0 }], 'entry 0: expected'],
    ['host_events', [{ command: 'reboot', netdev: 'n0', up: true, trace_line: 3 }], 'entry 0: expected'],
    ['host_sink', { tcp_connections: '2' }, 'expected an object of non-negative integers'],
    ['guest_extra_modules', 'igbvf.ko', 'expected an array of strings'],
  ])('%s = %j: %s, on the field\'s line', (key, value, reason) => {
    const text = withField(key, value);
    expect(() => parseSidecar(text, 'x.json')).toThrow(SidecarError);
    expect(() => parseSidecar(text, 'x.json')).toThrow(`x.json:4: field "${key}": ${reason}`);
  });

  it('accepts well-formed values', () => {
    expect(parseSidecar(withField('pcap', INPUT.pcap), 'x.json').pcap).toEqual(INPUT.pcap);
    expect(parseSidecar(withField('host_events', []), 'x.json').host_events).toEqual([]);
    expect(parseSidecar(withField('pcie_root_port', 'pcie-root-port,id=rp0,slot=0'), 'x.json').pcie_root_port).toBe('pcie-root-port,id=rp0,slot=0');
  });
});
