// Starting a worker thread on one of our modules, from TypeScript sources (how the gateway runs:
// tsx) or from compiled JavaScript. A worker does not inherit the parent's module loader, so from
// sources a tiny eval'd bootstrap registers tsx's ESM hooks in the worker first, then imports the
// file (as test/conformance/pool.ts does).

import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerOptions } from 'node:worker_threads';

/**
 * startModuleWorker starts `name` (a sibling of `from`, given without extension: `./x-worker`)
 * as a worker thread: the .ts file under tsx, the .js file once compiled.
 */
export function startModuleWorker(from: string, name: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`${name}.js`, from), options);
  const file = new URL(`${name}.ts`, from).href;
  // tsx's package ships its API as .cjs and .mjs side by side; require.resolve names the first
  const api = pathToFileURL(
    createRequire(from)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(file)}); });`;
  return new Worker(code, { ...options, eval: true });
}
