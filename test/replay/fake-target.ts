// An in-memory replay target for engine and runner unit tests (no QEMU): a register file that
// reads back what was written, device behaviour as small hooks (what time passing does, what a read
// costs), and a way to die midway. Not a model of the igb: just enough device to drive the engine.

import type { Marker, QemuVerdict } from '../../src/model/access.js';
import type { TargetDescription, TargetObservations } from '../../src/model/replay.js';
import type { BatchOp } from '../../src/replay/engine.js';
import type { OwnedTarget } from '../../src/replay/run.js';

export interface FakeDevice {
  /** Initial register values by BAR0 offset (unset registers read 0). */
  readonly registers?: ReadonlyMap<number, number>;
  /** What letting time run does to the registers (called with the marker, or 'poll'). */
  readonly onTime?: (registers: Map<number, number>, cause: Marker | 'poll') => void;
  /** Offsets the target does not implement: reads give 0 and are reported unknown. */
  readonly unknown?: ReadonlySet<number>;
  /** The target dies when asked for its n-th register access (0-based, counted over batches and single reads). */
  readonly dieAtAccess?: number;
  /** Time frozen: advanceTime is never called by the engine. */
  readonly frozen?: boolean;
  /** Config space dwords by offset. */
  readonly config?: ReadonlyMap<number, number>;
  /** What a host-side link change does to the registers. */
  readonly onLink?: (registers: Map<number, number>, up: boolean) => void;
}

export class FakeTarget implements OwnedTarget {
  readonly registers: Map<number, number>;
  readonly config: ReadonlyMap<number, number>;
  readonly advancesTime: boolean;
  /** Every register access and time advance in the order received: `r 0x8`, `w 0x0=0x4`, `t autoneg@12`. */
  readonly log: string[] = [];
  /** Time advances in order: a marker's kind and line, or 'poll'. */
  readonly timeAdvances: string[] = [];
  readonly configWrites: { offset: number; size: number; value: number; vf?: number }[] = [];
  private readonly verdictLog: QemuVerdict[] = [];
  private accesses = 0;
  private dead = false;
  closed = false;

  constructor(private readonly device: FakeDevice = {}) {
    this.registers = new Map(device.registers);
    this.config = new Map(device.config);
    this.advancesTime = device.frozen !== true;
  }

  get alive(): boolean {
    return !this.dead;
  }

  async runBatch(ops: readonly BatchOp[]): Promise<readonly number[]> {
    return ops.map((op) => (op.kind === 'read' ? this.read(op.offset) : (this.write(op.offset, op.value), 0)));
  }

  async readMmio(offset: number): Promise<number> {
    return this.read(offset);
  }

  async writeMmio(offset: number, value: number): Promise<void> {
    this.write(offset, value);
  }

  async readIo(offset: number): Promise<number> {
    return this.read(0x100000 + offset);
  }

  async writeIo(offset: number, value: number): Promise<void> {
    this.write(0x100000 + offset, value);
  }

  async writeConfig(offset: number, size: number, value: number, vf?: number): Promise<void> {
    this.configWrites.push({ offset, size, value, ...(vf === undefined ? {} : { vf }) });
  }

  /** Config space reads as its dwords were written (the recording's config values don't matter here). */
  async readConfig(offset: number, vf?: number): Promise<number> {
    this.log.push(`c ${vf === undefined ? '' : `vf${vf} `}0x${offset.toString(16)}`);
    return vf === undefined ? this.config.get(offset) ?? 0 : 0;
  }

  async setLink(up: boolean): Promise<void> {
    this.log.push(`link ${up ? 'up' : 'down'}`);
    this.device.onLink?.(this.registers, up);
  }

  async advanceTime(cause: Marker | 'poll'): Promise<void> {
    const what = cause === 'poll' ? 'poll' : `${cause.kind}@${cause.line}`;
    this.timeAdvances.push(what);
    this.log.push(`t ${what}`);
    this.device.onTime?.(this.registers, cause);
  }

  describe(): TargetDescription {
    return { binary: 'fake', version: 'fake target (tests)', device: 'igb', qtestAccelerator: false, timeMode: this.advancesTime ? 'markers' : 'frozen' };
  }

  /** Verdicts since the last call only: a fake device logs no events (the event check says so in the result). */
  async observations(): Promise<TargetObservations> {
    return { verdicts: { accesses: this.verdictLog.splice(0), phyUnhandled: [] } };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private count(): void {
    if (this.dead) throw new Error('fake target is dead');
    if (this.accesses++ === this.device.dieAtAccess) {
      this.dead = true;
      throw new Error(`fake target died at access ${this.device.dieAtAccess}`);
    }
  }

  private read(offset: number): number {
    this.count();
    this.log.push(`r 0x${offset.toString(16)}`);
    const unknown = this.device.unknown?.has(offset) === true;
    this.verdictLog.push(unknown ? 'unknown' : 'ok');
    return unknown ? 0 : this.registers.get(offset) ?? 0;
  }

  private write(offset: number, value: number): void {
    this.count();
    this.log.push(`w 0x${offset.toString(16)}=0x${value.toString(16)}`);
    this.verdictLog.push(this.device.unknown?.has(offset) === true ? 'unknown' : 'ok');
    this.registers.set(offset, value);
  }
}
