// Public surface of the register database.

export { RegisterDatabase, igbRegisters, formatDecoded, formatFieldDiff, formatFieldValue } from './database.js';
export type { DecodeOptions, FieldDiff } from './database.js';
export { RegisterDatabaseError } from './errors.js';
export { loadIgbTables, parseRegisterTables } from './loader.js';
export type { CsvSource, IgbTables, RegisterTableSources } from './loader.js';
export { MMIO_SPACE, PHY_SPACE } from './space.js';
export type { AddressSpace } from './space.js';
