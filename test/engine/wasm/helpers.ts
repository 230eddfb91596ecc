// Test helpers for the Wasm stage: IR builders, the ABI-minor-version patch that forces the SDK's
// ctx path, and loading one module through the SDK (fast + ctx path) and our loader.

import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import type { Location } from '../../../engine/diagnostics/index.js';
import type { Block, Func, Operand, Policy, RuntimeError, Stmt } from '../../../engine/ir/index.js';
import { loadPolicy } from '../../../engine/runtime/index.js';
import type { HostBuiltin, PolicyInstance } from '../../../engine/runtime/index.js';
import { ByteReader } from '../../../engine/wasm/encoder.js';
import { readRuntimeModule } from '../../../engine/wasm/module-reader.js';

/** L is a local operand. */
export const L = (local: number): Operand => ({ kind: 'local', local });
/** C is a constant operand. */
export const C = (index: number): Operand => ({ kind: 'const', index });
/** loc builds a location in policy.rego. */
export const loc = (row: number): Location => ({ file: 'policy.rego', row, col: 1, offset: 0, length: 0 });
/** conflict builds a RuntimeError. */
export const conflict = (row: number, message = 'complete rules must not produce multiple outputs'): RuntimeError => ({
  code: 'eval_conflict_error',
  message,
  loc: loc(row),
});
/** block builds a Block. */
export const block = (...stmts: Stmt[]): Block => ({ stmts });

/** func builds a plan function (input=0, data=1, result=2 unless given). */
export function func(name: string, blocks: Block[], opts: { params?: number[]; result?: number } = {}): Func {
  return { name, path: name, params: opts.params ?? [0, 1], result: opts.result ?? 2, blocks };
}

/** policy builds a Policy whose plans are `entry/<i>` → funcs given as plans (first N funcs). */
export function policy(constants: string[], funcs: Func[], plans: Array<[string, string]>, slots = 0): Policy {
  return { constants, funcs, plans: plans.map(([name, f]) => ({ name, func: f })), slots };
}

/** withMinorVersion returns a copy of a module with opa_wasm_abi_minor_version's i32.const rewritten (single-byte LEB). */
export function withMinorVersion(bytes: Uint8Array, minor: number): Uint8Array {
  const copy = bytes.slice();
  const m = readRuntimeModule(copy);
  const exp = m.exports.find((e) => e.name === 'opa_wasm_abi_minor_version');
  if (!exp) throw new Error('no minor version export');
  const sec = m.sections.find((s) => s.id === 6);
  if (!sec) throw new Error('no global section');
  const r = new ByteReader(sec.payload);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    r.u8();
    r.u8();
    const op = r.u8();
    if (i + m.importedGlobals === exp.index) {
      if (op !== 0x41) throw new Error('minor version is not an i32.const');
      copy[sec.payload.byteOffset - copy.byteOffset + r.pos] = minor;
      return copy;
    }
    // Skip the constant expression: i32/i64.const and global.get take a LEB128 operand,
    // f32/f64.const 4/8 bytes; then `end`.
    if (op === 0x43) for (let k = 0; k < 4; k++) r.u8();
    else if (op === 0x44) for (let k = 0; k < 8; k++) r.u8();
    else while ((r.u8() & 0x80) !== 0);
    r.u8();
  }
  throw new Error('minor version global not found');
}

/** Evaluator is a uniform view of one loaded module. */
export type Evaluator = {
  readonly name: string;
  evaluate(input: unknown, entrypoint?: string | number): unknown;
  setData(data: unknown): void;
};

/** loadAll loads a module through the SDK (fast path, ctx path) and through our loader. */
export async function loadAll(bytes: Uint8Array, builtins: Record<string, HostBuiltin> = {}): Promise<Evaluator[]> {
  const fast = await sdkLoadPolicy(bytes, undefined, builtins);
  const ctx = await sdkLoadPolicy(withMinorVersion(bytes, 1), undefined, builtins);
  const ours: PolicyInstance = await loadPolicy(bytes, { hostBuiltins: builtins });
  const wrap = (name: string, p: { evaluate(i: unknown, e?: string | number): unknown; setData(d: unknown): void }): Evaluator => ({
    name,
    evaluate: (i, e) => p.evaluate(i, e),
    setData: (d) => p.setData(d),
  });
  return [wrap('sdk-fast', fast), wrap('sdk-ctx', ctx), wrap('loader', ours)];
}

/** errorText renders what an evaluator threw (the SDK throws plain strings). */
export function errorText(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  }
  return '<no error>';
}
