// A build-time cache of the validated register tables. Parsing and checking the CSVs costs about a
// tenth of a second in a fresh process (csv-parse runs cold, and the checks walk every row), which
// is most of `parse` on a small trace; the build (scripts/copy-assets.mjs) writes the tables it
// validated as JSON beside the copied CSVs, with the CSV text they came from.
// The CSVs stay the one source: a cache made from other text than the CSVs read now (edited
// without a rebuild) is ignored, and tests that load from src/ have no cache at all.

import { readFileSync } from 'node:fs';
import type { RegisterDef } from '../model/register.js';
import type { CsvSource } from './csv.js';

/** What a cache file holds (also the shape loadTables returns). */
export interface CachedTables {
  readonly mmio: RegisterDef[];
  readonly phy: RegisterDef[];
}

interface CacheFile {
  /**
   * The CSV texts the tables were made from, compared whole: cheaper than loading a hash function,
   * and exact. Not their paths, which depend on the working directory.
   */
  readonly sources: readonly string[];
  readonly tables: CachedTables;
}

function sameSources(cached: readonly string[] | undefined, sources: readonly CsvSource[]): boolean {
  return Array.isArray(cached) && cached.length === sources.length && sources.every((source, i) => cached[i] === source.text);
}

/** The cached tables at `url` if it was built from exactly `sources`; undefined when absent or stale. */
export function readTablesCache(url: URL, sources: readonly CsvSource[]): CachedTables | undefined {
  let text: string;
  try {
    text = readFileSync(url, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const file = JSON.parse(text) as CacheFile;
    return sameSources(file.sources, sources) ? file.tables : undefined;
  } catch {
    // A damaged cache is a stale one: the CSVs are parsed as if there were none.
    return undefined;
  }
}

export function tablesCacheText(sources: readonly CsvSource[], tables: CachedTables): string {
  const file: CacheFile = { sources: sources.map((source) => source.text), tables };
  return JSON.stringify(file);
}
