// Entry of the precompiled runtime (built by scripts/build-runtime.js into
// engine/runtime/build/runtime.wasm). Its exports are exactly the OPA ABI exports the runtime owns
// (abi.ts), the rt_* helpers (rt.ts) and the bi_* native builtins (builtins/index.ts); AS-level
// helpers for builtins live in value.ts, buf.ts, compare.ts, collections.ts, json-*.ts, host.ts.

export * from "./abi";
export * from "./rt";
export * from "./builtins/index";
export { rt_tz_init } from "./builtins/time/zones";
