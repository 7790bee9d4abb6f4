// The data path of one replay, as runReplay (src/replay/run.ts) drives it window by window: the
// seeds of each window's tail writes and the frames to inject at its packet markers before it
// runs, the frames sent checked after, and at the end the result with everything the data path
// does not check, said in words.

import type { TraceRecord } from '../model/access.js';
import type { FramesResult } from '../model/frames.js';
import type { EngineRun, ReplayTarget } from '../replay/engine.js';
import type { ReplayJob } from '../replay/prepare.js';
import { FramesCollector, framesNotReplayed } from '../checks/frames/frames-collector.js';
import { FrameCursor, macBytes } from '../frames/frame-cursor.js';
import { deviceRow } from '../devices/table.js';
import { TxDataPath, type TxSeed } from './tx-path.js';
import { RxDataPath, type RxInjection, type RxPacket, type SwitchedFrame } from './rx-path.js';
import { StatisticsTaint } from './statistics-taint.js';
import { OwnMacs } from './own-macs.js';
import { compareWriteback, RxFormatTracker, type RxWriteback } from './rx-writeback.js';


/** What a window hands the engine: memory to seed at tail writes, frames to inject at packet markers. */
export interface DataPathWindow {
  readonly handoffs: Map<number, TxSeed>;
  readonly injections: Map<number, RxInjection>;
  /** Statistics reads whose difference a packet the replay could not rebuild explains (seq → why). */
  readonly explainedReads: Map<number, string>;
  /**
   * Transmit writes at which the recording's device switched frames to its own pools that the
   * target cannot make alike: a packet of the write was not rebuilt, so its buffers hold other bytes.
   */
  readonly switchedNotRemade: ReadonlySet<number>;
}

export class DataPathRun {
  private seeds = new Map<number, TxSeed>();
  /** The window's switched frames by their transmit write's seq, and where their write-backs start in what is read back after it. */
  private switched = new Map<number, { readonly frames: readonly SwitchedFrame[]; readonly after: number }>();
  private injections = new Map<number, RxInjection>();
  private readonly rxCounts = { framesInjected: 0, framesTaken: 0, descriptorsSeeded: 0, buffersCompared: 0, buffersMatched: 0, descriptorsReadBack: 0, descriptorsMatched: 0 };
  /** Switched frames not compared because a packet of their transmit write was not rebuilt (skipped), and the first one's line. */
  private readonly switchedNotRemade: { frames: number; firstLine?: number } = { frames: 0 };
  /** Receive descriptors not read back because their format is not decoded: by format, with the first frame's line. */
  private readonly undecodedWritebacks = new Map<string, { descriptors: number; firstLine: number }>();

  private constructor(
    private readonly tx: TxDataPath | undefined,
    private readonly rx: RxDataPath | undefined,
    private readonly collector: FramesCollector | undefined,
    private readonly capture: string | undefined,
    private readonly reason: string,
    private readonly statistics?: StatisticsTaint,
    private readonly own?: OwnMacs,
  ) {}

  static start(job: ReplayJob, target: ReplayTarget): DataPathRun {
    const spec = job.dataPath;
    if (spec?.capture === undefined || spec.mac === undefined) {
      return new DataPathRun(undefined, undefined, undefined, undefined, spec?.notReplayed ?? 'the data path was not asked for');
    }
    if (target.framesVisible === false) {
      return new DataPathRun(undefined, undefined, undefined, undefined, 'the target QEMU has no qtest accelerator, so the replay machine is stopped between '
        + 'markers and holds the frames its NIC sends; letting them out means running its clock where the recording shows none, which can '
        + 'shift timer events: frames and descriptors are not checked (replay --data-path does it anyway; a QEMU built with scripts/build-qemu.sh has the accelerator)');
    }
    if (target.writeMemory === undefined || target.takeFrames === undefined) {
      return new DataPathRun(undefined, undefined, undefined, undefined, 'the target cannot write guest memory or has no netdev the tool sees: the data path is not checked');
    }
    if (spec.vfEvents !== undefined && target.whyNoInjection !== undefined) {
      // Measured on the SR-IOV recording: without the accelerator, letting the VFs' frames out by
      // running the clock fires their throttled vectors where the recording's did not (event-extra).
      return new DataPathRun(undefined, undefined, undefined, undefined, `SR-IOV virtual functions are at work in this recording (${spec.vfEvents} VF `
        + `mailbox and VF config events), and frames are replayed only with the qtest accelerator here (${target.whyNoInjection}): letting `
        + 'the VFs\' frames out by running the clock fires their throttled interrupt vectors where the recording did not, so frames and '
        + 'descriptors are not checked (a QEMU built with scripts/build-qemu.sh has it)');
    }
    const own = new OwnMacs(job.registers, macBytes(spec.mac));
    const why = target.receiveFrames === undefined ? 'the target cannot inject frames' : target.whyNoInjection;
    const rx = why !== undefined ? undefined
      : new RxDataPath(new FrameCursor(spec.capture, 'rx', own), deviceRow(job.target.device.model).rxBuffers, new RxFormatTracker(job.target.device.model, job.registers));
    return new DataPathRun(new TxDataPath(job.registers, deviceRow(job.target.device.model).txDescriptors, new FrameCursor(spec.capture, 'tx', own)), rx,
      new FramesCollector(), spec.capture, why ?? '', new StatisticsTaint(job.registers), own);
  }

  /** Frames go both ways through the target: sent from the capture, received ones injected. */
  get replaysTraffic(): boolean {
    return this.tx !== undefined && this.rx !== undefined;
  }

  /** What the window hands to the device; undefined when the data path is off. */
  async window(records: readonly TraceRecord[]): Promise<DataPathWindow | undefined> {
    if (this.tx === undefined) return undefined;
    this.own?.see(records);
    this.seeds = await this.tx.window(records);
    this.injections = this.rx === undefined ? new Map() : await this.rx.window(records);
    // The receive descriptors a transmit's frame takes when the device switches it to its own pools
    // (a transmit not handed over makes no frame in the target, and needs none): seeded before the
    // tail write, read back after it behind the transmit's own status reports.
    this.switched = new Map();
    const notRemade = new Set<number>();
    for (const [seq, { seeds: writes, frames }] of this.rx?.switchedAt ?? []) {
      const seed = this.seeds.get(seq);
      if (seed === undefined) continue;
      const unrebuilt = seed.skipped[0];
      if (unrebuilt !== undefined) {
        // The target's device makes its frames from what the unseeded buffers hold: their
        // descriptors are still seeded (it writes where the recording's did) but not compared.
        this.seeds.set(seq, { ...seed, writes: [...seed.writes, ...writes] });
        notRemade.add(seq);
        this.switchedNotRemade.frames += frames.length;
        this.switchedNotRemade.firstLine ??= frames[0]!.line;
        continue;
      }
      const descriptors = frames.flatMap((frame) => frame.writebacks.decoded.map((writeback) => ({ address: writeback.address, length: writeback.format.bytes })));
      this.switched.set(seq, { frames, after: seed.readBack.reduce((n, stretch) => n + stretch.length, 0) });
      this.seeds.set(seq, { ...seed, writes: [...seed.writes, ...writes], readBack: [...seed.readBack, ...descriptors] });
    }
    return {
      handoffs: this.seeds, injections: this.injections,
      explainedReads: this.statistics?.window(records, this.seeds, this.rx?.leftOutInWindow) ?? new Map(),
      switchedNotRemade: notRemade,
    };
  }

  /** After a window ran: its tail writes' frames are due; those the target sent meanwhile are checked. */
  async checked(run: EngineRun, target: ReplayTarget): Promise<void> {
    const collector = this.collector;
    if (collector === undefined || target.takeFrames === undefined) return;
    const sent = run.completed ? undefined : new Set(run.sent.map((access) => access.seq));
    const due = [...this.seeds.values()].filter((seed) => sent === undefined || sent.has(seed.handoff.access.seq));
    collector.expect(due);
    for (const seed of due) {
      const seq = seed.handoff.access.seq;
      const bytes = run.readBack.get(seq);
      collector.txWrittenBack(seed, bytes);
      const switched = this.switched.get(seq);
      if (switched !== undefined && bytes !== undefined) this.checkSwitched(switched.frames, seq, bytes.subarray(switched.after), collector);
    }
    this.seeds = new Map();
    for (const [line, received] of run.received) {
      const injection = this.injections.get(line);
      if (injection === undefined) continue;
      this.rxCounts.framesInjected += injection.packets.length;
      this.rxCounts.framesTaken += received.taken;
      injection.packets.slice(0, received.taken).forEach((packet, i) => {
        this.rxCounts.descriptorsSeeded += packet.descriptors;
        this.checkWritebacks(packet, injection.seq, received.writebacks[i], collector);
        const written = received.written[i];
        if (written === undefined || packet.buffers.length === 0) return;
        this.rxCounts.buffersCompared++;
        // The access before the receipt: where the frame came, as a sent frame's tail write.
        if (collector.delivered(packet, injection.seq, written)) this.rxCounts.buffersMatched++;
      });
    }
    this.injections = new Map();
    collector.emitted(await target.takeFrames({ flush: false, expected: 0 }));
  }

  /** The descriptors the target's device wrote back for frames it switched to its own pools during a transmit write (`bytes`: read back, joined). */
  private checkSwitched(frames: readonly SwitchedFrame[], seq: number, bytes: Uint8Array, collector: FramesCollector): void {
    let at = 0;
    for (const frame of frames) {
      this.tallyUndecoded(frame.line, frame.writebacks.undecoded);
      at += this.compareDescriptors(frame, seq, frame.writebacks.decoded, bytes.subarray(at), collector);
    }
  }

  /** The descriptors the target's device wrote back for a frame it took (`bytes`: read back, joined) against the recorded write-backs. */
  private checkWritebacks(packet: RxPacket, seq: number, bytes: Uint8Array | undefined, collector: FramesCollector): void {
    this.tallyUndecoded(packet.line, packet.writebacks.undecoded);
    if (bytes !== undefined) this.compareDescriptors(packet, seq, packet.writebacks.decoded, bytes, collector);
  }

  /**
   * A frame's recorded write-backs against the descriptors read back at the start of `bytes`, in
   * order, as far as `bytes` goes; returns the bytes they take.
   */
  private compareDescriptors(frame: { readonly line: number; readonly captureIndex?: number }, seq: number, writebacks: readonly RxWriteback[],
    bytes: Uint8Array, collector: FramesCollector): number {
    let at = 0;
    for (const writeback of writebacks) {
      const descriptor = bytes.subarray(at, at + writeback.format.bytes);
      at += writeback.format.bytes;
      if (descriptor.length < writeback.format.bytes) break;
      this.rxCounts.descriptorsReadBack++;
      const differences = compareWriteback(writeback, descriptor);
      if (differences.length === 0) this.rxCounts.descriptorsMatched++;
      else collector.writtenBack(frame, seq, writeback, differences);
    }
    return at;
  }

  /** Descriptors in a format not decoded (not read back), by format, with the first frame's line. */
  private tallyUndecoded(line: number, formats: readonly string[]): void {
    for (const format of formats) {
      const tally = this.undecodedWritebacks.get(format);
      if (tally === undefined) this.undecodedWritebacks.set(format, { descriptors: 1, firstLine: line });
      else tally.descriptors++;
    }
  }

  /** The result, once the target sent what it held back; what never came is missing. */
  async finish(target: ReplayTarget, completed: boolean): Promise<FramesResult> {
    if (this.collector === undefined || this.tx === undefined || this.capture === undefined) return framesNotReplayed(this.reason);
    if (completed && target.takeFrames !== undefined) {
      this.collector.emitted(await target.takeFrames({ flush: true, expected: this.collector.outstanding() }));
    }
    const notChecked: string[] = [];
    if (this.tx.headWritebackDescriptors > 0) {
      notChecked.push(`${this.tx.headWritebackDescriptors.toLocaleString('en-US')} transmit descriptors asked for a status report on a queue with head write-back `
        + '(TDWBAL bit 0): the device reports them by writing its head to memory, which is not read back');
    }
    if (this.tx.unplacedDescriptors > 0) {
      notChecked.push(`${this.tx.unplacedDescriptors} transmit descriptors the recording's device read without a tail write (first at line ${this.tx.firstUnplacedLine}) are not seeded: their ring is not known`);
    }
    const rx = { counts: { framesRecorded: this.rx?.recorded ?? 0, framesSwitched: this.rx?.switched ?? 0, ...this.rxCounts }, notInjected: this.rx?.notInjected() ?? [] };
    if (this.rx === undefined) {
      notChecked.unshift(`frames the recording received are not injected (${this.reason}): what the device does with them is not checked, `
        + 'ICR/EICR receive bits keep their explained-by-traffic class and statistics counters their volatile class');
    } else {
      const notRemade = this.switchedNotRemade;
      if (notRemade.firstLine !== undefined) {
        notChecked.unshift(`${notRemade.frames.toLocaleString('en-US')} frames the device switched to its own pools (first at line ${notRemade.firstLine.toLocaleString('en-US')}) `
          + 'came from transmit writes with a packet skipped (above): the target\'s device makes them from other bytes, so their receive descriptors '
          + 'are not compared and what it did with them is left out of the device events');
      }
      for (const [format, tally] of this.undecodedWritebacks) {
        notChecked.unshift(`${tally.descriptors.toLocaleString('en-US')} receive descriptors ${format} (first for the frame at line ${tally.firstLine.toLocaleString('en-US')}) are not read back: `
          + 'only igb\'s advanced one-buffer and e1000e\'s extended and packet-split write-backs are decoded; what the device did is compared through its receive events');
      }
      // Packet markers planned but never reached (a run that stopped early) or before the first access.
      const unreached = rx.counts.framesRecorded - rx.counts.framesSwitched - rx.counts.framesInjected - rx.notInjected.reduce((n, r) => n + r.frames, 0);
      if (unreached > 0) notChecked.push(`${unreached} received frames were not injected: the replay did not reach their packet markers`);
    }
    return this.collector.finish(this.capture, notChecked, rx);
  }

  async close(): Promise<void> {
    await this.tx?.close();
    await this.rx?.close();
  }
}
