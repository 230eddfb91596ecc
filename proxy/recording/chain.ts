// The hash chain of the recording: a record's hash is the SHA-256 (hex) of the previous record's
// hash, a line feed, and the canonical JSON of {journal, seq, at, body}. Canonical JSON sorts
// object keys (by UTF-16 code units, recursively) and writes no whitespace, so a record read back
// from PostgreSQL's jsonb (which reorders keys) hashes the same as when it was written.

import { createHash } from 'node:crypto';
import type { ChainedRecord, RecordBody } from './types.js';

/** KEYS caches the JSON form of object keys (a record's keys repeat: the same few dozen names). */
const KEYS = new Map<string, string>();

/** key is a key's JSON form. */
function key(k: string): string {
  let out = KEYS.get(k);
  if (out === undefined) {
    out = JSON.stringify(k);
    if (KEYS.size < 4096) KEYS.set(k, out);
  }
  return out;
}

/** canonicalJson renders a JSON value with sorted keys and no whitespace (undefined members are dropped, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i === 0 ? '' : ',') + (v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v));
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') return canonicalJson(JSON.parse(JSON.stringify(obj)));
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined || typeof v === 'function') continue;
    out += `${first ? '' : ','}${key(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

/** recordHash is the hash a record with these fields must carry. */
export function recordHash(prev: string, journal: string, seq: number, at: string, body: RecordBody): string {
  return createHash('sha256')
    .update(`${prev}\n${canonicalJson({ journal, seq, at, body })}`)
    .digest('hex');
}

/** chain makes the next record of a journal after `prev` (the previous record's hash, '' for the first). */
export function chain(journal: string, seq: number, prev: string, at: string, body: RecordBody): ChainedRecord {
  return { journal, seq, at, prev, hash: recordHash(prev, journal, seq, at, body), body };
}
