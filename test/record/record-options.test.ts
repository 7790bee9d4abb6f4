// `record`'s machine options (--smp, --memory, --timeout) are checked before anything starts, and
// the sidecar's recorded_by repeats them. Pure: no QEMU here.
import { describe, expect, it } from '@jest/globals';
import { kernelPackageOf, type RecordArgs } from '../../src/cli/commands/record.js';
import { checkMachineOptions, defaultOutput, invocation } from '../../src/cli/handlers/record.js';
import { DEFAULT_KERNEL_PACKAGE } from '../../src/record/defaults.js';
import { UsageError } from '../../src/cli/errors.js';

const ARGS: RecordArgs = { scenario: 'rss', device: 'igb', kernelPackage: 'linux-image-6.1.0-56-amd64', arch: 'x86_64', timeout: 180, keepTemp: false };

describe('checkMachineOptions', () => {
  it('accepts the defaults and sensible values', () => {
    expect(() => checkMachineOptions(ARGS)).not.toThrow();
    expect(() => checkMachineOptions({ ...ARGS, smp: 4, memory: 2048 })).not.toThrow();
  });

  it.each([
    [{ smp: 0 }, '--smp must be a whole number of vCPUs from 1 to 64, got 0'],
    [{ smp: 1.5 }, '--smp must be a whole number of vCPUs from 1 to 64, got 1.5'],
    [{ smp: Number.NaN }, '--smp must be a whole number of vCPUs from 1 to 64, got NaN'],
    [{ memory: 64 }, '--memory must be a whole number of MiB, at least 128, got 64'],
    [{ memory: 512.5 }, '--memory must be a whole number of MiB, at least 128, got 512.5'],
    [{ timeout: 0 }, '--timeout must be a positive number of seconds, got 0'],
  ])('%j: a usage error', (bad, message) => {
    expect(() => checkMachineOptions({ ...ARGS, ...bad })).toThrow(UsageError);
    expect(() => checkMachineOptions({ ...ARGS, ...bad })).toThrow(message);
  });
});

describe('invocation', () => {
  it('names --smp and --memory when given, and only then', () => {
    expect(invocation({ ...ARGS, smp: 2, memory: 1024 }, 'rss.log')).toMatch(/^igb-replay record --scenario rss --device igb -o rss\.log -k linux-image-6\.1\.0-56-amd64 --smp 2 --memory 1024 --timeout 180 \(igb-replay /);
    expect(invocation(ARGS, 'rss.log')).not.toMatch(/--smp|--memory/);
  });

  it('names the architecture when it is not x86, with the kernel package of that architecture', () => {
    expect(invocation(ARGS, 'rss.log')).not.toMatch(/--arch/);
    expect(invocation({ ...ARGS, kernelPackage: undefined, arch: 'aarch64' }, 'arm.log'))
      .toMatch(/^igb-replay record --scenario rss --device igb -o arm\.log -k linux-image-6\.1\.0-56-arm64 --arch aarch64 --timeout 180 /);
  });
});

describe('defaultOutput', () => {
  it('names the kernel, the device and the scenario, and the architecture when it is not x86', () => {
    expect(defaultOutput({ ...ARGS, kernelPackage: undefined }, 'igb')).toBe('linux-6.1-igb-rss.log');
    expect(defaultOutput({ ...ARGS, kernelPackage: undefined, arch: 'aarch64' }, 'igb')).toBe('linux-6.1-aarch64-igb-rss.log');
    expect(defaultOutput({ ...ARGS, kernel: 'Image', arch: 'aarch64' }, 'e1000e')).toBe('aarch64-e1000e-rss.log');
  });
});

describe('kernelPackageOf', () => {
  it('is the one given, else the default kernel build of the architecture', () => {
    expect(kernelPackageOf({ kernelPackage: 'linux-image-6.12.95+deb12-amd64', arch: 'aarch64' })).toBe('linux-image-6.12.95+deb12-amd64');
    expect(kernelPackageOf({ arch: 'x86_64' })).toBe(DEFAULT_KERNEL_PACKAGE);
    expect(kernelPackageOf({ arch: 'aarch64' })).toBe('linux-image-6.1.0-56-arm64');
  });
});
