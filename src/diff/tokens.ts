// Compact form of a trace for diffing: every access becomes one integer token (what the access
// *is*: kind, space, register and, for writes, the value) plus typed-array columns for what may
// differ at an aligned position (read value, QEMU verdict) and where it came from (line). Two
// traces of a million accesses each take ~26 MB this way instead of ~1 GB of Access objects.
// Timestamps, threads, seq and side events are not kept: they are not part of the comparison.

import { QEMU_VERDICTS, type Access, type AccessKind, type AddressSpace, type Marker, type QemuVerdict } from '../model/access.js';
import type { RecordSink } from '../formats/read-trace.js';
import type { PhaseTracker } from '../analysis/phases.js';
import type { Phase } from '../model/phase.js';

/** What a token stands for. `value` is set for writes whose value is part of their identity. */
export interface TokenInfo {
  readonly kind: AccessKind;
  readonly space: AddressSpace;
  readonly offset: number;
  /** For `io` IODATA accesses: the MAC register reached through IOADDR. */
  readonly register?: number;
  /** For `pci-config`: the SR-IOV virtual function (a VF's config 0x4 is not the PF's). */
  readonly vf?: number;
  readonly value?: number;
}

/**
 * Token numbers shared by the two traces of one diff. `valueFree(info)` says for which writes the
 * value is *not* part of the token (per-boot values such as DMA addresses): such writes still
 * align when their values differ, and the difference is reported (or ignored) as a changed write.
 */
export class TokenTable {
  private readonly ids = new Map<string, number>();
  private readonly infos: TokenInfo[] = [];

  constructor(private readonly valueFree: (info: TokenInfo) => boolean = () => false) {}

  intern(access: Access): number {
    const register = access.register === undefined ? '' : access.register;
    const base = `${access.kind}|${access.space}|${access.offset}|${register}${access.vf === undefined ? '' : `|vf${access.vf}`}`;
    const withValue = access.kind === 'write';
    let key = withValue ? `${base}|${access.value}` : base;
    let id = this.ids.get(key);
    if (id !== undefined) return id;
    const info: TokenInfo = {
      kind: access.kind, space: access.space, offset: access.offset,
      ...(access.register === undefined ? {} : { register: access.register }),
      ...(access.vf === undefined ? {} : { vf: access.vf }),
    };
    if (withValue && this.valueFree(info)) {
      key = base;
      id = this.ids.get(key);
      if (id === undefined) id = this.add(key, info);
    } else {
      id = this.add(key, withValue ? { ...info, value: access.value } : info);
    }
    // Remember the value-specific key too, so the next identical write skips the valueFree check.
    this.ids.set(withValue ? `${base}|${access.value}` : key, id);
    return id;
  }

  info(token: number): TokenInfo {
    const info = this.infos[token];
    if (info === undefined) throw new RangeError(`no token ${token}`);
    return info;
  }

  get size(): number {
    return this.infos.length;
  }

  private add(key: string, info: TokenInfo): number {
    const id = this.infos.length;
    this.infos.push(info);
    this.ids.set(key, id);
    return id;
  }
}

/** One trace's accesses as columns; index = the access's seq. */
export interface TokenizedTrace {
  readonly file: string;
  readonly length: number;
  readonly tokens: Int32Array;
  readonly values: Uint32Array;
  /** Index into QEMU_VERDICTS. */
  readonly verdicts: Uint8Array;
  readonly lines: Int32Array;
  /** The trace's phases (empty when the tokenizer tracked none). */
  readonly phases: readonly Phase[];
}

export function verdictAt(trace: TokenizedTrace, i: number): QemuVerdict {
  return QEMU_VERDICTS[trace.verdicts[i] ?? 0] ?? 'ok';
}

const VERDICT_INDEX = new Map<QemuVerdict, number>(QEMU_VERDICTS.map((v, i) => [v, i]));

/** A record sink that fills the columns; the arrays grow by doubling and are trimmed at the end. */
export class TraceTokenizer implements RecordSink {
  private n = 0;
  private tokens = new Int32Array(1024);
  private values = new Uint32Array(1024);
  private verdicts = new Uint8Array(1024);
  private lines = new Int32Array(1024);

  constructor(private readonly table: TokenTable, private readonly phases?: PhaseTracker) {}

  access(access: Access): void {
    this.phases?.observeAccess(access);
    if (this.n === this.tokens.length) this.grow();
    const i = this.n++;
    this.tokens[i] = this.table.intern(access);
    this.values[i] = access.value >>> 0;
    this.verdicts[i] = VERDICT_INDEX.get(access.verdict) ?? 0;
    this.lines[i] = access.line;
  }

  marker(marker: Marker): void {
    // Markers (timers, packets) are timing, not guest behaviour: not compared; they do start phases.
    this.phases?.observeMarker(marker);
  }

  result(file: string): TokenizedTrace {
    const n = this.n;
    return {
      file, length: n,
      tokens: this.tokens.slice(0, n), values: this.values.slice(0, n),
      verdicts: this.verdicts.slice(0, n), lines: this.lines.slice(0, n),
      phases: this.phases?.phases() ?? [],
    };
  }

  private grow(): void {
    const size = this.tokens.length * 2;
    const grown = <T extends Int32Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(size);
      next.set(old);
      return next;
    };
    this.tokens = grown(this.tokens, (k) => new Int32Array(k));
    this.values = grown(this.values, (k) => new Uint32Array(k));
    this.verdicts = grown(this.verdicts, (k) => new Uint8Array(k));
    this.lines = grown(this.lines, (k) => new Int32Array(k));
  }
}
