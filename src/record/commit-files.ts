// Puts a recording's files in place all or nothing: each is first written under a hidden temporary
// name in its final directory, and only when every one is complete are they renamed (atomic within
// a directory). A failure, or a signal, meanwhile removes what was staged, so no reader ever sees
// a half-written trace, or a sidecar describing a trace that is not there.

import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { copyFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { registerForReaping } from '../target/reaper.js';

export type FileContent = { readonly copyFrom: string } | { readonly text: string };

export interface FileToCommit {
  readonly path: string;
  readonly content: FileContent;
}

function stagingName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
}

export async function commitFiles(files: readonly FileToCommit[]): Promise<void> {
  const staged: string[] = [];
  const removeStaged = (): void => { for (const path of staged) rmSync(path, { force: true }); };
  const registration = registerForReaping({ shutdown: async () => removeStaged(), shutdownSync: removeStaged });
  try {
    for (const file of files) {
      const temp = stagingName(file.path);
      staged.push(temp);
      if ('copyFrom' in file.content) await copyFile(file.content.copyFrom, temp);
      else await writeFile(temp, file.content.text);
    }
    for (const [i, file] of files.entries()) await rename(staged[i]!, file.path);
    staged.length = 0;
  } catch (error) {
    await Promise.all(staged.map((path) => rm(path, { force: true })));
    throw error;
  } finally {
    registration.dispose();
  }
}
