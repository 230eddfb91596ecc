// The decision memo: keys equal exactly when the values at the read paths are equal, and a
// memoised decider answers as the policy does (a change at a read path changes the decision; a
// change elsewhere hits), per policy, never remembering a policy error.

import { describe, expect, it } from 'vitest';
import { compile, loadPolicy } from '../../../engine/index.js';
import type { PolicyInstance } from '../../../engine/index.js';
import {
  MEMO_MAX_KEY_CHARS,
  MEMO_TOTAL_CHARS,
  buildPolicyInput,
  createDecider,
  createDecisionMemo,
} from '../../../proxy/decision/index.js';
import type { InputPath, PolicyInput } from '../../../proxy/decision/index.js';
import { sampleFacts } from './fixtures.js';

async function policyOf(rego: string): Promise<PolicyInstance> {
  const out = compile({ files: [{ name: 'p.rego', text: rego }], entrypoints: ['p/decision'] });
  if (out.wasm === undefined) throw new Error(out.diagnostics.map((d) => d.message).join('; '));
  return loadPolicy(out.wasm);
}

describe('memo keys', async () => {
  const policy = await policyOf('package p\ndecision := {"allow": true}\n');
  const keyOf = (paths: readonly InputPath[], input: unknown) => createDecisionMemo(policy, paths).keyOf(input);
  const frozen = buildPolicyInput({
    claims: Object.freeze({ sub: 'a', roles: Object.freeze(['db:read']) }),
    connection: { database: 'app', user: 'u', clientAddress: '127.0.0.1', tls: false },
    statement: deepFrozen(structuredClone(sampleFacts)),
    session: { statements: 0, rowsReturned: 0, inTransaction: false, startedAtMs: 0 },
    nowMs: 1000,
  });
  const cases: { note: string; paths: InputPath[]; a: unknown; b: unknown; same: boolean }[] = [
    { note: 'equal scalars', paths: [['a']], a: { a: 1, z: 1 }, b: { a: 1, z: 2 }, same: true },
    { note: 'different scalars', paths: [['a']], a: { a: 1 }, b: { a: 2 }, same: false },
    { note: 'number against string', paths: [['a']], a: { a: 1 }, b: { a: '1' }, same: false },
    { note: 'missing against null', paths: [['a']], a: {}, b: { a: null }, same: false },
    { note: 'missing against undefined member (neither is in the JSON)', paths: [['a']], a: {}, b: { a: undefined }, same: true },
    { note: 'nested path, sibling differs', paths: [['a', 'b']], a: { a: { b: 1, c: 1 } }, b: { a: { b: 1, c: 2 } }, same: true },
    { note: 'nested path differs', paths: [['a', 'b']], a: { a: { b: 1 } }, b: { a: { b: [1] } }, same: false },
    { note: 'two paths, the second differs', paths: [['a'], ['b']], a: { a: 1, b: 'x' }, b: { a: 1, b: 'y' }, same: false },
    {
      note: 'separator-like text cannot merge paths',
      paths: [['a'], ['b']],
      a: { a: 'x\u0001', b: '' },
      b: { a: 'x', b: '\u0001' },
      same: false,
    },
    { note: 'an index into an array', paths: [['a', 0]], a: { a: [1, 2] }, b: { a: [1, 3] }, same: true },
    {
      note: 'an index into an object keys on the whole object',
      paths: [['a', 0]],
      a: { a: { '0': 1, x: 1 } },
      b: { a: { '0': 1, x: 2 } },
      same: false,
    },
    { note: 'a name into an array keys on the whole array', paths: [['a', 'length']], a: { a: [1] }, b: { a: [2] }, same: false },
    { note: 'a name into a scalar keys on the scalar', paths: [['a', 'b']], a: { a: 'x' }, b: { a: 'y' }, same: false },
    { note: 'an inherited member is missing', paths: [['toString']], a: {}, b: {}, same: true },
    { note: 'the root keys on everything', paths: [[]], a: { a: 1, z: 1 }, b: { a: 1, z: 2 }, same: false },
    { note: 'no paths: one key', paths: [], a: { a: 1 }, b: { a: 2 }, same: true },
  ];
  it.each(cases)('$note', ({ paths, a, b, same }) => {
    expect(keyOf(paths, a) === keyOf(paths, b)).toBe(same);
  });

  it('a value keys by its JSON text, whether it is a shared copy or made afresh', () => {
    const again = buildPolicyInput({ ...partsOf(frozen), statement: deepFrozen(structuredClone(sampleFacts) as typeof sampleFacts) });
    const unfrozen = buildPolicyInput({ ...partsOf(frozen), statement: structuredClone(sampleFacts) });
    for (const path of [
      ['statement', 'tables'],
      ['statement', 'tables', 'read'],
      ['statement', 'columns', 'uses'],
      ['identity', 'roles'],
    ]) {
      expect(keyOf([path], again)).toBe(keyOf([path], frozen));
      expect(keyOf([path], unfrozen)).toBe(keyOf([path], frozen));
    }
    expect(keyOf([['statement', 'tables']], frozen)).toBe(`${JSON.stringify(sampleFacts.tables)}\u0001`);
  });
});

describe('a memoised decider', async () => {
  const rego = `package p
decision := {"allow": true, "deny": d} if {
	d := {x | some t in input.statement.tables.read; startswith(t, "secret."); x := {"reason": "secret", "rule": "t.secret"}}
}
`;
  const paths: InputPath[] = [['statement', 'tables', 'read']];
  const input = (read: string[], other: number): PolicyInput =>
    ({ statement: { tables: { read, written: [] } }, other }) as unknown as PolicyInput;

  it('answers as the policy does, from memory when only unread values change', async () => {
    const policy = await policyOf(rego);
    const memo = createDecisionMemo(policy, paths);
    const memoised = createDecider({ policy, entrypoint: 'p/decision', memo: () => memo });
    const plain = createDecider({ policy, entrypoint: 'p/decision' });
    const seq = [
      input(['public.a'], 1),
      input(['secret.b'], 1),
      input(['public.a'], 2),
      input(['secret.b'], 3),
      input(['public.a', 'secret.c'], 1),
    ];
    for (const i of seq) expect(memoised.decide(i)).toEqual(plain.decide(i));
    expect(memoised.decide(seq[0] as PolicyInput).kind).toBe('allow');
    expect(memoised.decide(seq[1] as PolicyInput).kind).toBe('deny');
    expect(memo.stats).toEqual({ hits: 4, misses: 3 });
  });

  it('remembers nothing for a failed evaluation, and a remembered decision is frozen', async () => {
    const policy = await policyOf(
      'package p\ndecision := {"allow": true, "oops": 1} if input.bad\ndecision := {"allow": true} if not input.bad\n',
    );
    const memo = createDecisionMemo(policy, [['bad']]);
    const errors: string[] = [];
    const decider = createDecider({ policy, entrypoint: 'p/decision', memo: () => memo, onPolicyError: (m) => errors.push(m) });
    const bad = { bad: true } as unknown as PolicyInput;
    expect(decider.decide(bad)).toMatchObject({ kind: 'deny', origin: 'error' });
    expect(decider.decide(bad)).toMatchObject({ kind: 'deny', origin: 'error' });
    expect(errors).toHaveLength(2);
    const good = decider.decide({ bad: false } as unknown as PolicyInput);
    expect(good).toEqual({ kind: 'allow', masks: [] });
    expect(Object.isFrozen(good) && Object.isFrozen((good as { masks: unknown }).masks)).toBe(true);
  });

  it('evaluates a miss with the memo’s own policy, not whatever the getter says', async () => {
    const allowAll = await policyOf('package p\ndecision := {"allow": true}\n');
    const denyAll = await policyOf('package p\ndecision := {"allow": false}\n');
    const memo = createDecisionMemo(denyAll, []);
    const decider = createDecider({ policy: allowAll, entrypoint: 'p/decision', memo: () => memo });
    expect(decider.decide({} as PolicyInput).kind).toBe('deny');
  });

  it('keeps no decision whose key is too long, and bounds the keys’ total size', async () => {
    const policy = await policyOf('package p\ndecision := {"allow": startswith(input.statement.text, "SELECT")}\n');
    const memo = createDecisionMemo(policy, [['statement', 'text']]);
    const decider = createDecider({ policy, entrypoint: 'p/decision', memo: () => memo });
    const text = (n: number, tag: string) => ({ statement: { text: `SELECT '${'x'.repeat(n)}${tag}'` } }) as unknown as PolicyInput;
    for (let i = 0; i < 2; i++) expect(decider.decide(text(MEMO_MAX_KEY_CHARS, '')).kind).toBe('allow');
    expect(memo.stats).toEqual({ hits: 0, misses: 2 });
    // keys just under the per-key bound: the total bound evicts the oldest long before MEMO_ENTRIES
    const n = MEMO_MAX_KEY_CHARS - 100;
    const count = Math.ceil(MEMO_TOTAL_CHARS / n) + 5;
    for (let i = 0; i < count; i++) decider.decide(text(n, String(i)));
    const misses = memo.stats.misses;
    decider.decide(text(n, String(count - 1)));
    expect(memo.stats).toEqual({ hits: 1, misses });
    decider.decide(text(n, '0'));
    expect(memo.stats).toEqual({ hits: 1, misses: misses + 1 });
  });

  it('bounds its entries (least recently used goes first)', async () => {
    const policy = await policyOf(rego);
    const memo = createDecisionMemo(policy, paths, 2);
    const decider = createDecider({ policy, entrypoint: 'p/decision', memo: () => memo });
    for (const t of ['a', 'b', 'a', 'c', 'a', 'b']) decider.decide(input([t], 0));
    // a miss, b miss, a hit, c miss (b goes), a hit, b miss
    expect(memo.stats).toEqual({ hits: 2, misses: 4 });
  });
});

function partsOf(input: PolicyInput) {
  return {
    claims: input.identity as Record<string, unknown>,
    connection: { database: 'app', user: 'u', clientAddress: '127.0.0.1', tls: false },
    session: { statements: 0, rowsReturned: 0, inTransaction: false, startedAtMs: 0 },
    nowMs: 1000,
  };
}

function deepFrozen<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFrozen(v);
  }
  return x;
}
