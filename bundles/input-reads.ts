// What a bundle says each entrypoint can read of `input` (engine/reads, computed when the bundle is
// built from Rego), carried in the manifest's free-form metadata so a gateway loading the bundle
// can memoise decisions exactly:
//   "metadata": {"portcullis": {"input_reads": {"portcullis/decision": [["identity"], ["statement", "kind"]],
//                                               "other/rule": "calls time.now_ns"}}}
// A list is every path the entrypoint's value can depend on; a string says why none can be given.
// A bundle built elsewhere (OPA) has no such entry: the gateway then evaluates every time.

import type { InputReads } from '../engine/index.js';
import type { Manifest } from './manifest.js';

/** InputReadPaths are an entrypoint's input paths (member names, array indexes as numbers). */
export type InputReadPaths = readonly (readonly (string | number)[])[];

/** ManifestInputReads is what a manifest says of one entrypoint: its paths, or why there are none. */
export type ManifestInputReads =
  | { readonly kind: 'paths'; readonly paths: InputReadPaths }
  | { readonly kind: 'none'; readonly reason: string };

/** inputReadsMetadata is the manifest metadata recording each entrypoint's reads. */
export function inputReadsMetadata(reads: Readonly<Record<string, InputReads>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [entrypoint, r] of Object.entries(reads)) out[entrypoint] = r.kind === 'paths' ? r.paths.map((p) => [...p]) : r.reason;
  return { portcullis: { input_reads: out } };
}

/** manifestInputReads reads what a manifest records for `entrypoint`; anything malformed counts as nothing said. */
export function manifestInputReads(manifest: Manifest, entrypoint: string): ManifestInputReads {
  const portcullis = manifest.metadata?.['portcullis'];
  const all = isRecord(portcullis) ? portcullis['input_reads'] : undefined;
  const entry = isRecord(all) && Object.hasOwn(all, entrypoint) ? all[entrypoint] : undefined;
  if (entry === undefined) return { kind: 'none', reason: 'the bundle does not record which input paths it reads' };
  if (typeof entry === 'string') return { kind: 'none', reason: entry };
  if (!Array.isArray(entry) || !entry.every((p) => Array.isArray(p) && p.every((e) => typeof e === 'string' || Number.isSafeInteger(e)))) {
    return { kind: 'none', reason: 'the bundle records its input paths in an unknown form' };
  }
  return { kind: 'paths', paths: entry as InputReadPaths };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
