// Public surface of the register database.

export { RegisterDatabase, igbRegisters, registersFor, formatDecoded, formatFieldDiff, formatFieldValue } from './database.js';
export type { DecodeOptions, FieldDiff } from './database.js';
export { RegisterDatabaseError } from './errors.js';
export { loadIgbTables, loadTables, parseRegisterTables } from './loader.js';
export type { CsvSource, IgbTables, RegisterTableSources } from './loader.js';
export { DEVICE_MODELS, type DeviceModel } from '../devices/table.js';
export { MMIO_SPACE, PHY_SPACE } from './space.js';
export type { AddressSpace } from './space.js';
