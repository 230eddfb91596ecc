// OPA Wasm ABI exports the runtime owns (engine/abi.ts OPA_EXPORTS minus the policy-specific
// builtins/entrypoints/eval/opa_eval that generated code provides). Everything exported here
// becomes a module export through index.ts, so this file exports nothing else.

import { alloc, heapGet, heapSet } from "./value";
import { parseJSON } from "./json-parse";
import { dumpCString } from "./json-dump";
import {
  ctxNew, ctxResult, ctxSetData, ctxSetEntrypoint, ctxSetInput,
} from "./ctx";
import { newArray } from "./value";

/** opa_wasm_abi_version is OPA's Wasm ABI major version (1). */
export const opa_wasm_abi_version: i32 = 1;
/** opa_wasm_abi_minor_version is OPA's Wasm ABI minor version (3: opa_eval fast path available). */
export const opa_wasm_abi_minor_version: i32 = 3;

/** opa_malloc returns `size` fresh bytes from the bump heap. */
export function opa_malloc(size: usize): usize {
  return alloc(size);
}

/** opa_free does nothing: memory is reclaimed by resetting the heap pointer. */
export function opa_free(addr: usize): void {}

/** opa_json_parse parses len bytes of JSON at addr into a value; 0 on invalid JSON. */
export function opa_json_parse(addr: usize, len: usize): usize {
  return parseJSON(addr, <u32>len);
}

/** opa_value_parse parses a value the same way as JSON (set literals are not supported). */
export function opa_value_parse(addr: usize, len: usize): usize {
  return parseJSON(addr, <u32>len);
}

/** opa_json_dump returns the address of the NUL-terminated JSON text of a value. */
export function opa_json_dump(v: usize): usize {
  return dumpCString(v);
}

/** opa_value_dump dumps a value the same way as JSON (sets as arrays). */
export function opa_value_dump(v: usize): usize {
  return dumpCString(v);
}

/** opa_heap_ptr_get returns the heap pointer. */
export function opa_heap_ptr_get(): usize {
  return heapGet();
}

/** opa_heap_ptr_set moves the heap pointer (the SDK resets it between evaluations). */
export function opa_heap_ptr_set(addr: usize): void {
  heapSet(addr);
}

/** opa_eval_ctx_new allocates an evaluation context. */
export function opa_eval_ctx_new(): usize {
  return ctxNew();
}

/** opa_eval_ctx_set_input stores the input value in a context. */
export function opa_eval_ctx_set_input(ctx: usize, v: usize): void {
  ctxSetInput(ctx, v);
}

/** opa_eval_ctx_set_data stores the data value in a context. */
export function opa_eval_ctx_set_data(ctx: usize, v: usize): void {
  ctxSetData(ctx, v);
}

/** opa_eval_ctx_set_entrypoint stores the entrypoint id in a context. */
export function opa_eval_ctx_set_entrypoint(ctx: usize, id: i32): void {
  ctxSetEntrypoint(ctx, id);
}

/** opa_eval_ctx_get_result returns the context's result set (an empty array if eval set none). */
export function opa_eval_ctx_get_result(ctx: usize): usize {
  const r = ctxResult(ctx);
  return r != 0 ? r : newArray(0);
}
