// Fingerprint of everything the AssemblyScript runtime build reads: every file under
// engine/runtime/as/, the build scripts and the installed assemblyscript version. build-runtime.js
// records it beside runtime.wasm; the runtime tests compare it to decide whether that file is current.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

/** STAMP_SUFFIX is appended to a runtime.wasm path to name the file holding its inputs hash. */
export const STAMP_SUFFIX = '.inputs';

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** runtimeInputsHash returns the hex sha256 of the runtime build's inputs under the repo `root`. */
export function runtimeInputsHash(root) {
  const h = createHash('sha256');
  const ascPackage = createRequire(join(root, 'package.json')).resolve('assemblyscript/package.json');
  h.update(`assemblyscript ${JSON.parse(readFileSync(ascPackage, 'utf8')).version}\n`);
  const inputs = [
    ...files(join(root, 'engine/runtime/as')),
    join(root, 'scripts/build-runtime.js'),
    join(root, 'scripts/runtime-inputs.js'),
  ];
  for (const f of inputs) {
    const bytes = readFileSync(f);
    h.update(`${relative(root, f)} ${bytes.length}\n`);
    h.update(bytes);
  }
  return h.digest('hex');
}

/** isRuntimeCurrent tells whether `wasmFile` exists and its recorded inputs hash equals `hash`. */
export function isRuntimeCurrent(wasmFile, hash) {
  const stamp = wasmFile + STAMP_SUFFIX;
  return existsSync(wasmFile) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === hash;
}
