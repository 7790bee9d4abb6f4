// Whether a recording's data path can be replayed, decided once when a replay is prepared: it can
// when its sidecar names a capture of the NIC's frames that is there, and the recording's MAC
// (which tells the frames the guest sent from those it received) is known. Otherwise the report
// says exactly what is not checked and why.

import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Trace, TraceSidecar } from '../model/trace.js';
import { GUEST_ARCH_TABLE, guestArchOf } from '../devices/guest-arch.js';

const MIB = 1024 * 1024;
/**
 * q35 keeps all of its RAM below 4 GiB, from address 0 up, while it is smaller than this
 * (above, RAM from 2 GiB on moves above 4 GiB): a recording whose RAM starts higher (aarch64's
 * virt: 1 GiB) replays with RAM up to its end, which must stay below it.
 */
const Q35_CONTIGUOUS_RAM_MIB = 0xb000_0000 / MIB;
/** QEMU's RAM without -m, on q35 and virt alike. */
const QEMU_DEFAULT_RAM_MIB = 128;

/**
 * The replay machine's RAM (MiB) for a recording's sidecar: its `-m`, plus where its RAM started
 * (descriptors and buffers lie at the recorded guest-physical addresses); or why it cannot.
 */
export function replayMemory(sidecar: TraceSidecar | undefined): { memoryMib?: number; problem?: string } {
  if (sidecar === undefined) return {};
  const arch = guestArchOf(sidecar.content.guest_arch);
  const ramBase = arch === undefined ? 0 : GUEST_ARCH_TABLE[arch].ramBase;
  const recorded = sidecar.content.memory_mib;
  if (ramBase === 0) return recorded === undefined ? {} : { memoryMib: recorded };
  const memoryMib = recorded ?? QEMU_DEFAULT_RAM_MIB;
  const end = ramBase / MIB + memoryMib;
  if (end > Q35_CONTIGUOUS_RAM_MIB) {
    return { problem: `the ${arch ?? '?'} guest's RAM (${memoryMib} MiB from ${ramBase / MIB} MiB) ends above the ${Q35_CONTIGUOUS_RAM_MIB} MiB the replay's q35 machine keeps contiguous below 4 GiB, so its descriptors and buffers cannot be put at their recorded addresses: frames sent and received, TX/RX descriptors and their writebacks are not checked` };
  }
  return { memoryMib: end };
}

export interface DataPathSpec {
  /** The capture of every frame on the NIC's netdev (the sidecar's `pcap`), when it can be replayed. */
  readonly capture?: string;
  /** The NIC's MAC: frames from it went out, the others came in. */
  readonly mac?: string;
  /** Guest RAM of the recording (MiB), for seeding memory at the recorded addresses. */
  readonly memoryMib?: number;
  /** Why the data path is not replayed, when it is not (a sentence for the report). */
  readonly notReplayed?: string;
  /** VF events of a recording with SR-IOV virtual functions at work (VF mailbox and config writes), when it has them. */
  readonly vfEvents?: number;
}

/**
 * Events only a recording with SR-IOV virtual functions at work has: the VF side of the mailbox
 * and VF config writes (igb_core_vf_reset is not one: every PF reset logs it for each VF slot).
 */
const VF_EVENTS = ['igb_set_vfmailbox', 'igbvf_write_config'];

export function dataPathSpec(trace: Trace): DataPathSpec {
  const spec = captureSpec(trace.sidecar, trace.mac);
  const vfEvents = VF_EVENTS.reduce((n, name) => n + (trace.read.stats.deviceEvents.get(name) ?? 0), 0);
  // A VF's queues are PF queues of its pool, followed like any other, and its frames carry the MAC
  // the PF driver gave it (own-macs.ts). Frames the device switches between its pools itself are
  // told apart from the wire's by what came just before their receipt (rx-path.ts RecordedFrame).
  return vfEvents === 0 || spec.capture === undefined ? spec : { ...spec, vfEvents };
}

/**
 * What the sidecar alone decides: a capture that is there and a MAC to tell its frames apart. The
 * early target start (src/replay/early-target.ts) asks this before the trace is read.
 */
export function captureSpec(sidecar: TraceSidecar | undefined, mac: string | undefined): DataPathSpec {
  const { memoryMib, problem } = replayMemory(sidecar);
  const withMemory = memoryMib === undefined ? {} : { memoryMib };
  if (problem !== undefined) return { notReplayed: problem };
  if (sidecar === undefined) {
    return { notReplayed: 'the recording has no sidecar naming a frame capture (recordings from before `record` captured frames): frames sent and received, TX/RX descriptors and their writebacks are not checked' };
  }
  const pcap = sidecar.content.pcap;
  if (pcap === undefined) {
    return { ...withMemory, notReplayed: `${sidecar.file} names no frame capture (\`pcap\`; recorded before frames were captured): frames sent and received, TX/RX descriptors and their writebacks are not checked` };
  }
  const capture = join(dirname(sidecar.file), pcap.file);
  const size = fileSize(capture);
  if (size === undefined || size !== pcap.bytes) {
    const problem = size === undefined ? 'is missing' : `has ${size} bytes, not the ${pcap.bytes} the sidecar says`;
    return { ...withMemory, notReplayed: `the capture ${capture} named by ${sidecar.file} ${problem}: frames sent and received, TX/RX descriptors and their writebacks are not checked` };
  }
  if (mac === undefined) {
    return { ...withMemory, notReplayed: 'the recording\'s MAC is not known, so sent and received frames cannot be told apart: the data path is not checked' };
  }
  return { capture, mac, ...withMemory };
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
