// IR → Wasm for plan functions: every IR local is an i32 wasm local (0 = undefined), every IR
// Block a wasm `block`, and an undefined statement a `br` to the end of the innermost IR block.
// In: one ir.Func and a CodegenContext (runtime function indices, static addresses).
// Out: its code-section entry.

import { InternalCompilerError, assertNever } from '../diagnostics/index.js';
import type { Location } from '../diagnostics/index.js';
import type { Block, Func, Local, Operand, RuntimeError, Stmt } from '../ir/index.js';
import { NATIVE_BUILTINS, TAG } from '../abi.js';
import type { RtExportName } from '../abi.js';
import { CodeWriter } from './code-writer.js';
import { OP } from './opcodes.js';

/** CodegenContext resolves everything a function body refers to outside itself. */
export type CodegenContext = {
  /** rt returns the function index of a runtime helper. */
  readonly rt: (name: RtExportName) => number;
  /** native returns the function index of a native builtin, or undefined if the runtime lacks it. */
  readonly native: (name: string) => number | undefined;
  /** func returns the function index and parameter count of an IR function. */
  readonly func: (name: string) => { readonly index: number; readonly params: number };
  /** hostBuiltinId returns the dense id of a host-dispatched builtin. */
  readonly hostBuiltinId: (name: string) => number;
  /** constAddr is the static address holding constant i's value pointer. */
  readonly constAddr: (index: number) => number;
  /** cstring interns a NUL-terminated ASCII string and returns its address. */
  readonly cstring: (text: string) => number;
  /** slotGlobal returns the global index of slot s. */
  readonly slotGlobal: (slot: number) => number;
  /** trackLocations makes builtin calls record their `file:row` first (strict mode error messages). */
  readonly trackLocations: boolean;
};

/** formatRuntimeError renders an IR RuntimeError as `file:row: code: message`. */
export function formatRuntimeError(e: RuntimeError): string {
  return `${e.loc.file}:${e.loc.row}: ${e.code}: ${e.message}`;
}

/** formatCallLocation renders a builtin call location as `file:row`. */
export function formatCallLocation(loc: Location): string {
  return `${loc.file}:${loc.row}`;
}

/** stmtLocals lists the IR locals a statement reads or writes (not inside nested blocks). */
function stmtLocals(s: Stmt): Local[] {
  const op = (o: Operand): Local[] => (o.kind === 'local' ? [o.local] : []);
  switch (s.kind) {
    case 'call':
    case 'builtin':
      return [...s.args.flatMap(op), s.target];
    case 'dot':
      return [...op(s.source), ...op(s.key), s.target];
    case 'len':
      return [...op(s.source), s.target];
    case 'scan':
      return [s.source, s.key, s.value];
    case 'not':
    case 'block':
    case 'break':
    case 'abort':
      return [];
    case 'assign':
    case 'assignOnce':
      return [...op(s.source), s.target];
    case 'reset':
    case 'makeArray':
    case 'makeObject':
    case 'makeSet':
    case 'slotGet':
      return [s.target];
    case 'equal':
    case 'notEqual':
      return [...op(s.a), ...op(s.b)];
    case 'isType':
      return op(s.source);
    case 'isDefined':
    case 'isUndefined':
      return [s.source];
    case 'arrayAppend':
      return [s.array, ...op(s.value)];
    case 'objectInsert':
    case 'objectInsertOnce':
      return [s.object, ...op(s.key), ...op(s.value)];
    case 'objectMerge':
      return [...op(s.a), ...op(s.b), s.target];
    case 'setAdd':
      return [s.set, ...op(s.value)];
    case 'upsert':
      return [...op(s.source), ...op(s.path), ...op(s.value), s.target];
    case 'slotSet':
      return op(s.value);
    default:
      return assertNever(s);
  }
}

/** nestedBlocks returns the blocks directly nested in a statement. */
function nestedBlocks(s: Stmt): readonly Block[] {
  switch (s.kind) {
    case 'scan':
    case 'not':
      return [s.block];
    case 'block':
      return s.blocks;
    default:
      return [];
  }
}

/** collectLocals gathers every IR local used in a function, sorted. */
function collectLocals(f: Func): Local[] {
  const seen = new Set<Local>([...f.params, f.result]);
  const walk = (b: Block): void => {
    for (const s of b.stmts) {
      for (const l of stmtLocals(s)) seen.add(l);
      for (const nb of nestedBlocks(s)) walk(nb);
    }
  };
  f.blocks.forEach(walk);
  return [...seen].sort((a, b) => a - b);
}

/** walkStmts visits every statement of a function in order, including nested ones. */
export function walkStmts(f: Func, visit: (s: Stmt) => void): void {
  const walk = (b: Block): void => {
    for (const s of b.stmts) {
      visit(s);
      for (const nb of nestedBlocks(s)) walk(nb);
    }
  };
  f.blocks.forEach(walk);
}

/** FuncEmitter holds the state of one function's translation. */
class FuncEmitter {
  private readonly c: CodeWriter;
  private readonly map = new Map<Local, number>();
  /** Depth (after opening) of each open IR block, innermost last. */
  private readonly irBlocks: number[] = [];
  private readonly tmp: number;
  private readonly f: Func;
  private readonly ctx: CodegenContext;

  constructor(f: Func, ctx: CodegenContext) {
    this.f = f;
    this.ctx = ctx;
    this.c = new CodeWriter(f.params.length);
    f.params.forEach((l, i) => {
      if (this.map.has(l)) throw new InternalCompilerError(`function ${f.name}: duplicate parameter local ${l}`);
      this.map.set(l, i);
    });
    for (const l of collectLocals(f)) if (!this.map.has(l)) this.map.set(l, this.c.newLocal());
    this.tmp = this.c.newLocal();
  }

  emit(): Uint8Array {
    for (const b of this.f.blocks) this.block(b);
    this.c.localGet(this.local(this.f.result));
    return this.c.finish(this.f.params.length);
  }

  private local(l: Local): number {
    const i = this.map.get(l);
    if (i === undefined) throw new InternalCompilerError(`function ${this.f.name}: unknown local ${l}`);
    return i;
  }

  private operand(o: Operand): void {
    if (o.kind === 'local') this.c.localGet(this.local(o.local));
    else this.c.loadStatic(this.ctx.constAddr(o.index));
  }

  /** undefinedIf branches to the end of the innermost IR block if the i32 on the stack is non-zero. */
  private undefinedIf(): void {
    const top = this.irBlocks[this.irBlocks.length - 1];
    if (top === undefined) throw new InternalCompilerError(`function ${this.f.name}: statement outside a block`);
    this.c.brIfTo(top);
  }

  /** requireDefined makes the statement undefined when a local operand is undefined. */
  private requireDefined(o: Operand): void {
    if (o.kind !== 'local') return;
    this.c.localGet(this.local(o.local)).op(OP.i32_eqz);
    this.undefinedIf();
  }

  /** setIfDefined stores the call result on the stack into target, or leaves the block if it is 0. */
  private setIfDefined(target: Local): void {
    this.c.localTee(this.tmp).op(OP.i32_eqz);
    this.undefinedIf();
    this.c.localGet(this.tmp).localSet(this.local(target));
  }

  private abort(e: RuntimeError): void {
    this.c
      .i32Const(this.ctx.cstring(formatRuntimeError(e)))
      .call(this.ctx.rt('rt_abort'))
      .op(OP.unreachable);
  }

  private block(b: Block): void {
    this.c.block();
    this.irBlocks.push(this.c.depth);
    for (const s of b.stmts) this.stmt(s);
    this.irBlocks.pop();
    this.c.end();
  }

  private stmt(s: Stmt): void {
    const c = this.c;
    const rt = this.ctx.rt;
    switch (s.kind) {
      case 'call': {
        const fn = this.ctx.func(s.func);
        if (fn.params !== s.args.length) {
          throw new InternalCompilerError(`call ${s.func}: ${s.args.length} args for ${fn.params} params`);
        }
        for (const a of s.args) this.operand(a);
        c.call(fn.index);
        this.setIfDefined(s.target);
        return;
      }
      case 'builtin':
        this.builtin(s);
        return;
      case 'dot':
        this.operand(s.source);
        this.operand(s.key);
        c.call(rt('rt_dot'));
        this.setIfDefined(s.target);
        return;
      case 'len':
        this.operand(s.source);
        c.call(rt('rt_len'));
        this.setIfDefined(s.target);
        return;
      case 'scan':
        this.scan(s);
        return;
      case 'not': {
        // Left early (undefined inside, or break 0) → continue after it: the not is defined.
        // Ran to the end → the not is undefined: leave the enclosing IR block.
        const outer = this.irBlocks[this.irBlocks.length - 1];
        if (outer === undefined) throw new InternalCompilerError('not outside a block');
        c.block();
        this.irBlocks.push(c.depth);
        for (const st of s.block.stmts) this.stmt(st);
        c.brTo(outer);
        this.irBlocks.pop();
        c.end();
        return;
      }
      case 'block':
        for (const b of s.blocks) this.block(b);
        return;
      case 'break': {
        const target = this.irBlocks[this.irBlocks.length - 1 - s.index];
        if (target === undefined) throw new InternalCompilerError(`break ${s.index} leaves the function`);
        // Leaving a block means branching to its end: the label of the block itself.
        c.brTo(target);
        return;
      }
      case 'assign':
        this.requireDefined(s.source);
        this.operand(s.source);
        c.localSet(this.local(s.target));
        return;
      case 'assignOnce': {
        const t = this.local(s.target);
        this.requireDefined(s.source);
        c.localGet(t).if();
        c.localGet(t);
        this.operand(s.source);
        c.call(rt('rt_equal')).op(OP.i32_eqz).if();
        this.abort(s.error);
        c.end().end();
        this.operand(s.source);
        c.localSet(t);
        return;
      }
      case 'reset':
        c.i32Const(0).localSet(this.local(s.target));
        return;
      case 'makeArray':
        c.i32Const(s.capacity).call(rt('rt_make_array')).localSet(this.local(s.target));
        return;
      case 'makeObject':
        c.call(rt('rt_make_object')).localSet(this.local(s.target));
        return;
      case 'makeSet':
        c.call(rt('rt_make_set')).localSet(this.local(s.target));
        return;
      case 'equal':
        this.operand(s.a);
        this.operand(s.b);
        c.call(rt('rt_equal')).op(OP.i32_eqz);
        this.undefinedIf();
        return;
      case 'notEqual':
        this.operand(s.a);
        this.operand(s.b);
        c.call(rt('rt_equal'));
        this.undefinedIf();
        return;
      case 'isType':
        this.operand(s.source);
        c.call(rt('rt_type')).i32Const(TAG[s.type]).op(OP.i32_ne);
        this.undefinedIf();
        return;
      case 'isDefined':
        c.localGet(this.local(s.source)).op(OP.i32_eqz);
        this.undefinedIf();
        return;
      case 'isUndefined':
        c.localGet(this.local(s.source));
        this.undefinedIf();
        return;
      case 'arrayAppend':
        this.requireDefined(s.value);
        c.localGet(this.local(s.array));
        this.operand(s.value);
        c.call(rt('rt_array_append'));
        return;
      case 'objectInsert':
        this.requireDefined(s.key);
        this.requireDefined(s.value);
        c.localGet(this.local(s.object));
        this.operand(s.key);
        this.operand(s.value);
        c.call(rt('rt_object_insert'));
        return;
      case 'objectInsertOnce':
        this.requireDefined(s.key);
        this.requireDefined(s.value);
        c.localGet(this.local(s.object));
        this.operand(s.key);
        this.operand(s.value);
        c.call(rt('rt_object_insert_once')).op(OP.i32_eqz).if();
        this.abort(s.error);
        c.end();
        return;
      case 'objectMerge':
        for (const o of [s.a, s.b]) {
          this.operand(o);
          c.call(rt('rt_type')).i32Const(TAG.object).op(OP.i32_ne);
          this.undefinedIf();
        }
        this.operand(s.a);
        this.operand(s.b);
        c.call(rt('rt_object_merge')).localTee(this.tmp).op(OP.i32_eqz).if();
        this.abort(s.error);
        c.end();
        c.localGet(this.tmp).localSet(this.local(s.target));
        return;
      case 'setAdd':
        this.requireDefined(s.value);
        c.localGet(this.local(s.set));
        this.operand(s.value);
        c.call(rt('rt_set_add'));
        return;
      case 'upsert':
        this.operand(s.source);
        this.operand(s.path);
        this.operand(s.value);
        c.call(rt('rt_upsert')).localSet(this.local(s.target));
        return;
      case 'slotSet':
        this.operand(s.value);
        c.globalSet(this.ctx.slotGlobal(s.slot));
        return;
      case 'slotGet':
        c.globalGet(this.ctx.slotGlobal(s.slot));
        this.setIfDefined(s.target);
        return;
      case 'abort':
        this.abort(s.error);
        return;
      default:
        assertNever(s);
    }
  }

  private builtin(s: Extract<Stmt, { kind: 'builtin' }>): void {
    const c = this.c;
    const native = Object.hasOwn(NATIVE_BUILTINS, s.name) ? this.ctx.native(s.name) : undefined;
    if (s.loc && this.ctx.trackLocations) c.i32Const(this.ctx.cstring(formatCallLocation(s.loc))).call(this.ctx.rt('rt_set_location'));
    if (native !== undefined) {
      const arity = NATIVE_BUILTINS[s.name as keyof typeof NATIVE_BUILTINS].arity;
      if (arity !== s.args.length) {
        throw new InternalCompilerError(`builtin ${s.name}: ${s.args.length} args, native arity ${arity}`);
      }
      for (const a of s.args) this.operand(a);
      c.call(native);
    } else {
      const n = s.args.length;
      if (n > 4) throw new InternalCompilerError(`host builtin ${s.name} takes ${n} args; at most 4 are supported`);
      c.i32Const(this.ctx.hostBuiltinId(s.name));
      for (const a of s.args) this.operand(a);
      c.call(this.ctx.rt(`rt_host_builtin${n}` as RtExportName));
    }
    this.setIfDefined(s.target);
  }

  private scan(s: Extract<Stmt, { kind: 'scan' }>): void {
    const c = this.c;
    const rt = this.ctx.rt;
    const src = this.local(s.source);
    const n = c.newLocal();
    const i = c.newLocal();
    c.localGet(src).call(rt('rt_count')).localSet(n);
    c.i32Const(0).localSet(i);
    c.block();
    const exit = c.depth;
    c.loop();
    const top = c.depth;
    c.localGet(i).localGet(n).op(OP.i32_ge_u).brIfTo(exit);
    c.localGet(src).localGet(i).call(rt('rt_key_at')).localSet(this.local(s.key));
    c.localGet(src).localGet(i).call(rt('rt_value_at')).localSet(this.local(s.value));
    this.block(s.block);
    c.localGet(i).i32Const(1).op(OP.i32_add).localSet(i);
    c.brTo(top);
    c.end().end();
  }
}

/** emitFunc translates one IR function to a code-section entry. */
export function emitFunc(f: Func, ctx: CodegenContext): Uint8Array {
  return new FuncEmitter(f, ctx).emit();
}
