// Mutations of real trace text for the fuzz tests (synthetic inputs by construction): a window of
// a recording's lines (optionally after its first lines, where mmiotrace keeps its header), edited
// where trace parsers are most easily wrong: numbers out of range or not numbers, stray bytes, cut
// lines, events renamed, lines dropped or repeated, binary junk, CRLF line ends.
import fc from 'fast-check';

const NUMBERS = ['0x', '0xffffffffffffffffffff', '-1', '99999999999999999999999', 'NaN', '0x1g', '', '1e400', '0x-5', '0x80000000', '4294967296'];
const EVENTS = ['e1000e_core_write', 'e1000e_core_read', 'igb_core_mdic_write', 'pci_cfg_write', 'pci_cfg_read', 'e1000e_rx_descr',
  'igb_rx_desc_buff_write', 'e1000e_tx_descr', 'e1000e_wrn_regs_read_unknown', 'e1000e_irq_msix_notify_vec', 'e1000e_rx_desc_ps_write', 'MAP', 'R', 'W'];

type Edit =
  | { kind: 'number'; line: number; value: string }
  | { kind: 'byte'; line: number; at: number; code: number }
  | { kind: 'truncate'; line: number; at: number }
  | { kind: 'event'; line: number; name: string }
  | { kind: 'drop'; line: number; count: number }
  | { kind: 'repeat'; line: number; from: number; count: number }
  | { kind: 'junk'; line: number; text: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('number' as const), line: fc.nat(), value: fc.constantFrom(...NUMBERS) }),
  fc.record({ kind: fc.constant('byte' as const), line: fc.nat(), at: fc.nat(), code: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), line: fc.nat(), at: fc.nat() }),
  fc.record({ kind: fc.constant('event' as const), line: fc.nat(), name: fc.constantFrom(...EVENTS) }),
  fc.record({ kind: fc.constant('drop' as const), line: fc.nat(), count: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('repeat' as const), line: fc.nat(), from: fc.nat(), count: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('junk' as const), line: fc.nat(), text: fc.string({ unit: 'binary', maxLength: 120 }) }),
);

export const textMutation = fc.record({
  /** Lines kept from the start (the format's header: mmiotrace's PCIDEV and MAP lines). */
  head: fc.constantFrom(0, 60),
  start: fc.nat(),
  length: fc.integer({ min: 1, max: 400 }),
  edits: fc.array(edit, { minLength: 1, maxLength: 8 }),
  eol: fc.constantFrom('\n', '\r\n'),
});

export type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never;

export function mutate(source: string, m: TextMutation): string {
  const all = source.split('\n');
  const head = all.slice(0, m.head);
  const from = m.head + (m.start % Math.max(1, all.length - m.head));
  const lines = [...head, ...all.slice(from, from + m.length)];
  for (const e of m.edits) {
    const i = e.line % Math.max(1, lines.length);
    const line = lines[i] ?? '';
    switch (e.kind) {
      case 'number': lines[i] = line.replace(/0x[0-9a-f]+|\b\d+\b/i, e.value); break;
      case 'byte': { const at = e.at % (line.length + 1); lines[i] = line.slice(0, at) + String.fromCharCode(e.code) + line.slice(at + 1); break; }
      case 'truncate': lines[i] = line.slice(0, e.at % (line.length + 1)); break;
      case 'event': lines[i] = line.replace(/[a-z_]+/i, e.name); break;
      case 'drop': lines.splice(i, e.count); break;
      case 'repeat': { const from = e.from % Math.max(1, lines.length); lines.splice(i, 0, ...lines.slice(from, from + e.count)); break; }
      case 'junk': lines.splice(i, 0, e.text); break;
    }
  }
  return lines.join(m.eol);
}
