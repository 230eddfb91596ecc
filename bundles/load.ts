// Loading the policy a gateway runs: an OPA bundle tarball (ours or `opa build -t wasm`), or
// directories of .rego and data files compiled at start. In: a source description and, when
// verification keys are configured, the trusted keys. Out: a Bundle (Wasm + data + manifest) with
// who signed it and when, or the compile diagnostics that stopped it.

import { readFileSync } from 'node:fs';
import { buildBundle } from './build.js';
import type { BuildBundleResult } from './build.js';
import { BundlePathNotFound, BundleSignatureMissing } from './errors.js';
import { sourceRegoVersion } from './manifest.js';
import { verifyBundle } from './signing/index.js';
import type { BundleVerification, VerifyBundleOptions } from './signing/index.js';
import { collectSources, loadDataFiles } from './sources.js';
import { bundleFromEntries, readTarGz } from './tarball.js';

/** PolicySourceSpec says where a policy comes from. */
export type PolicySourceSpec =
  | { readonly kind: 'bundle'; readonly path: string }
  | { readonly kind: 'paths'; readonly paths: readonly string[]; readonly entrypoints?: readonly string[] };

/** LoadBundleOptions: `verification` makes a signature by one of its keys mandatory (fail closed). */
export type LoadBundleOptions = { readonly verification?: VerifyBundleOptions };

/** LoadBundleResult is BuildBundleResult plus, for a verified bundle, who signed it and when. */
export type LoadBundleResult = BuildBundleResult & { readonly verification?: BundleVerification };

/** loadBundle reads a bundle tarball or compiles policy directories; bundle-level mistakes raise BundleError. */
export async function loadBundle(source: PolicySourceSpec, opts: LoadBundleOptions = {}): Promise<LoadBundleResult> {
  const verification = opts.verification !== undefined && opts.verification.keys.length > 0 ? opts.verification : undefined;
  if (source.kind === 'bundle') {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(source.path);
    } catch (e) {
      throw new BundlePathNotFound(`cannot read bundle ${source.path}: ${(e as Error).message}`, { cause: e });
    }
    const entries = await readTarGz(bytes);
    // the signature is checked before anything in the archive is parsed or trusted
    const signed = verification ? await verifyBundle(entries, verification) : undefined;
    return { ok: true, bundle: bundleFromEntries(entries), diagnostics: [], ...(signed ? { verification: signed } : {}) };
  }
  if (verification) {
    // sources compiled at start carry no signature: with keys configured they must not load
    throw new BundleSignatureMissing(
      `policy sources (${source.paths.join(', ')}) cannot be signed; with verification keys configured, load a signed bundle`,
    );
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
