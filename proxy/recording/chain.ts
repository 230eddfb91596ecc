// The hash chain of the recording. A record's hash is the SHA-256 (hex) of the previous record's
// hash, a line feed, and its content: `{"journal":…,"seq":…,"at":…,"body":<body>}`, where <body>
// is the body's JSON text exactly as written to the journal and kept in the state store (a `json`
// column keeps text as given). Hashing the text as written, not a canonical re-serialisation,
// lets the writer use the platform's JSON.stringify (and texts it already has, such as the policy
// input) and lets the verifier check the bytes it reads without parsing them into a normal form.
//
// A journal line is `{"journal":…,"seq":…,"at":…,"prev":…,"hash":…,"body":<body>}`: the body
// comes last, so the verifier cuts its exact text out of the line (bodyJsonOf).
//
// Records written before this form were hashed over a canonical JSON (sorted keys, no whitespace)
// of the parsed body; legacyRecordHash keeps them verifiable.

import crypto, { createHash } from 'node:crypto';
import type { ChainedRecord, RecordBody } from './types.js';

/** sha256Hex is the SHA-256 of a text (as UTF-8) or bytes, in hex: one call where the platform has it (crypto.hash, Node >= 20.12), a Hash object otherwise. */
export const sha256Hex: (data: string | Uint8Array) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => createHash('sha256').update(data).digest('hex');

/** contentHash is the hash a record with these fields and this exact body text must carry. */
export function contentHash(prev: string, journal: string, seq: number, at: string, bodyJson: string): string {
  return sha256Hex(`${prev}\n{"journal":${JSON.stringify(journal)},"seq":${seq},"at":${JSON.stringify(at)},"body":${bodyJson}}`);
}

/**
 * chain makes the next record of a journal after `prev` (the previous record's hash, '' for the
 * first); bodyJson defaults to JSON.stringify(body). The journal itself encodes and hashes each
 * line in one pass (lines.ts); chain and recordLine are the reference form it is tested against,
 * and how tests and tools make records.
 */
export function chain(journal: string, seq: number, prev: string, at: string, body: RecordBody, bodyJson?: string): ChainedRecord {
  const text = bodyJson ?? JSON.stringify(body);
  return { journal, seq, at, prev, hash: contentHash(prev, journal, seq, at, text), body, bodyJson: text };
}

/** linePrefix is a journal line up to its body's text. */
function linePrefix(r: Pick<ChainedRecord, 'journal' | 'seq' | 'at' | 'prev' | 'hash'>): string {
  return `{"journal":${JSON.stringify(r.journal)},"seq":${r.seq},"at":${JSON.stringify(r.at)},"prev":${JSON.stringify(r.prev)},"hash":${JSON.stringify(r.hash)},"body":`;
}

/** recordLine is the journal line of a record (without its line feed). */
export function recordLine(r: ChainedRecord): string {
  return `${linePrefix(r)}${r.bodyJson}}`;
}

/**
 * parseRecordLine reads one journal line: the record, with the exact text of its body; undefined
 * when the line is not JSON or not a record. A line that parses but is not in the writer's form
 * (members reordered or reformatted) keeps JSON.stringify(body) as its text, which its hash will
 * then not match unless the edit changed nothing but that form.
 */
export function parseRecordLine(line: string): ChainedRecord | undefined {
  let r: Omit<ChainedRecord, 'bodyJson'>;
  try {
    r = JSON.parse(line) as Omit<ChainedRecord, 'bodyJson'>;
  } catch {
    return undefined;
  }
  if (typeof r !== 'object' || r === null || typeof r.seq !== 'number' || typeof r.journal !== 'string') return undefined;
  const prefix = linePrefix(r);
  const exact = line.startsWith(prefix) && line.endsWith('}');
  const bodyJson = exact ? line.slice(prefix.length, -1) : JSON.stringify(r.body ?? null);
  return { journal: r.journal, seq: r.seq, at: r.at, prev: r.prev, hash: r.hash, body: r.body, bodyJson };
}

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

/** legacyRecordHash is the hash of a record written before exact-text hashing: over the canonical JSON of {journal, seq, at, body}. */
export function legacyRecordHash(prev: string, journal: string, seq: number, at: string, body: unknown): string {
  return createHash('sha256')
    .update(`${prev}\n${canonicalJson({ journal, seq, at, body })}`)
    .digest('hex');
}
