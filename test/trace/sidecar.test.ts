// The sidecar reader: every real sidecar in traces/ loads and describes its trace; malformed
// sidecars (synthetic texts below, each labelled) fail with file:line: reason: offending text;
// what `record` writes reads back unchanged.
import { describe, expect, it } from '@jest/globals';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSidecar } from '../../src/record/build-sidecar.js';
import { findSidecar, recordingSha256 } from '../../src/trace/sidecar-device.js';
import { parseSidecar, readSidecar, recordedDevice, serializeSidecar, sidecarPathFor, SidecarError, type Sidecar } from '../../src/trace/sidecar.js';

const REAL = readdirSync('traces').filter((name) => name.endsWith('.json')).sort();

describe('a gzip-compressed recording', () => {
  it('keeps its sidecar: the sha256 is the recording\'s bytes, not the container\'s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'igb-replay-sidecar-'));
    try {
      const log = readFileSync('traces/linux-6.1-init.log');
      writeFileSync(join(dir, 'linux-6.1-init.log.gz'), gzipSync(log));
      copyFileSync('traces/linux-6.1-init.json', join(dir, 'linux-6.1-init.json'));
      const warnings: string[] = [];
      const found = await findSidecar(join(dir, 'linux-6.1-init.log.gz'), (message) => warnings.push(message));
      expect(warnings).toEqual([]);
      expect(found?.content.trace).toBe('linux-6.1-init.log');
      // Another recording's bytes, compressed, are not described by it.
      writeFileSync(join(dir, 'linux-6.1-init.log.gz'), gzipSync(readFileSync('traces/linux-6.12-init.log')));
      expect(await findSidecar(join(dir, 'linux-6.1-init.log.gz'), (message) => warnings.push(message))).toBeUndefined();
      expect(warnings[0]).toMatch(/not using its device/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('real sidecars in traces/', () => {
  it('there are some', () => {
    expect(REAL.length).toBeGreaterThanOrEqual(5);
  });

  it.each(REAL)('%s loads, names its trace and has its sha256', async (name) => {
    const sidecar = await readSidecar(join('traces', name));
    expect(sidecarPathFor(join('traces', sidecar.trace))).toBe(join('traces', name));
    // A long recording is shipped gzip-compressed (X.log.gz); the sidecar describes its bytes.
    const trace = join('traces', sidecar.trace);
    expect(sidecar.sha256).toBe(await recordingSha256(existsSync(trace) ? trace : `${trace}.gz`));
    // Older sidecars have no device_model: the device comes out of the -device string QEMU ran with.
    // The NIC's -device is the one on the netdev (an SR-IOV recording has a root port first).
    const command = sidecar.qemu_command ?? [];
    const deviceArg = command.find((arg, i) => command[i - 1] === '-device' && arg.includes(',netdev=')) ?? '';
    // Behind a root port exactly when the command line made one and put the NIC on its bus.
    const port = command.find((arg, i) => command[i - 1] === '-device' && arg.startsWith('pcie-root-port,'));
    const placement = port === undefined ? { kind: 'root-bus' } : { kind: 'root-port', device: port };
    if (port !== undefined) expect(deviceArg).toContain(`bus=${/id=([^,]+)/.exec(port)?.[1]}`);
    expect(recordedDevice(sidecar)).toEqual({ model: deviceArg.split(',')[0], properties: {}, mac: '52:54:00:12:34:56', placement });
    expect(['igb', 'e1000e']).toContain(recordedDevice(sidecar)?.model);
  });
});

describe('sidecarPathFor', () => {
  it.each([
    ['traces/linux-6.1-init.log', 'traces/linux-6.1-init.json'],
    ['x.log.gz', 'x.json'],
    ['dir.v2/trace', 'dir.v2/trace.json'],
    ['a.b.log', 'a.b.json'],
  ])('%s → %s', (trace, sidecar) => {
    expect(sidecarPathFor(trace)).toBe(sidecar);
  });
});

/** Synthetic: a minimal valid sidecar, one field per line. */
const MINIMAL = `{
  "trace": "t.log",
  "sha256": "${'a'.repeat(64)}",
  "lines": 3,
  "device": "e1000e,netdev=n0,mac=52:54:00:aa:bb:cc,x-pcie-flr-init=off"
}
`;

function errorOf(text: string): SidecarError {
  try {
    parseSidecar(text, 'bad.json');
  } catch (error) {
    if (error instanceof SidecarError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('validation (synthetic sidecars)', () => {
  it('accepts a minimal one and keeps unknown fields', () => {
    const sidecar = parseSidecar(MINIMAL.replace('"lines": 3,', '"lines": 3,\n  "future_field": [1],'), 'ok.json');
    expect(sidecar.trace).toBe('t.log');
    expect(sidecar.future_field).toEqual([1]);
  });

  it.each([
    ['"lines": 3', '"lines": "3"', 4, 'field "lines": expected a non-negative integer: "3"'],
    ['"lines": 3', '"lines": -1', 4, 'field "lines": expected a non-negative integer: -1'],
    [`"sha256": "${'a'.repeat(64)}"`, '"sha256": "abc"', 3, 'field "sha256": malformed value: "abc"'],
    ['"lines": 3', '"lines": 3, "mac": "52:54:00"', 4, 'field "mac": malformed value: "52:54:00"'],
    ['"lines": 3', '"lines": 3, "qemu_command": ["a", 1]', 4, 'field "qemu_command": expected an array of strings: ["a",1]'],
    ['"lines": 3', '"lines": 3, "device_properties": {"a": 1}', 4, 'field "device_properties": expected an object of string values: {"a":1}'],
    ['"trace": "t.log"', '"trace": "../t.log"', 2, 'field "trace": malformed value: "../t.log"'],
  ])('%s → %s fails at line %i', (from, to, line, reason) => {
    const error = errorOf(MINIMAL.replace(from, to));
    expect(error.line).toBe(line);
    expect(error.message).toBe(`bad.json:${line}: ${reason}`);
  });

  it('names a missing required field', () => {
    expect(errorOf(MINIMAL.replace(/ {2}"trace": "t.log",\n/, '')).message).toBe('bad.json:1: missing field "trace"');
  });

  it('gives the line of a JSON syntax error', () => {
    const error = errorOf(MINIMAL.replace('"lines": 3,', '"lines": 3,,'));
    expect(error.line).toBe(4);
    expect(error.reason).toBe('not valid JSON');
  });

  it('rejects a document that is not an object', () => {
    expect(errorOf('[1, 2]\n').message).toBe('bad.json:1: expected a JSON object: [1,2]');
  });
});

describe('recordedDevice', () => {
  it('takes the model and properties apart from an old-style device string, without netdev or mac', () => {
    expect(recordedDevice(parseSidecar(MINIMAL, 'x.json'))).toEqual({
      model: 'e1000e', properties: { 'x-pcie-flr-init': 'off' }, mac: '52:54:00:aa:bb:cc', placement: { kind: 'root-bus' },
    });
  });

  it('prefers device_model/device_properties/mac, dropping properties the replay sets itself', () => {
    const sidecar: Sidecar = {
      trace: 't.log', sha256: 'a'.repeat(64), device: 'igb,netdev=n0', device_model: 'e1000e',
      device_properties: { id: 'nic0', netdev: 'n0', 'x-pcie-flr-init': 'off' }, mac: '52:54:00:00:00:07',
    };
    expect(recordedDevice(sidecar)).toEqual({
      model: 'e1000e', properties: { 'x-pcie-flr-init': 'off' }, mac: '52:54:00:00:00:07', placement: { kind: 'root-bus' },
    });
  });

  it('puts the NIC behind the root port the sidecar names (an SR-IOV recording)', () => {
    const sidecar: Sidecar = {
      trace: 't.log', sha256: 'a'.repeat(64), device: 'igb,bus=rp0,netdev=n0,mac=52:54:00:12:34:56', pcie_root_port: 'pcie-root-port,id=rp0,slot=0',
    };
    expect(recordedDevice(sidecar)).toEqual({
      model: 'igb', properties: {}, mac: '52:54:00:12:34:56', placement: { kind: 'root-port', device: 'pcie-root-port,id=rp0,slot=0' },
    });
  });

  it('is undefined without any device information', () => {
    expect(recordedDevice({ trace: 't.log', sha256: 'a'.repeat(64) })).toBeUndefined();
  });
});

describe('what record writes', () => {
  it('serializes to a sidecar that reads back equal, with the fields traces/ sidecars have', () => {
    const sidecar = buildSidecar({
      tracePath: '/somewhere/out.log', trace: { sha256: 'b'.repeat(64), lines: 10, bytes: 500 }, scenario: 'init',
      recordedAt: new Date('2026-01-02T03:04:05.678Z'), recordedBy: 'igb-replay record -o out.log', hostOs: 'Debian',
      qemuBinary: '/usr/bin/qemu-system-x86_64', qemuVersion: 'QEMU emulator version 10.0.2', qemuArgs: ['-M', 'q35'], timeoutS: 180,
      device: { model: 'igb', mac: '52:54:00:12:34:56', properties: { 'x-pcie-flr-init': 'off' } }, append: 'console=ttyS0',
      rootPort: false, memoryMiB: 512, smp: 1, arch: 'x86_64',
      guest: { kernel: '/k', initrd: '/i', project: true, info: { kernel_package: 'linux-image-x', modules: ['dca', 'igb'] }, initScript: '#!/bin/sh\n' },
      vmlinuzSha256: 'c'.repeat(64), initrdSha256: 'd'.repeat(64), consoleMarkers: ['IGBREC: done init'],
      pcap: { file: 'out.pcap', sha256: 'e'.repeat(64), bytes: 24, frames: 0 },
    });
    const back = parseSidecar(serializeSidecar(sidecar), 'out.json');
    expect(back).toEqual(sidecar);
    expect(back).toMatchObject({
      trace: 'out.log', recorded_at: '2026-01-02T03:04:05Z', qemu_command: ['qemu-system-x86_64', '-M', 'q35'],
      device: 'igb,netdev=n0,mac=52:54:00:12:34:56,x-pcie-flr-init=off', device_model: 'igb',
      device_properties: { 'x-pcie-flr-init': 'off' }, guest_modules: ['dca.ko', 'igb.ko'], kernel_package: 'linux-image-x',
      guest_arch: 'x86_64',
    });
    // Every field a traces/ sidecar has, where it applies to this recording, is there too.
    const real = JSON.parse(readFileSync('traces/linux-6.1-init.json', 'utf8')) as Record<string, unknown>;
    const notApplicable = ['kernel_version', 'kernel_deb', 'kernel_deb_sha256', 'kernel_image', 'busybox_package', 'busybox_version', 'guest_udhcpc_script'];
    expect(Object.keys(real).filter((key) => !(key in back) && !notApplicable.includes(key))).toEqual([]);
    expect(recordedDevice(back)).toEqual({ model: 'igb', properties: { 'x-pcie-flr-init': 'off' }, mac: '52:54:00:12:34:56', placement: { kind: 'root-bus' } });
  });
});
