// Result and error comparison for OPA conformance cases (FORMAT.md §4, §5): JSON-ish values in
// (expected rows from YAML, actual rows from the SDK, error texts), verdicts out. Pure: no I/O,
// no engine imports, so it is unit-testable without the pipeline.

/** Json is a value read from YAML (integers may be bigint) or returned by the SDK. */
export type Json = null | boolean | number | bigint | string | readonly Json[] | { readonly [key: string]: Json };

/** Row is one result row: query variable name → value. */
export type Row = { readonly [name: string]: Json };

/** ErrorInfo is one error the evaluation produced: its code (if recognisable) and the texts to match against. */
export type ErrorInfo = { readonly code?: string; readonly texts: readonly string[] };

/** ErrorExpectation is a case's `want_error_code` / `want_error`. */
export type ErrorExpectation = { readonly code?: string; readonly message?: string };

function isObject(v: Json): v is { readonly [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeRank(v: Json): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return 1;
  if (typeof v === 'number' || typeof v === 'bigint') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 4;
  return 5;
}

/** compareJson orders values like Rego restricted to JSON: null < boolean < number < string < array < object. */
export function compareJson(a: Json, b: Json): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareJson(a[i] as Json, b[i] as Json);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const k1 = ka[i] as string;
      const k2 = kb[i] as string;
      if (k1 !== k2) return k1 < k2 ? -1 : 1;
      const c = compareJson(a[k1] as Json, b[k2] as Json);
      if (c !== 0) return c;
    }
    return ka.length - kb.length;
  }
  return 0;
}

/** canonicalJson renders a value so that equal Rego values (1 and 1.0, any key order) render identically. */
export function canonicalJson(v: Json): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number' || typeof v === 'bigint') return `#${String(Number(v))}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as { readonly [key: string]: Json };
  return `{${Object.keys(o)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k] as Json)}`)
    .join(',')}}`;
}

/** normaliseRow applies `sort_bindings`: every array-valued binding is sorted in Rego order. */
export function normaliseRow(row: Row, sortBindings: boolean): Row {
  if (!sortBindings) return row;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(row)) out[k] = Array.isArray(v) ? [...(v as readonly Json[])].sort(compareJson) : v;
  return out;
}

/** sameRows tells whether two result sets hold the same rows (order and duplicates ignored). */
export function sameRows(want: readonly Row[], got: readonly Row[], sortBindings: boolean): boolean {
  const key = (r: Row) => canonicalJson(normaliseRow(r, sortBindings));
  const a = new Set(want.map(key));
  const b = new Set(got.map(key));
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/** toJsonText serialises a value as JSON, writing bigints exactly (JSON.stringify cannot). */
export function toJsonText(v: Json): string {
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  const o = v as { readonly [key: string]: Json };
  return `{${Object.keys(o)
    .map((k) => `${JSON.stringify(k)}:${toJsonText(o[k] as Json)}`)
    .join(',')}}`;
}

/** showJson renders a value compactly for failure reasons (bigints as digits). */
export function showJson(v: Json | readonly Row[]): string {
  return toJsonText(v as Json);
}

const ERROR_RE = /^(?:(.+?):(\d+)(?::\d+)?: )?((?:eval|rego)_[a-z_]+): /s;

/**
 * parseErrorText reads an OPA error string `file:row: code: message` (or `code: message`)
 * into its code and the texts a `want_error` fragment may match: the string itself and, when it
 * carries a column (`file:row:col:`), the same string without it.
 */
export function parseErrorText(text: string): ErrorInfo {
  const m = ERROR_RE.exec(text);
  if (!m) return { texts: [text] };
  const code = m[3] as string;
  const texts = [text];
  if (m[1] !== undefined) {
    const message = text.slice(m[0].length);
    const short = `${m[1]}:${m[2]}: ${code}: ${message}`;
    if (short !== text) texts.push(short);
  }
  return { code, texts };
}

/** errorMatches tells whether any produced error satisfies the expectation (code exact, message substring). */
export function errorMatches(want: ErrorExpectation, errors: readonly ErrorInfo[]): boolean {
  return errors.some(
    (e) =>
      (want.code === undefined || e.code === want.code) &&
      (want.message === undefined || e.texts.some((t) => t.includes(want.message as string))),
  );
}

/**
 * extractRows turns the SDK's result set for a query entrypoint (`[{"result": [row, …]}]`, or `[]`)
 * into rows, or returns a string explaining why the shape is wrong.
 */
export function extractRows(resultSet: unknown): Row[] | string {
  if (!Array.isArray(resultSet)) return `result set is not an array: ${JSON.stringify(resultSet)}`;
  if (resultSet.length === 0) return [];
  const first: unknown = resultSet[0];
  if (resultSet.length !== 1 || typeof first !== 'object' || first === null || !('result' in first)) {
    return `unexpected result set shape: ${JSON.stringify(resultSet).slice(0, 200)}`;
  }
  const rows = (first as { result: unknown }).result;
  if (!Array.isArray(rows)) return `query rows are not a set/array: ${JSON.stringify(rows).slice(0, 200)}`;
  for (const r of rows) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return `query row is not an object: ${JSON.stringify(r)}`;
  }
  return rows as Row[];
}
