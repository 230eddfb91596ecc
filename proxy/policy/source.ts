// Reading the configured policy source (config `policy`): a bundle tarball re-read from disk, or
// policy directories compiled (at start on the event loop, for reloads on a worker thread so that
// statements keep flowing while Rego compiles).

import { startModuleWorker } from '../threads/index.js';
import { compilePaths, readBundleFile } from './paths.js';
import type { LoadedBundle, PolicyLoader, Verification } from './types.js';

/** LocalSource is a policy on local disk. */
export type LocalSource =
  | { readonly kind: 'bundle'; readonly path: string }
  | { readonly kind: 'paths'; readonly paths: readonly string[] };

/** loadNow reads a local source on the event loop (at start, when nothing is waiting yet); a bundle is verified against `verification` when given. */
export function loadNow(source: LocalSource, entrypoint: string, verification?: Verification): Promise<LoadedBundle> {
  return source.kind === 'bundle' ? readBundleFile(source.path, verification) : compilePaths(source.paths, [entrypoint]);
}

/** offThreadLoader reads a local source for a reload, compiling directories on a worker thread; `verification` is read at each reload (the active bundle's signing time changes). */
export function offThreadLoader(source: LocalSource, entrypoint: string, verification?: () => Verification | undefined): PolicyLoader {
  if (source.kind === 'bundle') return () => readBundleFile(source.path, verification?.());
  return () => compileOnWorker(source.paths, [entrypoint]);
}

/** compileOnWorker compiles policy directories on a worker thread of its own. */
function compileOnWorker(paths: readonly string[], entrypoints: readonly string[]): Promise<LoadedBundle> {
  return new Promise<LoadedBundle>((resolve) => {
    const worker = startModuleWorker(import.meta.url, './compile-worker');
    let settled = false;
    const settle = (result: LoadedBundle): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      resolve(result);
    };
    worker.once('message', (result: LoadedBundle) => settle(result));
    worker.once('error', (e) => settle({ ok: false, reasons: [`policy: the compiler failed: ${e.message}`] }));
    worker.once('exit', (code) => settle({ ok: false, reasons: [`policy: the compiler exited (code ${code})`] }));
    worker.postMessage({ paths: [...paths], entrypoints: [...entrypoints] });
  });
}
