// Aggregates a trace's record stream into counts: per kind and space, per marker kind, per QEMU
// verdict, per register. It is a record sink (access/marker), so it runs while the trace is read
// and memory depends on the number of distinct registers, never on the number of accesses.
// Register names and blocks are resolved once per distinct register when the result is built.

import {
  ADDRESS_SPACES, MARKER_KINDS, QEMU_VERDICTS,
  type Access, type AccessKind, type AddressSpace, type Marker, type MarkerKind, type QemuVerdict,
} from '../model/access.js';
import type { FunctionalBlock, RegisterRef } from '../model/register.js';

/** What the aggregator needs from the register database (RegisterDatabase satisfies it). */
export interface RegisterNames {
  lookupOffset(offset: number): RegisterRef | undefined;
  lookupPhy(reg: number): RegisterRef | undefined;
}

/** Where a tallied register lives. IO-BAR accesses to a MAC register are counted under `mmio`. */
export type RegisterSpaceName = 'mmio' | 'io' | 'phy' | 'pci-config';

/** Register offsets the database does not describe are grouped as `unmapped`. */
export type BlockName = FunctionalBlock | 'unmapped';

/** One non-`ok` verdict QEMU gave for accesses of one kind to one register. */
export interface VerdictTally {
  readonly verdict: Exclude<QemuVerdict, 'ok'>;
  readonly kind: AccessKind;
  readonly count: number;
  /** seq and 1-based line of the first access that got this verdict. */
  readonly firstSeq: number;
  readonly firstLine: number;
}

export interface RegisterTally {
  readonly space: RegisterSpaceName;
  /** Canonical byte offset (mmio, io, pci-config) or MII register number (phy). */
  readonly offset: number;
  /** Database name such as `RDBAL(0)`; absent when the database has no register there. */
  readonly name?: string;
  readonly block: BlockName;
  readonly description?: string;
  readonly reads: number;
  readonly writes: number;
  /** Accesses that reached this MAC register through the IO BAR (IODATA). */
  readonly viaIo: number;
  readonly firstSeq: number;
  readonly firstLine: number;
  readonly lastLine: number;
  /** Non-`ok` verdicts, most frequent first. */
  readonly verdicts: readonly VerdictTally[];
}

export interface TimeSpan {
  /** Microseconds since the Unix epoch. */
  readonly firstUs: number;
  readonly lastUs: number;
  readonly durationUs: number;
  /** Distinct host thread ids seen in the prefixes (capped at MAX_THREADS). */
  readonly threads: number;
}

export type KindCounts = Readonly<Record<AccessKind, number>>;

export interface RecordSummary {
  readonly accesses: number;
  readonly bySpace: Readonly<Record<AddressSpace, KindCounts>>;
  readonly verdicts: Readonly<Record<QemuVerdict, number>>;
  readonly markers: number;
  readonly markersByKind: Readonly<Record<MarkerKind, number>>;
  readonly time?: TimeSpan;
  /** Every register touched, by space; each list sorted by access count, then offset. */
  readonly registers: Readonly<Record<RegisterSpaceName, readonly RegisterTally[]>>;
}

const MAX_THREADS = 1024;
/** BAR0 is 128 KiB. */
const MMIO_BYTES = 0x20000;

interface MutableVerdict { verdict: Exclude<QemuVerdict, 'ok'>; kind: AccessKind; count: number; firstSeq: number; firstLine: number }

interface MutableTally {
  reads: number;
  writes: number;
  viaIo: number;
  firstSeq: number;
  firstLine: number;
  lastLine: number;
  verdicts: MutableVerdict[];
}

export class TraceSummaryBuilder {
  /** Counts only: event texts are never read (the reader may leave them empty). */
  readonly readsEventText = false;
  private accesses = 0;
  private markers = 0;
  private readonly bySpace = zeroRecord(ADDRESS_SPACES, () => ({ read: 0, write: 0 }));
  private readonly verdicts = zeroRecord(QEMU_VERDICTS, () => 0);
  private readonly markersByKind = zeroRecord(MARKER_KINDS, () => 0);
  private readonly tallies = zeroRecord<RegisterSpaceName, Map<number, MutableTally>>(
    ['mmio', 'io', 'phy', 'pci-config'], () => new Map());
  private firstUs: number | undefined;
  private lastUs: number | undefined;
  private readonly threads = new Set<number>();

  private mmioReads = 0;
  private mmioWrites = 0;
  private okVerdicts = 0;
  private readonly mmioByDword: (MutableTally | undefined)[] = new Array<MutableTally | undefined>(MMIO_BYTES >>> 2).fill(undefined);

  constructor(private readonly names: RegisterNames) {}

  // The hot path: called for every access of traces with millions of them. Plain MMIO accesses
  // with QEMU's `ok` (nearly all) take the branch-light route through a dword-indexed array.
  access(a: Access): void {
    this.accesses++;
    if (a.timeUs !== undefined || a.thread !== undefined) this.time(a.timeUs, a.thread);
    const read = a.kind === 'read';
    if (a.space === 'mmio' && a.verdict === 'ok' && a.offset < MMIO_BYTES) {
      if (read) this.mmioReads++;
      else this.mmioWrites++;
      this.okVerdicts++;
      const tally = this.mmioTally(a);
      if (read) tally.reads++;
      else tally.writes++;
      tally.lastLine = a.line;
      return;
    }
    this.bySpace[a.space][a.kind]++;
    this.verdicts[a.verdict]++;
    // The config register tallies are the PF's: a VF's config 0x4 is another register.
    if (a.vf !== undefined) return;
    // An IODATA access reaches a MAC register: count it with that register.
    const macRegister = a.space === 'io' ? a.register : undefined;
    const viaIo = macRegister !== undefined;
    const tally = viaIo || a.space === 'mmio' ? this.mmioTally(a, macRegister ?? a.offset) : this.tally(a.space, a.offset, a);
    if (read) tally.reads++;
    else tally.writes++;
    if (viaIo) tally.viaIo++;
    tally.lastLine = a.line;
    if (a.verdict !== 'ok') countVerdict(tally, a);
  }

  /** MMIO tallies live in an array indexed by dword, so the common case needs no hashing. */
  private mmioTally(a: Access, offset = a.offset): MutableTally {
    const index = offset >>> 2;
    if (index >= this.mmioByDword.length || offset % 4 !== 0) return this.tally('mmio', offset, a);
    let tally = this.mmioByDword[index];
    if (tally === undefined) {
      tally = this.tally('mmio', offset, a);
      this.mmioByDword[index] = tally;
    }
    return tally;
  }

  marker(m: Marker): void {
    this.markers++;
    this.markersByKind[m.kind]++;
    this.time(m.timeUs, m.thread);
  }

  result(): RecordSummary {
    this.bySpace.mmio.read += this.mmioReads;
    this.bySpace.mmio.write += this.mmioWrites;
    this.verdicts.ok += this.okVerdicts;
    this.mmioReads = this.mmioWrites = this.okVerdicts = 0;
    const registers = zeroRecord<RegisterSpaceName, readonly RegisterTally[]>(['mmio', 'io', 'phy', 'pci-config'],
      () => []);
    for (const space of Object.keys(this.tallies) as RegisterSpaceName[]) {
      registers[space] = [...this.tallies[space]].map(([offset, t]) => this.freeze(space, offset, t))
        .sort((a, b) => b.reads + b.writes - (a.reads + a.writes) || a.offset - b.offset);
    }
    const time = this.firstUs === undefined || this.lastUs === undefined ? undefined
      : { firstUs: this.firstUs, lastUs: this.lastUs, durationUs: this.lastUs - this.firstUs, threads: this.threads.size };
    return {
      accesses: this.accesses,
      bySpace: structuredClone(this.bySpace),
      verdicts: { ...this.verdicts },
      markers: this.markers,
      markersByKind: { ...this.markersByKind },
      ...(time === undefined ? {} : { time }),
      registers,
    };
  }

  private tally(space: RegisterSpaceName, offset: number, a: Access): MutableTally {
    const map = this.tallies[space];
    let tally = map.get(offset);
    if (tally === undefined) {
      tally = { reads: 0, writes: 0, viaIo: 0, firstSeq: a.seq, firstLine: a.line, lastLine: a.line, verdicts: [] };
      map.set(offset, tally);
    }
    return tally;
  }

  private time(timeUs: number | undefined, thread: number | undefined): void {
    if (timeUs !== undefined) {
      // Timestamps are wall-clock and may step back (NTP); min/max keeps the span honest.
      if (this.firstUs === undefined || timeUs < this.firstUs) this.firstUs = timeUs;
      if (this.lastUs === undefined || timeUs > this.lastUs) this.lastUs = timeUs;
    }
    if (thread !== undefined && this.threads.size < MAX_THREADS) this.threads.add(thread);
  }

  private freeze(space: RegisterSpaceName, offset: number, t: MutableTally): RegisterTally {
    const ref = space === 'mmio' ? this.names.lookupOffset(offset)
      : space === 'phy' ? this.names.lookupPhy(offset) : undefined;
    return {
      space, offset,
      ...(ref === undefined ? {} : { name: ref.name, description: ref.def.description }),
      block: ref?.def.block ?? 'unmapped',
      reads: t.reads, writes: t.writes, viaIo: t.viaIo,
      firstSeq: t.firstSeq, firstLine: t.firstLine, lastLine: t.lastLine,
      verdicts: t.verdicts.map((v) => ({ ...v })).sort((a, b) => b.count - a.count || a.firstSeq - b.firstSeq),
    };
  }
}

function countVerdict(tally: MutableTally, a: Access): void {
  const verdict = a.verdict as Exclude<QemuVerdict, 'ok'>;
  // A register gets at most a handful of distinct (verdict, kind) pairs: a linear scan is cheapest.
  const found = tally.verdicts.find((v) => v.verdict === verdict && v.kind === a.kind);
  if (found !== undefined) found.count++;
  else tally.verdicts.push({ verdict, kind: a.kind, count: 1, firstSeq: a.seq, firstLine: a.line });
}

function zeroRecord<K extends string, V>(keys: readonly K[], make: () => V): Record<K, V> {
  const record = {} as Record<K, V>;
  for (const key of keys) record[key] = make();
  return record;
}

/** Total accesses of a tally. */
export function tallyCount(t: RegisterTally): number {
  return t.reads + t.writes;
}
