// Loading the policy a gateway runs: an OPA bundle tarball (ours or `opa build -t wasm`), or
// directories of .rego and data files compiled at start. In: a source description and, when
// verification keys are configured, the trusted keys. Out: a Bundle (Wasm + data + manifest) with
// who signed it and when, or the compile diagnostics that stopped it.

import { readFileSync } from 'node:fs';
import { buildBundle } from './build.js';
import type { BuildBundleResult } from './build.js';
import { BundlePathNotFound, BundleSignatureMissing, BundleSignatureUnverified } from './errors.js';
import { sourceRegoVersion } from './manifest.js';
import { SIGNATURES_PATH, verifyBundle } from './signing/index.js';
import type { BundleVerification, VerifyBundleOptions } from './signing/index.js';
import { collectSources, loadDataFiles } from './sources.js';
import { bundleFromEntries, readTarGz } from './tarball.js';
import type { TarEntry } from './tarball.js';

/** PolicySourceSpec says where a policy comes from. */
export type PolicySourceSpec =
  | { readonly kind: 'bundle'; readonly path: string }
  | { readonly kind: 'paths'; readonly paths: readonly string[]; readonly entrypoints?: readonly string[] };

/**
 * LoadBundleOptions: `verification` makes a signature by one of its keys mandatory (fail closed);
 * without keys, `unverifiedSignature: 'refuse'` refuses a signed bundle instead of loading it
 * unverified (what a gateway does, as OPA does; dev commands read signed bundles as they are).
 */
export type LoadBundleOptions = { readonly verification?: VerifyBundleOptions; readonly unverifiedSignature?: 'refuse' | 'ignore' };

/** LoadBundleResult is BuildBundleResult plus, for a verified bundle, who signed it and when. */
export type LoadBundleResult = BuildBundleResult & { readonly verification?: BundleVerification };

/**
 * checkSignature verifies an unpacked archive's signature before anything in it is parsed or
 * trusted: against the keys when there are any; without keys, a signed archive is refused when
 * `unverifiedSignature` is 'refuse' (a signature nobody can check proves nothing, and a bogus one
 * must not pass silently). Undefined when nothing was verified.
 */
export async function checkSignature(entries: readonly TarEntry[], opts: LoadBundleOptions): Promise<BundleVerification | undefined> {
  if (opts.verification !== undefined && opts.verification.keys.length > 0) return verifyBundle(entries, opts.verification);
  if (opts.unverifiedSignature === 'refuse' && entries.some((e) => e.name === SIGNATURES_PATH)) {
    throw new BundleSignatureUnverified(
      `bundle is signed (${SIGNATURES_PATH}) but no verification keys are configured (policy.signing.keys): configure the signing key, or publish the bundle unsigned`,
    );
  }
  return undefined;
}

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
    const signed = await checkSignature(entries, opts);
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
