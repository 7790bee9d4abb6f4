// Delta debugging (Zeller's ddmin, complement-only): the smallest subsequence of `units` that
// still makes `reproduces` true, found by removing ever smaller chunks. Only complements are
// tried — a driver trace without its beginning never reproduces anything, so testing a lone
// chunk would waste a QEMU run. Pure apart from the predicate; bounded by a test budget.

export interface DdminOptions {
  /** Most predicate calls; when spent, the smallest reproducing sequence so far is returned. */
  readonly maxTests: number;
  /** Called after each test with the tests done and the current size. */
  readonly onTest?: (tests: number, size: number) => void;
}

export interface DdminResult<T> {
  readonly kept: readonly T[];
  readonly tests: number;
  /** False when the budget ran out before the result was 1-minimal. */
  readonly minimal: boolean;
}

export async function ddmin<T>(units: readonly T[], reproduces: (candidate: readonly T[]) => Promise<boolean>,
  options: DdminOptions): Promise<DdminResult<T>> {
  let current = [...units];
  let chunks = 2;
  let tests = 0;
  while (current.length >= 2) {
    const size = Math.ceil(current.length / chunks);
    let reduced = false;
    for (let start = 0; start < current.length; start += size) {
      if (tests >= options.maxTests) return { kept: current, tests, minimal: false };
      const complement = [...current.slice(0, start), ...current.slice(start + size)];
      tests++;
      const ok = await reproduces(complement);
      options.onTest?.(tests, ok ? complement.length : current.length);
      if (ok) {
        current = complement;
        chunks = Math.max(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (chunks >= current.length) break;
    chunks = Math.min(chunks * 2, current.length);
  }
  // One unit left: 1-minimal still means trying without it.
  if (current.length === 1) {
    if (tests >= options.maxTests) return { kept: current, tests, minimal: false };
    tests++;
    const ok = await reproduces([]);
    options.onTest?.(tests, ok ? 0 : 1);
    if (ok) current = [];
  }
  return { kept: current, tests, minimal: true };
}
