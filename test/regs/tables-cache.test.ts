// The build's cache of the validated register tables (src/regs/tables-cache.ts): the tables it
// holds are exactly what parsing the CSVs gives, and a cache made from other CSV text is ignored.

import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEVICE_MODELS } from '../../src/devices/table.js';
import { loadTables } from '../../src/regs/loader.js';
import { readTablesCache, tablesCacheText } from '../../src/regs/tables-cache.js';

const sources = [{ file: 'a.csv', text: 'name\nCTRL\n' }, { file: 'b.csv', text: 'register\n' }];

describe('register tables cache', () => {
  it.each(DEVICE_MODELS)('the build wrote the tables parsing the CSVs gives (%s)', (model) => {
    // `npm test` builds first; the sources under src/ have no cache, so loadTables parses them here.
    const built = join('dist', 'src', 'regs', `${model}-tables.json`);
    expect(existsSync(built)).toBe(true);
    const cached = (JSON.parse(readFileSync(built, 'utf8')) as { tables: unknown }).tables;
    expect(JSON.stringify(cached)).toBe(JSON.stringify(loadTables(model)));
  });

  it('gives the cached tables only for the CSV text they were made from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'igb-replay-cache-'));
    try {
      const tables = loadTables('igb');
      const url = pathToFileURL(join(dir, 'igb-tables.json'));
      writeFileSync(url, tablesCacheText(sources, tables));
      expect(readTablesCache(url, sources)).toEqual(tables);
      expect(readTablesCache(url, [sources[0]!, { file: 'b.csv', text: 'register\nCTRL,X\n' }])).toBeUndefined();
      expect(readTablesCache(url, [sources[0]!])).toBeUndefined();
      writeFileSync(url, '{"sources": ["name');
      expect(readTablesCache(url, sources)).toBeUndefined();
      expect(readTablesCache(pathToFileURL(join(dir, 'absent.json')), sources)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
