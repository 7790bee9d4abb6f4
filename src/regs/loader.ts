// Loads and validates the register database CSVs (<model>-registers.csv + <model>-fields.csv for BAR0,
// model igb or e1000e;
// phy-registers.csv + phy-fields.csv for the MII registers). Any inconsistency throws a
// RegisterDatabaseError at load time naming file and line, so bad data never reaches a report.

import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldDef, RegisterDef } from '../model/register.js';
import { deviceRow, type DeviceModel } from '../devices/table.js';
import { readCsv, type CsvSource } from './csv.js';
import { FIELD_COLUMNS, parseFieldRows } from './field-rows.js';
import { checkLayout, checkNames, checkReferences } from './layout.js';
import { parseRegisterRow, REGISTER_COLUMNS, type RegisterDraft } from './register-rows.js';
import { MMIO_SPACE, PHY_SPACE, type AddressSpace } from './space.js';
import { readTablesCache, tablesCacheText } from './tables-cache.js';

export type { CsvSource } from './csv.js';

export interface RegisterTableSources {
  readonly registers: CsvSource;
  readonly fields: CsvSource;
}

/** Parses and validates one registers/fields pair from text (tests feed synthetic CSV here). */
export function parseRegisterTables(sources: RegisterTableSources, space: AddressSpace = MMIO_SPACE): RegisterDef[] {
  const drafts = readCsv(sources.registers, REGISTER_COLUMNS).map(parseRegisterRow);
  const segments = checkNames(drafts);
  checkLayout(drafts, space);
  checkReferences(drafts, segments);
  const fields = parseFieldRows(readCsv(sources.fields, FIELD_COLUMNS), segments);
  return drafts.map((d) => toDef(d, fields));
}

function toDef(d: RegisterDraft, fields: ReadonlyMap<string, FieldDef[]>): RegisterDef {
  // Aliases and fields_like registers decode with their target's fields.
  const fieldOwner = d.aliasOf ?? d.fieldsLike ?? d.name;
  return {
    name: d.name,
    offset: d.offset,
    count: d.count,
    stride: d.stride ?? 0,
    width: d.width,
    access: d.access,
    readSideEffect: d.readSideEffect,
    volatile: d.volatile,
    block: d.block,
    description: d.description,
    ...(d.aliasOf === undefined ? {} : { aliasOf: d.aliasOf }),
    ...(d.indexBase === 0 ? {} : { indexBase: d.indexBase }),
    ...(d.altNames.length === 0 ? {} : { altNames: d.altNames }),
    fields: fields.get(fieldOwner) ?? [],
  };
}

export interface IgbTables {
  /** BAR0 registers. */
  readonly mmio: RegisterDef[];
  /** MII registers reached through MDIC. */
  readonly phy: RegisterDef[];
}


/** Loads the CSVs shipped beside this module (src/regs, or dist/src/regs after the build copies them). */
export function loadIgbTables(): IgbTables {
  return loadTables('igb');
}

/**
 * The BAR0 tables of one device model, the CSVs its row in src/devices/table.ts names. Both devices
 * use the same MII register set behind MDIC (QEMU models both PHYs with one register layout; the
 * 82574's paged registers share the numbers), so the PHY tables are common. Taken from the build's
 * cache (tables-cache.ts) when it was made from these very CSVs.
 */
export function loadTables(model: DeviceModel): IgbTables {
  const sources = tableSources(model);
  return readTablesCache(tablesCacheUrl(model), sources) ?? parseSources(sources);
}

/** The cache file of `model`'s tables, beside the CSVs (written by the build). */
export function tablesCacheUrl(model: DeviceModel): URL {
  return new URL(`./${model}-tables.json`, import.meta.url);
}

/** The cache text for `model`, for the build: the tables parsed and checked from the CSVs now. */
export function buildTablesCache(model: DeviceModel): string {
  const sources = tableSources(model);
  return tablesCacheText(sources, parseSources(sources));
}

/** The four CSVs of a model, in the order parseSources takes them. */
function tableSources(model: DeviceModel): CsvSource[] {
  const tables = deviceRow(model).registerTables;
  return [readBundled(tables.registers), readBundled(tables.fields), readBundled('phy-registers.csv'), readBundled('phy-fields.csv')];
}

function parseSources([registers, fields, phyRegisters, phyFields]: CsvSource[]): IgbTables {
  return {
    mmio: parseRegisterTables({ registers: registers!, fields: fields! }, MMIO_SPACE),
    phy: parseRegisterTables({ registers: phyRegisters!, fields: phyFields! }, PHY_SPACE),
  };
}

function readBundled(name: string): CsvSource {
  const url = new URL(`./${name}`, import.meta.url);
  return { file: displayPath(fileURLToPath(url)), text: readFileSync(url, 'utf8') };
}

/** Repository-relative when run from the repository, so messages read `src/regs/x.csv:12: ...`. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel.split('\\').join('/');
}
