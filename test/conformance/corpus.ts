// Loading the OPA conformance corpus (FORMAT.md §1–2): a directory of `<folder>/*.y(a)ml` files in,
// a flat list of cases out, ordered by folder, file and index, each with a stable id
// `folder/file.yaml#index`. YAML integers are read as bigint so large numbers stay exact.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import type { Json, Row } from './compare.js';

/** CaseSpec is one case's fields as written in the YAML (FORMAT.md §2). */
export type CaseSpec = {
  readonly note: string;
  readonly query: string;
  readonly modules: readonly string[];
  readonly data?: Json;
  readonly input?: Json;
  readonly input_term?: string;
  readonly want_result?: readonly Row[];
  readonly want_error_code?: string;
  readonly want_error?: string;
  readonly strict_error?: boolean;
  readonly sort_bindings?: boolean;
};

/** CorpusCase is one case with where it came from. */
export type CorpusCase = {
  readonly id: string;
  readonly folder: string;
  readonly file: string;
  readonly index: number;
  readonly spec: CaseSpec;
  /** unknownFields lists keys FORMAT.md does not describe (such a case is failed, not run). */
  readonly unknownFields: readonly string[];
};

/** KNOWN_FIELDS are the case keys FORMAT.md §2 describes. */
export const KNOWN_FIELDS: ReadonlySet<string> = new Set([
  'note',
  'query',
  'modules',
  'data',
  'input',
  'input_term',
  'want_result',
  'want_error_code',
  'want_error',
  'strict_error',
  'sort_bindings',
]);

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/**
 * parseCases reads one YAML document's `cases` list; `rel` is the file's path relative to the corpus
 * root, whose first segment is the folder (`rootFolder` for files directly in the root).
 */
export function parseCases(text: string, rel: string, rootFolder = '.'): CorpusCase[] {
  const doc: unknown = parse(text, { intAsBigInt: true });
  const cases = (doc as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(cases)) throw new Error(`${rel}: no 'cases' list`);
  const parts = rel.split('/');
  const folder = parts.length > 1 ? (parts[0] as string) : rootFolder;
  return cases.map((raw: unknown, index) => {
    const rec = (raw ?? {}) as Record<string, unknown>;
    const unknownFields = Object.keys(rec).filter((k) => !KNOWN_FIELDS.has(k));
    const spec: CaseSpec = {
      ...(rec as Partial<CaseSpec>),
      note: String(rec.note ?? ''),
      query: String(rec.query ?? ''),
      modules: Array.isArray(rec.modules) ? rec.modules.map(String) : [],
    };
    return { id: `${rel}#${index}`, folder, file: rel, index, spec, unknownFields };
  });
}

/** loadCorpus reads every case under `root` (recursively), sorted by path then index; a single folder may be given. */
export function loadCorpus(root: string): CorpusCase[] {
  const out: CorpusCase[] = [];
  for (const path of yamlFiles(root)) {
    const rel = relative(root, path).split(sep).join('/');
    const top = rel.includes('/') ? rel : `${basename(root)}/${rel}`;
    out.push(...parseCases(readFileSync(path, 'utf8'), top));
  }
  return out;
}
