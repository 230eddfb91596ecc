// Builds the AssemblyScript runtime (engine/runtime/as/index.ts) in-process with asc into
// engine/runtime/build/runtime.wasm: unmanaged stub runtime, imported memory (min 1 page, no
// maximum), no env.abort/seed/trace imports, -Os, deterministic bytes. Prints one summary line.
// Records the inputs hash (scripts/runtime-inputs.js) in runtime.wasm.inputs and skips the build
// when that hash is current (`--force` rebuilds anyway). `--check` builds to a temp file and exits 1
// if the result differs from the existing runtime.wasm; `--out <file>` writes elsewhere, always
// building and recording nothing (tests build a stale tree's runtime without touching the artefact).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STAMP_SUFFIX, isRuntimeCurrent, runtimeInputsHash } from './runtime-inputs.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = 'engine/runtime/as/index.ts';
const outIdx = process.argv.indexOf('--out');
const outFile =
  outIdx > 0 && process.argv[outIdx + 1] ? resolve(process.argv[outIdx + 1]) : join(root, 'engine/runtime/build/runtime.wasm');

/** ascFlags are the asc options (see shared/docs/WASM-ABI.md E2). */
function ascFlags(out) {
  return [
    entry,
    '--baseDir',
    root,
    '--outFile',
    out,
    '--runtime',
    'stub',
    '--importMemory',
    '--initialMemory',
    '1',
    '--noExportMemory',
    '--use',
    'abort=engine/runtime/as/host/asAbort',
    '-Os',
    '--noAssert',
  ];
}

/** build compiles the runtime to `out` and returns its bytes, or throws with asc's diagnostics. */
async function build(out) {
  const asc = (await import('assemblyscript/asc')).default;
  let errText = '';
  const stream = {
    write(s) {
      errText += String(s);
      return true;
    },
  };
  const { error } = await asc.main(ascFlags(out), { stdout: stream, stderr: stream });
  if (error) throw new Error(`runtime build failed: ${error.message}\n${errText}`);
  return readFileSync(out);
}

async function main() {
  const check = process.argv.includes('--check');
  const started = performance.now();
  if (check) {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-runtime-'));
    try {
      const bytes = await build(join(dir, 'runtime.wasm'));
      let existing;
      try {
        existing = readFileSync(outFile);
      } catch {
        existing = undefined;
      }
      const ms = Math.round(performance.now() - started);
      if (!existing?.equals(bytes)) {
        console.error(
          `runtime: ${relative(root, outFile)} is out of date (${bytes.length} B fresh build, ${ms} ms); run npm run build:runtime`,
        );
        process.exitCode = 1;
        return;
      }
      console.log(`runtime: ${relative(root, outFile)} up to date (${bytes.length} B, ${ms} ms)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  const stamped = outIdx < 0;
  const hash = runtimeInputsHash(root);
  if (stamped && !process.argv.includes('--force') && isRuntimeCurrent(outFile, hash)) {
    console.log(`runtime: ${relative(root, outFile)} is current (inputs ${hash.slice(0, 12)}); --force rebuilds`);
    return;
  }
  mkdirSync(dirname(outFile), { recursive: true });
  rmSync(outFile + STAMP_SUFFIX, { force: true });
  const bytes = await build(outFile);
  if (stamped) writeFileSync(outFile + STAMP_SUFFIX, `${hash}\n`);
  const ms = Math.round(performance.now() - started);
  console.log(`runtime: wrote ${relative(root, outFile)} (${bytes.length} B, ${ms} ms)`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
