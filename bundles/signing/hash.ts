// File hashing for `.signatures.json`, as OPA's bundle/hash.go and verify.go define it. A
// structured file (base name `data.json`, `data.yaml`, `.manifest` or `.signatures.json`) is
// decoded (JSON when it is valid JSON, else YAML; a UTF-8 BOM is dropped) and the digest is taken
// over a canonical stream: `{` + keys in byte order, each `"key":value`, joined by `,` + `}`, arrays
// `[a,b]`, strings and numbers as Go's json.Encoder with SetEscapeHTML(false) writes them (number
// literals verbatim). Every other file is hashed as its raw bytes.

import { createHash } from 'node:crypto';
import { decodeGoUtf8, readGoJson } from './go-json.js';
import type { GoValue } from './go-json.js';
import { GoYamlError, readGoYaml } from './go-yaml.js';

/** HASH_ALGORITHMS maps OPA's `files[].algorithm` names to node:crypto digests. */
export const HASH_ALGORITHMS = Object.freeze({
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
} as const);

/** HashAlgorithm is an algorithm OPA accepts in `files[].algorithm`; `opa sign` always writes SHA-256. */
export type HashAlgorithm = keyof typeof HASH_ALGORITHMS;

/** isHashAlgorithm tells whether a `files[].algorithm` value is one OPA supports. */
export function isHashAlgorithm(s: unknown): s is HashAlgorithm {
  return typeof s === 'string' && Object.hasOwn(HASH_ALGORITHMS, s);
}

const STRUCTURED = new Set(['data.json', 'data.yaml', '.manifest', '.signatures.json']);

/** isStructuredFile tells whether OPA hashes a file (path inside the bundle) as a decoded document. */
export function isStructuredFile(path: string): boolean {
  return STRUCTURED.has(path.slice(path.lastIndexOf('/') + 1));
}

/** HashInputError: a structured file cannot be decoded, so it has no hash (OPA refuses it the same way). */
export class HashInputError extends Error {}

/** canonicalBytes is the byte stream OPA's hasher digests for a file: the canonical form of a structured file, else the bytes. */
export function canonicalBytes(path: string, bytes: Uint8Array): Uint8Array {
  if (!isStructuredFile(path)) return bytes;
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  const text = decodeGoUtf8(body);
  let value = readGoJson(text);
  if (value === undefined) {
    try {
      value = readGoYaml(text);
    } catch (e) {
      if (e instanceof GoYamlError) throw new HashInputError(`${path}: neither JSON nor YAML: ${e.message}`, { cause: e });
      throw e;
    }
  }
  return new TextEncoder().encode(canonicalText(value));
}

/** hashFile is the hex digest of a bundle file as OPA computes it. */
export function hashFile(path: string, bytes: Uint8Array, algorithm: HashAlgorithm = 'SHA-256'): string {
  return createHash(HASH_ALGORITHMS[algorithm]).update(canonicalBytes(path, bytes)).digest('hex');
}

/** canonicalText renders a decoded document in the canonical form OPA's `walk` streams into the hash. */
export function canonicalText(v: GoValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[${v.map(canonicalText).join(',')}]`;
  const o = v as Exclude<GoValue, null | boolean | string | readonly GoValue[]>;
  if (o.kind === 'number') return o.text;
  const keys = [...o.entries.keys()].sort(compareUtf8);
  return `{${keys.map((k) => `${goQuote(k)}:${canonicalText(o.entries.get(k) as GoValue)}`).join(',')}}`;
}

/** compareUtf8 orders strings by their UTF-8 bytes (Go's string order), not by UTF-16 units as `<` does. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return utf8Rank(x) - utf8Rank(y);
  }
  return a.length - b.length;
}

/** utf8Rank moves surrogates (code points from U+10000) above U+E000–U+FFFF, which is where UTF-8 puts them. */
function utf8Rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

const GO_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * goQuote writes a string as Go's json.Encoder with SetEscapeHTML(false) does (Go 1.22 and later):
 * `<`, `>`, `&` stay as they are; `\b \f \n \r \t " \` get short escapes; other controls `\u00XX`
 * (lower-case hex); U+2028 and U+2029 are always escaped; a lone surrogate is U+FFFD.
 */
export function goQuote(s: string): string {
  const wellFormed = s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  const body = wellFormed.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are exactly what Go escapes
    /["\\\u0000-\u001f\u2028\u2029]/g,
    (c) => GO_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `"${body}"`;
}
