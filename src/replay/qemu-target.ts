// The replay target backed by a real QEMU: launches it in the chosen time mode, programs the
// NIC's PCI functions, maps replay operations onto qtest commands, lets virtual time run at
// markers, and afterwards reads the target's own trace log for its verdicts on each access.
//
// Time modes (measured in shared/reference/replay-feasibility.md):
//  - frozen (M1): `-S`, the virtual clock never moves; timers never fire.
//  - markers (M5): `-S`, halt-only firmware, `-icount shift=0,sleep=off`, `pit=off`, QMP. Time is
//    frozen except where the recording shows a timer firing: `cont`, wait for the same event in
//    the target's own trace (not a fixed sleep, which raced under load), `stop`.
//  - clock-step: the qtest accelerator (QEMU built from source); `clock_step` to the next timer
//    deadline at markers, deterministic by construction.

import type { Access, Marker, QemuVerdict } from '../model/access.js';
import type { TimeMode } from '../model/replay.js';
import { readTrace } from '../formats/read-trace.js';
import { configWrite, enableMmconfig, setupNic, type MmconfigWindow, type NicBars, type PciFunction } from '../target/pci-setup.js';
import { launchQemu, type QemuSession } from '../target/qemu-process.js';
import { findQemu, hasQtestAccel, resolveQemuBinary } from '../target/qemu-binary.js';
import type { BatchOp, ReplayTarget, TimeAdvance } from './engine.js';
import type { QtestCommand } from '../target/qtest-protocol.js';
import { parseDeviceOption, type DeviceOption } from './device-option.js';

export type TimeModeChoice = TimeMode | 'auto';

/** qtest ops by MMIO access width: the driver's own width is replayed (mmiotrace records it). */
const MMIO_OPS: Readonly<Record<number, { read: 'readb' | 'readw' | 'readl' | 'readq'; write: 'writeb' | 'writew' | 'writel' | 'writeq' }>> = {
  1: { read: 'readb', write: 'writeb' },
  2: { read: 'readw', write: 'writew' },
  4: { read: 'readl', write: 'writel' },
  8: { read: 'readq', write: 'writeq' },
};

export interface TargetVerdicts {
  /** Verdict on each MMIO/IO access sent, in the order sent. */
  readonly accesses: QemuVerdict[];
  /** PHY registers the target reported unhandled; `sentIndex` is the MDIC write's index in the accesses sent. */
  readonly phyUnhandled: { readonly register: number; readonly sentIndex: number }[];
}

export interface QemuTargetOptions {
  readonly qemu?: string;
  /** `-device` string: `igb`, `e1000e`, `igb,mac=52:54:00:12:34:56,x-pcie-flr-init=off`. */
  readonly device: string;
  readonly time: TimeModeChoice;
  /** MAC of the recording, used when the device string gives none. */
  readonly mac?: string;
  readonly keepTempDir?: boolean;
}

/** NIC slot in the replay VM; the recordings used slot 2 as well. */
const NIC_SLOT = 2;
/** Trace events the target logs: its verdicts on each access, and the timers markers wait for. */
const TARGET_TRACE = ['e1000e_core_*', 'e1000e_wrn_*', 'e1000e_io_*', 'igb_core_mdic*', 'e1000x_link_negotiation_done',
  'igb_write_config'];
/** Extended config space (SR-IOV and other capabilities) starts here and needs MMCONFIG. */
const EXTENDED_CONFIG = 0x100;
/**
 * Wall time an autoneg marker lets the clock run waiting for the target's own negotiation-done
 * event. Under `-icount shift=0,sleep=off` the idle clock jumps from deadline to deadline, so
 * QEMU's 500 ms of virtual autoneg take little wall time: 2.5-62 ms per marker over every shipped
 * trace, measured on a 2-core machine under a load of 6-8. The bound only matters for a target
 * whose link does not come up; once a marker waited in vain, later ones wait the shorter bound.
 */
const AUTONEG_WAIT_MS = 1_000;
const AUTONEG_WAIT_AFTER_MISS_MS = 250;
/** Markers with no event to wait for let the clock run this long (wall time). */
const SETTLE_MS = 3;
/** Most virtual time an autoneg marker may step through waiting for the negotiation (QEMU needs 500 ms). */
const AUTONEG_STEP_LIMIT_NS = 5_000_000_000n;
const AUTONEG_DONE = /e1000x_link_negotiation_done/;

export class QemuReplayTarget implements ReplayTarget {
  readonly advancesTime: boolean;
  /** An autoneg marker already waited in vain: the target's link does not come up, wait less. */
  private autonegMissed = false;

  private constructor(
    readonly session: QemuSession,
    readonly timeMode: TimeMode,
    readonly device: DeviceOption,
    private readonly bars: NicBars,
    private readonly nic: PciFunction,
    private readonly mmconfig: MmconfigWindow,
  ) {
    this.advancesTime = timeMode !== 'frozen';
  }

  static async start(options: QemuTargetOptions): Promise<QemuReplayTarget> {
    const device = parseDeviceOption(options.device, options.mac);
    // Both probes at once: on a first run (nothing cached yet) each starts QEMU.
    const path = await resolveQemuBinary({ explicit: options.qemu });
    const [binary, accelerator] = await Promise.all([
      findQemu({ explicit: path, device: device.model, requireQtestAccel: options.time === 'clock-step' }),
      options.time === 'auto' ? hasQtestAccel(path) : Promise.resolve(options.time === 'clock-step'),
    ]);
    const timeMode = resolveTimeMode(options.time, accelerator);
    const session = await launchQemu({
      qemu: binary.path, model: device.model, slot: NIC_SLOT, mac: device.mac, deviceProperties: device.properties,
      paused: timeMode !== 'clock-step', icount: timeMode === 'markers', pit: timeMode !== 'markers',
      haltFirmware: timeMode === 'markers', accel: timeMode === 'clock-step' ? 'qtest' : undefined,
      trace: TARGET_TRACE, keepTempDir: options.keepTempDir,
    });
    try {
      const nic: PciFunction = { bus: 0, device: NIC_SLOT, fn: 0 };
      const bars = await setupNic(session.qtest, { model: device.model, slot: NIC_SLOT });
      const mmconfig = await enableMmconfig(session.qtest);
      return new QemuReplayTarget(session, timeMode, device, bars, nic, mmconfig);
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  async runBatch(ops: readonly BatchOp[]): Promise<readonly number[]> {
    const { mmio, io } = this.bars;
    const commands: QtestCommand[] = ops.map((op) => {
      // The IO BAR's IOADDR/IODATA are dwords (QEMU logs its path as 8 bytes wide).
      if (op.space === 'io') return op.kind === 'read' ? { op: 'inl', port: io + op.offset } : { op: 'outl', port: io + op.offset, value: op.value };
      const width = MMIO_OPS[op.size] ?? MMIO_OPS[4]!;
      return op.kind === 'read' ? { op: width.read, addr: mmio + op.offset } : { op: width.write, addr: mmio + op.offset, value: op.value };
    });
    const replies = await this.session.qtest.sendBatch(commands);
    return replies.map((reply) => (typeof reply === 'number' ? reply : typeof reply === 'bigint' ? Number(reply) : 0));
  }

  readMmio(offset: number): Promise<number> {
    return this.session.qtest.readl(this.bars.mmio + offset);
  }

  writeMmio(offset: number, value: number): Promise<void> {
    return this.session.qtest.writel(this.bars.mmio + offset, value);
  }

  readIo(offset: number): Promise<number> {
    return this.session.qtest.inl(this.bars.io + offset);
  }

  writeIo(offset: number, value: number): Promise<void> {
    return this.session.qtest.outl(this.bars.io + offset, value);
  }

  writeConfig(offset: number, size: number, value: number): Promise<void> {
    const width = size === 1 || size === 2 ? size : 4;
    if (offset >= EXTENDED_CONFIG) return this.mmconfig.write(this.nic, offset, width, value);
    return configWrite(this.session.qtest, this.nic, offset, width, value);
  }

  /**
   * Lets virtual time run where the recording shows a timer firing. In markers mode: `cont`, then
   * for an autoneg marker wait (bounded) for the target's own negotiation-done event and stop as
   * soon as it appears, otherwise let the clock run SETTLE_MS; then `stop`.
   */
  async advanceTime(cause: Marker | 'poll'): Promise<TimeAdvance> {
    if (this.timeMode === 'clock-step') return this.stepClock(cause);
    const awaited = cause !== 'poll' && cause.kind === 'autoneg' ? 'autoneg' : 'none';
    const qmp = this.session.qmp!;
    const from = await this.session.logSize();
    const started = performance.now();
    await qmp.execute('cont');
    let happened = true;
    try {
      if (awaited === 'autoneg') happened = await this.waitForAutoneg(from);
      else await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    } finally {
      if (this.session.alive) await qmp.execute('stop');
    }
    return { awaited, happened, waitedMs: performance.now() - started };
  }

  /** Whether the target logged the negotiation done within the bound (rethrows if QEMU died). */
  private async waitForAutoneg(fromOffset: number): Promise<boolean> {
    const timeoutMs = this.autonegMissed ? AUTONEG_WAIT_AFTER_MISS_MS : AUTONEG_WAIT_MS;
    try {
      await this.session.waitForLog(AUTONEG_DONE, { fromOffset, timeoutMs });
      return true;
    } catch (error) {
      if (!this.session.alive) throw error;
      this.autonegMissed = true;
      return false;
    }
  }

  /**
   * With the qtest accelerator time moves only by clock_step, to the next timer deadline (or by a
   * given amount). The next deadline is often not the one the marker stands for (interrupt
   * throttling, the PIT, the RTC come first), so: an autoneg marker steps deadline by deadline
   * until the target logs the negotiation done (at most AUTONEG_STEP_LIMIT_NS of virtual time);
   * an idle gap (mmiotrace) steps by the recorded time since the previous one; anything else
   * steps to the next deadline.
   */
  private async stepClock(cause: Marker | 'poll'): Promise<TimeAdvance> {
    const qtest = this.session.qtest;
    const started = performance.now();
    const waited = (): number => performance.now() - started;
    if (cause !== 'poll' && cause.kind === 'idle' && cause.elapsedUs !== undefined) {
      await qtest.clockStep(BigInt(Math.round(cause.elapsedUs)) * 1000n);
      return { awaited: 'none', happened: true, waitedMs: waited() };
    }
    if (cause === 'poll' || cause.kind !== 'autoneg') {
      await qtest.clockStep();
      return { awaited: 'none', happened: true, waitedMs: waited() };
    }
    const log = this.session.logCursor(await this.session.logSize());
    try {
      let start: bigint | undefined;
      for (;;) {
        const now = await qtest.clockStep();
        start ??= now;
        // QEMU has written the line by the time it answers clock_step: no need to wait for it.
        const happened = (await log.find(AUTONEG_DONE)) !== undefined;
        if (happened || !this.session.alive || now - start >= AUTONEG_STEP_LIMIT_NS) {
          return { awaited: 'autoneg', happened, waitedMs: waited() };
        }
      }
    } finally {
      await log.close();
    }
  }

  /**
   * What the target QEMU said about the accesses it was sent, read from its own trace log with the
   * same parser as recordings: its verdict on each MMIO/IO access, in order, and the PHY registers
   * it reported as unhandled (with the index of the MDIC write that reached them).
   */
  async verdicts(): Promise<TargetVerdicts> {
    const result: TargetVerdicts = { accesses: [], phyUnhandled: [] };
    if ((await this.session.logSize()) === 0) return result;
    const indexBySeq = new Map<number, number>();
    const sink = {
      access(access: Access): void {
        if (access.space === 'mmio' || access.space === 'io') {
          indexBySeq.set(access.seq, result.accesses.length);
          result.accesses.push(access.verdict);
        } else if (access.space === 'phy' && access.verdict === 'phy-unhandled' && access.cause !== undefined) {
          const sentIndex = indexBySeq.get(access.cause);
          if (sentIndex !== undefined) result.phyUnhandled.push({ register: access.offset, sentIndex });
        }
      },
      marker(): void {},
    };
    await readTrace(this.session.logPath, sink, { lenient: true });
    return result;
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

function resolveTimeMode(choice: TimeModeChoice, qtestAccelerator: boolean): TimeMode {
  if (choice === 'auto') return qtestAccelerator ? 'clock-step' : 'markers';
  return choice;
}
