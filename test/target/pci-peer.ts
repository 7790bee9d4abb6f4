// A SYNTHETIC PCI bus at the far end of an in-memory qtest transport, for PCI set-up unit tests:
// just enough of q35 to answer the set-up (the 0xcf8/0xcfc mechanism, BARs that keep their type
// bits, PCIEXBAR and the MMCONFIG window it opens). Not a model of QEMU: faults are switches.
import { createMemoryTransportPair, type MemoryTransport } from '../../src/target/transport.js';
import { LineFramer } from '../../src/target/line-framing.js';

export interface PciPeerOptions {
  /** vendor | device << 16 of the NIC at 00:02.0 (default igb). */
  readonly nicId?: number;
  /** vendor | device << 16 of the host bridge at 00:00.0 (default the q35 MCH). */
  readonly hostBridgeId?: number;
  /** BAR type bits by BAR register (default igb: BAR2 IO, BAR3 64-bit memory). */
  readonly barTypes?: ReadonlyMap<number, number>;
  /** BAR registers that ignore writes (and read as all ones, never set). */
  readonly stuckBars?: ReadonlySet<number>;
  /** Bits COMMAND always reads as set besides those written. */
  readonly commandExtra?: number;
  /** PCIEXBAR writes are ignored: MMCONFIG never decodes. */
  readonly noMmconfig?: boolean;
}

const NIC = 2 << 11;
const PCIEXBAR = 0x60;
const BAR0 = 0x10;
const BAR5 = 0x24;

export class PciPeer {
  /** Every command line received, in order. */
  readonly received: string[] = [];
  /** Chunks received: one per batch the client sent. */
  chunks = 0;
  readonly client: MemoryTransport;
  private readonly end: MemoryTransport;
  /** Config dwords by (bus << 16 | device << 11 | fn << 8 | dword register). */
  private readonly config = new Map<number, number>();
  private selected = 0;

  constructor(private readonly options: PciPeerOptions = {}) {
    [this.client, this.end] = createMemoryTransportPair();
    this.config.set(NIC, options.nicId ?? 0x10c98086);
    this.config.set(0, options.hostBridgeId ?? 0x29c08086);
    const framer = new LineFramer((line) => this.end.write(`${this.answer(line)}\n`));
    this.end.onData((chunk) => {
      this.chunks++;
      framer.push(chunk);
    });
  }

  private answer(line: string): string {
    this.received.push(line);
    const [op, a, b] = line.split(' ');
    const addr = Number(a);
    const value = Number(b);
    switch (op) {
      case 'outl':
        if (addr === 0xcf8) this.selected = value & 0x7fffffff;
        else this.writeConfig(this.selected, value, 0xffffffff);
        return 'OK';
      case 'outw':
        this.writeConfig(this.selected, value, 0xffff);
        return 'OK';
      case 'inl': return reply(this.readConfig(this.selected));
      case 'inw': return reply(this.readConfig(this.selected) & 0xffff);
      case 'readl': return reply(this.readMmconfig(addr));
      default: return `FAIL unexpected ${op}`;
    }
  }

  private readConfig(key: number): number {
    return this.config.get(key) ?? (key === NIC + 4 || key === 4 ? 0 : 0xffffffff);
  }

  private writeConfig(key: number, value: number, mask: number): void {
    const reg = key & 0xfc;
    if ((key & ~0xfc) === NIC && reg >= BAR0 && reg <= BAR5) {
      if (this.options.stuckBars?.has(reg) === true) return;
      const types = this.options.barTypes ?? new Map([[0x18, 0x1], [0x1c, 0x4]]);
      this.config.set(key, (value | (types.get(reg) ?? 0)) >>> 0);
      return;
    }
    if (key === NIC + 4) value |= this.options.commandExtra ?? 0;
    if (key === PCIEXBAR && this.options.noMmconfig === true) return;
    this.config.set(key, ((this.readConfig(key) & ~mask) | (value & mask)) >>> 0);
  }

  private readMmconfig(addr: number): number {
    const pciexbar = this.config.get(PCIEXBAR) ?? 0;
    const base = (pciexbar & 0xf0000000) >>> 0;
    if ((pciexbar & 1) === 0 || addr < base || addr >= base + 0x10000000) return 0xffffffff;
    const offset = addr - base;
    return this.readConfig(((offset >> 20) << 16) | (((offset >> 15) & 0x1f) << 11) | (((offset >> 12) & 7) << 8) | (offset & 0xfc));
  }
}

function reply(value: number): string {
  return `OK 0x${value.toString(16).padStart(16, '0')}`;
}
