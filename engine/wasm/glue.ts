// The policy-specific ABI functions around the plan functions: the entrypoint dispatcher,
// `opa_eval` (fast path), `eval` (ctx path), `entrypoints`, `builtins` and the start function
// that parses the constants. In: function indices and static addresses. Out: code entries.

import type { RtExportName } from '../abi.js';
import { CodeWriter } from './code-writer.js';
import { OP } from './opcodes.js';

/** GlueContext is what the glue functions refer to. */
export type GlueContext = {
  readonly rt: (name: RtExportName) => number;
  /** Function index of each plan's function, in entrypoint id order. */
  readonly plans: readonly number[];
  readonly dispatchIndex: number;
  readonly slotGlobals: readonly number[];
  readonly cstring: (text: string) => number;
  /** strict makes builtin errors abort evaluation instead of being undefined. */
  readonly strict: boolean;
};

/** ABORT_MESSAGES are the glue's own abort texts. */
export const ABORT_MESSAGES = {
  badEntrypoint: 'eval_internal_error: unknown entrypoint id',
  badInput: 'eval_internal_error: invalid input JSON',
  badConstant: 'eval_internal_error: invalid constant JSON',
} as const;

/** beginEval resets per-evaluation state: mock slots and the strict-errors flag. */
function beginEval(c: CodeWriter, g: GlueContext): void {
  for (const s of g.slotGlobals) c.i32Const(0).globalSet(s);
  c.i32Const(g.strict ? 1 : 0).call(g.rt('rt_set_strict'));
}

function abortWith(c: CodeWriter, g: GlueContext, msg: string): void {
  c.i32Const(g.cstring(msg)).call(g.rt('rt_abort')).op(OP.unreachable);
}

/** emitDispatch builds `(input, data, entrypoint) -> value`: a br_table over the plans. */
export function emitDispatch(g: GlueContext): Uint8Array {
  const c = new CodeWriter(3);
  const n = g.plans.length;
  c.block(); // default: bad id
  for (let i = 0; i < n; i++) c.block();
  c.localGet(2).brTable(
    g.plans.map((_, i) => i),
    n,
  );
  for (let i = 0; i < n; i++) {
    c.end();
    c.localGet(0)
      .localGet(1)
      .call(g.plans[i] as number)
      .op(OP.return);
  }
  c.end();
  abortWith(c, g, ABORT_MESSAGES.badEntrypoint);
  return c.finish(3);
}

/**
 * emitOpaEval builds `opa_eval(reserved, entrypoint, data, input_addr, input_len, heap_ptr, format)`:
 * move the heap, parse the input, run the plan and return the dumped result set.
 */
export function emitOpaEval(g: GlueContext): Uint8Array {
  const c = new CodeWriter(7);
  const input = c.newLocal();
  c.localGet(5).call(g.rt('rt_heap_set'));
  beginEval(c, g);
  c.localGet(3).if();
  c.localGet(3).localGet(4).call(g.rt('rt_json_parse')).localTee(input).op(OP.i32_eqz).if();
  abortWith(c, g, ABORT_MESSAGES.badInput);
  c.end().end();
  c.localGet(input).localGet(2).localGet(1).call(g.dispatchIndex);
  c.call(g.rt('rt_result_set')).call(g.rt('rt_json_dump'));
  return c.finish(7);
}

/** emitEval builds `eval(ctx) -> 0` for the ctx path. */
export function emitEval(g: GlueContext): Uint8Array {
  const c = new CodeWriter(1);
  beginEval(c, g);
  c.localGet(0);
  c.localGet(0).call(g.rt('rt_ctx_input'));
  c.localGet(0).call(g.rt('rt_ctx_data'));
  c.localGet(0).call(g.rt('rt_ctx_entrypoint'));
  c.call(g.dispatchIndex).call(g.rt('rt_result_set')).call(g.rt('rt_ctx_set_result'));
  c.i32Const(0);
  return c.finish(1);
}

/** emitConstGetter builds `() -> value` returning a parsed constant (entrypoints/builtins maps). */
export function emitConstGetter(constAddr: number): Uint8Array {
  const c = new CodeWriter(0);
  c.loadStatic(constAddr);
  return c.finish(0);
}

/** StartLayout describes what the start function initialises. */
export type StartLayout = {
  readonly previousStart?: number;
  readonly staticEnd: number;
  readonly constCount: number;
  readonly tableAddr: number;
  readonly descAddr: number;
  /** Address of the tzdata blob, when the policy calls a zone builtin. */
  readonly tzdataAddr?: number;
  /** Set when the static data is too large for the declared memory: copied in from a passive segment. */
  readonly passive?: { readonly segment: number; readonly base: number; readonly length: number; readonly pages: number };
};

/** emitStart builds the start function: chain the runtime's start, set the heap base, parse constants. */
export function emitStart(g: GlueContext, s: StartLayout): Uint8Array {
  const c = new CodeWriter(0);
  const i = c.newLocal();
  const v = c.newLocal();
  const off = c.newLocal();
  if (s.previousStart !== undefined) c.call(s.previousStart);
  if (s.passive) {
    const p = s.passive;
    c.memorySize().i32Const(p.pages).op(OP.i32_lt_s).if();
    c.i32Const(p.pages).memorySize().op(OP.i32_sub).memoryGrow().op(OP.drop);
    c.end();
    c.i32Const(p.base).i32Const(0).i32Const(p.length).memoryInit(p.segment).dataDrop(p.segment);
  }
  c.i32Const(s.staticEnd).call(g.rt('rt_init_static'));
  if (s.tzdataAddr !== undefined) c.i32Const(s.tzdataAddr).call(g.rt('rt_tz_init'));
  if (s.constCount > 0) {
    c.block();
    const exit = c.depth;
    c.loop();
    const top = c.depth;
    c.localGet(i).i32Const(s.constCount).op(OP.i32_ge_u).brIfTo(exit);
    c.localGet(i).i32Const(3).op(OP.i32_shl).localTee(off).i32Load(s.descAddr);
    c.localGet(off).i32Load(s.descAddr + 4);
    c.call(g.rt('rt_json_parse')).localTee(v).op(OP.i32_eqz).if();
    abortWith(c, g, ABORT_MESSAGES.badConstant);
    c.end();
    c.localGet(i).i32Const(2).op(OP.i32_shl).localGet(v).i32Store(s.tableAddr);
    c.localGet(i).i32Const(1).op(OP.i32_add).localSet(i);
    c.brTo(top);
    c.end().end();
  }
  return c.finish(0);
}
