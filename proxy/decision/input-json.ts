// The policy input as JSON text, without serialising its unchanging parts again and again. The
// parts of an input that come from deeply frozen sources (a statement's tables, columns,
// functions, flags and output lineage, which proxy/sql shares between statements of the same
// shape; a session's verified claims) are converted once per source object into a deeply frozen
// copy whose JSON text is kept beside it; policyInputJson writes the input around those texts.
// The text is exactly what JSON.stringify(input) writes.

/** SharedCopier converts a source object; for a deeply frozen source it returns one shared, deeply frozen copy. */
export type SharedCopier<S extends object, T extends object> = (source: S) => T;

// The JSON text of each shared copy. Copies are deeply frozen, so their text can never go stale.
const texts = new WeakMap<object, string>();

/** rememberTexts keeps the JSON text of every object inside a shared copy too (all deeply frozen): memo.ts keys on them. */
function rememberTexts(x: unknown): void {
  if (typeof x !== 'object' || x === null || texts.has(x)) return;
  texts.set(x, JSON.stringify(x));
  for (const v of Object.values(x)) rememberTexts(v);
}

/** jsonText is JSON.stringify(x), remembered for a shared copy and the objects in it. */
export function jsonText(x: unknown): string | undefined {
  return (typeof x === 'object' && x !== null ? texts.get(x) : undefined) ?? JSON.stringify(x);
}

/**
 * sharedCopier wraps a conversion: a deeply frozen source is converted once (the copy is deeply
 * frozen, its JSON text remembered) and the same copy is returned for it from then on; any other
 * source is converted afresh every time, as before.
 */
export function sharedCopier<S extends object, T extends object>(convert: (source: S) => T): SharedCopier<S, T> {
  const copies = new WeakMap<S, T>();
  return (source: S): T => {
    const hit = copies.get(source);
    if (hit !== undefined) return hit;
    const copy = convert(source);
    if (isDeepFrozen(source)) {
      deepFreeze(copy);
      rememberTexts(copy);
      copies.set(source, copy);
    }
    return copy;
  };
}

// Inputs whose every part is deeply frozen (buildPolicyInput seals them), with the writer that
// knows their layout: written once, their text is remembered like a shared copy's (the policy and
// the recording both ask for it).
const sealed = new WeakMap<object, (input: never) => string>();

/**
 * sealInput marks an input that is deeply frozen (the caller vouches for it), so its text can be
 * remembered; `write` writes JSON.stringify(input) knowing the input's layout (the caller vouches
 * for that too: a test compares the two).
 */
export function sealInput<T extends object>(input: T, write: (input: T) => string): void {
  sealed.set(input, write as (input: never) => string);
}

/**
 * policyInputJson writes JSON.stringify(input) for a policy input (or any value): a sealed input
 * with its own writer (once), anything else reusing the remembered text of shared copies found at
 * the top level or one level down (input.statement.*).
 */
export function policyInputJson(input: unknown): string {
  if (typeof input !== 'object' || input === null) return JSON.stringify(input);
  const write = sealed.get(input);
  if (write === undefined) return objectJson(input, 2) ?? JSON.stringify(input);
  let text = texts.get(input);
  if (text === undefined) {
    text = (write as (input: unknown) => string)(input);
    texts.set(input, text);
  }
  return text;
}

// objectJson writes a plain object member by member as JSON.stringify does (own enumerable keys
// in order, members whose value has no JSON form left out), descending `depth` levels to find
// shared copies; undefined when the value is not such an object (the caller stringifies it).
function objectJson(x: unknown, depth: number): string | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const known = texts.get(x);
  if (known !== undefined) return known;
  if (depth === 0 || !isPlainObject(x) || typeof (x as { toJSON?: unknown }).toJSON === 'function') return undefined;
  let out = '{';
  for (const key of Object.keys(x)) {
    const v = (x as Record<string, unknown>)[key];
    const text = valueJson(v, depth - 1);
    if (text === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${quoted(key)}:${text}`;
  }
  return `${out}}`;
}

// valueJson is JSON.stringify(v), with the common primitives written directly.
function valueJson(v: unknown, depth: number): string | undefined {
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'object':
      return v === null ? 'null' : (objectJson(v, depth) ?? JSON.stringify(v));
    default:
      return JSON.stringify(v);
  }
}

// Member names of the input are few and fixed: quote each once.
const QUOTED = new Map<string, string>();
function quoted(key: string): string {
  let q = QUOTED.get(key);
  if (q === undefined) {
    q = JSON.stringify(key);
    if (QUOTED.size < 1024) QUOTED.set(key, q);
  }
  return q;
}

function isPlainObject(x: object): boolean {
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function isDeepFrozen(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return true;
  if (!Object.isFrozen(x)) return false;
  for (const v of Object.values(x)) if (!isDeepFrozen(v)) return false;
  return true;
}

function deepFreeze(x: unknown): void {
  if (typeof x !== 'object' || x === null || Object.isFrozen(x)) return;
  Object.freeze(x);
  for (const v of Object.values(x)) deepFreeze(v);
}
