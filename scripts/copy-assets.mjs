// Copies the register database CSVs next to the compiled loader, so dist/ runs on its own, and
// writes each device model's validated tables beside them (src/regs/tables-cache.ts says why).
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const from = 'src/regs';
const to = join('dist', 'src', 'regs');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) {
  if (name.endsWith('.csv')) cpSync(join(from, name), join(to, name));
}
// Imported only now: the compiled loader reads the CSVs just copied (a CSV error fails the build).
const { buildTablesCache, tablesCacheUrl } = await import('../dist/src/regs/loader.js');
const { DEVICE_MODELS } = await import('../dist/src/devices/table.js');
for (const model of DEVICE_MODELS) writeFileSync(fileURLToPath(tablesCacheUrl(model)), buildTablesCache(model));
