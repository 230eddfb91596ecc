// The evaluation context used by the SDK's non-fast path (opa_eval_ctx_*): a 16-byte record
// [u32 input][u32 data][u32 entrypoint][u32 result] on the bump heap. Exports: ctxNew,
// ctxInput, ctxData, ctxEntrypoint, ctxResult and their setters.

import { alloc } from "./value";

/** ctxNew allocates a zeroed context (no input, no data, entrypoint 0, no result). */
export function ctxNew(): usize {
  const c = alloc(16);
  memory.fill(c, 0, 16);
  return c;
}
/** ctxInput returns the context's input value (0 if none). */
export function ctxInput(c: usize): usize {
  return <usize>load<u32>(c);
}
/** ctxData returns the context's data value (0 if none). */
export function ctxData(c: usize): usize {
  return <usize>load<u32>(c, 4);
}
/** ctxEntrypoint returns the context's entrypoint id. */
export function ctxEntrypoint(c: usize): i32 {
  return load<i32>(c, 8);
}
/** ctxResult returns the context's result set value (0 until set). */
export function ctxResult(c: usize): usize {
  return <usize>load<u32>(c, 12);
}
/** ctxSetInput stores the input value. */
export function ctxSetInput(c: usize, v: usize): void {
  store<u32>(c, <u32>v);
}
/** ctxSetData stores the data value. */
export function ctxSetData(c: usize, v: usize): void {
  store<u32>(c, <u32>v, 4);
}
/** ctxSetEntrypoint stores the entrypoint id. */
export function ctxSetEntrypoint(c: usize, id: i32): void {
  store<i32>(c, id, 8);
}
/** ctxSetResult stores the result set value. */
export function ctxSetResult(c: usize, v: usize): void {
  store<u32>(c, <u32>v, 12);
}
