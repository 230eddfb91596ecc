// File-system loaders: walk the paths given on a command line (sorted, recursively) and collect
// Rego sources and data documents. Paths in → SourceFile-like values / a merged data object out;
// missing paths raise BundlePathNotFound, unreadable data BundleDataInvalid/BundleDataConflict.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { DATA_FILE_NAMES, mergeData, parseDataText } from './data-files.js';
import type { DataObject } from './data-files.js';
import { BundlePathNotFound } from './errors.js';

/** CollectedSource is one Rego file: `name` as the user reaches it (for diagnostics), `path` inside a bundle. */
export type CollectedSource = { readonly name: string; readonly text: string; readonly path: string };

/** CollectOptions tunes collectSources. */
export type CollectOptions = {
  /** Keep `*_test.rego` files (default false: they never go into bundles). */
  readonly includeTests?: boolean;
};

type Found = { readonly file: string; readonly rel: string };

/** isTestFile tells whether a Rego file is a test module (`*_test.rego`). */
export function isTestFile(name: string): boolean {
  return name.endsWith('_test.rego');
}

function statOrThrow(p: string): Stats {
  try {
    return statSync(p);
  } catch (cause) {
    throw new BundlePathNotFound(`${p}: no such file or directory`, { cause });
  }
}

/** walk lists the files under one root (a file or directory), sorted, skipping dot-entries inside directories. */
function walk(root: string): Found[] {
  const st = statOrThrow(root);
  if (!st.isDirectory()) return [{ file: root, rel: basename(root) }];
  const out: Found[] = [];
  const visit = (dir: string) => {
    const names = readdirSync(dir).sort();
    for (const name of names) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const p = join(dir, name);
      if (statOrThrow(p).isDirectory()) visit(p);
      else out.push({ file: p, rel: relative(root, p).split(sep).join('/') });
    }
  };
  visit(root);
  return out;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new BundlePathNotFound(`${file}: cannot read: ${(cause as Error).message}`, { cause });
  }
}

/** collectSources finds the `.rego` files under the given paths (files or directories), sorted per root. */
export function collectSources(paths: readonly string[], opts: CollectOptions = {}): CollectedSource[] {
  const out: CollectedSource[] = [];
  for (const root of paths) {
    for (const f of walk(root)) {
      if (!f.file.endsWith('.rego')) continue;
      if (!opts.includeTests && isTestFile(f.file)) continue;
      out.push({ name: f.file, text: readText(f.file), path: `/${f.rel}` });
    }
  }
  return out;
}

function isDataFileName(name: string): boolean {
  return DATA_FILE_NAMES.includes(basename(name));
}

function isExplicitDataFile(name: string): boolean {
  return /\.(json|ya?ml)$/i.test(name);
}

/**
 * loadDataFiles merges the data documents under the given paths: `data.json`/`data.yaml`/`data.yml`
 * in directory `a/b/` (relative to the root given) mount at `data.a.b`; a JSON/YAML file given
 * directly mounts at the root.
 */
export function loadDataFiles(paths: readonly string[]): DataObject {
  const data: DataObject = {};
  for (const root of paths) {
    const explicitFile = !statOrThrow(root).isDirectory();
    for (const f of walk(root)) {
      if (explicitFile ? !isExplicitDataFile(f.file) : !isDataFileName(f.file)) continue;
      const dir = explicitFile ? '.' : dirname(f.rel);
      const mount = dir === '.' ? [] : dir.split('/');
      mergeData(data, mount, parseDataText(f.file, readText(f.file)), f.file);
    }
  }
  return data;
}

/** readDataFile reads and decodes one JSON or YAML document (e.g. an input file). */
export function readDataFile(file: string): unknown {
  statOrThrow(file);
  return parseDataText(file, readText(file));
}
