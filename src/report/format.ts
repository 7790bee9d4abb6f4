// Small text formatting helpers shared by the text renderers.

/** `0x80080483`: values and offsets as QEMU's trace prints them. */
export function hex(value: number): string {
  return `0x${value.toString(16)}`;
}

/** `6,113`: thousands separators make counts of million-access traces readable. */
export function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** `1 line`, `2 lines`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${num(n)} ${n === 1 ? word : pluralWord}`;
}

/** `2026-11-23T19:38:48.241599Z`: microsecond precision, which Date.toISOString() would drop. */
export function isoMicros(us: number): string {
  const seconds = Math.floor(us / 1e6);
  const micros = String(Math.round(us - seconds * 1e6)).padStart(6, '0');
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${micros}Z`;
}

/** `6.397302 s`, `812 µs`. */
export function duration(us: number): string {
  return us < 1000 ? `${num(us)} µs` : `${(us / 1e6).toFixed(6)} s`;
}

/** `0x0c0c0`: padded hex for register offsets in tables, so columns line up. */
export function hexPad(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}
