// Text rendering of `igb-replay regs`: one register (RegisterInfo) with its fields and an optional
// decoded value, or the register listing (RegisterListing).

import type { ChalkInstance } from 'chalk';
import type { FieldInfo, RegisterInfo } from '../analysis/register-lookup.js';
import type { RegisterListing } from '../analysis/register-layout.js';
import { formatOffset } from '../analysis/register-layout.js';
import { formatFieldValue } from '../regs/index.js';
import { hex, num } from './format.js';
import { renderTable } from './table.js';

export function renderRegisterInfo(info: RegisterInfo, c: ChalkInstance): string {
  const lines = [`${c.bold(info.name)}  ${info.register.description}`, ...renderTable(propertyRows(info), { indent: '  ' })];
  lines.push('', c.bold('Fields'));
  if (info.fields.length === 0) lines.push('  (no bit fields defined: the register is one value)');
  else lines.push(...renderTable(fieldRows(info.fields), {}));
  if (info.decoded !== undefined) lines.push('', ...valueLines(info, info.decoded, c));
  return `${lines.join('\n')}\n`;
}

function propertyRows(info: RegisterInfo): string[][] {
  const r = info.register;
  const phy = info.space === 'phy';
  const where = phy ? `PHY register ${info.offset} (${hex(info.offset)}), through MDIC` : `${formatOffset(info.offset, 5)} in BAR0`;
  const rows = [['offset', where + (info.requestedOffset === undefined ? ''
    : ` (${hex(info.requestedOffset)} is inside it; accesses round down to the register)`)]];
  const traits = [r.readSideEffect ? 'reading it has side effects' : '', r.volatile ? 'volatile (changes without the driver)' : '']
    .filter((t) => t !== '');
  rows.push(['access', `${r.access}, ${r.width} bits${traits.length > 0 ? `; ${traits.join('; ')}` : ''}`]);
  rows.push(['block', `${r.block} (${r.blockTitle})`]);
  for (const segment of info.layout.filter((s) => s.stride > 0)) {
    rows.push(['array', `${segment.formula}${info.index === undefined ? '' : `; element ${info.index} at ${formatOffset(info.offset, 5)}`}`]);
  }
  if (r.altNames.length > 0) rows.push(['also named', r.altNames.join(', ')]);
  if (info.aliasOf !== undefined) {
    rows.push(['alias of', `${info.aliasOf.name} at ${formatOffset(info.aliasOf.offset, 5)} (QEMU logs the canonical offset)`]);
  }
  for (const alias of info.aliases) rows.push(['alias', `${alias.name} at ${formatOffset(alias.offset, 5)} reaches this register`]);
  return rows;
}

function fieldRows(fields: readonly FieldInfo[]): string[][] {
  return [['bits', 'field', 'description'], ...fields.map((f) => [f.bits, f.name, f.description])];
}

function valueLines(info: RegisterInfo, decoded: NonNullable<RegisterInfo['decoded']>, c: ChalkInstance): string[] {
  const digits = info.register.width / 4;
  const title = `${c.bold('Value')} 0x${decoded.value.toString(16).padStart(digits, '0')} (${num(decoded.value)})`;
  if (decoded.fields.length === 0) return [title, '  (no bit fields to decode)'];
  const rows = [['bits', 'field', 'value', 'description']];
  for (const f of decoded.fields) {
    const value = formatFieldValue(f.value);
    // Non-zero fields are what a reader looks for; highlight them, dim the rest.
    rows.push(f.value !== 0 ? [f.bits, c.bold.green(f.name), c.bold.green(value), f.description]
      : [c.dim(f.bits), c.dim(f.name), c.dim(value), c.dim(f.description)]);
  }
  const set = decoded.fields.filter((f) => f.value !== 0).map((f) => `${f.name}=${formatFieldValue(f.value)}`);
  return [title, ...renderTable(rows, { align: ['left', 'left', 'right', 'left'] }),
    `  non-zero: ${set.length > 0 ? set.join(' ') : '(none)'}`];
}

export function renderRegisterListing(listing: RegisterListing, c: ChalkInstance): string {
  const space = listing.space === 'phy' ? 'PHY registers' : 'BAR0 registers';
  const scope = listing.block === undefined ? '' : ` in block ${listing.block} (${listing.blockTitle})`;
  const rows = [['name', 'offset', 'access', 'block', 'description']];
  for (const r of listing.registers) {
    const description = r.aliasOf === undefined ? r.description : `${r.description} [alias of ${r.aliasOf}]`;
    rows.push([r.name, r.formula, r.access, r.block, description]);
  }
  return `${[`${c.bold(space)}${scope}: ${num(listing.registers.length)}`, ...renderTable(rows, {})].join('\n')}\n`;
}
