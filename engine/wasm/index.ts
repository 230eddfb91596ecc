// Public surface of the Wasm stage: ir.Policy + runtime.wasm → OPA-ABI module, and a WAT-like
// printer of the generated functions for goldens.
export { emitWasm, GENERATED_EXPORTS } from './emit-wasm.js';
export type { EmitOptions } from './emit-wasm.js';
export { printWasm } from './print.js';
