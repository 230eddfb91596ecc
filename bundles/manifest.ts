// The bundle `.manifest`: its type, construction, validation (unknown JSON in → Manifest out, or
// BundleManifestInvalid) and canonical serialisation. Mirrors OPA's manifest for Wasm bundles:
// `{"revision":"","roots":[""],"wasm":[{"entrypoint":"pkg/rule","module":"/policy.wasm"}],"rego_version":1}`.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BundleManifestInvalid } from './errors.js';

/** WasmResolver maps one entrypoint (`pkg/rule`) to the module path that implements it. */
export type WasmResolver = { readonly entrypoint: string; readonly module: string };

/** Manifest is the parsed `/.manifest` of a bundle. */
export type Manifest = {
  readonly revision: string;
  readonly roots: readonly string[];
  readonly wasm: readonly WasmResolver[];
  readonly rego_version: 0 | 1;
  readonly metadata?: Readonly<Record<string, unknown>>;
};

/** POLICY_WASM_PATH is where the single compiled module lives inside a bundle (OPA's name). */
export const POLICY_WASM_PATH = '/policy.wasm';

/** createManifest builds the manifest of a bundle whose entrypoints all live in `/policy.wasm`. */
export function createManifest(
  entrypoints: readonly string[],
  opts: { revision?: string; roots?: readonly string[]; metadata?: Record<string, unknown>; regoVersion?: 0 | 1 } = {},
): Manifest {
  const base: Manifest = {
    revision: opts.revision ?? '',
    roots: opts.roots ?? [''],
    wasm: entrypoints.map((entrypoint) => ({ entrypoint, module: POLICY_WASM_PATH })),
    rego_version: opts.regoVersion ?? 1,
  };
  return opts.metadata ? { ...base, metadata: opts.metadata } : base;
}

/**
 * sourceRegoVersion is the Rego version a set of source paths asks for through a `.manifest` at
 * the top of a directory (`"rego_version": 0` → 'v0', as OPA builds such a bundle); undefined
 * when no path carries a manifest. Throws BundleManifestInvalid for a malformed manifest.
 */
export function sourceRegoVersion(paths: readonly string[]): 'v0' | 'v1' | undefined {
  let version: 'v0' | 'v1' | undefined;
  for (const p of paths) {
    const file = join(p, '.manifest');
    if (!existsSync(p) || !statSync(p).isDirectory() || !existsSync(file)) continue;
    const m = parseManifest(readFileSync(file, 'utf8'));
    if (m.rego_version === 0) return 'v0';
    version = 'v1';
  }
  return version;
}

/** serializeManifest renders a manifest as JSON with a fixed key order (byte-stable). */
export function serializeManifest(m: Manifest): string {
  const out: Record<string, unknown> = {
    revision: m.revision,
    roots: m.roots,
    wasm: m.wasm.map((w) => ({ entrypoint: w.entrypoint, module: w.module })),
    rego_version: m.rego_version,
  };
  if (m.metadata) out['metadata'] = m.metadata;
  return JSON.stringify(out);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** parseManifest parses and validates `.manifest` text; throws BundleManifestInvalid. */
export function parseManifest(text: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new BundleManifestInvalid(`.manifest is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return validateManifest(value);
}

/** validateManifest checks the shape of a decoded manifest (missing fields get OPA's defaults). */
export function validateManifest(value: unknown): Manifest {
  if (!isRecord(value)) throw new BundleManifestInvalid('.manifest must be a JSON object');
  const revision = value['revision'] ?? '';
  if (typeof revision !== 'string') throw new BundleManifestInvalid('.manifest: revision must be a string');
  const roots = value['roots'] ?? [''];
  if (!Array.isArray(roots) || !roots.every((r) => typeof r === 'string')) {
    throw new BundleManifestInvalid('.manifest: roots must be an array of strings');
  }
  const wasmRaw = value['wasm'] ?? [];
  if (!Array.isArray(wasmRaw)) throw new BundleManifestInvalid('.manifest: wasm must be an array');
  const wasm: WasmResolver[] = wasmRaw.map((w, i) => {
    if (!isRecord(w) || typeof w['entrypoint'] !== 'string' || typeof w['module'] !== 'string') {
      throw new BundleManifestInvalid(`.manifest: wasm[${i}] must be {"entrypoint": string, "module": string}`);
    }
    return { entrypoint: w['entrypoint'], module: w['module'] };
  });
  const regoVersion: unknown = value['rego_version'] ?? 1;
  if (regoVersion !== 0 && regoVersion !== 1) throw new BundleManifestInvalid('.manifest: rego_version must be 0 or 1');
  const metadata = value['metadata'];
  if (metadata !== undefined && !isRecord(metadata)) throw new BundleManifestInvalid('.manifest: metadata must be an object');
  const base: Manifest = { revision, roots: roots as string[], wasm, rego_version: regoVersion };
  return metadata ? { ...base, metadata } : base;
}
