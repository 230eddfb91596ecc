// `default` on rules with ref heads (issue 12): `default p.q := v` with constant keys gives OPA's
// values next to other rules under `p`; a variable key in a default head is rejected.

import { describe, expect, it } from 'vitest';
import { compile, formatDiagnostic, loadPolicy } from '../../engine/index.js';

async function evaluate(rego: string, entrypoint: string, input: unknown = {}, regoVersion: 'v0' | 'v1' = 'v1'): Promise<unknown> {
  const r = compile({ files: [{ name: 'policy.rego', text: `package t\n${rego}\n` }], entrypoints: [entrypoint], regoVersion });
  expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
  const policy = await loadPolicy(r.wasm as Uint8Array);
  return policy.evaluate(input, entrypoint);
}

describe('default on a ref head with constant keys', () => {
  it.each([
    { note: 'alone', rego: 'default p.q := 1', ep: 't/p', want: { q: 1 } },
    { note: 'the leaf alone', rego: 'default p.q := 1', ep: 't/p/q', want: 1 },
    { note: 'next to a sibling rule', rego: 'default p.q := 1\np.r := 2', ep: 't/p', want: { q: 1, r: 2 } },
    {
      note: 'overridden by a rule that holds',
      rego: 'default p.q := 1\np.q := 3 if input.x',
      ep: 't/p',
      input: { x: true },
      want: { q: 3 },
    },
    { note: 'kept when the rule fails', rego: 'default p.q := 1\np.q := 3 if input.x', ep: 't/p', input: { x: false }, want: { q: 1 } },
    { note: 'deeper ref', rego: 'default p.q.r := false\np.q.s := true', ep: 't/p', want: { q: { r: false, s: true } } },
    { note: 'bracketed string key', rego: 'default p["q"] := 1\np.r := 2', ep: 't/p', want: { q: 1, r: 2 } },
    { note: 'whole package', rego: 'default p.q := 1\np.r := 2', ep: 't', want: { p: { q: 1, r: 2 } } },
  ])('$note', async ({ rego, ep, input, want }) => {
    expect(await evaluate(rego, ep, input)).toEqual([{ result: want }]);
  });
});

describe('default on a ref head with a variable key', () => {
  // as OPA: the parser accepts the head, the safety check finds its key unbound (a default rule has no body)
  it.each([
    { note: 'last key', text: 'default p[k] := 1', want: 'p.rego:2:9: rego_unsafe_var_error: var k is unsafe' },
    { note: 'inner key', text: 'default p[k].q := 1', want: 'p.rego:2:9: rego_unsafe_var_error: var k is unsafe' },
    { note: 'deeper key', text: 'default p.q[x] := 1', want: 'p.rego:2:9: rego_unsafe_var_error: var x is unsafe' },
    { note: 'no value', text: 'default p[x]', want: 'rego_parse_error: illegal default rule (must have a value)' },
  ])('is rejected: $note', ({ text, want }) => {
    const r = compile({ files: [{ name: 'p.rego', text: `package t\n${text}\n` }], entrypoints: ['t/p'] });
    expect(r.wasm).toBeUndefined();
    expect(r.diagnostics.map(formatDiagnostic).join('\n')).toContain(want);
  });
});
