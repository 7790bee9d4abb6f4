// Builders for SYNTHETIC records (not from a real trace): small, hand-made access and marker
// lists for unit tests of the aggregator, triage and renderers.

import type { Access, AccessKind, AddressSpace, Marker, MarkerKind, QemuVerdict } from '../../src/model/access.js';
import type { RegisterDef, RegisterRef } from '../../src/model/register.js';
import type { RegisterNames } from '../../src/analysis/trace-summary.js';

export interface AccessSpec {
  readonly kind?: AccessKind;
  readonly space?: AddressSpace;
  readonly offset: number;
  readonly value?: number;
  readonly verdict?: QemuVerdict;
  readonly timeUs?: number;
  readonly thread?: number;
  readonly register?: number;
}

/** Accesses numbered seq 0.. with line = seq + 1 unless given. */
export function accesses(specs: readonly AccessSpec[]): Access[] {
  return specs.map((s, seq) => ({
    type: 'access', seq, line: seq + 1, kind: s.kind ?? 'read', space: s.space ?? 'mmio', offset: s.offset,
    size: 4, value: s.value ?? 0, verdict: s.verdict ?? 'ok', events: [],
    ...(s.timeUs === undefined ? {} : { timeUs: s.timeUs }),
    ...(s.thread === undefined ? {} : { thread: s.thread }),
    ...(s.register === undefined ? {} : { register: s.register }),
  }));
}

export function marker(kind: MarkerKind, afterSeq: number, line: number, timeUs?: number): Marker {
  return { type: 'marker', kind, line, afterSeq, events: [], ...(timeUs === undefined ? {} : { timeUs }) };
}

function def(name: string, offset: number, block: RegisterDef['block']): RegisterDef {
  return {
    name, offset, count: 1, stride: 0, width: 32, access: 'RW', readSideEffect: false, volatile: false,
    block, description: `${name} (synthetic)`, fields: [],
  };
}

/** A three-register synthetic database: CTRL 0x0, STATUS 0x8, EECD 0x10, SEC 0x4038; PHY BMSR 1. */
export function syntheticNames(): RegisterNames {
  const mmio = new Map<number, RegisterRef>([
    [0x0, ref(def('CTRL', 0x0, 'general'))],
    [0x8, ref(def('STATUS', 0x8, 'general'))],
    [0x10, ref(def('EECD', 0x10, 'nvm'))],
    [0x4038, ref(def('SEC', 0x4038, 'statistics'))],
  ]);
  const phy = new Map<number, RegisterRef>([[1, ref(def('BMSR', 1, 'phy'))], [20, ref(def('GMII_FIFO', 20, 'phy'))]]);
  return { lookupOffset: (o) => mmio.get(o), lookupPhy: (r) => phy.get(r) };
}

function ref(d: RegisterDef): RegisterRef {
  return { def: d, name: d.name, offset: d.offset };
}
