// Facts shared by statements that differ only in literal values. Under the simple protocol an
// agent's repeated statement arrives with its constants inline (`… WHERE aid = 4711`), so the
// memo by text in analyze.ts misses; the statement is still parsed, but the walk is skipped when
// a statement of the same shape (canonical parse tree with every A_Const value cut out, the same
// search path) was walked before. The statement's own text and fingerprint are never shared, and
// nor are facts that read a literal's value (set_config('role', …)): those are computed anew.

import { RecentMap } from '../recent/index.js';
import type { StatementFacts } from './types.js';
import { canonicalize, fingerprintOf, shapeOf, type CanonicalTree } from './fingerprint.js';
import { shapeFacts, withIdentity, type ShapeFacts } from './facts.js';
import type { Node } from './tree.js';

/** SHAPE_CACHE_ENTRIES bounds the cache (least recently used goes first). */
const SHAPE_CACHE_ENTRIES = 2048;
/** SHAPE_CACHE_MAX_CHARS keeps very large statements out of it (their canonical JSON is the key). */
const SHAPE_CACHE_MAX_CHARS = 64 * 1024;
/** SHAPE_CACHE_TOTAL_CHARS bounds the keys' total size (least recently used go first past it). */
const SHAPE_CACHE_TOTAL_CHARS = 8 * 1024 * 1024;

// Process-wide like the parser itself: entries are deeply frozen and never change.
const cache = new RecentMap<string, ShapeFacts['facts']>();
let cacheChars = 0;

/**
 * FactsOf is one statement's facts, whether they came from the cache (another statement of the
 * same shape), its canonical tree, and its shape's facts when those are shared (no literal read).
 */
export type FactsOf = {
  readonly facts: StatementFacts;
  readonly shared: boolean;
  readonly canonical: CanonicalTree;
  readonly shape: ShapeFacts['facts'] | undefined;
};

/**
 * factsOf computes one statement's facts: `stmt` is the parse tree's `{ Type: fields }` wrapper,
 * `node` the same split into type and fields, `text` the statement's own SQL.
 */
export function factsOf(stmt: unknown, node: Node, text: string, defaultSchema: string): FactsOf {
  const canonical = canonicalize(stmt);
  const fingerprint = fingerprintOf(canonical);
  const key = canonical.json.length <= SHAPE_CACHE_MAX_CHARS ? `${defaultSchema}\u0000${shapeOf(canonical)}` : undefined;
  if (key !== undefined) {
    const hit = cache.get(key);
    if (hit !== undefined) {
      return { facts: withIdentity(hit, text, fingerprint), shared: true, canonical, shape: hit };
    }
  }
  const computed = shapeFacts(node, defaultSchema);
  let shape: ShapeFacts['facts'] | undefined;
  if (key !== undefined && !computed.literalsRead) {
    shape = computed.facts;
    deepFreeze(computed.facts);
    cache.set(key, computed.facts);
    cacheChars += key.length;
    while (cache.size > SHAPE_CACHE_ENTRIES || cacheChars > SHAPE_CACHE_TOTAL_CHARS) {
      const [oldest] = cache.oldest() as [string, unknown];
      cache.delete(oldest);
      cacheChars -= oldest.length;
    }
  }
  return { facts: withIdentity(computed.facts, text, fingerprint), shared: false, canonical, shape };
}

/** deepFreeze freezes a value and everything it holds (stops at what is frozen already). */
export function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}
