// Locates and reads the precompiled AssemblyScript runtime (engine/runtime/build/runtime.wasm),
// which the Wasm emitter links every policy against. In: nothing. Out: its bytes (cached).

import { readFileSync } from 'node:fs';

let cached: Uint8Array | undefined;

/** loadRuntimeBinary returns the runtime's bytes; throws if `npm run build:runtime` has not run. */
export function loadRuntimeBinary(): Uint8Array {
  if (cached) return cached;
  const url = new URL('./build/runtime.wasm', import.meta.url);
  try {
    cached = new Uint8Array(readFileSync(url));
  } catch (cause) {
    throw new Error(`runtime not built: run npm run build:runtime (missing ${url.pathname})`, { cause });
  }
  return cached;
}
