// Reads the precompiled runtime module just enough to append to it (WASM-ABI.md E6):
// section payloads, function types, imports, exports, start, code bodies and data-segment ends.
// In: runtime.wasm bytes. Out: a RuntimeModule; existing instructions are never decoded.

import { InternalCompilerError } from '../diagnostics/index.js';
import { ByteReader } from './encoder.js';
import { EXTERNAL_KIND, FUNC_TYPE, OP, SECTION } from './opcodes.js';

/** RawSection is one section of the input module, payload as a view. */
export type RawSection = { readonly id: number; readonly payload: Uint8Array; readonly customName?: string };

/** FuncType is a function signature (value type bytes). */
export type FuncType = { readonly params: readonly number[]; readonly results: readonly number[] };

/** ImportEntry is one import; `desc` holds the raw descriptor bytes after the kind byte. */
export type ImportEntry = {
  readonly module: string;
  readonly field: string;
  readonly kind: number;
  readonly desc: Uint8Array;
  readonly typeIndex?: number;
  readonly limits?: { readonly min: number; readonly max?: number };
};

/** ExportEntry is one export. */
export type ExportEntry = { readonly name: string; readonly kind: number; readonly index: number };

/** VecSection is a section payload split into its element count and the raw element bytes. */
export type VecSection = { readonly count: number; readonly rest: Uint8Array };

/** RuntimeModule is what the linker needs to know about the runtime. */
export type RuntimeModule = {
  readonly sections: readonly RawSection[];
  readonly types: readonly FuncType[];
  readonly imports: readonly ImportEntry[];
  readonly importedFuncs: number;
  readonly importedGlobals: number;
  /** Type index of each defined function. */
  readonly funcTypes: readonly number[];
  readonly globals: VecSection;
  readonly exports: readonly ExportEntry[];
  readonly start?: number;
  /** Code bodies of the defined functions (views), for reading tiny constant functions. */
  readonly bodies: readonly Uint8Array[];
  readonly code: VecSection;
  readonly data: VecSection;
  /** First address past every active data segment. */
  readonly dataEnd: number;
  readonly hasDataCount: boolean;
};

const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** readVec splits a vector section payload into count and raw rest. */
export function readVec(payload: Uint8Array): VecSection {
  if (payload.length === 0) return { count: 0, rest: payload };
  const r = new ByteReader(payload);
  const count = r.u32();
  return { count, rest: payload.subarray(r.pos) };
}

function readLimits(r: ByteReader): { min: number; max?: number } {
  const flags = r.u8();
  const min = r.u32();
  if (flags & 1) return { min, max: r.u32() };
  return { min };
}

/** readConstExpr advances past a constant expression and returns its i32.const value if it is one. */
function readConstExpr(r: ByteReader): number | undefined {
  const op = r.u8();
  let value: number | undefined;
  if (op === OP.i32_const) value = r.i32();
  else if (op === OP.global_get) r.u32();
  else throw new InternalCompilerError(`runtime: unsupported constant expression opcode 0x${op.toString(16)}`);
  if (r.u8() !== OP.end) throw new InternalCompilerError('runtime: constant expression not terminated');
  return value;
}

/** readRuntimeModule parses the runtime's sections; throws InternalCompilerError on malformed input. */
export function readRuntimeModule(bytes: Uint8Array): RuntimeModule {
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new InternalCompilerError('runtime: not a wasm module (bad magic/version)');
  }
  const sections: RawSection[] = [];
  const r = new ByteReader(bytes, 8);
  while (!r.atEnd()) {
    const id = r.u8();
    const size = r.u32();
    const payload = r.bytes(size);
    if (id === SECTION.custom) {
      const cr = new ByteReader(payload);
      sections.push({ id, payload, customName: cr.name() });
    } else {
      sections.push({ id, payload });
    }
  }
  const find = (id: number): Uint8Array => sections.find((s) => s.id === id)?.payload ?? new Uint8Array(0);

  const types: FuncType[] = [];
  {
    const tr = new ByteReader(find(SECTION.type));
    const n = tr.atEnd() ? 0 : tr.u32();
    for (let i = 0; i < n; i++) {
      if (tr.u8() !== FUNC_TYPE) throw new InternalCompilerError('runtime: unsupported type form');
      const params = Array.from(tr.bytes(tr.u32()));
      const results = Array.from(tr.bytes(tr.u32()));
      types.push({ params, results });
    }
  }

  const imports: ImportEntry[] = [];
  let importedFuncs = 0;
  let importedGlobals = 0;
  {
    const ir = new ByteReader(find(SECTION.import));
    const n = ir.atEnd() ? 0 : ir.u32();
    for (let i = 0; i < n; i++) {
      const module = ir.name();
      const field = ir.name();
      const kind = ir.u8();
      const start = ir.pos;
      let typeIndex: number | undefined;
      let limits: { min: number; max?: number } | undefined;
      switch (kind) {
        case EXTERNAL_KIND.func:
          typeIndex = ir.u32();
          importedFuncs++;
          break;
        case EXTERNAL_KIND.table:
          ir.u8();
          readLimits(ir);
          break;
        case EXTERNAL_KIND.memory:
          limits = readLimits(ir);
          break;
        case EXTERNAL_KIND.global:
          ir.u8();
          ir.u8();
          importedGlobals++;
          break;
        default:
          throw new InternalCompilerError(`runtime: unknown import kind ${kind}`);
      }
      const desc = ir.buf.subarray(start, ir.pos);
      imports.push({ module, field, kind, desc, ...(typeIndex !== undefined ? { typeIndex } : {}), ...(limits ? { limits } : {}) });
    }
  }

  const funcTypes: number[] = [];
  {
    const fr = new ByteReader(find(SECTION.function));
    const n = fr.atEnd() ? 0 : fr.u32();
    for (let i = 0; i < n; i++) funcTypes.push(fr.u32());
  }

  const exports: ExportEntry[] = [];
  {
    const er = new ByteReader(find(SECTION.export));
    const n = er.atEnd() ? 0 : er.u32();
    for (let i = 0; i < n; i++) {
      const name = er.name();
      const kind = er.u8();
      exports.push({ name, kind, index: er.u32() });
    }
  }

  const startPayload = sections.find((s) => s.id === SECTION.start)?.payload;
  const start = startPayload ? new ByteReader(startPayload).u32() : undefined;

  const code = readVec(find(SECTION.code));
  const bodies: Uint8Array[] = [];
  {
    const cr = new ByteReader(code.rest);
    for (let i = 0; i < code.count; i++) bodies.push(cr.bytes(cr.u32()));
  }
  if (bodies.length !== funcTypes.length) throw new InternalCompilerError('runtime: function and code section counts differ');

  const data = readVec(find(SECTION.data));
  let dataEnd = 0;
  {
    const dr = new ByteReader(data.rest);
    for (let i = 0; i < data.count; i++) {
      const flags = dr.u32();
      let offset: number | undefined;
      if (flags === 0) offset = readConstExpr(dr);
      else if (flags === 2) {
        dr.u32();
        offset = readConstExpr(dr);
      } else if (flags !== 1) throw new InternalCompilerError(`runtime: unknown data segment flags ${flags}`);
      const len = dr.u32();
      dr.bytes(len);
      if (flags !== 1) {
        if (offset === undefined) throw new InternalCompilerError('runtime: data segment offset is not a constant');
        dataEnd = Math.max(dataEnd, (offset >>> 0) + len);
      }
    }
  }

  return {
    sections,
    types,
    imports,
    importedFuncs,
    importedGlobals,
    funcTypes,
    globals: readVec(find(SECTION.global)),
    exports,
    ...(start !== undefined ? { start } : {}),
    bodies,
    code,
    data,
    dataEnd,
    hasDataCount: sections.some((s) => s.id === SECTION.datacount),
  };
}

/** funcSignature returns the type of function `index` (imports first). */
export function funcSignature(m: RuntimeModule, index: number): FuncType | undefined {
  let typeIndex: number | undefined;
  if (index < m.importedFuncs) {
    typeIndex = m.imports.filter((i) => i.kind === EXTERNAL_KIND.func)[index]?.typeIndex;
  } else {
    typeIndex = m.funcTypes[index - m.importedFuncs];
  }
  return typeIndex === undefined ? undefined : m.types[typeIndex];
}

/** constI32Body reads the value of a function whose body is just `i32.const N` (e.g. rt_abi_version). */
export function constI32Body(m: RuntimeModule, index: number): number | undefined {
  const body = m.bodies[index - m.importedFuncs];
  if (!body) return undefined;
  try {
    const r = new ByteReader(body);
    if (r.u32() !== 0) return undefined;
    if (r.u8() !== OP.i32_const) return undefined;
    const v = r.i32();
    if (r.u8() !== OP.end || !r.atEnd()) return undefined;
    return v;
  } catch {
    return undefined;
  }
}
