// loadPolicy (our hot-path loader): entrypoints, raw and parsed evaluation, input encoding and
// memory growth, setData, aborts as PolicyEvalError, host builtins, print, traps, ABI checks.

import { describe, expect, it } from 'vitest';
import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import { PolicyEvalError, PolicyLoadError, loadPolicy, loadRuntimeBinary } from '../../../engine/runtime/index.js';
import { emitWasm } from '../../../engine/wasm/index.js';
import { C, L, block, conflict, func, policy } from '../wasm/helpers.js';
import { loaderFixture } from './loader-fixture.js';

const runtime = loadRuntimeBinary();

/** echo: `test/input` returns input, `test/data` returns data, `test/conflict` aborts when input.a != input.b. */
const echo = emitWasm(
  policy(
    ['"a"', '"b"'],
    [
      func('input', [block({ kind: 'assign', source: L(0), target: 2 })]),
      func('data', [block({ kind: 'assign', source: L(1), target: 2 })]),
      func('conflict', [
        block({ kind: 'dot', source: L(0), key: C(0), target: 3 }, { kind: 'assignOnce', source: L(3), target: 2, error: conflict(4) }),
        block({ kind: 'dot', source: L(0), key: C(1), target: 3 }, { kind: 'assignOnce', source: L(3), target: 2, error: conflict(5) }),
      ]),
    ],
    [
      ['test/input', 'input'],
      ['test/data', 'data'],
      ['test/conflict', 'conflict'],
    ],
  ),
  runtime,
);

/** host: `test/h` = custom.f(input). */
const hostPolicy = policy([], [func('h', [block({ kind: 'builtin', name: 'custom.f', args: [L(0)], target: 2 })])], [['test/h', 'h']]);
const host = emitWasm(hostPolicy, runtime);
const strictHost = emitWasm(hostPolicy, runtime, { strictBuiltinErrors: true });

async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('loadPolicy', () => {
  it('exposes the entrypoints map, frozen', async () => {
    const p = await loadPolicy(echo);
    expect(p.entrypoints).toEqual({ 'test/input': 0, 'test/data': 1, 'test/conflict': 2 });
    expect(Object.isFrozen(p.entrypoints)).toBe(true);
  });

  it.each([
    { note: 'object', input: { user: 'alice', n: [1, 2.5, null, true] } },
    { note: 'unicode strings', input: { s: 'héllo ✓ 😀', k: { ключ: 'значение' } } },
    { note: 'nested arrays', input: [[[]], [{}], 'x'] },
    { note: 'large number literal', input: { n: 12345678901234 } },
  ])('evaluates $note like the SDK', async ({ input }) => {
    const ours = await loadPolicy(echo);
    const sdk = await sdkLoadPolicy(echo);
    expect(ours.evaluate(input, 'test/input')).toEqual(sdk.evaluate(input, 'test/input'));
    expect(ours.evaluate(input, 'test/input')).toEqual([{ result: input }]);
  });

  it.each([
    { note: 'false', input: false },
    { note: 'zero', input: 0 },
    { note: 'empty string', input: '' },
    { note: 'null', input: null },
  ])('passes falsy input $note (the SDK drops it)', async ({ input }) => {
    const p = await loadPolicy(echo);
    expect(p.evaluate(input, 'test/input')).toEqual([{ result: input }]);
  });

  it('treats undefined input as no input', async () => {
    const p = await loadPolicy(echo);
    expect(p.evaluate(undefined, 'test/input')).toEqual([]);
    expect(p.evaluateRaw(undefined, 0)).toBe('[]');
  });

  it('evaluateRaw takes JSON text or bytes and returns the result-set text', async () => {
    const p = await loadPolicy(echo);
    expect(JSON.parse(p.evaluateRaw('{"a": [1, 2]}'))).toEqual([{ result: { a: [1, 2] } }]);
    expect(JSON.parse(p.evaluateRaw(new TextEncoder().encode('"ü"'), 'test/input'))).toEqual([{ result: 'ü' }]);
  });

  it('grows memory for large inputs and keeps working afterwards', async () => {
    const p = await loadPolicy(echo);
    const big = { items: Array.from({ length: 40_000 }, (_, i) => ({ id: i, name: `item-${i}` })) };
    expect(p.evaluate(big)).toEqual([{ result: big }]);
    expect(p.evaluate({ small: true })).toEqual([{ result: { small: true } }]);
  });

  it('setData replaces the data document; undefined data is undefined', async () => {
    const p = await loadPolicy(echo);
    expect(p.evaluate({ x: 1 }, 'test/data')).toEqual([{ result: {} }]);
    p.setData({ a: 1 });
    expect(p.evaluate({ x: 1 }, 'test/data')).toEqual([{ result: { a: 1 } }]);
    p.setData({ b: [2] });
    expect(p.evaluate({ x: 1 }, 'test/data')).toEqual([{ result: { b: [2] } }]);
    p.setData(undefined);
    expect(p.evaluate({ x: 1 }, 'test/data')).toEqual([]);
  });

  it.each([
    { note: 'JSON text', data: '{"n": 12345678901234567890}' },
    { note: 'JSON bytes', data: new TextEncoder().encode('{"n": 12345678901234567890}') },
  ])('setDataRaw takes $note and keeps numbers exact', async ({ data }) => {
    const p = await loadPolicy(echo);
    p.setDataRaw(data);
    expect(p.evaluateRaw('{}', 'test/data')).toBe('[{"result":{"n":12345678901234567890}}]');
    p.setDataRaw(undefined);
    expect(p.evaluateRaw('{}', 'test/data')).toBe('[]');
  });

  it('stays correct over 1,000 evaluations', async () => {
    const p = await loadPolicy(echo);
    p.setData({ d: 1 });
    for (let i = 0; i < 1000; i++) expect(p.evaluateRaw(`{"i":${i}}`)).toBe(`[{"result":{"i":${i}}}]`);
    expect(p.evaluate({ x: 1 }, 'test/data')).toEqual([{ result: { d: 1 } }]);
  });

  it('turns abort messages into PolicyEvalError with regoCode and location', async () => {
    const p = await loadPolicy(echo);
    expect(p.evaluate({ a: 1, b: 1 }, 'test/conflict')).toEqual([{ result: 1 }]);
    const err = await caught(() => p.evaluate({ a: 1, b: 2 }, 'test/conflict'));
    expect(err).toBeInstanceOf(PolicyEvalError);
    expect(err).toMatchObject({
      code: 'ERR_ENGINE_EVAL',
      regoCode: 'eval_conflict_error',
      location: 'policy.rego:5',
      message: 'policy.rego:5: eval_conflict_error: complete rules must not produce multiple outputs',
    });
    expect(p.evaluate({ a: 2 }, 'test/conflict')).toEqual([{ result: 2 }]);
  });

  it.each([
    {
      note: 'invalid raw input JSON',
      run: (p: Awaited<ReturnType<typeof loadPolicy>>) => p.evaluateRaw('{"a":'),
      message: 'eval_internal_error: invalid input JSON',
    },
    {
      note: 'unknown entrypoint name',
      run: (p: Awaited<ReturnType<typeof loadPolicy>>) => p.evaluate({}, 'nope/x'),
      message: 'entrypoint nope/x is not valid in this instance',
    },
    {
      note: 'unknown entrypoint id',
      run: (p: Awaited<ReturnType<typeof loadPolicy>>) => p.evaluate({}, 9),
      message: 'eval_internal_error: unknown entrypoint id',
    },
  ])('reports $note as PolicyEvalError', async ({ run, message }) => {
    const p = await loadPolicy(echo);
    expect(await caught(() => run(p))).toMatchObject({ code: 'ERR_ENGINE_EVAL', message });
  });

  it.each([
    { note: 'JSON round trip', impl: (x: unknown) => ({ got: x }), input: { v: [1, 'a'] }, want: [{ result: { got: { v: [1, 'a'] } } }] },
    { note: 'undefined result', impl: () => undefined, input: { v: 1 }, want: [] },
    { note: 'null result', impl: () => null, input: { v: 1 }, want: [{ result: null }] },
  ])('calls host builtins: $note', async ({ impl, input, want }) => {
    const p = await loadPolicy(host, { hostBuiltins: { 'custom.f': impl } });
    expect(p.evaluate(input)).toEqual(want);
    const sdk = await sdkLoadPolicy(host, undefined, { 'custom.f': impl });
    expect(sdk.evaluate(input)).toEqual(want);
  });

  it('reports a missing host builtin as eval_builtin_error, and a throwing one per the module mode', async () => {
    const missing = await loadPolicy(host);
    expect(await caught(() => missing.evaluate({ v: 1 }))).toMatchObject({
      regoCode: 'eval_builtin_error',
      message: 'not implemented: built-in function 0: custom.f',
    });
    const boom = new Error('boom');
    const hostBuiltins = {
      'custom.f': () => {
        throw boom;
      },
    };
    const strict = await loadPolicy(strictHost, { hostBuiltins });
    expect(await caught(() => strict.evaluate({ v: 1 }))).toMatchObject({
      regoCode: 'eval_builtin_error',
      message: 'custom.f: boom',
      cause: boom,
    });
    // Without strict builtin errors a builtin error is undefined, as for native builtins (and OPA).
    const lenient = await loadPolicy(host, { hostBuiltins });
    expect(lenient.evaluate({ v: 1 })).toEqual([]);
  });

  it('sends print output to onPrint and turns traps into PolicyEvalError', async () => {
    const lines: string[] = [];
    const p = await loadPolicy(await loaderFixture(), { onPrint: (l) => lines.push(l) });
    expect(p.entrypoints).toEqual({ 'a/b': 0 });
    expect(p.evaluate({ x: 1 })).toEqual([{ result: 1 }]);
    expect(lines).toEqual(['hello from print']);
    expect(await caught(() => p.evaluate({ x: 1 }, 1))).toMatchObject({
      code: 'ERR_ENGINE_EVAL',
      regoCode: 'eval_internal_error',
      message: expect.stringMatching(/^wasm trap: /),
    });
    expect(p.evaluate({ x: 1 })).toEqual([{ result: 1 }]);
  });

  it('fails closed when the engine overflows its stack or a callback throws, and keeps working', async () => {
    // V8 reports a Wasm stack overflow as a RangeError, not a WebAssembly.RuntimeError.
    const p = await loadPolicy(await loaderFixture());
    const err = await caught(() => p.evaluate({ x: 1 }, 2));
    expect(err).toBeInstanceOf(PolicyEvalError);
    expect(err).toMatchObject({
      code: 'ERR_ENGINE_EVAL',
      regoCode: 'eval_internal_error',
      message: expect.stringMatching(/stack overflow/),
    });
    expect(p.evaluateRaw('{"x":1}', 0)).toBe('[{"result":1}]');
    const throwing = await loadPolicy(await loaderFixture(), {
      onPrint: () => {
        throw new TypeError('sink closed');
      },
    });
    expect(await caught(() => throwing.evaluate({}))).toMatchObject({
      regoCode: 'eval_internal_error',
      message: expect.stringMatching(/sink closed/),
    });
  });

  it.each([
    { note: 'not wasm', bytes: async () => new Uint8Array([1, 2, 3]), message: /cannot instantiate policy module/ },
    { note: 'ABI major 2', bytes: () => loaderFixture({ major: 2 }), message: /unsupported ABI version 2/ },
    { note: 'ABI minor 1', bytes: () => loaderFixture({ minor: 1 }), message: /ABI minor version 1 lacks opa_eval/ },
    { note: 'missing opa_eval', bytes: () => loaderFixture({ omit: ['opa_eval'] }), message: /does not export opa_eval/ },
  ])('rejects modules: $note', async ({ bytes, message }) => {
    const err = await caught(async () => loadPolicy(await bytes()));
    expect(err).toBeInstanceOf(PolicyLoadError);
    expect(err).toMatchObject({ code: 'ERR_ENGINE_LOAD', message: expect.stringMatching(message) });
  });
});
