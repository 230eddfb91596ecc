// printWasm golden: the generated functions of the sample policy linked with the real runtime.
// Regenerate with `vitest -u` and review the diff.

import { describe, expect, it } from 'vitest';
import { emitWasm, printWasm } from '../../../engine/wasm/index.js';
import { loadRuntimeBinary } from '../../../engine/runtime/index.js';
import { samplePolicy } from './sample-policy.js';

describe('printWasm', () => {
  it('matches the golden listing of the sample policy', async () => {
    await expect(printWasm(emitWasm(samplePolicy, loadRuntimeBinary()))).toMatchFileSnapshot('./__golden__/sample-policy.wat.txt');
  });

  it('prints nothing for a module without generated code', () => {
    expect(printWasm(loadRuntimeBinary())).toBe('');
  });
});
