// An exact decision memo. The engine reports which `input` paths an entrypoint's value can depend
// on (engine/reads: a superset, or "unbounded" when the policy reads the clock, randomness or
// prints); a decision is then a function of the values at those paths, the policy and its data.
// The memo keys each decision on exactly those values, per policy unit (a new policy or new data
// gets a new memo), so it never answers with a decision the policy would not give: a policy that
// reads `input.session.statements` or `input.time` keys on them and simply stops hitting.

import type { PolicyInstance } from '../../engine/index.js';
import { RecentMap } from '../recent/index.js';
import { jsonText } from './input-json.js';
import type { Decision } from './types.js';

/** InputPath is one path into the input (object member names; array indexes as numbers). */
export type InputPath = readonly (string | number)[];

/** MEMO_ENTRIES bounds a memo (least recently used goes first). */
export const MEMO_ENTRIES = 4096;
/**
 * MEMO_MAX_KEY_CHARS keeps a decision out of the memo when its key is longer (a policy that reads
 * the statement's text would otherwise keep large texts); MEMO_TOTAL_CHARS bounds the keys' total
 * size (least recently used go first past it).
 */
export const MEMO_MAX_KEY_CHARS = 16 * 1024;
export const MEMO_TOTAL_CHARS = 8 * 1024 * 1024;

/** MemoStats counts a memo's lookups. */
export type MemoStats = { hits: number; misses: number };

/** DecisionMemo remembers one policy's decisions by the input values it reads. */
export type DecisionMemo = {
  /** policy is the instance whose decisions these are (the decider evaluates with it on a miss). */
  readonly policy: PolicyInstance;
  readonly stats: Readonly<MemoStats>;
  /** keyOf is the input's key: equal keys mean equal values at every path the policy can read. */
  keyOf(input: unknown): string;
  get(key: string): Decision | undefined;
  /** set remembers a decision (deeply frozen: it is shared by every statement that hits it). */
  set(key: string, decision: Decision): void;
};

/** createDecisionMemo makes the memo of one policy whose entrypoint reads at most `paths`. */
export function createDecisionMemo(policy: PolicyInstance, paths: readonly InputPath[], entries = MEMO_ENTRIES): DecisionMemo {
  const cache = new RecentMap<string, Decision>();
  let chars = 0;
  const stats: MemoStats = { hits: 0, misses: 0 };
  const frozenPaths = paths.map((p) => [...p]);
  return {
    policy,
    stats,
    keyOf(input: unknown): string {
      let key = '';
      for (const path of frozenPaths) key += `${keyPart(input, path)}\u0001`;
      return key;
    },
    get(key) {
      const hit = cache.get(key);
      if (hit === undefined) {
        stats.misses++;
        return undefined;
      }
      stats.hits++;
      return hit;
    },
    set(key, decision) {
      if (key.length > MEMO_MAX_KEY_CHARS || cache.has(key)) return;
      deepFreeze(decision);
      cache.set(key, decision);
      chars += key.length;
      while (cache.size > entries || chars > MEMO_TOTAL_CHARS) {
        const [oldest] = cache.oldest() as [string, Decision];
        cache.delete(oldest);
        chars -= oldest.length;
      }
    },
  };
}

/**
 * keyPart writes the value at `path` of the input. It follows the path only as Rego would (a
 * member name into an object, an index into an array); where the two could disagree (an index
 * into an object, a name into an array or a scalar) it stops and writes the whole value reached,
 * which covers whatever the policy could see there. A missing member is `~` (JSON text never is),
 * any other value its JSON text, which the policy's input is written as (remembered for the parts
 * of an input that are shared copies, input-json.ts, so equal values give equal keys however made).
 */
function keyPart(input: unknown, path: readonly (string | number)[]): string {
  let v: unknown = input;
  for (const el of path) {
    if (typeof v !== 'object' || v === null) break;
    if (Array.isArray(v)) {
      if (typeof el !== 'number') break;
      v = v[el];
    } else {
      if (typeof el !== 'string') break;
      v = Object.hasOwn(v, el) ? (v as Record<string, unknown>)[el] : undefined;
    }
    if (v === undefined) return '~';
  }
  return jsonText(v) ?? '~';
}

function deepFreeze(x: unknown): void {
  if (typeof x !== 'object' || x === null || Object.isFrozen(x)) return;
  Object.freeze(x);
  for (const v of Object.values(x)) deepFreeze(v);
}
