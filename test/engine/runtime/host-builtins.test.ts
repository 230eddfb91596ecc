// The loader-supplied builtins (opa.runtime, yaml.*) end to end: Rego → compile() → Wasm, run by
// our loader and by the plain SDK given sdkHostBuiltins(). The SDK keeps its own yaml.* (it looks
// its own table up first), so the tables pin both hosts' results side by side.

import { describe, expect, it } from 'vitest';
import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import { compile, loadPolicy, sdkHostBuiltins } from '../../../engine/index.js';
import { LOADER_BUILTIN_NAMES } from '../../../engine/runtime/index.js';
import { BUILTINS, LOADER_BUILTINS } from '../../../engine/builtins/index.js';
import { OPTIONS_SECTION } from '../../../engine/abi.js';

const POLICY = `package t
valid := [yaml.is_valid(d) | some d in input.docs]
valid_one := yaml.is_valid(input.doc)
first := yaml.unmarshal(input.doc)
text := yaml.marshal(input.value)
runtime := opa.runtime()
mocked := x if x := time.now_ns() with time.now_ns as opa.runtime
`;
const ENTRYPOINTS = ['t/valid', 't/valid_one', 't/first', 't/text', 't/runtime', 't/mocked'];

/** stripCustomSection returns the module bytes without the custom section `name` (as a module from another compiler). */
function stripCustomSection(wasm: Uint8Array, name: string): Uint8Array {
  const out: number[] = [...wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at]!;
    let size = 0;
    let shift = 0;
    let p = at + 1;
    for (;;) {
      const b = wasm[p++]!;
      size |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) break;
    }
    const end = p + size;
    const nameLen = wasm[p]!;
    const isTarget = id === 0 && new TextDecoder().decode(wasm.subarray(p + 1, p + 1 + nameLen)) === name;
    if (!isTarget) out.push(...wasm.subarray(at, end));
    at = end;
  }
  return new Uint8Array(out);
}

/** build compiles POLICY (strict or not) and returns the module bytes. */
function build(strict = false): Uint8Array {
  const r = compile({ files: [{ name: 'p.rego', text: POLICY }], entrypoints: ENTRYPOINTS, strictBuiltinErrors: strict });
  expect(r.diagnostics).toEqual([]);
  return r.wasm as Uint8Array;
}

/** The three documents of OPA's "yaml is_valid unreachable content" case. */
const UNREACHABLE = ['  test:\ntest1: hello\n', 'a: 1\n---\n\tb: 2\n', 'a: 1\n---\nb: 2\n'];

type Case = { note: string; entrypoint: string; input: unknown; loader: unknown; sdk: unknown };

const cases: Case[] = [
  {
    note: 'yaml.is_valid: unreachable content and multi-document streams',
    entrypoint: 't/valid',
    input: { docs: UNREACHABLE },
    loader: [{ result: [false, false, true] }],
    sdk: [{ result: [false, false, false] }],
  },
  { note: 'yaml.is_valid of a non-string is false', entrypoint: 't/valid_one', input: { doc: 1 }, loader: [{ result: false }], sdk: [] },
  {
    note: 'yaml.is_valid of a valid document',
    entrypoint: 't/valid_one',
    input: { doc: 'a: [1, 2]' },
    loader: [{ result: true }],
    sdk: [{ result: true }],
  },
  {
    note: 'yaml.unmarshal returns the first of several documents',
    entrypoint: 't/first',
    input: { doc: 'a: 1\n---\nb: 2\n' },
    loader: [{ result: { a: 1 } }],
    sdk: [],
  },
  {
    note: 'yaml.unmarshal reads YAML 1.1 booleans',
    entrypoint: 't/first',
    input: { doc: 'a: yes\nb: "yes"\n' },
    loader: [{ result: { a: true, b: 'yes' } }],
    sdk: [{ result: { a: 'yes', b: 'yes' } }],
  },
  {
    note: 'yaml.marshal orders keys like go-yaml, does not indent sequences, quotes 1.1 booleans',
    entrypoint: 't/text',
    input: { value: { b10: [1, 2], b9: 'on' } },
    loader: [{ result: 'b9: "on"\nb10:\n- 1\n- 2\n' }],
    sdk: [{ result: 'b10:\n  - 1\n  - 2\nb9: on\n' }],
  },
  { note: 'opa.runtime() is {} by default', entrypoint: 't/runtime', input: {}, loader: [{ result: {} }], sdk: [{ result: {} }] },
  {
    note: 'opa.runtime replaces time.now_ns through with',
    entrypoint: 't/mocked',
    input: {},
    loader: [{ result: {} }],
    sdk: [{ result: {} }],
  },
];

describe('loader-supplied builtins', () => {
  it.each(cases)('$note', async ({ entrypoint, input, loader, sdk }) => {
    const wasm = build();
    expect((await loadPolicy(wasm)).evaluate(input, entrypoint)).toEqual(loader);
    expect((await sdkLoadPolicy(wasm, undefined, sdkHostBuiltins())).evaluate(input, entrypoint)).toEqual(sdk);
  });

  it('returns the embedder-supplied runtime value from opa.runtime()', async () => {
    const runtime = { version: '1.2.3', config: { labels: { region: 'eu' } } };
    const wasm = build();
    expect((await loadPolicy(wasm, { runtime })).evaluate({}, 't/runtime')).toEqual([{ result: runtime }]);
    expect((await sdkLoadPolicy(wasm, undefined, sdkHostBuiltins({ runtime }))).evaluate({}, 't/runtime')).toEqual([{ result: runtime }]);
  });

  it('aborts on invalid YAML in yaml.unmarshal in strict mode', async () => {
    const p = await loadPolicy(build(true));
    expect(() => p.evaluate({ doc: 'a: [' }, 't/first')).toThrow(
      expect.objectContaining({
        code: 'ERR_ENGINE_EVAL',
        regoCode: 'eval_builtin_error',
        message: expect.stringMatching(/^yaml\.unmarshal: error converting YAML to JSON: /),
      }),
    );
  });

  it('makes a yaml.unmarshal error undefined without strict mode (as OPA), read from the module options section', async () => {
    const p = await loadPolicy(build(false));
    expect(p.evaluate({ doc: 'a: [' }, 't/first')).toEqual([]);
    expect(p.evaluate({ doc: 'a: [1]' }, 't/first')).toEqual([{ result: { a: [1] } }]);
  });

  it('keeps host builtin errors as evaluation errors for a module without our options section', async () => {
    const wasm = stripCustomSection(build(false), OPTIONS_SECTION);
    const p = await loadPolicy(wasm);
    expect(() => p.evaluate({ doc: 'a: [' }, 't/first')).toThrow(expect.objectContaining({ regoCode: 'eval_builtin_error' }));
  });

  it('keeps yaml.is_valid of a non-string false in strict mode (never an error)', async () => {
    const p = await loadPolicy(build(true));
    expect(p.evaluate({ doc: { a: 1 } }, 't/valid_one')).toEqual([{ result: false }]);
  });

  it('lets hostBuiltins replace a loader-supplied builtin', async () => {
    const p = await loadPolicy(build(), { hostBuiltins: { 'opa.runtime': () => ({ mine: true }) } });
    expect(p.evaluate({}, 't/runtime')).toEqual([{ result: { mine: true } }]);
  });
});

describe('the loader-supplied list', () => {
  it('is what the checker accepts and what sdkHostBuiltins() implements', () => {
    expect([...LOADER_BUILTINS].sort()).toEqual([...LOADER_BUILTIN_NAMES].sort());
    expect(Object.keys(sdkHostBuiltins()).sort()).toEqual([...LOADER_BUILTIN_NAMES].sort());
  });

  it.each(LOADER_BUILTIN_NAMES.map((name) => ({ name })))('$name is in the catalog with the implementation arity', ({ name }) => {
    expect(BUILTINS[name]?.arity).toBe(sdkHostBuiltins()[name].length);
  });
});

// rand.intn and uuid.rfc4122 are non-deterministic in OPA: random, but cached per query, so the
// same arguments give the same value within one evaluation (rand.intn keys on the string and |n|).
const ND_POLICY = `package nd
ints := [rand.intn("a", 10), rand.intn("a", 10), rand.intn("a", -10)]
zero := rand.intn("z", 0)
spread := {rand.intn(sprintf("k%d", [i]), 3) | some i in numbers.range(1, 300)}
big := rand.intn("b", 9007199254740991)
ids := [uuid.rfc4122("x"), uuid.rfc4122("x"), uuid.rfc4122("y")]
`;
const ND_ENTRYPOINTS = ['nd/ints', 'nd/zero', 'nd/spread', 'nd/big', 'nd/ids'];
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

type Evaluate = (input: unknown, entrypoint: string) => unknown;

describe('non-deterministic builtins (rand.intn, uuid.rfc4122)', () => {
  const wasm = (): Uint8Array => {
    const r = compile({ files: [{ name: 'nd.rego', text: ND_POLICY }], entrypoints: ND_ENTRYPOINTS });
    expect(r.diagnostics).toEqual([]);
    return r.wasm as Uint8Array;
  };
  const hosts: Array<{ host: string; load: (w: Uint8Array) => Promise<Evaluate> }> = [
    {
      host: 'loader',
      load: async (w) => {
        const p = await loadPolicy(w);
        return (i, e) => p.evaluate(i, e);
      },
    },
    {
      host: 'sdk',
      load: async (w) => {
        const p = await sdkLoadPolicy(w, undefined, sdkHostBuiltins());
        return (i, e) => p.evaluate(i, e);
      },
    },
  ];
  const result = (ev: Evaluate, entrypoint: string): unknown => (ev({}, entrypoint) as [{ result: unknown }])[0].result;

  it.each(hosts)('$host: rand.intn is an integer in [0, |n|), the same for the same string and |n|', async ({ load }) => {
    const ev = await load(wasm());
    const [a, b, c] = result(ev, 'nd/ints') as number[];
    expect(Number.isInteger(a)).toBe(true);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(10);
    expect([b, c]).toEqual([a, a]);
    expect(result(ev, 'nd/zero')).toBe(0);
    expect(result(ev, 'nd/spread')).toEqual([0, 1, 2]);
    const big = result(ev, 'nd/big') as number;
    expect(Number.isSafeInteger(big) && big >= 0).toBe(true);
  });

  it.each(hosts)('$host: uuid.rfc4122 is a version-4 UUID, the same for the same argument', async ({ load }) => {
    const ev = await load(wasm());
    const [x1, x2, y] = result(ev, 'nd/ids') as string[];
    expect(x1).toMatch(UUID_V4);
    expect(y).toMatch(UUID_V4);
    expect(x2).toBe(x1);
    expect(y).not.toBe(x1);
  });

  it('gives fresh values to each evaluation (the cache lives for one query)', async () => {
    const p = await loadPolicy(wasm());
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) seen.add((p.evaluate({}, 'nd/ids') as [{ result: string[] }])[0].result[0] as string);
    expect(seen.size).toBe(3);
  });

  it('refuses a non-integer bound as OPA does', async () => {
    const r = compile({
      files: [{ name: 'f.rego', text: 'package f\nv := rand.intn("a", input.n)' }],
      entrypoints: ['f/v'],
      strictBuiltinErrors: true,
    });
    expect(r.diagnostics).toEqual([]);
    const p = await loadPolicy(r.wasm as Uint8Array);
    expect(() => p.evaluate({ n: 1.5 }, 'f/v')).toThrow(/^rand\.intn: operand 2 must be integer number but got floating-point number$/);
  });
});
