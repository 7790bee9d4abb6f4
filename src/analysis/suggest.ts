// "Did you mean" for register names: the known names closest to what the user typed, by edit
// distance (Levenshtein, case-insensitive), as Jest's jest-validate does for unknown options.

export interface Suggestions {
  /** Closest names first. */
  readonly names: readonly string[];
  /** Whether the best one is close enough to be a plausible typo (otherwise just the nearest). */
  readonly close: boolean;
}

const MAX_SUGGESTIONS = 3;

export function suggestNames(input: string, candidates: Iterable<string>): Suggestions {
  const wanted = input.toUpperCase();
  const ranked = [...new Set(candidates)]
    .map((name) => ({ name, distance: editDistance(wanted, name.toUpperCase()) }))
    .sort((a, b) => a.distance - b.distance || Math.abs(a.name.length - wanted.length)
      - Math.abs(b.name.length - wanted.length) || (a.name < b.name ? -1 : 1))
    .slice(0, MAX_SUGGESTIONS);
  // A third of the letters wrong still reads as a typo (RDBLA -> RDBAL); more is a different name.
  const limit = Math.max(1, Math.ceil(wanted.length / 3));
  const close = ranked.filter((r) => r.distance <= limit);
  return close.length > 0
    ? { names: close.map((r) => r.name), close: true }
    : { names: ranked.map((r) => r.name), close: false };
}

/** Levenshtein distance with transpositions counted as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}
