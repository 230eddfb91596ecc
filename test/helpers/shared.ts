// Where the shared test corpora live: `../shared` beside the repository (never copied in).
// Tests that need them say so and skip when a clone has no `../shared`.

import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** REPO_ROOT is the repository's top folder. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** sharedPath resolves a path under `../shared`. */
export function sharedPath(...parts: string[]): string {
  return resolve(REPO_ROOT, '..', 'shared', ...parts);
}

/** OPA_CORPUS is OPA's conformance corpus. */
export const OPA_CORPUS = sharedPath('conformance', 'opa');

/** hasShared tells whether a shared path exists, logging once why dependent tests skip when it does not. */
export function hasShared(path: string): boolean {
  const ok = existsSync(path);
  if (!ok) console.log(`shared test data not found at ${path}: skipping the tests that read it`);
  return ok;
}
