// Masking of decision-log events before they leave, as OPA's `system.log.mask` does it: JSON
// pointers under /input or /result, `remove` (listed in `erased`) or `upsert` (listed in
// `masked`), paths that do not exist ignored. By default the Bind parameter values
// (/input/statement/params) are erased. Works on a private copy; the caller's input is never touched.

import type { JsonValue, MaskRule } from './types.js';

/** PARAMS_POINTER is where the Bind parameter values sit in the event. */
export const PARAMS_POINTER = '/input/statement/params';

/** ERASE_PARAMS is the default rule: Bind parameter values never leave the gateway. */
export const ERASE_PARAMS: MaskRule = Object.freeze({ op: 'remove', path: PARAMS_POINTER });

/** parsePointer splits a JSON pointer (RFC 6901) into its unescaped tokens; undefined when it is not one under /input or /result. */
export function parsePointer(path: string): readonly string[] | undefined {
  if (!path.startsWith('/')) return undefined;
  const tokens = path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (tokens[0] !== 'input' && tokens[0] !== 'result') return undefined;
  if (/~[^01]|~$/.test(path)) return undefined;
  return tokens;
}

/**
 * effectiveRules is what is applied to every event: the configured rules, preceded by the default
 * erase of the Bind values when `eraseParams` holds and no rule of the config names those values
 * (a rule on /input/statement/params or below it takes over from the default).
 */
export function effectiveRules(rules: readonly MaskRule[], eraseParams: boolean): readonly MaskRule[] {
  const namesParams = rules.some((r) => r.path === PARAMS_POINTER || r.path.startsWith(`${PARAMS_POINTER}/`));
  return eraseParams && !namesParams ? [ERASE_PARAMS, ...rules] : rules;
}

/** MaskOutcome lists the pointers erased and masked (in rule order). */
export type MaskOutcome = { readonly erased: readonly string[]; readonly masked: readonly string[] };

type Container = Record<string, JsonValue> | JsonValue[];

/**
 * applyMasks applies the rules in order to `doc` ({input, result}), which it changes in place (give
 * it a copy). Throws TypeError for a malformed pointer (the config validator refuses those first).
 */
export function applyMasks(doc: Record<string, JsonValue>, rules: readonly MaskRule[]): MaskOutcome {
  const erased: string[] = [];
  const masked: string[] = [];
  for (const rule of rules) {
    const tokens = parsePointer(rule.path);
    if (tokens === undefined) throw new TypeError(`mask path ${JSON.stringify(rule.path)} is not a JSON pointer under /input or /result`);
    if (rule.op === 'remove' ? remove(doc, tokens) : upsert(doc, tokens, rule.value)) {
      (rule.op === 'remove' ? erased : masked).push(rule.path);
    }
  }
  return { erased, masked };
}

/** isContainer tells whether a value can hold children. */
function isContainer(v: JsonValue | undefined): v is Container {
  return v !== null && typeof v === 'object';
}

/** child reads one token of a container (array tokens are decimal indices). */
function child(c: Container, token: string): JsonValue | undefined {
  if (Array.isArray(c)) {
    const i = index(token, c.length);
    return i === undefined ? undefined : c[i];
  }
  return Object.hasOwn(c, token) ? c[token] : undefined;
}

/** index reads an array token: a canonical decimal below `length`. */
function index(token: string, length: number): number | undefined {
  if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
  const i = Number(token);
  return i < length ? i : undefined;
}

/** remove deletes the value at the tokens; false when there is none. */
function remove(doc: Container, tokens: readonly string[]): boolean {
  let at: Container = doc;
  for (const t of tokens.slice(0, -1)) {
    const next = child(at, t);
    if (!isContainer(next)) return false;
    at = next;
  }
  const last = tokens[tokens.length - 1] as string;
  if (Array.isArray(at)) {
    const i = index(last, at.length);
    if (i === undefined) return false;
    at.splice(i, 1);
    return true;
  }
  if (!Object.hasOwn(at, last)) return false;
  delete at[last];
  return true;
}

/** upsert sets the value at the tokens, creating missing objects on the way; false when a non-object is in the way. */
function upsert(doc: Container, tokens: readonly string[], value: unknown): boolean {
  let at: Container = doc;
  for (const t of tokens.slice(0, -1)) {
    let next = child(at, t);
    if (next === undefined && !Array.isArray(at)) {
      next = {};
      at[t] = next;
    }
    if (!isContainer(next)) return false;
    at = next;
  }
  const last = tokens[tokens.length - 1] as string;
  const copy = JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
  if (Array.isArray(at)) {
    const i = index(last, at.length);
    if (i === undefined) return false;
    at[i] = copy;
    return true;
  }
  at[last] = copy;
  return true;
}
