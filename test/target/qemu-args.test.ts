import { describe, it, expect } from '@jest/globals';
import {
  DEFAULT_MACHINE, buildQemuArgs, escapeOptionValue, haltFirmwareImage, type MachineConfig, type SessionFiles,
} from '../../src/target/qemu-args.js';

const FILES: SessionFiles = { qtest: { kind: 'unix', path: '/t/q.sock' }, qmpSocket: '/t/m.sock', log: '/t/qemu.log' };

describe('buildQemuArgs', () => {
  it('builds the default paused igb target', () => {
    expect(buildQemuArgs(DEFAULT_MACHINE, FILES)).toEqual([
      '-M', 'q35', '-nodefaults', '-no-user-config', '-display', 'none', '-S',
      '-chardev', 'socket,id=qtest0,path=/t/q.sock', '-qtest', 'chardev:qtest0', '-qtest-log', 'none',
      '-chardev', 'socket,id=qmp0,path=/t/m.sock', '-mon', 'chardev=qmp0,mode=control',
      '-D', '/t/qemu.log',
      '-netdev', 'user,id=net0,restrict=on',
      '-device', 'igb,addr=2.0,mac=52:54:00:12:34:56,netdev=net0',
    ]);
  });

  it('builds the drained-icount mode (M5) with traces, stdio and no netdev', () => {
    const config: MachineConfig = {
      ...DEFAULT_MACHINE, model: 'e1000e', slot: 0x1f, fn: 1, icount: true, pit: false, firmware: '/t/halt.bin',
      trace: ['e1000e_link*', 'igb_*'], netdev: 'none', accel: 'tcg', deviceProperties: { 'x-pcie-flr-init': 'off' },
      machineOptions: ['usb=off'], extraArgs: ['-m', '256'],
    };
    const args = buildQemuArgs(config, { qtest: { kind: 'stdio' }, log: '/t/qemu.log' });
    expect(args.join(' ')).toBe([
      '-M q35,pit=off,usb=off -nodefaults -no-user-config -display none -accel tcg -S -icount shift=0,sleep=off',
      '-bios /t/halt.bin -qtest stdio -qtest-log none -D /t/qemu.log -trace e1000e_link* -trace igb_*',
      '-device e1000e,addr=1f.1,mac=52:54:00:12:34:56,x-pcie-flr-init=off -m 256',
    ].join(' '));
  });

  it('escapes commas in socket paths', () => {
    expect(escapeOptionValue('run/a,b/q.sock')).toBe('run/a,,b/q.sock');
    const args = buildQemuArgs(DEFAULT_MACHINE, { ...FILES, qtest: { kind: 'unix', path: '/a,b/q' } });
    expect(args).toContain('socket,id=qtest0,path=/a,,b/q');
  });

  it.each<[Partial<MachineConfig>, RegExp]>([
    [{ slot: 0 }, /slot/],
    [{ slot: 32 }, /slot/],
    [{ fn: 8 }, /function/],
    [{ mac: '52:54:00:12:34' }, /MAC/],
    [{ trace: ['igb*,file=/etc/x'] }, /trace pattern/],
    [{ machineOptions: ['a=b,c=d'] }, /machine option/],
    [{ deviceProperties: { 'bad,key': 'x' } }, /property/],
  ])('rejects %j', (override, message) => {
    expect(() => buildQemuArgs({ ...DEFAULT_MACHINE, ...override }, FILES)).toThrow(message);
  });
});

describe('haltFirmwareImage', () => {
  it('is 64 KiB of NOPs with hlt; jmp $-1 at the reset vector', () => {
    const image = haltFirmwareImage();
    expect(image.length).toBe(65536);
    expect(Array.from(image.subarray(0xfff0, 0xfff3))).toEqual([0xf4, 0xeb, 0xfd]);
    expect(image[0]).toBe(0x90);
    expect(image[0xffff]).toBe(0x90);
  });
});
