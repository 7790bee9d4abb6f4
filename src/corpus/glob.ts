// Glob patterns for trace corpora given in quotes (CI configuration, `replay 'traces/**/*.log'`),
// where no shell expands them. The shell's rules, kept small: `*` and `?` within one path segment,
// `[abc]` / `[a-z]` / `[!x]` classes, `**` as a whole segment for any number of directories;
// wildcards do not match a leading dot (hidden files stay out, as in the shell). Matches are
// files only, sorted, so a corpus is the same on every machine.

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** True when the text has a character a glob treats specially. */
export function isGlob(text: string): boolean {
  return /[*?[]/.test(text);
}

/** One path segment's pattern as a regular expression (anchored). */
export function segmentRegExp(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i]!;
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) {
        source += '\\[';
        continue;
      }
      const body = segment.slice(i + 1, end);
      const negated = body.startsWith('!');
      source += `[${negated ? '^' : ''}${(negated ? body.slice(1) : body).replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else source += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // A wildcard at the start must not match a hidden name.
  return new RegExp(`^${/^[*?[]/.test(segment) ? '(?!\\.)' : ''}${source}$`);
}

interface Entry { readonly name: string; readonly dir: boolean }

async function entries(dir: string): Promise<Entry[]> {
  try {
    const list = await readdir(dir === '' ? '.' : dir, { withFileTypes: true });
    return list.map((e) => ({ name: e.name, dir: e.isDirectory() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch {
    return [];
  }
}

/** The files a pattern matches, sorted by path; none is no error here (the caller says what it wanted). */
export async function expandGlob(pattern: string): Promise<string[]> {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const found: string[] = [];
  await walk(absolute ? '/' : '', segments, found);
  return [...new Set(found)].sort();
}

async function walk(base: string, segments: readonly string[], found: string[]): Promise<void> {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  const last = rest.length === 0;
  if (segment === '**') {
    // Zero directories, or one more and `**` again.
    await walk(base, rest, found);
    for (const e of await entries(base)) {
      if (e.dir && !e.name.startsWith('.')) await walk(join(base, e.name), segments, found);
    }
    return;
  }
  if (!isGlob(segment)) {
    const path = base === '' ? segment : join(base, segment);
    if (!last) return walk(path, rest, found);
    const parent = await entries(base);
    if (parent.some((e) => e.name === segment && !e.dir)) found.push(path);
    return;
  }
  const re = segmentRegExp(segment);
  for (const e of await entries(base)) {
    if (!re.test(e.name)) continue;
    const path = base === '' ? e.name : join(base, e.name);
    if (last && !e.dir) found.push(path);
    else if (!last && e.dir) await walk(path, rest, found);
  }
}
