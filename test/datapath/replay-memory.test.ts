// The replay machine's RAM for a recording: as much as the recording's guest had, starting where
// that guest's RAM started (descriptors and buffers are seeded at the recorded guest-physical
// addresses). Pure: sidecars built here are synthetic, not recordings.
import { describe, expect, it } from '@jest/globals';
import { captureSpec, replayMemory } from '../../src/datapath/spec.js';
import type { TraceSidecar } from '../../src/model/trace.js';

function sidecar(fields: Record<string, unknown>): TraceSidecar {
  return { file: '/nowhere/t.json', content: { trace: 't.log', sha256: 'a'.repeat(64), ...fields } } as TraceSidecar;
}

describe('replayMemory', () => {
  it('is the recording\'s RAM for an x86 guest, named or from before the field existed', () => {
    expect(replayMemory(sidecar({ memory_mib: 512 }))).toEqual({ memoryMib: 512 });
    expect(replayMemory(sidecar({ memory_mib: 4096, guest_arch: 'x86_64' }))).toEqual({ memoryMib: 4096 });
  });

  it('reaches up to the end of an aarch64 guest\'s RAM, which starts at 1 GiB on virt', () => {
    expect(replayMemory(sidecar({ memory_mib: 512, guest_arch: 'aarch64' }))).toEqual({ memoryMib: 1536 });
    expect(replayMemory(sidecar({ memory_mib: 1792, guest_arch: 'aarch64' }))).toEqual({ memoryMib: 2816 });
  });

  it('says why when that end would not be contiguous RAM on q35', () => {
    const { memoryMib, problem } = replayMemory(sidecar({ memory_mib: 2048, guest_arch: 'aarch64' }));
    expect(memoryMib).toBeUndefined();
    expect(problem).toMatch(/aarch64 guest's RAM \(2048 MiB from 1024 MiB\) ends above the 2816 MiB/);
    expect(captureSpec(sidecar({ memory_mib: 2048, guest_arch: 'aarch64', pcap: { file: 't.pcap', sha256: 'b'.repeat(64), bytes: 1, frames: 1 } }), '52:54:00:12:34:56'))
      .toEqual({ notReplayed: problem });
  });

  it('is QEMU\'s default without a sidecar or its RAM size, above where the guest\'s RAM starts', () => {
    expect(replayMemory(undefined)).toEqual({});
    expect(replayMemory(sidecar({}))).toEqual({});
    expect(replayMemory(sidecar({ guest_arch: 'aarch64' }))).toEqual({ memoryMib: 1024 + 128 });
  });
});
