// Copies the register database CSVs next to the compiled loader, so dist/ runs on its own.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const from = 'src/regs';
const to = join('dist', 'src', 'regs');
mkdirSync(to, { recursive: true });
for (const name of readdirSync(from)) {
  if (name.endsWith('.csv')) cpSync(join(from, name), join(to, name));
}
