// Data documents: parse JSON/YAML data-file text into values, and merge documents deeply at a
// mount path (`a/b/data.json` → data.a.b) with conflict detection, as `opa build` does.
// Pure: the file-system walk lives in sources.ts.

import { parse as parseYaml } from 'yaml';
import { BundleDataConflict, BundleDataInvalid } from './errors.js';

/** DataObject is a JSON object document (the shape of `data` and of every mounted directory). */
export type DataObject = { [key: string]: unknown };

/** DATA_FILE_NAMES are the file names a directory walk treats as data documents. */
export const DATA_FILE_NAMES: readonly string[] = ['data.json', 'data.yaml', 'data.yml'];

/** isDataObject tells whether a value is a plain JSON object (not an array or null). */
export function isDataObject(v: unknown): v is DataObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** parseDataText decodes JSON (`.json`) or YAML (`.yaml`/`.yml`, or any other name) text; throws BundleDataInvalid. */
export function parseDataText(name: string, text: string): unknown {
  if (text.trim() === '') return {};
  if (name.toLowerCase().endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new BundleDataInvalid(`${name}: invalid JSON: ${(cause as Error).message}`, { cause });
    }
  }
  try {
    // The core schema keeps YAML 1.2 scalars JSON-like (no dates, no binary).
    const value: unknown = parseYaml(text, { schema: 'core', uniqueKeys: true });
    return value ?? {};
  } catch (cause) {
    const first = ((cause as Error).message ?? String(cause)).split('\n')[0];
    throw new BundleDataInvalid(`${name}: invalid YAML: ${first}`, { cause });
  }
}

/** mergeData mounts `value` at `path` inside `target` (mutated), merging objects deeply; different leaves conflict. */
export function mergeData(target: DataObject, path: readonly string[], value: unknown, origin: string): void {
  if (path.length === 0) {
    if (!isDataObject(value)) throw new BundleDataInvalid(`${origin}: data at the root must be an object`);
    mergeInto(target, value, [], origin);
    return;
  }
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const next = node[key];
    if (next === undefined) {
      const fresh: DataObject = {};
      node[key] = fresh;
      node = fresh;
    } else if (isDataObject(next)) {
      node = next;
    } else {
      throw conflict(path.slice(0, i + 1), origin);
    }
  }
  const last = path[path.length - 1] as string;
  mergeKey(node, last, value, path.slice(0, -1), origin);
}

function mergeInto(target: DataObject, source: DataObject, at: readonly string[], origin: string): void {
  for (const key of Object.keys(source)) mergeKey(target, key, source[key], at, origin);
}

function mergeKey(target: DataObject, key: string, value: unknown, at: readonly string[], origin: string): void {
  const existing = target[key];
  if (existing === undefined) {
    target[key] = isDataObject(value) ? cloneObject(value) : value;
    return;
  }
  if (isDataObject(existing) && isDataObject(value)) {
    mergeInto(existing, value, [...at, key], origin);
    return;
  }
  throw conflict([...at, key], origin);
}

function cloneObject(v: DataObject): DataObject {
  const out: DataObject = {};
  for (const k of Object.keys(v)) {
    const x = v[k];
    out[k] = isDataObject(x) ? cloneObject(x) : x;
  }
  return out;
}

function conflict(path: readonly string[], origin: string): BundleDataConflict {
  const where = ['data', ...path].join('.');
  return new BundleDataConflict(`${origin}: conflicting values for ${where} (set by more than one data file)`);
}
