// Understands the ways people and drivers write register names: `RDBAL(3)`, `rdbal[3]`, `RDBAL3`,
// `E1000_RDBAL(3)`, `E1000_IP4AT_REG(1)`, `TDT_15`. Produces the readings to try, most literal first,
// so names that end in digits (PRC64, GSCN_0, TRGTTIML0) still match exactly before being split.

export interface NameQuery {
  /** Upper-case register name. */
  readonly base: string;
  /** Array index, when the input names one. */
  readonly index?: number;
}

const BRACKETED = /^([A-Z0-9_]+)[([](0X[0-9A-F]+|[0-9]+)[)\]]$/;
const TRAILING_DIGITS = /^([A-Z0-9_]*[A-Z_])([0-9]+)$/;

export function parseRegisterName(input: string): NameQuery[] {
  let s = input.replace(/\s+/g, '').toUpperCase();
  if (s.startsWith('E1000_')) s = s.slice('E1000_'.length);
  const bracketed = BRACKETED.exec(s);
  if (bracketed !== null) {
    const [, base = '', index = ''] = bracketed;
    return withoutRegSuffix(base).map((b) => ({ base: b, index: parseIndex(index) }));
  }
  if (!/^[A-Z0-9_]+$/.test(s)) return [];
  const queries: NameQuery[] = withoutRegSuffix(s).map((b) => ({ base: b }));
  const digits = TRAILING_DIGITS.exec(s);
  if (digits !== null) {
    const [, base = '', index = ''] = digits;
    const trimmed = base.endsWith('_') ? base.slice(0, -1) : base;
    queries.push({ base: trimmed, index: Number.parseInt(index, 10) });
  }
  return queries;
}

/** Linux spells some arrays `E1000_IP4AT_REG(i)`; try the name as given, then without `_REG`. */
function withoutRegSuffix(base: string): string[] {
  return base.endsWith('_REG') && base.length > 4 ? [base, base.slice(0, -4)] : [base];
}

function parseIndex(text: string): number {
  return text.startsWith('0X') ? Number.parseInt(text.slice(2), 16) : Number.parseInt(text, 10);
}
