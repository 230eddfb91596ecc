// Tests for the shape of the built runtime module (engine/runtime/as/index.ts): imports within
// ENV_IMPORTS, an imported memory of at most 5 pages with no maximum, the OPA ABI globals and
// exports it owns, and every RT_EXPORTS helper with its exact i32 signature.

import { beforeAll, describe, expect, it } from 'vitest';
import wabtInit from 'wabt';
import { ENV_IMPORTS, OPA_ABI_MINOR_VERSION, OPA_ABI_VERSION, RT_EXPORTS } from '../../../../engine/abi.js';
import { loadRuntime, runtimeBytes, wasm, type Runtime } from './runtime-harness.js';

let r: Runtime;
let wat: string;
beforeAll(async () => {
  r = loadRuntime();
  const wabt = await wabtInit();
  const mod = wabt.readWasm(runtimeBytes(), { readDebugNames: false });
  wat = mod.toText({});
  mod.destroy();
});

/** signatureOf finds an exported function's (params, results) in the text format. */
function signatureOf(name: string): { params: string[]; results: string[] } {
  const exp = new RegExp(`\\(export "${name}" \\(func (\\d+)\\)\\)`).exec(wat);
  if (!exp) throw new Error(`no export ${name}`);
  const fn = new RegExp(`\\(func \\(;${exp[1]};\\) \\(type (\\d+)\\)`).exec(wat);
  if (!fn) throw new Error(`no func ${exp[1]}`);
  const ty = new RegExp(`\\(type \\(;${fn[1]};\\) \\(func([^\\n]*)\\)\\)`).exec(wat);
  if (!ty) throw new Error(`no type ${fn[1]}`);
  const params = /\(param ([^)]*)\)/.exec(ty[1] ?? '')?.[1]?.split(' ') ?? [];
  const results = /\(result ([^)]*)\)/.exec(ty[1] ?? '')?.[1]?.split(' ') ?? [];
  return { params, results };
}

const OWNED_ABI: { name: string; params: number; result: boolean }[] = [
  { name: 'opa_malloc', params: 1, result: true },
  { name: 'opa_free', params: 1, result: false },
  { name: 'opa_json_parse', params: 2, result: true },
  { name: 'opa_json_dump', params: 1, result: true },
  { name: 'opa_value_parse', params: 2, result: true },
  { name: 'opa_value_dump', params: 1, result: true },
  { name: 'opa_heap_ptr_get', params: 0, result: true },
  { name: 'opa_heap_ptr_set', params: 1, result: false },
  { name: 'opa_eval_ctx_new', params: 0, result: true },
  { name: 'opa_eval_ctx_set_input', params: 2, result: false },
  { name: 'opa_eval_ctx_set_data', params: 2, result: false },
  { name: 'opa_eval_ctx_set_entrypoint', params: 2, result: false },
  { name: 'opa_eval_ctx_get_result', params: 1, result: true },
];

describe('runtime module shape', () => {
  it('imports only names from ENV_IMPORTS, all from env', () => {
    const imports = wasm.Module.imports(r.module);
    for (const imp of imports) {
      expect(imp.module).toBe('env');
      expect(ENV_IMPORTS as readonly string[]).toContain(imp.name);
    }
    expect(imports.find((i) => i.name === 'memory')?.kind).toBe('memory');
  });

  it('imports memory with at most 5 initial pages and no maximum', () => {
    const m = /\(import "env" "memory" \(memory \(;0;\) (\d+)( \d+)?\)\)/.exec(wat);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeLessThanOrEqual(5);
    expect(m?.[2]).toBeUndefined();
  });

  it('exports the ABI version globals', () => {
    expect(r.x.opa_wasm_abi_version.value).toBe(OPA_ABI_VERSION);
    expect(r.x.opa_wasm_abi_minor_version.value).toBe(OPA_ABI_MINOR_VERSION);
    expect(wat).toMatch(/\(global \(;\d+;\) i32 \(i32.const 1\)\)/);
  });

  it('does not export the policy-specific ABI functions or memory', () => {
    const names = wasm.Module.exports(r.module).map((e) => e.name);
    for (const n of ['eval', 'opa_eval', 'entrypoints', 'builtins', 'memory']) expect(names).not.toContain(n);
  });

  it('has no start function', () => {
    expect(wat).not.toMatch(/\(start /);
  });

  it.each(OWNED_ABI)('exports $name with its ABI signature', ({ name, params, result }) => {
    const sig = signatureOf(name);
    expect(sig.params).toEqual(Array(params).fill('i32'));
    expect(sig.results).toEqual(result ? ['i32'] : []);
  });

  const rt = Object.entries(RT_EXPORTS).map(([name, f]) => ({ name, params: f.params, result: f.result }));
  it.each(rt)('exports $name with the RT_EXPORTS signature', ({ name, params, result }) => {
    const sig = signatureOf(name);
    expect(sig.params).toEqual(Array(params).fill('i32'));
    expect(sig.results).toEqual(result ? ['i32'] : []);
  });

  it('exports only ABI, rt_* and bi_* names', () => {
    for (const e of wasm.Module.exports(r.module)) {
      expect(e.name).toMatch(/^(opa_|rt_|bi_)/);
    }
  });
});
