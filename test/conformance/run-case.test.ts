import { describe, expect, it } from 'vitest';
import { jsonBuffer, runCase, thrownText } from './run-case.js';
import type { DiagnosticLike, EngineDeps, Outcome, PolicyLike } from './run-case.js';
import type { CaseSpec, CorpusCase } from './corpus.js';

const mkCase = (spec: Partial<CaseSpec>, unknownFields: string[] = []): CorpusCase => ({
  id: 'f/t.yaml#0',
  folder: 'f',
  file: 'f/t.yaml',
  index: 0,
  spec: { note: 'f/t', query: 'data.a.p = x', modules: ['package a\np := 1'], ...spec },
  unknownFields,
});

/** loaderError mimics our loader's PolicyEvalError (the harness recognises it by `regoCode`). */
const loaderError = (message: string, regoCode: string, cause?: Error): Error =>
  Object.assign(new Error(message, cause ? { cause } : undefined), { name: 'PolicyEvalError', regoCode });

const diag = (message: string, code = 'rego_type_error'): DiagnosticLike => ({
  code,
  severity: 'error',
  message,
  location: { file: 'test-0.rego', row: 2, col: 3 },
});

type Fake = { diagnostics?: DiagnosticLike[]; result?: unknown; throws?: unknown; queryDiagnostics?: DiagnosticLike[] };

/** fakeDeps builds an engine whose compile/evaluate do what the table says, recording what they saw. */
function fakeDeps(f: Fake, seen: { files?: string[]; input?: string; data?: string; inputTerm?: string } = {}): EngineDeps {
  const decode = (b: unknown) => (b instanceof ArrayBuffer ? new TextDecoder().decode(b) : String(b));
  const policy: PolicyLike = {
    setData: (d) => {
      seen.data = decode(d);
    },
    evaluate: (input) => {
      seen.input = input === undefined ? 'undefined' : decode(input);
      if (f.throws !== undefined) throw f.throws;
      return f.result;
    },
  };
  return {
    buildQueryModule: (_q, opts) => {
      seen.inputTerm = opts?.inputTerm;
      if (f.queryDiagnostics) return { ok: false, diagnostics: f.queryDiagnostics };
      return { ok: true, file: { name: 'query.rego', text: 'package __query__' }, entrypoint: '__query__/__rows__' };
    },
    compile: (o) => {
      seen.files = o.files.map((x) => x.name);
      return f.diagnostics ? { diagnostics: f.diagnostics } : { diagnostics: [], wasm: new Uint8Array([0]) };
    },
    formatDiagnostic: (d) => `${d.location.file}:${d.location.row}:${d.location.col}: ${d.code}: ${d.message}`,
    loadPolicy: async () => policy,
    isNativeBuiltin: (name) => name === 'count',
  };
}

const cases: { note: string; spec: Partial<CaseSpec>; fake: Fake; want: Outcome['status']; reason?: RegExp; unknown?: string[] }[] = [
  { note: 'matching rows pass', spec: { want_result: [{ x: 1 }] }, fake: { result: [{ result: [{ x: 1.0 }] }] }, want: 'pass' },
  {
    note: 'different rows fail with both shown',
    spec: { want_result: [{ x: 1 }] },
    fake: { result: [{ result: [{ x: 2 }] }] },
    want: 'fail',
    reason: /want \[\{"x":1\}\], got \[\{"x":2\}\]/,
  },
  { note: 'undefined matches empty want_result', spec: { want_result: [] }, fake: { result: [] }, want: 'pass' },
  {
    note: 'sort_bindings applies',
    spec: { want_result: [{ x: [1, 2] }], sort_bindings: true },
    fake: { result: [{ result: [{ x: [2, 1] }] }] },
    want: 'pass',
  },
  {
    note: 'unsupported builtin skips',
    spec: { want_result: [] },
    fake: { diagnostics: [diag('unsupported builtin: time.now_ns (not implemented natively; supply it as a host builtin)')] },
    want: 'skip',
  },
  {
    note: 'other compile errors fail',
    spec: { want_result: [] },
    fake: { diagnostics: [diag('bad thing')] },
    want: 'fail',
    reason: /compile error: test-0.rego:2:3: rego_type_error: bad thing/,
  },
  {
    note: 'runtime abort matches want_error_code and want_error',
    spec: { want_error_code: 'eval_conflict_error', want_error: 'rule data.a.p produced conflicting values' },
    fake: { throws: 'test-0.rego:2: eval_conflict_error: rule data.a.p produced conflicting values' },
    want: 'pass',
  },
  {
    note: 'runtime abort with wrong code fails',
    spec: { want_error_code: 'eval_type_error' },
    fake: { throws: 'test-0.rego:2: eval_conflict_error: x' },
    want: 'fail',
    reason: /want error eval_type_error/,
  },
  {
    note: 'unexpected runtime error fails',
    spec: { want_result: [] },
    fake: { throws: 'test-0.rego:2: eval_conflict_error: x' },
    want: 'fail',
    reason: /runtime error/,
  },
  {
    note: 'a wasm trap is never an expected error',
    spec: { want_error: '' },
    fake: { throws: Object.assign(new Error('unreachable'), { name: 'RuntimeError' }) },
    want: 'fail',
    reason: /evaluation crashed: RuntimeError: unreachable/,
  },
  {
    note: 'rows when an error was expected fail',
    spec: { want_error_code: 'eval_conflict_error' },
    fake: { result: [{ result: [{ x: 1 }] }] },
    want: 'fail',
    reason: /got rows/,
  },
  {
    note: 'strict case expecting an error fails on rows',
    spec: { want_result: [{ x: 1 }], want_error_code: 'eval_type_error', strict_error: true },
    fake: { result: [{ result: [{ x: 1 }] }] },
    want: 'fail',
    reason: /want error eval_type_error/,
  },
  {
    note: 'a host builtin nobody implements skips',
    spec: { want_result: [] },
    fake: { throws: { message: 'not implemented: built-in function 0: time.now_ns' } },
    want: 'skip',
  },
  {
    note: 'a host builtin our loader lacks skips',
    spec: { want_result: [] },
    fake: { throws: loaderError('not implemented: built-in function 0: time.now_ns', 'eval_builtin_error') },
    want: 'skip',
  },
  {
    note: 'a loader abort matches want_error_code and want_error',
    spec: { want_error_code: 'eval_conflict_error', want_error: 'complete rules must not produce multiple outputs' },
    fake: {
      throws: loaderError('test-0.rego:2: eval_conflict_error: complete rules must not produce multiple outputs', 'eval_conflict_error'),
    },
    want: 'pass',
  },
  {
    note: 'a loader host-builtin error carries its code',
    spec: { want_error_code: 'eval_builtin_error', want_error: 'yaml.unmarshal: ' },
    fake: { throws: loaderError('yaml.unmarshal: error converting YAML to JSON: x', 'eval_builtin_error') },
    want: 'pass',
  },
  {
    note: 'a native builtin reported missing by the host fails',
    spec: { want_result: [] },
    fake: { throws: { message: 'not implemented: built-in function 0: count' } },
    want: 'fail',
    reason: /evaluation crashed/,
  },
  {
    note: 'compile-time error can satisfy an error expectation',
    spec: { want_error_code: 'rego_type_error', want_error: 'bad' },
    fake: { diagnostics: [diag('bad thing')] },
    want: 'pass',
  },
  {
    note: 'query parse errors are errors',
    spec: { want_result: [] },
    fake: { queryDiagnostics: [diag('unexpected eof', 'rego_parse_error')] },
    want: 'fail',
    reason: /query error/,
  },
  {
    note: 'unknown fields fail without running',
    spec: { want_result: [] },
    fake: { result: [] },
    want: 'fail',
    reason: /unknown case field\(s\): skip/,
    unknown: ['skip'],
  },
  { note: 'malformed result set fails', spec: { want_result: [] }, fake: { result: { nope: 1 } }, want: 'fail', reason: /not an array/ },
];

describe('runCase', () => {
  it.each(cases)('$note', async ({ spec, fake, want, reason, unknown }) => {
    const got = await runCase(mkCase(spec, unknown), fakeDeps(fake));
    expect(got.status).toBe(want);
    if (reason) expect('reason' in got ? got.reason : '').toMatch(reason);
  });

  it('groups skipped builtins by name, sorted and distinct', async () => {
    const d = [diag('unsupported builtin: b.x (…)'), diag('unsupported builtin: a.y (…)'), diag('unsupported builtin: b.x (…)')];
    expect(await runCase(mkCase({ want_result: [] }), fakeDeps({ diagnostics: d }))).toEqual({ status: 'skip', builtins: ['a.y', 'b.x'] });
  });

  it.each([
    {
      note: 'modules are named test-<i>.rego, query module last',
      spec: { modules: ['package a', 'package b'] },
      key: 'files',
      want: ['test-0.rego', 'test-1.rego', 'query.rego'],
    },
    { note: 'absent input stays undefined', spec: {}, key: 'input', want: 'undefined' },
    { note: 'falsy input is still passed', spec: { input: false }, key: 'input', want: 'false' },
    {
      note: 'big integers in input are exact',
      spec: { input: { n: 12345678901234567890n } },
      key: 'input',
      want: '{"n":12345678901234567890}',
    },
    { note: 'data defaults to {}', spec: {}, key: 'data', want: '{}' },
    { note: 'input_term goes to the query module', spec: { input_term: '{"a": {1}}' }, key: 'inputTerm', want: '{"a": {1}}' },
  ] as const)('$note', async ({ spec, key, want }) => {
    const seen: Record<string, unknown> = {};
    await runCase(mkCase({ want_result: [], ...spec } as Partial<CaseSpec>), fakeDeps({ result: [] }, seen));
    expect(seen[key]).toEqual(want);
  });
});

describe('thrownText / jsonBuffer', () => {
  it.each([
    { note: 'plain strings are aborts', e: 'x: eval_type_error: y' as unknown, want: { text: 'x: eval_type_error: y', abort: true } },
    { note: 'errors are not aborts', e: new TypeError('bad'), want: { text: 'TypeError: bad', abort: false } },
    {
      note: 'SDK message objects are not aborts',
      e: { message: 'not implemented: built-in function 1: foo' },
      want: { text: 'not implemented: built-in function 1: foo', abort: false },
    },
    {
      note: 'loader aborts keep their OPA text',
      e: loaderError('p.rego:3: eval_type_error: bad', 'eval_type_error'),
      want: { text: 'p.rego:3: eval_type_error: bad', abort: true },
    },
    {
      note: 'loader errors without a code in the text get it in front',
      e: loaderError('f.x: boom', 'eval_builtin_error'),
      want: { text: 'eval_builtin_error: f.x: boom', abort: true },
    },
    {
      note: 'loader-wrapped Wasm traps are crashes',
      e: loaderError('wasm trap: unreachable', 'eval_internal_error', Object.assign(new Error('unreachable'), { name: 'RuntimeError' })),
      want: { text: 'RuntimeError: unreachable', abort: false },
    },
  ])('$note', ({ e, want }) => {
    expect(thrownText(e)).toEqual(want);
  });
  it('jsonBuffer is an exact-size ArrayBuffer', () => {
    const b = jsonBuffer({ a: 'é' });
    expect(b).toBeInstanceOf(ArrayBuffer);
    expect(new TextDecoder().decode(b)).toBe('{"a":"é"}');
  });
});
