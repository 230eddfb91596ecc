// OPA's yaml.is_valid / yaml.unmarshal / yaml.marshal for our loader, on the `yaml` package.
// In: JSON values from the module. Out: JSON values, or an Error the loader reports as
// eval_builtin_error. OPA reads and writes YAML with sigs.k8s.io/yaml over go-yaml v2, so this
// file reproduces that library's observable behaviour: YAML 1.1 scalars, every document of a
// stream checked, the first one returned, sorted keys and Go's number and quoting styles.

import { Document, Scalar, parseAllDocuments, visit } from 'yaml';
import type { DocumentOptions, Pair, ParseOptions, SchemaOptions, ToStringOptions } from 'yaml';
import { PolicyEvalError } from './errors.js';

/**
 * GO_YAML_UNRESOLVED are YAML 1.1 tags go-yaml v2 does not produce when decoding into a generic
 * value: timestamps and base-60 numbers stay strings, and !!set / !!omap / !!pairs are plain
 * collections.
 */
const GO_YAML_UNRESOLVED = new Set(['timestamp', 'set', 'omap', 'pairs']);

/** readSchema is the YAML 1.1 schema as go-yaml v2 resolves it (see GO_YAML_UNRESOLVED). */
const readSchema: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  uniqueKeys: false, // go-yaml v2 keeps the last of duplicate keys
  logLevel: 'silent',
  customTags: (tags) => tags.filter(isGoYamlTag),
};

/** isGoYamlTag tells whether go-yaml v2 resolves a schema tag (given as an object or, in the yaml package's lists, by name). */
function isGoYamlTag(t: string | { readonly tag: string; readonly format?: string }): boolean {
  if (typeof t === 'string') return !GO_YAML_UNRESOLVED.has(t) && !t.endsWith('Time');
  return !GO_YAML_UNRESOLVED.has(t.tag.replace('tag:yaml.org,2002:', '')) && t.format !== 'TIME';
}

/** yamlIsValid is OPA's yaml.is_valid: true when `text` is a string that yaml.unmarshal accepts; false for non-strings. */
export function yamlIsValid(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    yamlUnmarshal(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * yamlUnmarshal is OPA's yaml.unmarshal: the first document of `text` as a JSON value (null for
 * an empty stream). Every document must parse, as in OPA: content after the first document is
 * checked, not silently dropped. Throws for syntax errors, values JSON cannot hold (.inf, .nan)
 * and map keys that are not scalars.
 * NOTE(po): integers beyond 2^53 lose precision (JavaScript numbers), and a float key such as
 * `1.5` is written with JavaScript's digits where sigs.k8s.io/yaml uses float32 formatting.
 */
export function yamlUnmarshal(text: unknown): unknown {
  if (typeof text !== 'string') throw operandTypeError(text);
  const docs = parseAllDocuments(text, readSchema); // no documents (only comments or nothing): an empty array
  for (const doc of docs) {
    const [first] = doc.errors;
    if (first !== undefined) throw new Error(`error converting YAML to JSON: ${firstLine(first.message)}`);
  }
  const [doc] = docs;
  return doc === undefined ? null : toJsonValue(doc.toJS({ mapAsMap: true }));
}

/**
 * yamlMarshal is OPA's yaml.marshal: `value` as YAML text the way go-yaml v2 writes it. Keys
 * are sorted in go-yaml's order (see compareGoYamlKeys), sequences are not indented under their
 * key, strings another type could be read from are double-quoted, other strings that cannot be
 * plain are single-quoted, multi-line strings are literal blocks, and non-integers use Go's
 * shortest `%g` form (`1e-05`, `1.2345675e+06`).
 * NOTE(po): where long strings are folded across lines may differ from go-yaml's emitter.
 */
export function yamlMarshal(value: unknown): string {
  const doc = new Document(value, writeSchema);
  quoteAmbiguousStrings(doc);
  const text = doc.toString(writeStyle);
  return typeof value === 'string' && /^[|>]/.test(text) ? indentBlockScalar(text) : text;
}

/** goNumberTag writes every number in Go's style; its `test` never matches, so reading ignores it and writing prefers it. */
const goNumberTag = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  identify: (v: unknown) => typeof v === 'number',
  test: /(?!)/,
  resolve: (s: string) => s,
  stringify: (node: { value: unknown }) => formatGoNumber(node.value as number),
};

/** writeSchema builds documents like go-yaml's encoder: YAML 1.1, keys sorted. */
const writeSchema: DocumentOptions & SchemaOptions & { sortMapEntries: (a: Pair, b: Pair) => number } = {
  version: '1.1',
  customTags: (tags) => [goNumberTag, ...tags],
  sortMapEntries: (a, b) => compareGoYamlKeys(String((a.key as Scalar).value), String((b.key as Scalar).value)),
};

/** writeStyle is go-yaml's output layout. */
const writeStyle: ToStringOptions = { indentSeq: false, singleQuote: true, blockQuote: 'literal' };

/** quoteAmbiguousStrings double-quotes strings a YAML 1.1 reader would take for another type (`"yes"`, `"1.5"`, `""`). */
function quoteAmbiguousStrings(doc: Document): void {
  const resolvers = doc.schema.tags.flatMap((t) =>
    t.default === true && t.test !== undefined && t.tag !== 'tag:yaml.org,2002:str' ? [t.test] : [],
  );
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && resolvers.some((re) => re.test(node.value as string))) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
}

/** firstLine drops the source excerpt the yaml package appends to its messages. */
function firstLine(message: string): string {
  return message.split('\n', 1)[0] as string;
}

/** indentBlockScalar indents the content of a top-level block scalar by two spaces, as go-yaml does. */
function indentBlockScalar(text: string): string {
  const [header, ...lines] = text.split('\n');
  return [header, ...lines.map((l, i) => (l === '' && i === lines.length - 1 ? l : `  ${l}`))].join('\n');
}

/**
 * formatGoNumber writes a number as go-yaml does: integers below 1e21 in decimal, others like
 * Go's strconv.FormatFloat(f, 'g', -1, 64): shortest digits, in exponent form (two exponent
 * digits at least) when the exponent is below -4 or 6 and more (`1e-05`, `1.2345675e+06`).
 */
export function formatGoNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(n);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/**
 * compareGoYamlKeys orders map keys as go-yaml's encoder does: a letter sorts before any other
 * character, letters compare by code point, and where digits differ the whole digit runs compare
 * as numbers (`b9` before `b10`), the shorter run first when equal (`5` before `05`).
 */
export function compareGoYamlKeys(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < x.length && i < y.length; i++) {
    const cx = x[i] as string;
    const cy = y[i] as string;
    if (cx === cy) continue;
    const lx = isLetter(cx);
    const ly = isLetter(cy);
    if (lx || ly) return lx && ly ? codePointOrder(cx, cy) : lx ? -1 : 1;
    const byNumber = compareDigitRuns(digitRunAt(x, i), digitRunAt(y, i));
    return byNumber !== 0 ? byNumber : codePointOrder(cx, cy);
  }
  return x.length - y.length;
}

/** digitRunAt returns the run of ASCII digits around position i (the digits before i are shared by both keys). */
function digitRunAt(chars: readonly string[], i: number): string {
  let start = i;
  while (start > 0 && isDigit(chars[start - 1] as string)) start--;
  let end = i;
  while (end < chars.length && isDigit(chars[end] as string)) end++;
  return chars.slice(start, end).join('');
}

/** compareDigitRuns compares digit runs by value, then by length (fewer leading zeros first); empty runs are 0. */
function compareDigitRuns(a: string, b: string): number {
  const va = a.replace(/^0+/, '');
  const vb = b.replace(/^0+/, '');
  if (va.length !== vb.length) return va.length - vb.length;
  if (va !== vb) return va < vb ? -1 : 1;
  return a.length - b.length;
}

function isLetter(c: string): boolean {
  return /^\p{L}$/u.test(c);
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function codePointOrder(a: string, b: string): number {
  return (a.codePointAt(0) as number) - (b.codePointAt(0) as number);
}

/** toJsonValue turns what the YAML reader produced into a JSON value, as sigs.k8s.io/yaml's YAML → JSON step does. */
function toJsonValue(v: unknown): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`json: unsupported value: ${v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN'}`);
    return v;
  }
  if (v instanceof Uint8Array) return new TextDecoder().decode(v); // !!binary: go-yaml yields the decoded bytes as a string
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [jsonKey(k), toJsonValue(x)]));
  throw new Error(`unsupported value of type ${typeof v}`);
}

/** jsonKey writes a scalar map key as a JSON object key (`1` → "1", `true` → "true", `.inf` → ".inf"); null and collection keys are errors. */
function jsonKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' && !Number.isFinite(k)) return Number.isNaN(k) ? '.nan' : k > 0 ? '.inf' : '-.inf';
  if (typeof k === 'number' || typeof k === 'boolean') return String(k);
  throw new Error(`error converting YAML to JSON: unsupported map key: ${JSON.stringify(k) ?? String(k)}`);
}

/** operandTypeError is OPA's type error for a non-string first operand. */
function operandTypeError(v: unknown): PolicyEvalError {
  return new PolicyEvalError(`yaml.unmarshal: operand 1 must be string but got ${regoTypeName(v)}`, { regoCode: 'eval_type_error' });
}

/** regoTypeName names a JSON value's Rego type. */
function regoTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}
