// printWasm: a small WAT-like printer of the generated functions of a linked module (from the
// `entrypoints` export onward), for golden tests and debugging. Calls print by name-section
// name, and addresses inside the generated data segment as `data+N`, so output is stable when
// the runtime changes. In: module bytes. Out: text.

import { ByteReader } from './encoder.js';
import { readRuntimeModule } from './module-reader.js';
import type { RuntimeModule } from './module-reader.js';
import { EXTERNAL_KIND, OP, OP_FC, OP_NAMES, SECTION } from './opcodes.js';

/** nameMaps reads the function (1) and global (7) name maps of the name section. */
function nameMaps(m: RuntimeModule): { funcs: Map<number, string>; globals: Map<number, string> } {
  const funcs = new Map<number, string>();
  const globals = new Map<number, string>();
  const sec = m.sections.find((s) => s.id === SECTION.custom && s.customName === 'name');
  if (!sec) return { funcs, globals };
  const r = new ByteReader(sec.payload);
  r.name();
  while (!r.atEnd()) {
    const id = r.u8();
    const payload = r.bytes(r.u32());
    const into = id === 1 ? funcs : id === 7 ? globals : undefined;
    if (!into) continue;
    const fr = new ByteReader(payload);
    const n = fr.u32();
    for (let i = 0; i < n; i++) {
      const idx = fr.u32();
      into.set(idx, fr.name());
    }
  }
  return { funcs, globals };
}

/** lastDataSegment returns [start, end) of the last active data segment (the generated one). */
function lastDataSegment(data: { count: number; rest: Uint8Array }): [number, number] {
  const r = new ByteReader(data.rest);
  let range: [number, number] = [0, 0];
  for (let i = 0; i < data.count; i++) {
    const flags = r.u32();
    let offset = -1;
    if (flags === 2) r.u32();
    if (flags !== 1) {
      const op = r.u8();
      if (op === OP.i32_const) offset = r.i32();
      else r.u32();
      r.u8();
    }
    const len = r.u32();
    r.bytes(len);
    if (offset >= 0) range = [offset, offset + len];
  }
  return range;
}

/** printWasm renders the generated functions of a module produced by emitWasm. */
export function printWasm(bytes: Uint8Array): string {
  const m = readRuntimeModule(bytes);
  const { funcs: names, globals } = nameMaps(m);
  const first = m.exports.find((e) => e.kind === EXTERNAL_KIND.func && e.name === 'entrypoints')?.index;
  if (first === undefined) return '';
  const [dataStart, dataEnd] = lastDataSegment(m.data);
  const addr = (v: number): string => (v >= dataStart && v < dataEnd + 8 && dataEnd > dataStart ? `data+${v - dataStart}` : String(v));
  const fname = (i: number): string => `$${names.get(i) ?? `f${i}`}`;
  const out: string[] = [];
  for (let fi = first - m.importedFuncs; fi < m.bodies.length; fi++) {
    const index = fi + m.importedFuncs;
    const type = m.types[m.funcTypes[fi] as number];
    const body = m.bodies[fi] as Uint8Array;
    const r = new ByteReader(body);
    let locals = 0;
    const groups = r.u32();
    for (let g = 0; g < groups; g++) {
      locals += r.u32();
      r.u8();
    }
    const sig = `(param ${type?.params.length ?? 0})${type?.results.length ? ' (result i32)' : ''}${locals ? ` (local ${locals})` : ''}`;
    out.push(`(func ${fname(index)} ${sig}`);
    let depth = 1;
    while (!r.atEnd()) {
      const op = r.u8();
      const mnemonic = OP_NAMES.get(op) ?? `op_0x${op.toString(16)}`;
      if (op === OP.end) {
        depth--;
        if (depth === 0) break;
        out.push(`${'  '.repeat(depth)}end`);
        continue;
      }
      let text = mnemonic;
      switch (op) {
        case OP.block:
        case OP.loop:
        case OP.if:
          r.u8();
          break;
        case OP.br:
        case OP.br_if:
        case OP.local_get:
        case OP.local_set:
        case OP.local_tee:
          text += ` ${r.u32()}`;
          break;
        case OP.global_get:
        case OP.global_set: {
          const g = r.u32();
          text += ` ${globals.has(g) ? `$${globals.get(g)}` : g}`;
          break;
        }
        case OP.call:
          text += ` ${fname(r.u32())}`;
          break;
        case OP.br_table: {
          const n = r.u32();
          const labels: number[] = [];
          for (let i = 0; i <= n; i++) labels.push(r.u32());
          text += ` ${labels.join(' ')}`;
          break;
        }
        case OP.i32_load:
        case OP.i32_store:
          r.u32();
          text += ` offset=${addr(r.u32())}`;
          break;
        case OP.i32_const:
          text += ` ${addr(r.i32())}`;
          break;
        case OP.memory_size:
        case OP.memory_grow:
          r.u8();
          break;
        case OP.prefix_fc: {
          const sub = r.u32();
          if (sub === OP_FC.memory_init) {
            text = `memory.init ${r.u32()}`;
            r.u8();
          } else if (sub === OP_FC.data_drop) {
            text = `data.drop ${r.u32()}`;
          } else {
            text = `op_0xfc_${sub}`;
          }
          break;
        }
        default:
          break;
      }
      if (op === OP.else) out.push(`${'  '.repeat(depth - 1)}${text}`);
      else out.push(`${'  '.repeat(depth)}${text}`);
      if (op === OP.block || op === OP.loop || op === OP.if) depth++;
    }
    out.push(')');
  }
  return `${out.join('\n')}\n`;
}
