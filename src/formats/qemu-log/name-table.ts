// Event names seen in a trace, indexed by a hash of their bytes so that a name can be looked up
// without first making a string of it (most lines repeat a few dozen names).

/** Bound on distinct names kept, so a hostile input cannot grow a table without limit. */
export const MAX_EVENT_NAMES = 4096;

interface Entry<T> {
  readonly bytes: Buffer;
  readonly value: T;
  readonly next: Entry<T> | undefined;
}

/** Hash of `bytes[start, end)`, the one NameTable expects; callers may compute it while reading the name. */
export function nameHash(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = nextNameHash(hash, bytes[i]!);
  return hash;
}

export function nextNameHash(hash: number, byte: number): number {
  return (Math.imul(hash, 31) + byte) | 0;
}

export class NameTable<T> {
  private readonly byHash = new Map<number, Entry<T>>();
  private count = 0;

  get full(): boolean {
    return this.count >= MAX_EVENT_NAMES;
  }

  /** The value of the name `bytes[start, end)`, compared byte for byte (a hash collision never mixes two names). */
  find(hash: number, bytes: Uint8Array, start: number, end: number): T | undefined {
    for (let entry = this.byHash.get(hash); entry !== undefined; entry = entry.next) {
      if (sameBytes(entry.bytes, bytes, start, end)) return entry.value;
    }
    return undefined;
  }

  /** Adds a name not yet in the table; ignored once the table is full. */
  add(hash: number, name: string, value: T): void {
    if (this.full) return;
    this.count++;
    this.byHash.set(hash, { bytes: Buffer.from(name, 'latin1'), value, next: this.byHash.get(hash) });
  }

  values(): T[] {
    const values: T[] = [];
    for (const head of this.byHash.values()) {
      for (let entry: Entry<T> | undefined = head; entry !== undefined; entry = entry.next) values.push(entry.value);
    }
    return values;
  }
}

function sameBytes(name: Buffer, bytes: Uint8Array, start: number, end: number): boolean {
  if (name.length !== end - start) return false;
  for (let i = 0; i < name.length; i++) if (name[i] !== bytes[start + i]) return false;
  return true;
}
