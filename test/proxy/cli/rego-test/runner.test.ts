// runCases on its own: a module the worker cannot load makes every runnable case an error that
// says so (skipped cases stay skipped), and cases run in order on one worker.

import { describe, expect, it } from 'vitest';
import { prepareRegoTests } from '../../../../engine/index.js';
import { runCases } from '../../../../proxy/cli/rego-test/index.js';

const text = 'package r\n\ntest_a if 1 == 1\n\ntodo_test_b if false\n\ntest_c if data.x == 1\n';

describe('runCases', () => {
  it('runs the cases in order with the data, skipped ones not run', async () => {
    const prepared = prepareRegoTests([{ name: 'r.rego', text }]);
    const results = await runCases(prepared, { dataJson: '{"x": 1}', timeoutMs: 5000 });
    expect(results.map((r) => [r.name, r.passed, r.skipped, r.error])).toEqual([
      ['data.r.test_a', true, false, undefined],
      ['data.r.test_c', true, false, undefined],
      ['data.r.todo_test_b', false, true, undefined],
    ]);
  });

  it('a module the worker cannot load: every runnable case is an error saying so', async () => {
    const prepared = { ...prepareRegoTests([{ name: 'r.rego', text }]), wasm: new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]) };
    const results = await runCases(prepared, { dataJson: '{}', timeoutMs: 5000 });
    expect(results.map((r) => [r.name, r.skipped, r.errorCode])).toEqual([
      ['data.r.test_a', false, 'eval_internal_error'],
      ['data.r.test_c', false, 'eval_internal_error'],
      ['data.r.todo_test_b', true, undefined],
    ]);
    expect(results[0]?.error).toMatch(/^cannot load the compiled tests: cannot instantiate policy module/);
    expect(results[1]?.error).toBe(results[0]?.error);
  });
});
