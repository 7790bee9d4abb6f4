// The data path of one replay, as runReplay (src/replay/run.ts) drives it window by window: the
// seeds of each window's tail writes before it runs, their frames checked after, and at the end
// the result with everything the data path does not check, said in words.

import type { TraceRecord } from '../model/access.js';
import type { FramesResult } from '../model/frames.js';
import type { EngineRun, ReplayTarget } from '../replay/engine.js';
import type { ReplayJob } from '../replay/prepare.js';
import { FramesCollector, framesNotReplayed } from '../checks/frames/frames-collector.js';
import { FrameCursor, macBytes } from '../frames/frame-cursor.js';
import { TxDataPath, type TxSeed } from './tx-path.js';

/** What the data path does not check yet even with a capture (said in every replayed result). */
const NOT_YET = [
  'frames the recording received are not injected: RX descriptors, their writebacks and the received bytes are not checked, '
    + 'so statistics counters and ICR/EICR receive bits keep their volatile / explained-by-traffic classes',
  'transmit descriptor writebacks (DD status) are not read back',
];

export class DataPathRun {
  private seeds = new Map<number, TxSeed>();

  private constructor(
    private readonly tx: TxDataPath | undefined,
    private readonly collector: FramesCollector | undefined,
    private readonly capture: string | undefined,
    private readonly reason: string,
  ) {}

  static start(job: ReplayJob, target: ReplayTarget): DataPathRun {
    const spec = job.dataPath;
    if (spec?.capture === undefined || spec.mac === undefined) {
      return new DataPathRun(undefined, undefined, undefined, spec?.notReplayed ?? 'the data path was not asked for');
    }
    if (target.framesVisible === false) {
      return new DataPathRun(undefined, undefined, undefined, 'the target QEMU has no qtest accelerator, so the replay machine is stopped between '
        + 'markers and holds the frames its NIC sends; letting them out means running its clock where the recording shows none, which can '
        + 'shift timer events: frames and descriptors are not checked (replay --data-path does it anyway; a QEMU built with scripts/build-qemu.sh has the accelerator)');
    }
    if (target.writeMemory === undefined || target.takeFrames === undefined) {
      return new DataPathRun(undefined, undefined, undefined, 'the target cannot write guest memory or has no netdev the tool sees: the data path is not checked');
    }
    const cursor = new FrameCursor(spec.capture, 'tx', macBytes(spec.mac));
    return new DataPathRun(new TxDataPath(job.registers, cursor), new FramesCollector(), spec.capture, '');
  }

  /** The window's tail writes with what they hand to the device; undefined when the data path is off. */
  async window(records: readonly TraceRecord[]): Promise<Map<number, TxSeed> | undefined> {
    if (this.tx === undefined) return undefined;
    this.seeds = await this.tx.window(records);
    return this.seeds;
  }

  /** After a window ran: its tail writes' frames are due; those the target sent meanwhile are checked. */
  async checked(run: EngineRun, target: ReplayTarget): Promise<void> {
    if (this.collector === undefined || target.takeFrames === undefined) return;
    const sent = run.completed ? undefined : new Set(run.sent.map((access) => access.seq));
    this.collector.expect([...this.seeds.values()].filter((seed) => sent === undefined || sent.has(seed.handoff.access.seq)));
    this.seeds = new Map();
    this.collector.emitted(await target.takeFrames({ flush: false, expected: 0 }));
  }

  /** The result, once the target sent what it held back; what never came is missing. */
  async finish(target: ReplayTarget, completed: boolean): Promise<FramesResult> {
    if (this.collector === undefined || this.tx === undefined || this.capture === undefined) return framesNotReplayed(this.reason);
    if (completed && target.takeFrames !== undefined) {
      this.collector.emitted(await target.takeFrames({ flush: true, expected: this.collector.outstanding() }));
    }
    const notChecked = [...NOT_YET];
    if (this.tx.unplacedDescriptors > 0) {
      notChecked.push(`${this.tx.unplacedDescriptors} transmit descriptors the recording's device read without a tail write (first at line ${this.tx.firstUnplacedLine}) are not seeded: their ring is not known`);
    }
    return this.collector.finish(this.capture, notChecked);
  }

  async close(): Promise<void> {
    await this.tx?.close();
  }
}
