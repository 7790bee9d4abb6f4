// Preparing a replay: from a loaded Trace to a ReplayJob — the plan, the register database that
// names and decodes it, and the target to run it against — without starting anything. The same job
// can then run against any number of targets (src/replay/run.ts): QEMU builds, or a fake in tests.

import type { RecordedDevice, Trace } from '../model/trace.js';
import type { TimeModeChoice } from '../model/replay.js';
import { registersFor, type RegisterDatabase } from '../regs/database.js';
import { parseDeviceOption, type DeviceOption } from './device-option.js';
import { configWritesRecorded, NEGOTIATION_START, negotiationVisible } from './plan.js';

/** The events that log the NIC's config writes: the PCI core's, and igb's own. */
const CONFIG_WRITE_EVENTS = ['pci_cfg_write', 'igb_write_config'];
import type { TraceSourceOptions } from '../formats/read-trace.js';
import type { RecordSource } from './record-windows.js';
import type { CompareOptions } from './compare-policy.js';
import { dataPathSpec, type DataPathSpec } from '../datapath/spec.js';
import type { NicPlacement } from '../target/topology.js';

/** What a target must be: the QEMU binary, the device and how time is controlled. */
export interface TargetSpec {
  /** Explicit QEMU binary (--qemu); else $QTEST_QEMU_BINARY, else qemu-system-x86_64 on PATH. */
  readonly qemu?: string;
  readonly device: DeviceOption;
  /** Where the NIC sits: the recording's placement (root bus, or behind its PCIe root port). */
  readonly placement: NicPlacement;
  readonly time: TimeModeChoice;
  readonly keepTempDir?: boolean;
  /** Guest RAM (MiB) the target needs: the recording's, when the data path writes guest memory. */
  readonly memoryMib?: number;
  /**
   * The NIC's netdev is the tool's (the data path sees and injects frames): always, or only when
   * the target runs with the qtest accelerator (clock-step), where its machine is never stopped and
   * frames leave as they are sent.
   */
  readonly ownNetdev?: OwnNetdev;
}

export interface ReplayJob {
  /** The trace as named on the command line. */
  readonly trace: string;
  /** Where the recording's records come from, window by window: memory, or the file read again. */
  readonly source: RecordSource;
  /** Accesses in the recording (for progress). */
  readonly accessCount: number;
  /** The recording logs autonegotiation starts (the planner follows pending ones: see plan.ts). */
  readonly negotiationVisible: boolean;
  /** The recording logs the NIC's config writes (pci_cfg_write, igb_write_config): see plan.ts CommandTracker. */
  readonly configWritesRecorded: boolean;
  readonly registers: RegisterDatabase;
  /** Records per window (default WINDOW_RECORDS); tests set small ones to cross many window boundaries. */
  readonly windowRecords?: number;
  readonly target: TargetSpec;
  readonly compare: CompareOptions;
  /** Frames, descriptors and guest memory: replayed from the capture, or why not (src/datapath/); absent: not replayed. */
  readonly dataPath?: DataPathSpec;
}

export type OwnNetdev = 'always' | 'with-clock-step';

export interface PrepareOptions {
  /** The user's `--device`; undefined: the recording's (its sidecar), else the model the trace shows. */
  readonly device?: string;
  readonly time: TimeModeChoice;
  readonly qemu?: string;
  readonly strict: boolean;
  readonly keepTempDir?: boolean;
  /** How the trace was read (--lenient, --bar-base), for reading it again. */
  readonly source?: TraceSourceOptions;
  /**
   * Replay the recorded transmits from the capture and compare the frames: undefined (the default)
   * when the target has the qtest accelerator (clock-step time); true (`--data-path`) also in
   * markers mode, where frames the stopped machine holds are let out by running its clock for an
   * instant (which can shift timer events); false (`--no-data-path`) never.
   */
  readonly dataPath?: boolean;
}

/**
 * A trace loaded with its records replays from memory; one loaded without (a long recording, see
 * loadTrace's keepRecords) is read again from its file as the replay goes, so memory stays bounded.
 */
export function prepareReplay(trace: Trace, options: PrepareOptions): ReplayJob {
  if (trace.records === undefined && trace.path === '-') throw new TypeError('a trace from standard input must be loaded with its records');
  // Named and planned with the recorded device's registers (an e1000e trace with the 82574L's);
  // what the target lacks comes from the target QEMU's own verdicts, whatever the device.
  const registers = registersFor(trace.device.model);
  const source: RecordSource = trace.records !== undefined ? { kind: 'memory', records: trace.records }
    : { kind: 'file', path: trace.path, options: options.source ?? {} };
  const dataPath: DataPathSpec = options.dataPath === false
    ? { notReplayed: 'the data path was switched off (--no-data-path): frames and descriptors are not checked' }
    : dataPathSpec(trace);
  return {
    trace: trace.path, source, registers,
    accessCount: trace.records?.filter((record) => record.type === 'access').length ?? trace.read.stats.accessLines,
    negotiationVisible: trace.records !== undefined ? negotiationVisible(trace.records) : (trace.read.stats.deviceEvents.get(NEGOTIATION_START) ?? 0) > 0,
    configWritesRecorded: trace.records !== undefined ? configWritesRecorded(trace.records)
      : CONFIG_WRITE_EVENTS.some((name) => (trace.read.stats.deviceEvents.get(name) ?? 0) > 0),
    target: targetSpec(trace.device, trace.mac, options, dataPath),
    compare: { strict: options.strict },
    dataPath,
  };
}

/**
 * The target a replay of a recording of `recorded` (with MAC `mac`) runs against; src/replay/early-target.ts
 * asks it of a guess before the trace is loaded. Throws DeviceOptionError for a bad `--device`.
 */
export function targetSpec(recorded: Pick<RecordedDevice, 'model' | 'properties' | 'placement'>, mac: string | undefined,
  options: Pick<PrepareOptions, 'device' | 'time' | 'qemu' | 'keepTempDir' | 'dataPath'>, dataPath: DataPathSpec | undefined): TargetSpec {
  return {
    device: deviceOption(recorded, mac, options.device), placement: recorded.placement, time: options.time,
    ...(options.qemu === undefined ? {} : { qemu: options.qemu }),
    ...(options.keepTempDir === undefined ? {} : { keepTempDir: options.keepTempDir }),
    ...(dataPath?.capture === undefined ? {} : {
      ownNetdev: options.dataPath === true ? 'always' : 'with-clock-step',
      ...(dataPath.memoryMib === undefined ? {} : { memoryMib: dataPath.memoryMib }),
    }),
  };
}

/**
 * The device a replay recreates: the user's `--device`, else the recorded one (model and
 * properties from the sidecar); the MAC is the user's if the device string gives one, else the
 * recording's. Throws DeviceOptionError for a bad `--device`.
 */
export function targetDevice(trace: Trace, userDevice: string | undefined): DeviceOption {
  return deviceOption(trace.device, trace.mac, userDevice);
}

function deviceOption(recorded: Pick<RecordedDevice, 'model' | 'properties'>, mac: string | undefined, userDevice: string | undefined): DeviceOption {
  const text = [recorded.model, ...Object.entries(recorded.properties).map(([key, value]) => `${key}=${value}`)].join(',');
  return parseDeviceOption(userDevice ?? text, mac);
}
