// The shipped policy library (policies/) as the tests read it: its directory and its Rego files,
// named relative to it.

import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceFile } from '../../engine/index.js';

/** POLICIES_DIR is the shipped library's directory. */
export const POLICIES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../policies');

/** regoFiles reads every .rego file under `dir` (tests included), named relative to `root`, sorted by name. */
export function regoFiles(dir: string = POLICIES_DIR, root: string = POLICIES_DIR): SourceFile[] {
  const out: SourceFile[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...regoFiles(p, root));
    else if (e.name.endsWith('.rego')) out.push({ name: relative(root, p).split(sep).join('/'), text: readFileSync(p, 'utf8') });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}
