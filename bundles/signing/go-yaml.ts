// YAML → GoValue the way OPA reads a YAML data file before hashing it: sigs.k8s.io/yaml's
// YAMLToJSON over go-yaml v2 (YAML 1.1 scalars: `yes`/`on` are booleans, `0777` is octal, `1.0` is
// the float 1), then json.Marshal (floats in Go's shortest form) and a UseNumber decode. The
// `yaml` package parses; every plain scalar is resolved here by go-yaml v2's rules, not the
// package's schema, so the two cannot drift apart.

import { parseAllDocuments, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node as YamlNode, Scalar } from 'yaml';
import { decodeGoUtf8 } from './go-json.js';
import type { GoObject, GoValue } from './go-json.js';

/** GoYamlError: the YAML cannot be converted (syntax, a null or unsupported map key, .inf/.nan, a bad tag). */
export class GoYamlError extends Error {}

const TAG = 'tag:yaml.org,2002:';
/** Tags go-yaml v2 resolves a scalar against (any other tag keeps the text). */
const RESOLVABLE = new Set(['', `${TAG}str`, `${TAG}bool`, `${TAG}int`, `${TAG}float`, `${TAG}null`, `${TAG}timestamp`]);
/** The YAML 1.1 words go-yaml v2 looks up before trying numbers. */
const WORDS: ReadonlyMap<string, Resolved> = new Map<string, Resolved>([
  ...words(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'], { tag: 'bool', value: true }),
  ...words(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'], { tag: 'bool', value: false }),
  ...words(['', '~', 'null', 'Null', 'NULL'], { tag: 'null', value: null }),
  ...words(['.nan', '.NaN', '.NAN'], { tag: 'float', value: Number.NaN }),
  ...words(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'], { tag: 'float', value: Number.POSITIVE_INFINITY }),
  ...words(['-.inf', '-.Inf', '-.INF'], { tag: 'float', value: Number.NEGATIVE_INFINITY }),
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
/** Node budget: aliases can expand a small file exponentially (billion laughs). */
const MAX_NODES = 1_000_000;

type Resolved =
  | { readonly tag: 'str'; readonly value: string }
  | { readonly tag: 'bool'; readonly value: boolean }
  | { readonly tag: 'null'; readonly value: null }
  | { readonly tag: 'int'; readonly value: bigint }
  | { readonly tag: 'float'; readonly value: number };

function words(list: readonly string[], r: Resolved): [string, Resolved][] {
  return list.map((w) => [w, r]);
}

/** readGoYaml converts the first YAML document of text as OPA does; throws GoYamlError. */
export function readGoYaml(text: string): GoValue {
  const docs = parseAllDocuments(text, { version: '1.1', schema: 'failsafe', uniqueKeys: false });
  if (!Array.isArray(docs)) return null; // an empty stream
  const doc = docs[0];
  if (doc === undefined) return null;
  if (doc.errors.length > 0) throw new GoYamlError(doc.errors[0]?.message.split('\n')[0] ?? 'invalid YAML');
  let budget = MAX_NODES;
  const convert = (node: unknown): GoValue => {
    if (--budget < 0) throw new GoYamlError('YAML document expands to too many nodes');
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return convert(node.resolve(doc as Document));
    if (isSeq(node)) return node.items.map(convert);
    if (isMap(node)) {
      const entries = new Map<string, GoValue>();
      const set = (k: string, v: GoValue): void => {
        entries.delete(k);
        entries.set(k, v);
      };
      for (const pair of node.items) {
        const key = pair.key as YamlNode | null;
        if (isScalar(key) && key.type === 'PLAIN' && key.value === '<<' && (key.tag === undefined || key.tag === `${TAG}merge`)) {
          merge(pair.value, convert, set, doc as Document);
          continue;
        }
        set(keyString(key, doc as Document), convert(pair.value));
      }
      return { kind: 'object', entries };
    }
    if (isScalar(node)) return scalarValue(node);
    throw new GoYamlError('unsupported YAML node');
  };
  return convert(doc.contents);
}

/** merge applies a `<<` value: go-yaml v2 writes the merged mapping(s) into the map in place, later sources first. */
function merge(value: unknown, convert: (n: unknown) => GoValue, set: (k: string, v: GoValue) => void, doc: Document): void {
  const target = isAlias(value) ? value.resolve(doc) : value;
  const sources = isSeq(target) ? [...target.items].reverse() : [value];
  for (const s of sources) {
    const m = convert(s);
    if (m === null || typeof m !== 'object' || Array.isArray(m) || (m as { kind: string }).kind !== 'object') {
      throw new GoYamlError('map merge requires map or sequence of maps as the value');
    }
    for (const [k, v] of (m as GoObject).entries) set(k, v);
  }
}

/** scalarValue turns a resolved scalar into what json.Marshal then UseNumber make of it. */
function scalarValue(node: Scalar): GoValue {
  const r = resolveScalar(node);
  switch (r.tag) {
    case 'str':
    case 'bool':
    case 'null':
      return r.value;
    case 'int':
      return { kind: 'number', text: r.value.toString() };
    case 'float':
      if (!Number.isFinite(r.value)) throw new GoYamlError(`json: unsupported value: ${r.value}`);
      // Go's encoder: shortest digits, exponent form below 1e-6 and from 1e21 (as JS), and it keeps -0.
      return { kind: 'number', text: Object.is(r.value, -0) ? '-0' : String(r.value) };
  }
}

/** keyString is sigs.k8s.io/yaml's conversion of a map key to a JSON object key. */
function keyString(key: YamlNode | null, doc: Document): string {
  const node = isAlias(key) ? key.resolve(doc) : key;
  if (!isScalar(node)) throw new GoYamlError(node ? 'unsupported map key of type: map or sequence' : 'unsupported map key of type: nil');
  const r = resolveScalar(node);
  switch (r.tag) {
    case 'str':
      return r.value;
    case 'bool':
      return String(r.value);
    case 'null':
      throw new GoYamlError('unsupported map key of type: nil');
    case 'int':
      if (r.value < INT64_MIN || r.value > INT64_MAX) throw new GoYamlError(`unsupported map key: ${r.value}`);
      return r.value.toString();
    case 'float':
      return formatFloat32g(r.value);
  }
}

/** resolveScalar is go-yaml v2's `resolve(tag, value)` for one scalar node, with its tag checks. */
function resolveScalar(node: Scalar): Resolved {
  const text = String(node.value ?? '');
  const tag = node.tag ?? '';
  // Quoted and block scalars without a tag are strings; a plain scalar or any tag goes through resolve.
  if (tag === '' && node.type !== 'PLAIN' && node.type !== undefined) return { tag: 'str', value: text };
  if (tag === `${TAG}binary`) return { tag: 'str', value: decodeBase64(text) };
  if (!RESOLVABLE.has(tag)) return { tag: 'str', value: text };
  const found = tag === `${TAG}str` ? { tag: 'str' as const, value: text } : resolvePlain(text);
  const want = tag === '' || tag === `${TAG}timestamp` ? found.tag : tag.slice(TAG.length);
  if (want === found.tag || tag === '' || tag === `${TAG}str`) return found;
  if (want === 'float' && found.tag === 'int') return { tag: 'float', value: Number(found.value) };
  if (want === 'timestamp' && found.tag === 'str') return found;
  throw new GoYamlError(`cannot decode !!${found.tag} \`${text}\` as a !!${want}`);
}

/** resolvePlain guesses a plain scalar's type from its text (go-yaml v2's resolve table and number parsing). */
function resolvePlain(text: string): Resolved {
  const word = WORDS.get(text);
  if (word) return word;
  const c = text[0] ?? '';
  if (c === '.') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text)) return { tag: 'float', value: Number(text) };
  } else if (/[-+0-9]/.test(c)) {
    const plain = text.replaceAll('_', '');
    const signed = parseGoInt(plain, true);
    if (signed.ok && signed.value >= INT64_MIN && signed.value <= INT64_MAX) return { tag: 'int', value: signed.value };
    const unsigned = parseGoInt(plain, false);
    if (unsigned.ok && unsigned.value <= UINT64_MAX) return { tag: 'int', value: unsigned.value };
    if (YAML_FLOAT.test(plain)) {
      const f = Number(plain);
      if (Number.isFinite(f)) return { tag: 'float', value: f };
    }
    // Beyond uint64 and not a float: math/big takes it (hex or octal digits, or decimals beyond 1e308).
    if (unsigned.ok) return { tag: 'int', value: unsigned.value };
  }
  return { tag: 'str', value: text };
}

/** parseGoInt reads an integer as strconv.ParseInt/ParseUint with base 0 (sign only when signed; 0x, 0o, 0b, 0 prefixes). */
function parseGoInt(s: string, signed: boolean): { ok: true; value: bigint } | { ok: false } {
  let rest = s;
  let negative = false;
  if (signed && (rest[0] === '+' || rest[0] === '-')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '') return { ok: false };
  let base = 10;
  if (rest[0] === '0') {
    const p = (rest[1] ?? '').toLowerCase();
    if (rest.length >= 3 && (p === 'b' || p === 'o' || p === 'x')) {
      base = p === 'b' ? 2 : p === 'o' ? 8 : 16;
      rest = rest.slice(2);
    } else {
      base = 8;
      rest = rest.slice(1);
    }
  }
  let value = 0n;
  for (const ch of rest.toLowerCase()) {
    const d = ch >= '0' && ch <= '9' ? ch.charCodeAt(0) - 48 : ch >= 'a' && ch <= 'z' ? ch.charCodeAt(0) - 87 : 99;
    if (d >= base) return { ok: false };
    value = value * BigInt(base) + BigInt(d);
  }
  return { ok: true, value: negative ? -value : value };
}

/** decodeBase64 decodes a !!binary scalar (Go's StdEncoding, which skips line breaks) into a Go string. */
function decodeBase64(text: string): string {
  const compact = text.replace(/[\r\n]/g, '');
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact))
    throw new GoYamlError('!!binary value is not base64');
  return decodeGoUtf8(Buffer.from(compact, 'base64'));
}

/** formatFloat32g is strconv.FormatFloat(f, 'g', -1, 32) with go-yaml's names for the infinities and NaN. */
export function formatFloat32g(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  const v = Math.fround(f);
  if (v === Number.POSITIVE_INFINITY) return '.inf';
  if (v === Number.NEGATIVE_INFINITY) return '-.inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  let p = 1;
  while (p < 9 && Math.fround(Number(v.toPrecision(p))) !== v) p++;
  const [mant = '', expText = '0'] = v.toExponential(p - 1).split('e');
  const exp = Number(expText);
  const negative = mant.startsWith('-');
  const digits = mant.replace(/^-/, '').replace('.', '');
  if (exp < -4 || exp >= 6) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${negative ? '-' : ''}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  const fixed = exp >= 0 ? digits.padEnd(exp + 1, '0') : `0${'0'.repeat(-exp - 1)}${digits}`;
  const point = exp >= 0 ? exp + 1 : 1;
  const intPart = fixed.slice(0, point);
  const frac = fixed.slice(point);
  return `${negative ? '-' : ''}${intPart}${frac === '' ? '' : `.${frac}`}`;
}
