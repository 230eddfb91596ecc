// loadRuntimeBinary: reads the built runtime once and exposes the rt_ helper exports.

import { describe, expect, it } from 'vitest';
import { RT_EXPORTS } from '../../../engine/abi.js';
import { loadRuntimeBinary } from '../../../engine/runtime/index.js';
import { readRuntimeModule } from '../../../engine/wasm/module-reader.js';
import { wasmApi } from '../../../engine/runtime/wasm-api.js';

describe('loadRuntimeBinary', () => {
  it('returns a valid module, cached', () => {
    const a = loadRuntimeBinary();
    expect(wasmApi.validate(a)).toBe(true);
    expect(loadRuntimeBinary()).toBe(a);
  });

  it('exports every rt_ helper of the ABI contract', () => {
    const names = new Set(readRuntimeModule(loadRuntimeBinary()).exports.map((e) => e.name));
    expect(Object.keys(RT_EXPORTS).filter((n) => !names.has(n))).toEqual([]);
  });
});
