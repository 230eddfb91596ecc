// Compiling policy directories (config `policy.paths`) into a bundle, with compile errors as
// reasons (one line each, as the CLI prints them) and bundle-level mistakes (a missing path, bad
// data) as their message. Used at start on the event loop and, for reloads, on a worker thread.

import type { LoadedBundle, Verification } from './types.js';

/** compilePaths compiles .rego and data files under the paths. */
export async function compilePaths(paths: readonly string[], entrypoints: readonly string[]): Promise<LoadedBundle> {
  const [{ loadBundle, isBundleError }, { formatDiagnostic }] = await Promise.all([
    import('../../bundles/index.js'),
    import('../../engine/index.js'),
  ]);
  try {
    const built = await loadBundle({ kind: 'paths', paths, entrypoints });
    if (!built.ok) return { ok: false, reasons: built.diagnostics.map(formatDiagnostic) };
    return { ok: true, bundle: built.bundle, origin: paths.join(', ') };
  } catch (e) {
    if (isBundleError(e)) return { ok: false, reasons: [e.message] };
    throw e;
  }
}

/** readBundleFile reads a bundle tarball, verifying its signature first when keys are given (a signed bundle without keys is refused). */
export async function readBundleFile(path: string, verification?: Verification): Promise<LoadedBundle> {
  const { loadBundle, isBundleError } = await import('../../bundles/index.js');
  try {
    const built = await loadBundle(
      { kind: 'bundle', path },
      { ...(verification !== undefined && verification.keys.length > 0 ? { verification } : {}), unverifiedSignature: 'refuse' },
    );
    if (!built.ok) return { ok: false, reasons: [`policy: ${path} is not a bundle`] };
    const v = built.verification;
    return {
      ok: true,
      bundle: built.bundle,
      origin: path,
      ...(v !== undefined ? { signature: { keyId: v.keyId, signedAt: v.signedAt } } : {}),
    };
  } catch (e) {
    if (isBundleError(e)) return { ok: false, reasons: [e.message] };
    throw e;
  }
}
