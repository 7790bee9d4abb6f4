// Register arrays in triage: 128 UTA entries that a target lacks are one missing feature, not 128.
// Elements of one array (`UTA(0)`…`UTA(127)`, `RAL(16)`…`RAL(23)`) that carry the same kind of
// evidence are merged into one entry named `UTA(0–127)`, with the accesses summed and the earliest
// first access, so the ranking weighs the feature once.

import type { RegisterTally, VerdictTally } from './trace-summary.js';

export interface ElementName {
  readonly base: string;
  readonly index: number;
}

const ELEMENT = /^([A-Za-z][A-Za-z0-9_]*)\((\d+)\)$/;

/** `RDBAL(3)` → {base RDBAL, index 3}; undefined for plain registers and offsets. */
export function parseElement(label: string): ElementName | undefined {
  const match = ELEMENT.exec(label);
  return match === null ? undefined : { base: match[1]!, index: Number(match[2]) };
}

/** Indices as ranges: [0,1,2,3,7] → `0–3, 7`. */
export function indexRanges(indices: Iterable<number>): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * Groups items by array: elements of one array share a group keyed by their base name, everything
 * else stays alone. Groups keep the order of their first item.
 */
export function groupArrayElements<T>(items: readonly T[], labelOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const label = labelOf(item);
    const key = parseElement(label)?.base ?? `=${label}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

/** The label of a group of element labels: `UTA(0–127)`; a single element keeps its own label. */
export function groupLabel(labels: readonly string[]): string {
  if (labels.length === 1) return labels[0]!;
  const elements = labels.map(parseElement);
  const base = elements[0]?.base;
  if (base === undefined) return labels[0]!;
  return `${base}(${indexRanges(elements.map((e) => e?.index ?? 0))})`;
}

/** One tally for several elements of an array: accesses summed, first access the earliest. */
export function mergeTallies(tallies: readonly RegisterTally[], label: string): RegisterTally {
  const [first, ...rest] = [...tallies].sort((a, b) => a.offset - b.offset);
  if (first === undefined) throw new RangeError('mergeTallies needs at least one tally');
  if (rest.length === 0) return first;
  const verdicts = new Map<string, { -readonly [K in keyof VerdictTally]: VerdictTally[K] }>();
  for (const v of tallies.flatMap((t) => t.verdicts)) {
    const key = `${v.verdict}|${v.kind}`;
    const seen = verdicts.get(key);
    if (seen === undefined) verdicts.set(key, { ...v });
    else {
      seen.count += v.count;
      if (v.firstSeq < seen.firstSeq) Object.assign(seen, { firstSeq: v.firstSeq, firstLine: v.firstLine });
    }
  }
  const earliest = tallies.reduce((a, b) => (b.firstSeq < a.firstSeq ? b : a));
  return {
    ...first,
    name: label,
    reads: sum(tallies, (t) => t.reads),
    writes: sum(tallies, (t) => t.writes),
    viaIo: sum(tallies, (t) => t.viaIo),
    firstSeq: earliest.firstSeq,
    firstLine: earliest.firstLine,
    lastLine: Math.max(...tallies.map((t) => t.lastLine)),
    verdicts: [...verdicts.values()].sort((a, b) => b.count - a.count),
  };
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((n, item) => n + of(item), 0);
}
