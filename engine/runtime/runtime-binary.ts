// Locates and reads the precompiled AssemblyScript runtime (engine/runtime/build/runtime.wasm)
// which the Wasm emitter links every policy against, and the time zone database blob
// (engine/runtime/tzdata.bin) it embeds for zone builtins. In: nothing. Out: their bytes (cached).

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

let tzdata: Uint8Array | undefined;

/**
 * loadTzdata returns the IANA time zone database in the runtime's compact form
 * (engine/runtime/tzdata.bin, made by scripts/gen-tzdata.ts; layout in runtime/as/builtins/time/zones.ts).
 */
export function loadTzdata(): Uint8Array {
  tzdata ??= new Uint8Array(readFileSync(new URL('./tzdata.bin', import.meta.url)));
  return tzdata;
}
