// From a bundle to a PolicyUnit: the Wasm is compiled and instantiated (asynchronously: V8
// compiles it off the event loop) and given its data, and the statement entrypoint must be there.
// Nothing here touches the active policy; a unit that fails to come up leaves it as it was.

import { createHash } from 'node:crypto';
import type { Bundle } from '../../bundles/index.js';
import type { BundleSignature, PolicyEntrypoints, PolicyUnit, UnitMemo } from './types.js';

/** PolicyPrint receives each print() line of the policy. */
export type PolicyPrint = (line: string) => void;

/** PolicyUnitError says why a bundle cannot become the active policy (its message is the reason). */
export class PolicyUnitError extends Error {
  override readonly name = 'PolicyUnitError';
}

/** revisionOf names a bundle: its manifest's revision, else a digest of what it decides with (its Wasm and its data). */
export function revisionOf(bundle: Bundle): string {
  const given = bundle.manifest.revision;
  if (typeof given === 'string' && given !== '') return given;
  return `sha256:${contentDigest(bundle).slice(0, 16)}`;
}

/** contentDigest identifies what a bundle decides with: its Wasm and its data. */
export function contentDigest(bundle: Bundle): string {
  return createHash('sha256').update(bundle.wasm).update('\n').update(JSON.stringify(bundle.data)).digest('hex');
}

/** makeUnit instantiates a bundle as a policy ready to decide; PolicyUnitError when it cannot be one. */
export async function makeUnit(
  bundle: Bundle,
  origin: string,
  entrypoints: PolicyEntrypoints,
  onPrint: PolicyPrint,
  signature?: BundleSignature,
): Promise<PolicyUnit> {
  const declared = bundle.manifest.wasm?.map((w) => w.entrypoint) ?? [];
  if (!declared.includes(entrypoints.statement)) {
    throw new PolicyUnitError(`policy: the bundle has no entrypoint ${entrypoints.statement} (it has: ${declared.join(', ') || 'none'})`);
  }
  const [{ loadPolicy }, { manifestInputReads }, { createDecisionMemo }] = await Promise.all([
    import('../../engine/index.js'),
    import('../../bundles/index.js'),
    import('../decision/index.js'),
  ]);
  let policy: Awaited<ReturnType<typeof loadPolicy>>;
  try {
    policy = await loadPolicy(bundle.wasm, { onPrint });
    policy.setData(bundle.data);
  } catch (e) {
    throw new PolicyUnitError(`policy: the bundle's Wasm cannot be loaded: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (!Object.hasOwn(policy.entrypoints, entrypoints.statement)) {
    throw new PolicyUnitError(`policy: the bundle's Wasm has no entrypoint ${entrypoints.statement}`);
  }
  // decisions are memoised when the bundle says what the statement entrypoint can read (engine/reads)
  const reads = manifestInputReads(bundle.manifest, entrypoints.statement);
  const memo: UnitMemo =
    reads.kind === 'paths'
      ? { kind: 'on', memo: createDecisionMemo(policy, reads.paths), paths: reads.paths }
      : { kind: 'off', reason: reads.reason };
  return {
    revision: revisionOf(bundle),
    policy,
    memo,
    origin,
    has: (entrypoint) => Object.hasOwn(policy.entrypoints, entrypoint),
    ...(signature !== undefined ? { signature } : {}),
  };
}
