// Soundness of the input-reads analysis on evaluated Wasm: a seeded random search for an input
// change outside the reported paths that changes a decision must find none, and, with one
// reported path left out in turn, must find one (so the search would catch a missed read).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../engine/index.js';
import type { InputReads, PolicyInstance } from '../../engine/index.js';
import { DECISION_READS, compiled, policiesDir, regoFiles, sources } from './reads-fixtures.js';
import { mulberry32 } from '../helpers/random.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/**
 * Gen draws random inputs: objects over the key vocabulary, or, with a `shape` (parent path →
 * child keys), objects that mostly follow it, so a large policy sees inputs of its own form.
 */
type Gen = { rand: () => number; keys: readonly string[]; pool: readonly Json[]; shape?: ReadonlyMap<string, readonly string[]> };

function pick<T>(g: Gen, xs: readonly T[]): T {
  return xs[Math.floor(g.rand() * xs.length)] as T;
}

function randomValue(g: Gen, depth: number, at: readonly string[] = []): Json {
  const r = g.rand();
  const shaped = g.shape?.has(at.join('.')) === true;
  if (shaped && r < 0.8 && depth > 0) return randomObject(g, depth - 1, at);
  if (depth <= 0 || r < 0.55) return pick(g, g.pool);
  if (r < 0.7) return Array.from({ length: Math.floor(g.rand() * 4) }, () => randomValue(g, depth - 1));
  return randomObject(g, depth - 1, at);
}

function randomObject(g: Gen, depth: number, at: readonly string[] = []): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  const keys = g.shape ? [...(g.shape.get(at.join('.')) ?? []), 'other'] : g.keys;
  for (const k of keys) if (g.rand() < (g.shape ? 0.6 : 0.45)) out[k] = randomValue(g, depth, [...at, k]);
  return out;
}

/** shapeOf maps each proper prefix (dotted) of `paths` to the keys that follow it. */
function shapeOf(paths: readonly (readonly string[])[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of paths) {
    for (let i = 0; i < p.length; i++) {
      const at = p.slice(0, i).join('.');
      const keys = out.get(at) ?? [];
      if (!keys.includes(p[i] as string)) keys.push(p[i] as string);
      out.set(at, keys);
    }
  }
  return out;
}

/** setAt returns a copy of `v` with `path` set to `x`, turning non-objects on the way into objects. */
function setAt(v: Json, path: readonly string[], x: Json): Json {
  if (path.length === 0) return x;
  const [k, ...rest] = path as [string, ...string[]];
  const obj = v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...v } : {};
  obj[k] = setAt(obj[k] ?? null, rest, x);
  return obj;
}

const related = (p: readonly string[], q: readonly string[]) => {
  const n = Math.min(p.length, q.length);
  return p.slice(0, n).every((s, i) => s === q[i]);
};

function outcome(policy: PolicyInstance, input: Json, entrypoint: string): string {
  try {
    return JSON.stringify(policy.evaluate(input, entrypoint));
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

/**
 * nearPaths are the paths a missed read would show up under: every vocabulary key at the top, and
 * every prefix of a reported path extended by a vocabulary key. For any input path Q outside the
 * reported ones, one of these (when Q's next key is in the vocabulary) is unrelated to every
 * reported path and is Q or above it, so changing it changes Q.
 */
function nearPaths(paths: readonly (readonly string[])[], keys: readonly string[]): string[][] {
  const out = new Map<string, string[]>();
  const add = (p: string[]) => out.set(JSON.stringify(p), p);
  for (const k of keys) add([k]);
  for (const p of paths) for (let i = 0; i <= p.length; i++) for (const k of keys) add([...p.slice(0, i), k]);
  return [...out.values()];
}

/**
 * counterexample searches for an input and a change, at one of `candidates` unrelated to every
 * path of `covered` (neither is a prefix of the other), that changes the decision: `trials` random
 * inputs, `perTrial` random changes each.
 */
function counterexample(
  policy: PolicyInstance,
  entrypoint: string,
  covered: readonly (readonly string[])[],
  candidates: readonly (readonly string[])[],
  g: Gen,
  trials: number,
  perTrial: number,
): { input: Json; path: readonly string[]; changed: Json } | undefined {
  const free = candidates.filter((c) => !covered.some((p) => related(p, c)));
  if (free.length === 0) return undefined;
  for (let t = 0; t < trials; t++) {
    const input = randomObject(g, 3);
    const before = outcome(policy, input, entrypoint);
    for (let i = 0; i < perTrial; i++) {
      const path = pick(g, free);
      const changed = setAt(input, path, randomValue(g, 2));
      if (outcome(policy, changed, entrypoint) !== before) return { input, path, changed };
    }
  }
  return undefined;
}

/**
 * Prop is one policy for the property. `caught`: how many of its paths, each left out of the
 * covered set in turn, the search must show a decision depends on (the seed is fixed); `trials`:
 * random inputs per left-out path (and three times as many for the search itself).
 */
type Prop = {
  note: string;
  shape?: readonly (readonly string[])[];
  rego: string | string[];
  entrypoint: string;
  keys: string[];
  pool: Json[];
  data?: Json;
  caught: number;
  trials: number;
};

const SMALL_POOL: Json[] = [null, true, false, 0, 1, 'a', 'b'];
const props: Prop[] = [
  {
    note: 'direct refs',
    rego: 'package t\np := [input.user.role, input.kind]',
    entrypoint: 't/p',
    keys: ['user', 'role', 'kind', 'x'],
    pool: SMALL_POOL,
    caught: 2,
    trials: 60,
  },
  {
    note: 'functions and packages',
    rego: [
      'package t\nimport data.lib\np if lib.ok(input.x)\np if data.u.flag',
      'package lib\nok(v) if v == input.y',
      'package u\nflag if input.z.w == true',
    ],
    entrypoint: 't/p',
    keys: ['x', 'y', 'z', 'w', 'v'],
    pool: SMALL_POOL,
    caught: 3,
    trials: 60,
  },
  {
    note: 'iteration with a variable key',
    rego: 'package t\np := {k | some k, v in input.m; v != input.skip}',
    entrypoint: 't/p',
    keys: ['m', 'skip', 'a', 'b'],
    pool: SMALL_POOL,
    caught: 2,
    trials: 60,
  },
  {
    note: 'with input.a as input.c',
    rego: 'package t\np := x if {\n\tx := q with input.a as input.c\n}\nq := [input.a, input.b]',
    entrypoint: 't/p',
    keys: ['a', 'b', 'c', 'd'],
    pool: SMALL_POOL,
    // input.a is replaced by input.c before q reads it: the analysis over-approximates there.
    caught: 2,
    trials: 60,
  },
];

describe('soundness on random inputs', () => {
  const shipped: Prop = {
    note: 'the shipped decision',
    rego: [],
    entrypoint: 'portcullis/decision',
    keys: [...new Set([...DECISION_READS.flat(), 'approver', 'session', 'other'])],
    pool: [
      null,
      true,
      false,
      1,
      'x',
      'db:read',
      'db:write',
      'db:admin',
      'pii:read',
      'select',
      'insert',
      'drop',
      'public.customers',
      'public.orders',
    ],
    data: JSON.parse(readFileSync(join(policiesDir, 'data.json'), 'utf8')) as Json,
    shape: [...DECISION_READS, ['approver', 'sub'], ['statement', 'flags', 'other'], ['session', 'id']],
    caught: 12,
    trials: 80,
  };

  it.each([...props, shipped])(
    '$note',
    { timeout: 60_000 },
    async ({ note, rego, entrypoint, keys, pool, data, shape, caught, trials }) => {
      const files = note === shipped.note ? regoFiles(policiesDir) : sources(rego);
      const r = compiled(files, [entrypoint]);
      const reads = r.inputReads?.[entrypoint] as InputReads;
      expect(reads.kind).toBe('paths');
      const paths = reads.kind === 'paths' ? reads.paths : [];
      const policy = await loadPolicy(r.wasm as Uint8Array);
      if (data !== undefined) policy.setData(data);
      const g: Gen = { rand: mulberry32(0x5eed), keys, pool, ...(shape ? { shape: shapeOf(shape) } : {}) };

      // Changing input outside the reported paths never changes the decision.
      expect(counterexample(policy, entrypoint, paths, nearPaths(paths, keys), g, trials * 3, 6)).toBeUndefined();

      // The search has teeth: had the analysis missed one of the paths, changing it would have
      // changed a decision (and nearPaths would have offered it).
      const found = paths.filter(
        (p) =>
          counterexample(
            policy,
            entrypoint,
            paths.filter((q) => q !== p),
            [p],
            g,
            trials,
            1,
          ) !== undefined,
      );
      expect(found.length).toBeGreaterThanOrEqual(caught);
    },
  );
});
