// The baseline file (schema igb-replay/baseline, version 1): the accepted divergences' keys.
// Loading validates the document and names the file in every error (exit 2 via BaselineError).

import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

export const BASELINE_SCHEMA = 'igb-replay/baseline';
export const BASELINE_VERSION = 1;

export interface BaselineFile {
  readonly schema: typeof BASELINE_SCHEMA;
  readonly version: typeof BASELINE_VERSION;
  /** Keys of accepted divergences (see src/baseline/key.ts), in trace order. */
  readonly accepted: readonly string[];
}

/** A baseline file that cannot be read or is not a valid baseline: an input error (exit 2). */
export class BaselineError extends UserError {
  override readonly name = 'BaselineError';

  constructor(readonly file: string, message: string, hint?: string) {
    super(`${file}: ${message}`, hint);
  }
}

/** Parses and validates a baseline document; `file` names it in errors. */
export function parseBaseline(text: string, file: string): BaselineFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(file, `not JSON: ${(error as Error).message}`, 'recreate it with --update-baseline');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new BaselineError(file, 'not a JSON object');
  const record = doc as Record<string, unknown>;
  if (record.schema !== BASELINE_SCHEMA) {
    throw new BaselineError(file, `schema is ${JSON.stringify(record.schema)}, expected "${BASELINE_SCHEMA}"`);
  }
  if (record.version !== BASELINE_VERSION) {
    throw new BaselineError(file, `version ${JSON.stringify(record.version)} is not supported (this igb-replay reads version ${BASELINE_VERSION})`);
  }
  const accepted = record.accepted;
  if (!Array.isArray(accepted)) throw new BaselineError(file, '"accepted" must be an array of keys');
  accepted.forEach((key: unknown, i) => {
    if (typeof key !== 'string' || key === '') throw new BaselineError(file, `accepted[${i}] must be a non-empty string`);
  });
  return { schema: BASELINE_SCHEMA, version: BASELINE_VERSION, accepted: accepted as string[] };
}

/** Reads a baseline; `undefined` when the file does not exist (allowed for --update-baseline). */
export async function loadBaseline(file: string, missingOk = false): Promise<BaselineFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code === 'ENOENT' && missingOk) return undefined;
    throw new BaselineError(file, `cannot read: ${code}`, code === 'ENOENT' ? 'create it with --update-baseline' : undefined);
  }
  return parseBaseline(text, file);
}

export function serializeBaseline(accepted: readonly string[]): string {
  const doc: BaselineFile = { schema: BASELINE_SCHEMA, version: BASELINE_VERSION, accepted };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
