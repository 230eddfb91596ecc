// The splice linker (WASM-ABI.md E6): appends generated types, functions, globals, a data
// segment, exports and a new start function to the runtime module without renumbering any
// existing index; strips the runtime's `rt_*`/`bi_*` exports; merges the name section.
// In: a RuntimeModule and an Addition. Out: the final module bytes.

import { InternalCompilerError } from '../diagnostics/index.js';
import { ByteReader, ByteWriter, section } from './encoder.js';
import { EXTERNAL_KIND, FUNC_TYPE, I32, OP, SECTION, SECTION_ORDER } from './opcodes.js';
import { readVec } from './module-reader.js';
import type { FuncType, RuntimeModule } from './module-reader.js';

/** MAX_PAGES is the largest memory minimum the SDK's default 5-page memory accepts. */
export const MAX_PAGES = 5;
const PAGE = 65536;

/** NewFunction is one generated function: its type index and code entry. */
export type NewFunction = { readonly typeIndex: number; readonly code: Uint8Array; readonly name: string };

/** Addition is everything the generated code adds to the runtime. */
export type Addition = {
  /** Types to append (their indices start at runtime.types.length). */
  readonly types: readonly FuncType[];
  /** Functions to append (indices start after all runtime functions). */
  readonly funcs: readonly NewFunction[];
  /** Number of mutable i32 globals (initialised to 0) to append. */
  readonly globals: number;
  /** Static bytes placed at `dataBase` (one active segment). */
  readonly data: Uint8Array;
  readonly dataBase: number;
  /** Place the data in a passive segment (copied in by the start function) instead of an active one. */
  readonly passive: boolean;
  /** Exports to add, as (name, function index). */
  readonly exports: ReadonlyArray<{ readonly name: string; readonly index: number }>;
  /** Names to strip from the runtime's exports. */
  readonly stripExport: (name: string) => boolean;
  /** Function index of the new start function. */
  readonly start: number;
  /** Extra names for existing runtime functions (e.g. rt_* helpers), used when they have none. */
  readonly runtimeNames: ReadonlyMap<number, string>;
  /** Names of the appended globals, by global index. */
  readonly globalNames: ReadonlyMap<number, string>;
  /** Custom sections to append (after the name section and the runtime's own). */
  readonly customSections?: ReadonlyArray<{ readonly name: string; readonly bytes: Uint8Array }>;
};

/** staticPages is the number of 64 KiB pages needed to hold addresses [0, end). */
export function staticPages(end: number): number {
  return Math.ceil(end / PAGE);
}

/** typeKey renders a FuncType for deduplication. */
export function typeKey(t: FuncType): string {
  return `${t.params.join(',')}->${t.results.join(',')}`;
}

/** i32Type builds the type (i32 × params) -> (i32 | nothing). */
export function i32Type(params: number, result: boolean): FuncType {
  return { params: new Array<number>(params).fill(I32), results: result ? [I32] : [] };
}

function vec(count: number, rest: Uint8Array, extra: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter(rest.length + 64);
  w.u32(count + extra.length).bytes(rest);
  for (const e of extra) w.bytes(e);
  return w.toBytes();
}

function encodeType(t: FuncType): Uint8Array {
  const w = new ByteWriter(16).u8(FUNC_TYPE).u32(t.params.length);
  for (const p of t.params) w.u8(p);
  w.u32(t.results.length);
  for (const r of t.results) w.u8(r);
  return w.toBytes();
}

function encodeImports(m: RuntimeModule, minPages: number | undefined): Uint8Array {
  const w = new ByteWriter(256).u32(m.imports.length);
  for (const imp of m.imports) {
    w.name(imp.module).name(imp.field).u8(imp.kind);
    if (imp.kind === EXTERNAL_KIND.memory && imp.limits && minPages !== undefined) {
      if (imp.limits.max !== undefined) w.u8(1).u32(minPages).u32(imp.limits.max);
      else w.u8(0).u32(minPages);
    } else {
      w.bytes(imp.desc);
    }
  }
  return w.toBytes();
}

/** encodeNameMap writes a name map (sorted by index). */
function encodeNameMap(names: ReadonlyMap<number, string>): Uint8Array {
  const w = new ByteWriter(256);
  const sorted = [...names.entries()].sort((a, b) => a[0] - b[0]);
  w.u32(sorted.length);
  for (const [i, n] of sorted) w.u32(i).name(n);
  return w.toBytes();
}

/** readNameMap reads a name map subsection. */
function readNameMap(payload: Uint8Array, into: Map<number, string>): void {
  const r = new ByteReader(payload);
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const idx = r.u32();
    into.set(idx, r.name());
  }
}

/**
 * mergeNameSection returns a name section payload with function names (subsection 1) and
 * global names (subsection 7, extended name section) added; existing names win for runtime items.
 */
function mergeNameSection(existing: Uint8Array | undefined, add: Addition, added: ReadonlyMap<number, string>): Uint8Array {
  const subs = new Map<number, Uint8Array>();
  const funcNames = new Map<number, string>();
  const globalNames = new Map<number, string>();
  if (existing) {
    const r = new ByteReader(existing);
    r.name(); // "name"
    while (!r.atEnd()) {
      const id = r.u8();
      const payload = r.bytes(r.u32());
      if (id === 1) readNameMap(payload, funcNames);
      else if (id === 7) readNameMap(payload, globalNames);
      else subs.set(id, payload);
    }
  }
  for (const [i, n] of add.runtimeNames) if (!funcNames.has(i)) funcNames.set(i, n);
  for (const [i, n] of added) funcNames.set(i, n);
  for (const [i, n] of add.globalNames) globalNames.set(i, n);
  subs.set(1, encodeNameMap(funcNames));
  if (globalNames.size > 0) subs.set(7, encodeNameMap(globalNames));
  const w = new ByteWriter(1024).name('name');
  for (const id of [...subs.keys()].sort((a, b) => a - b)) w.u8(id).vecBytes(subs.get(id) as Uint8Array);
  return w.toBytes();
}

/** link splices an Addition into the runtime and returns the final module. */
export function link(m: RuntimeModule, add: Addition): Uint8Array {
  const payloads = new Map<number, Uint8Array>();
  for (const s of m.sections) if (s.id !== SECTION.custom) payloads.set(s.id, s.payload);
  const get = (id: number): Uint8Array => payloads.get(id) ?? new Uint8Array(0);

  // Types.
  const types = readVec(get(SECTION.type));
  payloads.set(SECTION.type, vec(types.count, types.rest, add.types.map(encodeType)));

  // Imports: bump the memory minimum if the static data needs it.
  const mem = m.imports.find((i) => i.kind === EXTERNAL_KIND.memory);
  if (!mem?.limits) throw new InternalCompilerError('runtime must import env.memory');
  const needPages = staticPages(add.dataBase + add.data.length);
  if (add.passive !== needPages > MAX_PAGES) throw new InternalCompilerError('passive data decision does not match the data size');
  if (!add.passive && needPages > mem.limits.min) payloads.set(SECTION.import, encodeImports(m, needPages));

  // Functions and code.
  const fw = new ByteWriter(64).u32(m.funcTypes.length + add.funcs.length);
  for (const t of m.funcTypes) fw.u32(t);
  for (const f of add.funcs) fw.u32(f.typeIndex);
  payloads.set(SECTION.function, fw.toBytes());
  payloads.set(
    SECTION.code,
    vec(
      m.code.count,
      m.code.rest,
      add.funcs.map((f) => f.code),
    ),
  );

  // Globals: mutable i32 initialised to 0.
  if (add.globals > 0) {
    const g = new ByteWriter(8).u8(I32).u8(1).u8(OP.i32_const).i32(0).u8(OP.end).toBytes();
    payloads.set(SECTION.global, vec(m.globals.count, m.globals.rest, new Array<Uint8Array>(add.globals).fill(g)));
  }

  // Exports.
  const ew = new ByteWriter(512);
  const kept = m.exports.filter((e) => !add.stripExport(e.name));
  ew.u32(kept.length + add.exports.length);
  for (const e of kept) ew.name(e.name).u8(e.kind).u32(e.index);
  for (const e of add.exports) ew.name(e.name).u8(EXTERNAL_KIND.func).u32(e.index);
  payloads.set(SECTION.export, ew.toBytes());

  // Start.
  payloads.set(SECTION.start, new ByteWriter(4).u32(add.start).toBytes());

  // Data (+ datacount when the runtime has one).
  if (add.data.length > 0) {
    const seg = add.passive
      ? new ByteWriter(add.data.length + 16).u32(1).vecBytes(add.data).toBytes()
      : new ByteWriter(add.data.length + 16).u32(0).u8(OP.i32_const).i32(add.dataBase).u8(OP.end).vecBytes(add.data).toBytes();
    payloads.set(SECTION.data, vec(m.data.count, m.data.rest, [seg]));
    if (m.hasDataCount || add.passive) payloads.set(SECTION.datacount, new ByteWriter(4).u32(m.data.count + 1).toBytes());
  }

  const out = new ByteWriter(m.sections.reduce((n, s) => n + s.payload.length + 8, 0) + 4096);
  out.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  for (const id of SECTION_ORDER) {
    const p = payloads.get(id);
    if (p !== undefined) out.bytes(section(id, p));
  }
  const firstNew = m.importedFuncs + m.funcTypes.length;
  const added = new Map<number, string>(add.funcs.map((f, i) => [firstNew + i, f.name]));
  const oldName = m.sections.find((s) => s.id === SECTION.custom && s.customName === 'name')?.payload;
  out.bytes(section(SECTION.custom, mergeNameSection(oldName, add, added)));
  for (const s of m.sections) {
    if (s.id === SECTION.custom && s.customName !== 'name') out.bytes(section(SECTION.custom, s.payload));
  }
  for (const c of add.customSections ?? []) {
    out.bytes(section(SECTION.custom, new ByteWriter(c.bytes.length + c.name.length + 8).name(c.name).bytes(c.bytes).toBytes()));
  }
  return out.toBytes();
}
