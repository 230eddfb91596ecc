// Instruction-level writer for one function body: typed helpers over ByteWriter that also track
// the control-stack depth, so callers can compute `br` label indices.
// In: instructions. Out: a code-section entry (locals declaration + expression).

import { ByteWriter } from './encoder.js';
import { BLOCK_VOID, I32, OP, OP_FC } from './opcodes.js';

/** CodeWriter emits one function body and tracks the control depth. */
export class CodeWriter {
  private readonly w = new ByteWriter(128);
  /** depth is the number of open block/loop/if constructs. */
  depth = 0;
  /** nextLocal is the next free local index (params first). */
  nextLocal: number;

  constructor(params: number) {
    this.nextLocal = params;
  }

  /** newLocal allocates a fresh i32 local. */
  newLocal(): number {
    return this.nextLocal++;
  }

  /** op writes a bare opcode. */
  op(code: number): this {
    this.w.u8(code);
    return this;
  }

  /** block opens a void block. */
  block(): this {
    this.depth++;
    this.w.u8(OP.block).u8(BLOCK_VOID);
    return this;
  }

  /** loop opens a void loop. */
  loop(): this {
    this.depth++;
    this.w.u8(OP.loop).u8(BLOCK_VOID);
    return this;
  }

  /** if opens a void if. */
  if(): this {
    this.depth++;
    this.w.u8(OP.if).u8(BLOCK_VOID);
    return this;
  }

  /** end closes the innermost construct. */
  end(): this {
    this.depth--;
    this.w.u8(OP.end);
    return this;
  }

  /** br branches to the construct opened when depth was `target` (i.e. depth after opening). */
  brTo(target: number): this {
    this.w.u8(OP.br).u32(this.depth - target);
    return this;
  }

  /** brIfTo branches conditionally to the construct whose depth after opening is `target`. */
  brIfTo(target: number): this {
    this.w.u8(OP.br_if).u32(this.depth - target);
    return this;
  }

  /** brTable writes a br_table with raw label indices. */
  brTable(labels: readonly number[], dflt: number): this {
    this.w.u8(OP.br_table).u32(labels.length);
    for (const l of labels) this.w.u32(l);
    this.w.u32(dflt);
    return this;
  }

  /** localGet reads a local. */
  localGet(i: number): this {
    this.w.u8(OP.local_get).u32(i);
    return this;
  }

  /** localSet writes a local. */
  localSet(i: number): this {
    this.w.u8(OP.local_set).u32(i);
    return this;
  }

  /** localTee writes a local and keeps the value. */
  localTee(i: number): this {
    this.w.u8(OP.local_tee).u32(i);
    return this;
  }

  /** globalGet reads a global. */
  globalGet(i: number): this {
    this.w.u8(OP.global_get).u32(i);
    return this;
  }

  /** globalSet writes a global. */
  globalSet(i: number): this {
    this.w.u8(OP.global_set).u32(i);
    return this;
  }

  /** i32Const pushes a constant. */
  i32Const(v: number): this {
    this.w.u8(OP.i32_const).i32(v);
    return this;
  }

  /** i32Load reads an i32 at (stack address + offset). */
  i32Load(offset: number): this {
    this.w.u8(OP.i32_load).u32(2).u32(offset);
    return this;
  }

  /** i32Store stores an i32 at (stack address + offset). */
  i32Store(offset: number): this {
    this.w.u8(OP.i32_store).u32(2).u32(offset);
    return this;
  }

  /** loadStatic pushes the i32 stored at a static address. */
  loadStatic(addr: number): this {
    return this.i32Const(0).i32Load(addr);
  }

  /** memorySize pushes the memory size in pages. */
  memorySize(): this {
    this.w.u8(OP.memory_size).u8(0);
    return this;
  }

  /** memoryGrow grows memory by the pages on the stack, pushing the old size or -1. */
  memoryGrow(): this {
    this.w.u8(OP.memory_grow).u8(0);
    return this;
  }

  /** memoryInit copies (dest, src, len) from passive data segment `seg`. */
  memoryInit(seg: number): this {
    this.w.u8(OP.prefix_fc).u32(OP_FC.memory_init).u32(seg).u8(0);
    return this;
  }

  /** dataDrop releases passive data segment `seg`. */
  dataDrop(seg: number): this {
    this.w.u8(OP.prefix_fc).u32(OP_FC.data_drop).u32(seg);
    return this;
  }

  /** call calls function index f. */
  call(f: number): this {
    this.w.u8(OP.call).u32(f);
    return this;
  }

  /** finish returns the code entry: size-prefixed locals declaration + body + end. */
  finish(params: number): Uint8Array {
    const extra = this.nextLocal - params;
    const body = new ByteWriter(this.w.length + 8);
    if (extra > 0) body.u32(1).u32(extra).u8(I32);
    else body.u32(0);
    body.bytes(this.w.toBytes()).u8(OP.end);
    return new ByteWriter(body.length + 5).vecBytes(body.toBytes()).toBytes();
  }
}
