// One replay end to end: read the trace, plan it, run it against a fresh QEMU, compare, and
// always stop QEMU — also when the run fails midway, in which case the result is partial and
// says where it stopped.

import type { Access, Marker, TraceRecord } from '../model/access.js';
import type { ReplayResult, TargetDescription } from '../model/replay.js';
import { readTrace, type TraceSourceOptions } from '../formats/read-trace.js';
import { traceDeviceModel } from '../analysis/device-model.js';
import { registersFor } from '../regs/database.js';
import { chooseReplayDevice } from '../record/replay-device.js';
import { runPlan } from './engine.js';
import { planReplay } from './plan.js';
import { QemuReplayTarget, type TimeModeChoice } from './qemu-target.js';
import { buildResult } from './result.js';

export interface ReplayOptions {
  readonly qemu?: string;
  /** The user's `--device`; undefined: the recording's (from its sidecar X.json), else igb. */
  readonly device?: string;
  readonly time: TimeModeChoice;
  readonly strict: boolean;
  readonly lenient?: boolean;
  /** mmiotrace input: the NIC's BAR0 physical address (`--bar-base`). */
  readonly barBase?: number;
  readonly keepTempDir?: boolean;
  /** Progress of the replay itself (steps done of total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called once QEMU is up, with the target (for tests that need its pid or temp dir). */
  readonly onTarget?: (target: QemuReplayTarget) => void;
  /** Called with the result as soon as it is known, before QEMU is stopped (timing, early reporting). */
  readonly onResult?: (result: ReplayResult) => void;
  /** Problems worth telling the user that do not stop the replay (a stale sidecar). */
  readonly onWarning?: (message: string) => void;
  /** The trace's records when the caller has read them already (it needs them too): not read again. */
  readonly records?: readonly TraceRecord[];
}

/** The target a replay recreates: `-device` string and the MAC to give it. */
export interface ReplayDevice {
  readonly device: string;
  readonly mac?: string;
}

/** `source`: `--lenient` alone (boolean), or with `--bar-base`. */
export async function loadRecords(path: string, source: boolean | TraceSourceOptions = false): Promise<TraceRecord[]> {
  const records: TraceRecord[] = [];
  const { lenient, barBase } = typeof source === 'boolean' ? { lenient: source, barBase: undefined } : source;
  await readTrace(path, { access: (a: Access) => records.push(a), marker: (m: Marker) => records.push(m) }, { lenient, barBase });
  return records;
}

/** The MAC the recording's device had, from QEMU's own reset-time events, if the trace has them. */
export function recordedMac(records: readonly TraceRecord[]): string | undefined {
  for (const record of records) {
    for (const event of record.events) {
      if (event.name !== 'e1000e_mac_set_permanent' && event.name !== 'e1000x_mac_indicate') continue;
      const match = /([0-9a-f]{2}(?::[0-9a-f]{2}){5})/i.exec(event.text);
      if (match !== null) return match[1]!.toLowerCase();
    }
  }
  return undefined;
}

/**
 * The device a replay of `path` recreates: the user's `--device`, else the recording's from its
 * sidecar, else igb; the MAC from the recording QEMU's own events, else the sidecar's.
 */
export async function replayDevice(path: string, records: readonly TraceRecord[], userDevice: string | undefined,
  warn: (message: string) => void = () => undefined): Promise<ReplayDevice> {
  const chosen = await chooseReplayDevice(path, userDevice, warn);
  const mac = recordedMac(records) ?? chosen.mac;
  return mac === undefined ? { device: chosen.device } : { device: chosen.device, mac };
}

export async function replayTrace(path: string, options: ReplayOptions): Promise<ReplayResult> {
  const started = Date.now();
  const records = options.records ?? await loadRecords(path, options);
  // Named and planned with the recorded device's registers (an e1000e trace with the 82574L's);
  // what the target lacks comes from the target QEMU's own verdicts, whatever the device.
  const registers = registersFor(traceDeviceModel(records));
  const plan = planReplay(records, registers);
  const { device, mac } = await replayDevice(path, records, options.device, options.onWarning);
  const target = await QemuReplayTarget.start({ qemu: options.qemu, device, time: options.time, mac, keepTempDir: options.keepTempDir });
  try {
    options.onTarget?.(target);
    const run = await runPlan(plan, target, { onProgress: options.onProgress });
    const targetVerdicts = target.session.alive ? await target.verdicts() : { accesses: [], phyUnhandled: [] };
    const result = buildResult({
      trace: path, target: describe(target), plan, run, targetVerdicts, registers,
      options: { strict: options.strict }, durationMs: Date.now() - started,
    });
    options.onResult?.(result);
    return result;
  } finally {
    await target.close();
  }
}

function describe(target: QemuReplayTarget): TargetDescription {
  return {
    binary: target.session.binary.path,
    version: target.session.binary.version.text,
    device: target.device.text,
    qtestAccelerator: target.timeMode === 'clock-step',
    timeMode: target.timeMode,
  };
}
