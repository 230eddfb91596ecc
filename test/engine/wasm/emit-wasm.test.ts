// emitWasm end to end: hand-written IR policies → emitWasm (real runtime) → validate → the
// official SDK (fast path and ctx path) and our loader, which must all agree.

import { describe, expect, it } from 'vitest';
import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import type { Policy, Stmt } from '../../../engine/ir/index.js';
import { emitWasm } from '../../../engine/wasm/index.js';
import { loadRuntimeBinary } from '../../../engine/runtime/index.js';
import type { HostBuiltin } from '../../../engine/runtime/index.js';
import { wasmApi } from '../../../engine/runtime/wasm-api.js';
import { ENV_IMPORTS, OPA_EXPORTS } from '../../../engine/abi.js';
import { readRuntimeModule } from '../../../engine/wasm/module-reader.js';
import { C, L, block, conflict, errorText, func, loadAll, policy } from './helpers.js';

type Eval = {
  readonly input?: unknown;
  readonly data?: unknown;
  readonly entrypoint?: string | number;
  readonly want?: unknown;
  readonly error?: string;
};
type Case = {
  readonly note: string;
  readonly policy: Policy;
  readonly evals: readonly Eval[];
  readonly builtins?: Record<string, HostBuiltin>;
};

const T = 0; // constants index of `true` in most cases below

/** one builds a single-entrypoint policy `test/p` from the statements of one block. */
function one(constants: string[], stmts: Stmt[], extraBlocks: Stmt[][] = []): Policy {
  return policy(constants, [func('p', [block(...stmts), ...extraBlocks.map((s) => block(...s))])], [['test/p', 'p']]);
}

const cases: Case[] = [
  {
    note: 'constant result',
    policy: one(['true'], [{ kind: 'assign', source: C(T), target: 2 }]),
    evals: [{ input: { a: 1 }, want: [{ result: true }] }],
  },
  {
    note: 'static data beyond 5 pages (passive segment)',
    policy: one(
      [JSON.stringify({ big: 'x'.repeat(400_000) }), '"big"'],
      [
        { kind: 'dot', source: C(0), key: C(1), target: 3 },
        { kind: 'len', source: L(3), target: 2 },
      ],
    ),
    evals: [{ input: { a: 1 }, want: [{ result: 400_000 }] }],
  },
  {
    note: 'undefined when a comparison fails',
    policy: one(
      ['true', 'false'],
      [
        { kind: 'equal', a: C(0), b: C(1) },
        { kind: 'assign', source: C(T), target: 2 },
      ],
    ),
    evals: [{ input: { a: 1 }, want: [] }],
  },
  {
    note: 'dot on input and equal',
    policy: one(
      ['true', '"user"', '"alice"'],
      [
        { kind: 'dot', source: L(0), key: C(1), target: 3 },
        { kind: 'equal', a: L(3), b: C(2) },
        { kind: 'assign', source: C(T), target: 2 },
      ],
    ),
    evals: [
      { input: { user: 'alice' }, want: [{ result: true }] },
      { input: { user: 'bob' }, want: [] },
      { input: { other: 1 }, want: [] },
      { input: [1, 2], want: [] },
    ],
  },
  {
    note: 'dot on data after setData',
    policy: one(
      ['"roles"', '"admin"'],
      [
        { kind: 'dot', source: L(1), key: C(0), target: 3 },
        { kind: 'dot', source: L(3), key: C(1), target: 2 },
      ],
    ),
    evals: [
      { input: { x: 1 }, want: [] },
      { input: { x: 1 }, data: { roles: { admin: ['ann', 'bo'] } }, want: [{ result: ['ann', 'bo'] }] },
    ],
  },
  {
    note: 'scan array, object and non-collection with notEqual filter',
    policy: one(
      ['"xs"', '2'],
      [
        { kind: 'makeArray', capacity: 0, target: 3 },
        { kind: 'dot', source: L(0), key: C(0), target: 4 },
        {
          kind: 'scan',
          source: 4,
          key: 5,
          value: 6,
          block: block({ kind: 'notEqual', a: L(6), b: C(1) }, { kind: 'arrayAppend', array: 3, value: L(6) }),
        },
        { kind: 'assign', source: L(3), target: 2 },
      ],
    ),
    evals: [
      { input: { xs: [1, 2, 3] }, want: [{ result: [1, 3] }] },
      { input: { xs: { b: 2, a: 1, c: 'z' } }, want: [{ result: [1, 'z'] }] },
      { input: { xs: 'str' }, want: [{ result: [] }] },
      { input: { xs: [] }, want: [{ result: [] }] },
    ],
  },
  {
    note: 'scan object keys into a set',
    policy: one(
      ['"o"'],
      [
        { kind: 'makeSet', target: 3 },
        { kind: 'dot', source: L(0), key: C(0), target: 4 },
        { kind: 'scan', source: 4, key: 5, value: 6, block: block({ kind: 'setAdd', set: 3, value: L(5) }) },
        { kind: 'assign', source: L(3), target: 2 },
      ],
    ),
    evals: [{ input: { o: { b: 1, a: 2 } }, want: [{ result: ['a', 'b'] }] }],
  },
  {
    note: 'nested scans with an undefined inner statement',
    policy: one(
      ['"xs"', '"ys"'],
      [
        { kind: 'makeArray', capacity: 4, target: 3 },
        { kind: 'dot', source: L(0), key: C(0), target: 4 },
        { kind: 'dot', source: L(0), key: C(1), target: 5 },
        {
          kind: 'scan',
          source: 4,
          key: 6,
          value: 7,
          block: block({
            kind: 'scan',
            source: 5,
            key: 8,
            value: 9,
            block: block({ kind: 'equal', a: L(7), b: L(9) }, { kind: 'arrayAppend', array: 3, value: L(7) }),
          }),
        },
        { kind: 'assign', source: L(3), target: 2 },
      ],
    ),
    evals: [{ input: { xs: [1, 2, 3, 4], ys: [4, 2, 9] }, want: [{ result: [2, 4] }] }],
  },
  {
    note: 'not: defined when the negated block fails',
    policy: one(
      ['true', '"deny"'],
      [
        { kind: 'not', block: block({ kind: 'dot', source: L(0), key: C(1), target: 3 }, { kind: 'equal', a: L(3), b: C(T) }) },
        { kind: 'assign', source: C(T), target: 2 },
      ],
    ),
    evals: [
      { input: { deny: true }, want: [] },
      { input: { deny: false }, want: [{ result: true }] },
      { input: { other: 1 }, want: [{ result: true }] },
    ],
  },
  {
    note: 'assignOnce: same value twice is fine, different values conflict',
    policy: one(
      ['"a"', '"b"'],
      [
        { kind: 'dot', source: L(0), key: C(0), target: 3 },
        { kind: 'assignOnce', source: L(3), target: 2, error: conflict(3) },
      ],
      [
        [
          { kind: 'dot', source: L(0), key: C(1), target: 4 },
          { kind: 'assignOnce', source: L(4), target: 2, error: conflict(4) },
        ],
      ],
    ),
    evals: [
      { input: { a: 1, b: 1 }, want: [{ result: 1 }] },
      { input: { a: 1 }, want: [{ result: 1 }] },
      { input: { b: [2] }, want: [{ result: [2] }] },
      { input: { a: 1, b: 2 }, error: 'policy.rego:4: eval_conflict_error: complete rules must not produce multiple outputs' },
    ],
  },
  {
    note: 'objectInsert replaces, objectInsertOnce conflicts',
    policy: one(
      ['"k"', '"v"', '"w"'],
      [
        { kind: 'makeObject', target: 2 },
        { kind: 'objectInsert', object: 2, key: C(0), value: C(1) },
        { kind: 'objectInsert', object: 2, key: C(0), value: C(2) },
        { kind: 'dot', source: L(0), key: C(0), target: 3 },
        { kind: 'objectInsertOnce', object: 2, key: L(3), value: C(1), error: conflict(7, 'object keys must be unique') },
      ],
    ),
    evals: [
      { input: { k: 'x' }, want: [{ result: { k: 'w', x: 'v' } }] },
      { input: { k: 'k' }, error: 'policy.rego:7: eval_conflict_error: object keys must be unique' },
    ],
  },
  {
    note: 'objectMerge: deep merge, undefined for non-objects, conflict aborts',
    policy: one(
      ['"a"', '"b"'],
      [
        { kind: 'dot', source: L(0), key: C(0), target: 3 },
        { kind: 'dot', source: L(0), key: C(1), target: 4 },
        { kind: 'objectMerge', a: L(3), b: L(4), target: 2, error: conflict(9, 'merge conflict') },
      ],
    ),
    evals: [
      { input: { a: { x: { p: 1 } }, b: { x: { q: 2 }, y: 3 } }, want: [{ result: { x: { p: 1, q: 2 }, y: 3 } }] },
      { input: { a: { x: 1 }, b: [1] }, want: [] },
      { input: { a: { x: 1 }, b: { x: 2 } }, error: 'policy.rego:9: eval_conflict_error: merge conflict' },
    ],
  },
  {
    note: 'upsert creates objects along the path (with input.x.y as "v")',
    policy: one(['["x","y"]', '"v"'], [{ kind: 'upsert', source: L(0), path: C(0), value: C(1), target: 2 }]),
    evals: [
      { input: { z: 1 }, want: [{ result: { x: { y: 'v' }, z: 1 } }] },
      { input: { x: { w: 0 } }, want: [{ result: { x: { w: 0, y: 'v' } } }] },
    ],
  },
  {
    note: 'len, isType, isDefined, isUndefined, reset',
    policy: one(
      ['"xs"', '3'],
      [
        { kind: 'dot', source: L(0), key: C(0), target: 3 },
        { kind: 'isType', source: L(3), type: 'array' },
        { kind: 'len', source: L(3), target: 4 },
        { kind: 'equal', a: L(4), b: C(1) },
        { kind: 'isDefined', source: 4 },
        { kind: 'reset', target: 4 },
        { kind: 'isUndefined', source: 4 },
        { kind: 'assign', source: L(3), target: 2 },
      ],
    ),
    evals: [
      { input: { xs: [1, 2, 3] }, want: [{ result: [1, 2, 3] }] },
      { input: { xs: [1, 2] }, want: [] },
      { input: { xs: { a: 1, b: 2, c: 3 } }, want: [] },
    ],
  },
  {
    note: 'block statement and break out of two blocks',
    policy: one(
      ['true', 'false', '"go"'],
      [
        {
          kind: 'block',
          blocks: [
            block(
              { kind: 'dot', source: L(0), key: C(2), target: 3 },
              { kind: 'assign', source: C(0), target: 2 },
              { kind: 'break', index: 1 },
            ),
          ],
        },
        { kind: 'assign', source: C(1), target: 2 },
      ],
    ),
    evals: [
      { input: { go: 1 }, want: [{ result: true }] },
      { input: { stop: 1 }, want: [{ result: false }] },
    ],
  },
  {
    note: 'abort statement',
    policy: one(
      ['1'],
      [
        {
          kind: 'abort',
          error: { code: 'eval_type_error', message: 'boom', loc: { file: 'x.rego', row: 12, col: 3, offset: 0, length: 0 } },
        },
      ],
    ),
    evals: [{ input: { a: 1 }, error: 'x.rego:12: eval_type_error: boom' }],
  },
  {
    note: 'calls with arguments; undefined callee result is undefined',
    policy: policy(
      ['"n"', '1'],
      [
        func('main', [
          block({ kind: 'dot', source: L(0), key: C(0), target: 3 }, { kind: 'call', func: 'inc', args: [L(0), L(1), L(3)], target: 2 }),
        ]),
        func('inc', [block({ kind: 'equal', a: L(3), b: C(1) }, { kind: 'assign', source: L(3), target: 4 })], {
          params: [0, 1, 3],
          result: 4,
        }),
      ],
      [['test/main', 'main']],
    ),
    evals: [
      { input: { n: 1 }, want: [{ result: 1 }] },
      { input: { n: 2 }, want: [] },
    ],
  },
  {
    note: 'slots: set then read in a callee; empty in the next evaluation',
    policy: policy(
      ['"mock"', '"m"'],
      [
        func('setter', [
          block({ kind: 'dot', source: L(0), key: C(1), target: 3 }, { kind: 'slotSet', slot: 1, value: C(0) }),
          block({ kind: 'call', func: 'getter', args: [L(0), L(1)], target: 2 }),
        ]),
        func('getter', [block({ kind: 'slotGet', slot: 1, target: 2 })]),
      ],
      [
        ['test/setter', 'setter'],
        ['test/getter', 'getter'],
      ],
      2,
    ),
    evals: [
      { input: { m: 1 }, want: [{ result: 'mock' }] },
      { input: { x: 1 }, entrypoint: 'test/getter', want: [] },
      { input: { x: 1 }, want: [] },
    ],
  },
  {
    note: 'several entrypoints by name and id; unknown id aborts',
    policy: policy(
      ['"A"', '"B"'],
      [func('a', [block({ kind: 'assign', source: C(0), target: 2 })]), func('b', [block({ kind: 'assign', source: C(1), target: 2 })])],
      [
        ['test/a', 'a'],
        ['test/b', 'b'],
      ],
    ),
    evals: [
      { input: { x: 1 }, want: [{ result: 'A' }] },
      { input: { x: 1 }, entrypoint: 'test/b', want: [{ result: 'B' }] },
      { input: { x: 1 }, entrypoint: 1, want: [{ result: 'B' }] },
      { input: { x: 1 }, entrypoint: 7, error: 'eval_internal_error: unknown entrypoint id' },
    ],
  },
  {
    note: 'count builtin (native when the runtime has it, else host)',
    policy: one(
      ['"xs"'],
      [
        { kind: 'dot', source: L(0), key: C(0), target: 3 },
        { kind: 'builtin', name: 'count', args: [L(3)], target: 2 },
      ],
    ),
    builtins: { count: (x: unknown) => (Array.isArray(x) ? x.length : undefined) },
    evals: [{ input: { xs: [1, 2, 3] }, want: [{ result: 3 }] }],
  },
  {
    note: 'host builtins with 0, 1 and 4 arguments; undefined result',
    policy: one(
      ['"v"', '1', '2', '3'],
      [
        { kind: 'builtin', name: 'custom.zero', args: [], target: 3 },
        { kind: 'dot', source: L(0), key: C(0), target: 4 },
        { kind: 'builtin', name: 'custom.double', args: [L(4)], target: 5 },
        { kind: 'builtin', name: 'custom.sum4', args: [L(3), L(5), C(1), C(2)], target: 6 },
        { kind: 'makeArray', capacity: 2, target: 2 },
        { kind: 'arrayAppend', array: 2, value: L(5) },
        { kind: 'arrayAppend', array: 2, value: L(6) },
      ],
    ),
    builtins: {
      'custom.zero': () => 10,
      'custom.double': (x: unknown) => (typeof x === 'number' ? 2 * x : undefined),
      'custom.sum4': (a: unknown, b: unknown, c: unknown, d: unknown) => [a, b, c, d].reduce((s: number, n) => s + (n as number), 0),
    },
    evals: [
      { input: { v: 4 }, want: [{ result: [8, 21] }] },
      { input: { v: 'x' }, want: [] },
    ],
  },
];

describe('emitWasm end to end', () => {
  const runtime = loadRuntimeBinary();

  it.each(cases)('$note', async (c) => {
    const bytes = emitWasm(c.policy, runtime);
    expect(wasmApi.validate(bytes)).toBe(true);
    const evaluators = await loadAll(bytes, c.builtins ?? {});
    for (const ev of evaluators) {
      for (const e of c.evals) {
        if (e.data !== undefined) ev.setData(e.data);
        const label = `${ev.name} ${JSON.stringify(e.input)}`;
        if (e.error !== undefined) {
          expect(
            errorText(() => ev.evaluate(e.input, e.entrypoint)),
            label,
          ).toBe(e.error);
        } else {
          expect(ev.evaluate(e.input, e.entrypoint), label).toEqual(e.want);
        }
      }
    }
  });

  it('exports the whole OPA ABI and imports only env names', () => {
    const m = readRuntimeModule(emitWasm(cases[0]!.policy, runtime));
    const exports = m.exports.map((e) => e.name);
    expect(OPA_EXPORTS.filter((n) => !exports.includes(n))).toEqual([]);
    expect(exports.filter((n) => n.startsWith('rt_') || n.startsWith('bi_'))).toEqual([]);
    const allowed: readonly string[] = ENV_IMPORTS;
    expect(m.imports.filter((i) => i.module !== 'env' || !allowed.includes(i.field))).toEqual([]);
    expect(m.imports.find((i) => i.field === 'memory')?.limits?.max).toBeUndefined();
  });

  it('keeps the heap flat over 1,000 evaluations', async () => {
    const c = cases.find((x) => x.note.startsWith('scan array')) as Case;
    const sdk = await sdkLoadPolicy(emitWasm(c.policy, runtime));
    const heap = (): number =>
      (sdk as unknown as { wasmInstance: { exports: { opa_heap_ptr_get(): number } } }).wasmInstance.exports.opa_heap_ptr_get();
    sdk.evaluate({ xs: [1, 2, 3] });
    const after1 = heap();
    for (let i = 0; i < 1000; i++) expect(sdk.evaluate({ xs: [1, 2, 3, i] })).toHaveLength(1);
    sdk.evaluate({ xs: [1, 2, 3] });
    expect(heap()).toBe(after1);
  });

  it('lists only host-dispatched builtins in builtins() with dense ids', async () => {
    const c = cases.find((x) => x.note.startsWith('host builtins')) as Case;
    const sdk = await sdkLoadPolicy(emitWasm(c.policy, runtime), undefined, c.builtins);
    const inst = sdk as unknown as { wasmInstance: { exports: Record<string, () => number> }; mem: { buffer: ArrayBuffer } };
    const addr = (inst.wasmInstance.exports.opa_json_dump as unknown as (v: number) => number)(inst.wasmInstance.exports.builtins!());
    const bytes = new Uint8Array(inst.mem.buffer);
    const text = new TextDecoder().decode(bytes.subarray(addr, bytes.indexOf(0, addr)));
    expect(JSON.parse(text)).toEqual({ 'custom.zero': 0, 'custom.double': 1, 'custom.sum4': 2 });
  });
});
