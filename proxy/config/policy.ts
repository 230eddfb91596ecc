// Section `policy` of opa.config.yaml: the policy the gateway asks (an OPA bundle, or .rego and
// data directories compiled at start) and the entrypoint it evaluates. Type, defaults, validator.

import { deepFreeze, show } from './section.js';
import type { Section } from './section.js';

/** PolicySource is an OPA bundle (tar.gz) or directories/files of .rego and data files compiled at start. */
export type PolicySource =
  | { readonly kind: 'bundle'; readonly path: string }
  | { readonly kind: 'paths'; readonly paths: readonly string[] };

/** PolicySection is the policy the gateway asks and the entrypoint it evaluates. */
export type PolicySection = { readonly source: PolicySource; readonly entrypoint: string };

/** POLICY_DEFAULTS are the defaults of `policy` (the source has none: it is required). */
export const POLICY_DEFAULTS = deepFreeze({ entrypoint: 'portcullis/decision' });

/** validatePolicy reads the required `policy` section; undefined when it is missing or unusable (errors recorded). */
export function validatePolicy(root: Section): PolicySection | undefined {
  const s = root.section('policy', true);
  if (s === undefined) return undefined;
  s.only(['bundle', 'paths', 'entrypoint']);
  const bundle = s.string('bundle');
  const paths = s.stringList('paths');
  const entrypoint = s.string('entrypoint') ?? POLICY_DEFAULTS.entrypoint;
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)+$/.test(entrypoint)) {
    s.error('entrypoint', `${show(entrypoint)} is not an entrypoint (expected package/rule, e.g. portcullis/decision)`);
    return undefined;
  }
  if ((bundle === undefined) === (paths === undefined)) {
    s.error('', 'set exactly one of bundle (an OPA bundle .tar.gz) or paths (directories of .rego and data files)');
    return undefined;
  }
  const source: PolicySource = bundle !== undefined ? { kind: 'bundle', path: bundle } : { kind: 'paths', paths: paths ?? [] };
  return { source, entrypoint };
}
