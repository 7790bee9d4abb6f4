// Types of a replay's result: what was replayed against which target, and how every read the
// device returned compares with the recording. Pure types, versioned (see docs/json-schemas.md).

/** How virtual time was controlled during the replay. */
export type TimeMode = 'frozen' | 'markers' | 'clock-step';

/** What the user asks for: a mode, or `auto` (clock-step where the qtest accelerator exists, else markers). */
export type TimeModeChoice = TimeMode | 'auto';

export const TIME_MODE_CHOICES: readonly TimeModeChoice[] = ['auto', 'frozen', 'markers', 'clock-step'];

/**
 * How a replayed read compares with the recording.
 * - `match`: same value.
 * - `mismatch`: different value, nothing explains it: a real divergence.
 * - `volatile`: different, in a register whose value moves on its own (statistics counters with no
 *   traffic replayed, free-running timers): reported, not counted as a failure unless --strict.
 * - `unknown-in-target`: the target QEMU has no such register (it logged a read of an unknown
 *   register and returned 0) while the recording got a value: evidence of a missing feature.
 * - `poll-satisfied`: a polling loop reached its recorded outcome, after a different number of reads.
 * - `poll-never-satisfied`: a polling loop never reached its recorded outcome.
 * - `explained-by-traffic`: an ICR/EICR read that differs in exactly the bits packets the recording
 *   moved set (a register replay sends none); the reason names the packet's line.
 * - `set-up`: a config read that differs only where the replay's own PCI set-up leaves the device
 *   otherwise than the recording's firmware did (decoding and bus mastering enabled up front).
 */
export type ReadClass = 'match' | 'mismatch' | 'volatile' | 'unknown-in-target' | 'poll-satisfied' | 'poll-never-satisfied'
  | 'explained-by-traffic' | 'set-up';

export const READ_CLASSES: readonly ReadClass[] = [
  'match', 'mismatch', 'volatile', 'unknown-in-target', 'poll-satisfied', 'poll-never-satisfied', 'explained-by-traffic', 'set-up',
];

/** Classes that make a replay fail by default. */
export const FAILING_CLASSES: ReadonlySet<ReadClass> = new Set(['mismatch', 'unknown-in-target', 'poll-never-satisfied']);

/** Classes --strict counts as failures too: differences a reason explains, not a match. */
export const STRICT_CLASSES: ReadonlySet<ReadClass> = new Set(['volatile', 'explained-by-traffic', 'set-up']);

/** Whether a read class fails the run; with `strict` (--strict) explained differences do too. */
export function isFailing(cls: ReadClass, options: { readonly strict: boolean }): boolean {
  return FAILING_CLASSES.has(cls) || (options.strict && STRICT_CLASSES.has(cls));
}

import type { QemuVerdict } from './access.js';
import type { Phase } from './phase.js';
import type { EventsResult, TargetEventLog } from './events.js';
import type { FramesResult } from './frames.js';

export interface FieldDifference {
  readonly field: string;
  readonly expected: number;
  readonly actual: number;
}

/** One replayed read whose value differs from the recording (or whose poll was folded). */
export interface Divergence {
  readonly seq: number;
  readonly line: number;
  readonly space: 'mmio' | 'io' | 'pci-config';
  readonly offset: number;
  /** Register name with index (`RDBAL(3)`), or the hex offset when unknown to the database. */
  readonly register: string;
  readonly block: string;
  readonly expected: number;
  readonly actual: number;
  readonly class: Exclude<ReadClass, 'match'>;
  /** Why it is classified so (volatile reason, poll details, target verdict). */
  readonly reason: string;
  readonly fields: readonly FieldDifference[];
  /** Label of the recording's phase the read belongs to (`nvm-phy-id #2`); see model/phase.ts. */
  readonly phase?: string;
  /** True when the report's baseline accepts it (set only in a ReplayReport with `baseline`). */
  readonly accepted?: true;
}

/** A phase of the recording with what its replayed reads gave. */
export interface PhaseTally extends Phase {
  readonly reads: number;
  /** Divergences in the phase by class (absent classes: none). */
  readonly byClass: Partial<Record<Exclude<ReadClass, 'match'>, number>>;
  /** Divergences of a failing class. */
  readonly failing: number;
}

export interface TargetDescription {
  readonly binary: string;
  readonly version: string;
  readonly device: string;
  /** Where the NIC sat when not on the root bus: `behind pcie-root-port,id=rp0,slot=0`. */
  readonly placement?: string;
  readonly qtestAccelerator: boolean;
  readonly timeMode: TimeMode;
  /** `--keep-temp`: QEMU's temp dir, left for debugging (its trace log `qemu.log`, its sockets). */
  readonly keptTempDir?: string;
}

/**
 * What the target QEMU said about the accesses it was sent, from its own trace log: the input the
 * result builder takes from a target (not part of the JSON; the result carries what follows from it).
 */
export interface TargetVerdicts {
  /** Verdict on each MMIO/IO access sent, in the order sent. */
  readonly accesses: QemuVerdict[];
  /** PHY registers the target reported unhandled; `sentIndex` is the MDIC write's index in the accesses sent. */
  readonly phyUnhandled: { readonly register: number; readonly sentIndex: number }[];
}

/** Everything a target says after a run: its verdicts and the device events it logged. */
export interface TargetObservations {
  readonly verdicts: TargetVerdicts;
  /** Undefined when the target logs no device events (a fake target in tests). */
  readonly events?: TargetEventLog;
}

/** A register the target QEMU logged as unknown. */
export interface RegisterTally {
  readonly register: string;
  /** Its accesses the target logged as to an unknown register (reads and writes; PHY: MDIC accesses). */
  readonly count: number;
  /** Of its reads, those classified `unknown-in-target` (the recording read a value, the target 0). */
  readonly diverging: number;
  readonly firstLine: number;
}

/** A register the trace reads, named as in divergences (src/regs/naming.ts `registerOf`). */
export interface RegisterRead {
  readonly register: string;
  readonly block: string;
  /** Reads of it in the recording. */
  readonly reads: number;
}

/**
 * What a replay did with the recording's accesses. Three sums hold, each a line of the text report
 * (docs/json-schemas.md, test/report/replay-counts.e2e.test.ts):
 * - the trace: `recorded = oneByOne + pollReads + skipped + notReached`;
 * - what went to the device: `accesses = registerReads + writes + configWrites + configReads + pollReadsSent`
 *   (`oneByOne` is those without the poll reads);
 * - what was compared: `compared = registerReads + pollReads + configReads - unanswered` = the sum
 *   of `byClass`: a folded polling loop counts by its recorded reads (it stands for them), not by
 *   the reads the replay made.
 */
export interface ReplayCounts {
  /** Accesses in the recording (MMIO, IO, PCI config, and PHY accesses derived from MDIC). */
  readonly recorded: number;
  /** Accesses replayed one by one: register reads and writes, config writes and reads. */
  readonly oneByOne: number;
  /** Recorded reads inside folded polling loops (replayed by their outcome, `polls` loops). */
  readonly pollReads: number;
  /** Accesses not sent by design: PHY accesses (replayed by their MDIC write), BAR programming, unknown IO. */
  readonly skipped: number;
  /** Accesses after where the replay stopped early (0 when it completed). */
  readonly notReached: number;
  /** Accesses sent to the device, poll reads as the replay made them, the replay's own BAR writes included. */
  readonly accesses: number;
  /** MMIO/IO reads sent one by one (outside polling loops). */
  readonly registerReads: number;
  readonly writes: number;
  readonly configWrites: number;
  /** Config reads sent and compared (pci_cfg_read lines of the NIC's function). */
  readonly configReads: number;
  /** Reads the replay made for folded polling loops (until the recorded outcome appeared). */
  readonly pollReadsSent: number;
  /**
   * Config writes of the replay's own BARs, sent again after each function-level reset the
   * recording shows (the guest's own BAR writes are skipped): not accesses of the recording.
   */
  readonly barWrites: number;
  /** Reads compared: the sum of `byClass`. */
  readonly compared: number;
  /** MMIO/IO reads compared: one-by-one reads answered plus the recorded reads of folded loops. */
  readonly reads: number;
  /** Reads sent that got no answer because the target stopped (0 when the replay completed). */
  readonly unanswered: number;
  readonly markers: number;
  readonly timeAdvances: number;
  /** Host-side link changes replayed (QMP set_link at the recording's link-change markers). */
  readonly linkChanges: number;
  /** Polling loops folded. */
  readonly polls: number;
}

export const ZERO_COUNTS: ReplayCounts = {
  recorded: 0, oneByOne: 0, pollReads: 0, skipped: 0, notReached: 0, accesses: 0, registerReads: 0, writes: 0, configWrites: 0,
  configReads: 0, pollReadsSent: 0, barWrites: 0, compared: 0, reads: 0, unanswered: 0, markers: 0, timeAdvances: 0, linkChanges: 0, polls: 0,
};

export interface ReplayResult {
  readonly schema: 'igb-replay/replay-result';
  readonly version: 1;
  readonly trace: string;
  readonly target: TargetDescription;
  /** False when the replay stopped early (the target died, an error); `stopped` says where. */
  readonly completed: boolean;
  readonly stopped?: { readonly seq: number; readonly line: number; readonly reason: string };
  /**
   * What the reader must know before the counts: limits of the recording that decide what the
   * replay can show, each a sentence with its fix (a QEMU log without config writes cannot put the
   * device in its recorded interrupt mode). Empty when there are none.
   */
  readonly notices: readonly string[];
  readonly counts: ReplayCounts;
  /** Reads compared, per class; they sum to `counts.compared` (a folded polling loop adds its recorded reads to its class). */
  readonly byClass: Readonly<Record<ReadClass, number>>;
  /** Every read that did not simply match, in trace order. */
  readonly divergences: readonly Divergence[];
  /** The device events (interrupts, EIxx, mailbox, link...) compared with the recording's. */
  readonly events: EventsResult;
  /**
   * The data path: frames the target sent for the recorded descriptors vs the captured ones, or
   * why it was not replayed. Absent in results of versions before the data path.
   */
  readonly frames?: FramesResult;
  /** The recording's phases in trace order, with the divergences of each. */
  readonly phases: readonly PhaseTally[];
  /**
   * Registers the target QEMU reported as unknown (reads and writes), most frequent first; their
   * `diverging` reads sum to `byClass['unknown-in-target']`.
   */
  readonly unknownInTarget: readonly RegisterTally[];
  /**
   * Every register the recording reads over MMIO and the IO BAR (config reads are not replayed),
   * in order of first read, also past where a replay stopped: what a report lists as checked.
   */
  readonly registersRead: readonly RegisterRead[];
  /** The trace line of the plan's last step (access or timer marker): the extent of a timeline. */
  readonly lastLine: number;
  readonly durationMs: number;
}
