// Build a Bundle value from Rego sources, a data document and entrypoints: the engine compiles
// the non-test sources to one Wasm module; the manifest maps every entrypoint to `/policy.wasm`.
// Pure apart from the engine: Rego mistakes come back as Diagnostics, bundle mistakes as BundleErrors.

import { compile, hasErrors } from '../engine/index.js';
import type { CompileResult, Diagnostic, SourceFile } from '../engine/index.js';

type Module = NonNullable<CompileResult['modules']>[number];
import { isDataObject } from './data-files.js';
import type { DataObject } from './data-files.js';
import { BundleDataInvalid, BundleEntrypointUndefined, BundleNoEntrypoints } from './errors.js';
import { inputReadsMetadata } from './input-reads.js';
import { createManifest } from './manifest.js';
import { isTestFile } from './sources.js';
import type { Bundle, BundleModule } from './tarball.js';

/** BundleSource is a Rego file to build: `name` for diagnostics, optional `path` inside the bundle (default `/` + name). */
export type BundleSource = SourceFile & { readonly path?: string };

/** BuildBundleOptions is the input of buildBundle. */
export type BuildBundleOptions = {
  readonly files: readonly BundleSource[];
  /** The base document shipped as `/data.json` (default `{}`). */
  readonly data?: DataObject;
  /** Entrypoints (`pkg/rule`, `pkg.rule` or `data.pkg.rule`), merged with `# METADATA entrypoint: true` rules. */
  readonly entrypoints?: readonly string[];
  readonly revision?: string;
  readonly roots?: readonly string[];
  /** Rego syntax of the sources (default v1); v0 is recorded as the manifest's `rego_version: 0`. */
  readonly regoVersion?: 'v0' | 'v1';
};

/** BuildBundleResult is a bundle (plus any warnings), or the diagnostics that stopped compilation. */
export type BuildBundleResult =
  | { readonly ok: true; readonly bundle: Bundle; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** buildBundle compiles sources into a Bundle; throws BundleNoEntrypoints / BundleDataInvalid for bundle-level mistakes. */
export function buildBundle(opts: BuildBundleOptions): BuildBundleResult {
  const data = opts.data ?? {};
  if (!isDataObject(data)) throw new BundleDataInvalid('bundle data must be an object');
  const files = opts.files.filter((f) => !isTestFile(f.name));
  const regoVersion = opts.regoVersion ?? 'v1';
  const result = compile({ files: files.map((f) => ({ name: f.name, text: f.text })), entrypoints: opts.entrypoints ?? [], regoVersion });
  if (hasErrors(result.diagnostics)) return { ok: false, diagnostics: result.diagnostics };
  if (result.entrypoints.length === 0) throw new BundleNoEntrypoints();
  const undefinedOnes = result.entrypoints.filter((e) => !namesARule(e, result.modules ?? []));
  if (undefinedOnes.length > 0) {
    throw new BundleEntrypointUndefined(
      `entrypoint ${undefinedOnes.map((e) => JSON.stringify(e)).join(', ')} does not refer to a rule or package of the sources`,
    );
  }
  if (!result.wasm) throw new Error('engine returned neither wasm nor error diagnostics');
  const modules: BundleModule[] = files.map((f) => ({ path: f.path ?? `/${f.name.replace(/^(\.\/|\/)+/, '')}`, text: f.text }));
  const manifest = createManifest(result.entrypoints, {
    revision: opts.revision ?? '',
    roots: opts.roots ?? [''],
    regoVersion: regoVersion === 'v0' ? 0 : 1,
    // what each entrypoint can read of the input, so a gateway can memoise its decisions exactly
    ...(result.inputReads !== undefined ? { metadata: inputReadsMetadata(result.inputReads) } : {}),
  });
  return { ok: true, bundle: { manifest, wasm: result.wasm, data, modules }, diagnostics: result.diagnostics };
}

/**
 * namesARule tells whether an entrypoint (`pkg/rule` form) refers to a rule of the sources, a
 * package (or a path above packages or rules: their document), or a path into a rule's value.
 */
function namesARule(entrypoint: string, modules: readonly Module[]): boolean {
  const want = entrypoint.split('/').filter((p) => p !== '');
  const startsWith = (longer: readonly string[], prefix: readonly string[]): boolean => prefix.every((p, i) => longer[i] === p);
  for (const m of modules) {
    const pkg = m.package.path.filter((p, i) => !(i === 0 && p === 'data'));
    if (startsWith(pkg, want)) return true;
    for (const rule of m.rules) {
      const names: string[] = [];
      for (const t of rule.head.ref) {
        if (t.kind === 'var' && names.length === 0) names.push(t.name);
        else if (t.kind === 'string') names.push(t.value);
        else break;
      }
      const path = [...pkg, ...names];
      if (startsWith(path, want) || startsWith(want, path)) return true;
    }
  }
  return false;
}
