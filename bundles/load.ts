// Loading the policy a gateway runs: an OPA bundle tarball (ours or `opa build -t wasm`), or
// directories of .rego and data files compiled at start. In: a source description. Out: a Bundle
// (Wasm + data + manifest) or the compile diagnostics that stopped it.

import { readFileSync } from 'node:fs';
import { buildBundle } from './build.js';
import type { BuildBundleResult } from './build.js';
import { BundlePathNotFound } from './errors.js';
import { sourceRegoVersion } from './manifest.js';
import { collectSources, loadDataFiles } from './sources.js';
import { readBundleTarball } from './tarball.js';

/** PolicySourceSpec says where a policy comes from. */
export type PolicySourceSpec =
  | { readonly kind: 'bundle'; readonly path: string }
  | { readonly kind: 'paths'; readonly paths: readonly string[]; readonly entrypoints?: readonly string[] };

/** loadBundle reads a bundle tarball or compiles policy directories; bundle-level mistakes raise BundleError. */
export async function loadBundle(source: PolicySourceSpec): Promise<BuildBundleResult> {
  if (source.kind === 'bundle') {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(source.path);
    } catch (e) {
      throw new BundlePathNotFound(`cannot read bundle ${source.path}: ${(e as Error).message}`, { cause: e });
    }
    return { ok: true, bundle: await readBundleTarball(bytes), diagnostics: [] };
  }
  const files = collectSources(source.paths);
  const data = loadDataFiles(source.paths);
  const regoVersion = sourceRegoVersion(source.paths);
  return buildBundle({
    files,
    data,
    ...(source.entrypoints ? { entrypoints: source.entrypoints } : {}),
    ...(regoVersion ? { regoVersion } : {}),
  });
}
