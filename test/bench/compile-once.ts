// Child process of the bench's fresh-process compile measurement (engine-speed.ts): loads the
// engine, compiles the generated policy of argv[2] lines once (cold JIT) and prints
// `compile_ms=<ms>`; exits 1 with the first diagnostic when it does not compile.

import { compile, formatDiagnostic, hasErrors } from '../../engine/index.js';
import { generatePolicy } from './policies.js';

const p = generatePolicy(Number(process.argv[2] ?? '3000'));
const t0 = performance.now();
const r = compile({ files: p.files, entrypoints: p.entrypoints });
const ms = performance.now() - t0;
if (hasErrors(r.diagnostics) || !r.wasm) {
  const first = r.diagnostics.find((d) => d.severity === 'error');
  process.stderr.write(`compile failed: ${first ? formatDiagnostic(first) : 'no wasm'}\n`);
  process.exit(1);
}
console.log(`compile_ms=${ms.toFixed(1)}`);
