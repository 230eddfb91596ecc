// emitWasm: ir.Policy + precompiled runtime → a module with OPA's Wasm ABI. Assigns function,
// type, global and builtin ids deterministically, lays out static data, generates the plan and
// glue functions and hands everything to the splice linker.
// In: Policy, runtime.wasm bytes. Out: final module bytes.

import { InternalCompilerError } from '../diagnostics/index.js';
import type { Policy } from '../ir/index.js';
import { NATIVE_BUILTINS, OPTIONS_SECTION, RT_ABI_VERSION, RT_EXPORTS, nativeExportName } from '../abi.js';
import type { NativeBuiltin, RtExportName } from '../abi.js';
import { emitFunc, walkStmts } from './codegen.js';
import type { CodegenContext } from './codegen.js';
import { ABORT_MESSAGES, emitConstGetter, emitDispatch, emitEval, emitOpaEval, emitStart } from './glue.js';
import type { GlueContext } from './glue.js';
import { MAX_PAGES, i32Type, link, staticPages, typeKey } from './linker.js';
import type { NewFunction } from './linker.js';
import { constI32Body, funcSignature, readRuntimeModule } from './module-reader.js';
import type { FuncType, RuntimeModule } from './module-reader.js';
import { EXTERNAL_KIND } from './opcodes.js';
import { StaticData } from './static-data.js';
import { encodeUtf8 } from './encoder.js';

/** GENERATED_EXPORTS are the policy-specific exports emitWasm adds. */
export const GENERATED_EXPORTS = ['entrypoints', 'builtins', 'eval', 'opa_eval'] as const;

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** runtimeFunctions maps the runtime's function exports by name. */
function runtimeFunctions(m: RuntimeModule): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of m.exports) if (e.kind === EXTERNAL_KIND.func) out.set(e.name, e.index);
  return out;
}

function sameType(t: FuncType | undefined, want: FuncType): boolean {
  return t !== undefined && typeKey(t) === typeKey(want);
}

/** hostBuiltinIds assigns dense ids, in first-use order, to builtins not implemented natively. */
export function hostBuiltinIds(policy: Policy, isNative: (name: string) => boolean): Map<string, number> {
  const ids = new Map<string, number>();
  for (const f of policy.funcs) {
    walkStmts(f, (s) => {
      if (s.kind === 'builtin' && !isNative(s.name) && !ids.has(s.name)) ids.set(s.name, ids.size);
    });
  }
  return ids;
}

/** EmitOptions configures code generation. */
export type EmitOptions = {
  /** strictBuiltinErrors makes a builtin error abort evaluation (`file:row: code: message`) instead of being undefined. */
  readonly strictBuiltinErrors?: boolean;
  /** tzdata supplies the time zone database blob, embedded only when the policy calls a zone builtin (absent: no zones but UTC). */
  readonly tzdata?: () => Uint8Array;
};

/** usesZones tells whether any builtin the policy calls reads the time zone database. */
export function usesZones(policy: Policy): boolean {
  let found = false;
  for (const f of policy.funcs) {
    walkStmts(f, (s) => {
      if (s.kind === 'builtin' && (NATIVE_BUILTINS as Record<string, NativeBuiltin>)[s.name]?.zones === true) found = true;
    });
  }
  return found;
}

/** emitWasm compiles a plan and links it with the runtime; throws InternalCompilerError on broken invariants. */
export function emitWasm(policy: Policy, runtime: Uint8Array, options: EmitOptions = {}): Uint8Array {
  const strict = options.strictBuiltinErrors === true;
  const m = readRuntimeModule(runtime);
  const fns = runtimeFunctions(m);
  const runtimeNames = new Map<number, string>();

  const rtCache = new Map<string, number>();
  const rt = (name: RtExportName): number => {
    const known = rtCache.get(name);
    if (known !== undefined) return known;
    const idx = fns.get(name);
    if (idx === undefined) throw new InternalCompilerError(`runtime is missing export ${name}`);
    const spec = RT_EXPORTS[name];
    if (!sameType(funcSignature(m, idx), i32Type(spec.params, spec.result))) {
      throw new InternalCompilerError(`runtime export ${name} has the wrong signature`);
    }
    rtCache.set(name, idx);
    runtimeNames.set(idx, name);
    return idx;
  };
  const abiVersion = constI32Body(m, rt('rt_abi_version'));
  if (abiVersion !== RT_ABI_VERSION) {
    throw new InternalCompilerError(`runtime rt_abi_version is ${abiVersion ?? 'unreadable'}, expected ${RT_ABI_VERSION}`);
  }

  const nativeIndex = (name: string): number | undefined => {
    if (!Object.hasOwn(NATIVE_BUILTINS, name)) return undefined;
    const exportName = nativeExportName(name);
    const idx = fns.get(exportName);
    if (idx === undefined) return undefined;
    const arity = NATIVE_BUILTINS[name as keyof typeof NATIVE_BUILTINS].arity;
    if (!sameType(funcSignature(m, idx), i32Type(arity, true))) {
      throw new InternalCompilerError(`runtime export ${exportName} has the wrong signature`);
    }
    runtimeNames.set(idx, exportName);
    return idx;
  };
  const builtinIds = hostBuiltinIds(policy, (n) => nativeIndex(n) !== undefined);

  // Types: reuse identical runtime types, append the rest.
  const newTypes: FuncType[] = [];
  const typeIndex = (t: FuncType): number => {
    const k = typeKey(t);
    const old = m.types.findIndex((x) => typeKey(x) === k);
    if (old >= 0) return old;
    const fresh = newTypes.findIndex((x) => typeKey(x) === k);
    if (fresh >= 0) return m.types.length + fresh;
    newTypes.push(t);
    return m.types.length + newTypes.length - 1;
  };

  // Function indices: the six glue functions, then the plan functions.
  const firstNew = m.importedFuncs + m.funcTypes.length;
  const funcIndex = new Map<string, { index: number; params: number }>();
  // `entrypoints` comes first so printWasm can find where generated code starts.
  const idx = {
    entrypoints: firstNew,
    builtins: firstNew + 1,
    dispatch: firstNew + 2,
    opaEval: firstNew + 3,
    eval: firstNew + 4,
    start: firstNew + 5,
  };
  const planBase = firstNew + 6;
  policy.funcs.forEach((f, i) => {
    if (funcIndex.has(f.name)) throw new InternalCompilerError(`duplicate IR function ${f.name}`);
    funcIndex.set(f.name, { index: planBase + i, params: f.params.length });
  });

  // Static data: constants, then the entrypoints and builtins maps as two more constants.
  const entrypoints: Record<string, number> = {};
  for (const [i, p] of policy.plans.entries()) entrypoints[p.name] = i;
  const builtins: Record<string, number> = {};
  for (const [name, id] of builtinIds) builtins[name] = id;
  const texts = [...policy.constants, JSON.stringify(entrypoints), JSON.stringify(builtins)];
  const data = new StaticData(align8(Math.max(m.dataEnd, 8)), texts);
  const epConst = policy.constants.length;

  const globalBase = m.importedGlobals + m.globals.count;
  const slotGlobals = Array.from({ length: policy.slots }, (_, i) => globalBase + i);

  const ctx: CodegenContext = {
    rt,
    native: nativeIndex,
    func: (name) => {
      const f = funcIndex.get(name);
      if (!f) throw new InternalCompilerError(`call to unknown IR function ${name}`);
      return f;
    },
    hostBuiltinId: (name) => {
      const id = builtinIds.get(name);
      if (id === undefined) throw new InternalCompilerError(`builtin ${name} has no host id`);
      return id;
    },
    constAddr: (i) => {
      if (!Number.isInteger(i) || i < 0 || i >= policy.constants.length) throw new InternalCompilerError(`constant ${i} out of range`);
      return data.constAddr(i);
    },
    cstring: (t) => data.cstring(t),
    trackLocations: strict,
    slotGlobal: (s) => {
      const g = slotGlobals[s];
      if (g === undefined) throw new InternalCompilerError(`slot ${s} out of range (${policy.slots} slots)`);
      return g;
    },
  };

  const plans = policy.plans.map((p) => {
    const f = funcIndex.get(p.func);
    if (!f) throw new InternalCompilerError(`plan ${p.name} refers to unknown function ${p.func}`);
    if (f.params !== 2) throw new InternalCompilerError(`plan ${p.name}: function ${p.func} must take (input, data)`);
    return f.index;
  });
  const glue: GlueContext = { rt, plans, dispatchIndex: idx.dispatch, slotGlobals, cstring: (t) => data.cstring(t), strict };
  const funcs: NewFunction[] = [];
  funcs.push({ typeIndex: typeIndex(i32Type(0, true)), code: emitConstGetter(data.constAddr(epConst)), name: 'entrypoints' });
  funcs.push({ typeIndex: typeIndex(i32Type(0, true)), code: emitConstGetter(data.constAddr(epConst + 1)), name: 'builtins' });
  funcs.push({ typeIndex: typeIndex(i32Type(3, true)), code: emitDispatch(glue), name: 'dispatch' });
  funcs.push({ typeIndex: typeIndex(i32Type(7, true)), code: emitOpaEval(glue), name: 'opa_eval' });
  funcs.push({ typeIndex: typeIndex(i32Type(1, true)), code: emitEval(glue), name: 'eval' });
  const startAt = funcs.length;
  funcs.push({ typeIndex: typeIndex(i32Type(0, false)), code: new Uint8Array(0), name: 'start' });
  for (const f of policy.funcs) {
    funcs.push({ typeIndex: typeIndex(i32Type(f.params.length, true)), code: emitFunc(f, ctx), name: f.name });
  }
  // The start function comes last: static data is frozen once staticEnd is known.
  data.cstring(ABORT_MESSAGES.badConstant);
  const tzdataAddr = options.tzdata && usesZones(policy) ? data.blob(options.tzdata()) : undefined;
  const staticEnd = align8(data.end);
  const pages = staticPages(staticEnd);
  const passive = pages > MAX_PAGES;
  const startCode = emitStart(glue, {
    ...(m.start !== undefined ? { previousStart: m.start } : {}),
    ...(passive ? { passive: { segment: m.data.count, base: data.base, length: data.bytes().length, pages } } : {}),
    staticEnd,
    constCount: texts.length,
    tableAddr: data.tableAddr,
    descAddr: data.descAddr,
    ...(tzdataAddr !== undefined ? { tzdataAddr } : {}),
  });
  funcs[startAt] = { typeIndex: typeIndex(i32Type(0, false)), code: startCode, name: 'start' };
  if (align8(data.end) !== staticEnd) throw new InternalCompilerError('static data changed after layout');

  const generated = new Set<string>(GENERATED_EXPORTS);
  return link(m, {
    customSections: [{ name: OPTIONS_SECTION, bytes: encodeUtf8(JSON.stringify({ strictBuiltinErrors: strict })) }],
    types: newTypes,
    funcs,
    globals: policy.slots,
    data: data.bytes(),
    dataBase: data.base,
    passive,
    exports: [
      { name: 'entrypoints', index: idx.entrypoints },
      { name: 'builtins', index: idx.builtins },
      { name: 'eval', index: idx.eval },
      { name: 'opa_eval', index: idx.opaEval },
    ],
    stripExport: (name) => name.startsWith('rt_') || name.startsWith('bi_') || generated.has(name),
    start: idx.start,
    runtimeNames,
    globalNames: new Map(slotGlobals.map((g, i) => [g, `slot${i}`])),
  });
}
