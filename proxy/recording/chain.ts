// The hash chain of the recording: a record's hash is the SHA-256 (hex) of the previous record's
// hash, a line feed, and the canonical JSON of {journal, seq, at, body}. Canonical JSON sorts
// object keys (by UTF-16 code units, recursively) and writes no whitespace, so a record read back
// from PostgreSQL's jsonb (which reorders keys) hashes the same as when it was written.

import { createHash } from 'node:crypto';
import type { ChainedRecord, RecordBody } from './types.js';

/** canonicalJson renders a JSON value with sorted keys and no whitespace (undefined members are dropped, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
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
