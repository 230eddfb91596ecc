// The builtins entry exports exactly engine/abi.ts NATIVE_BUILTINS as bi_* with their arity.
import { beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_BUILTINS, nativeExportName } from '../../../../engine/abi.js';
import { loadRuntime, type Runtime } from './harness.js';

let rt: Runtime;
beforeAll(async () => {
  rt = await loadRuntime();
}, 60000);

const cases = Object.entries(NATIVE_BUILTINS).map(([name, { arity }]) => ({ note: name, exportName: nativeExportName(name), arity }));

describe('native builtin exports', () => {
  it.each(cases)('$note', ({ exportName, arity }) => {
    const fn = rt.exports[exportName];
    expect(typeof fn).toBe('function');
    expect(fn?.length).toBe(arity);
  });
  it('exports no bi_* outside the contract', () => {
    const known = new Set(cases.map((c) => c.exportName));
    expect(Object.keys(rt.exports).filter((n) => n.startsWith('bi_') && !known.has(n))).toEqual([]);
  });
});
