// Public surface of proxy/policy: the policy deciding right now and its hot reload (a unit
// instantiated beside the active one and swapped in between decisions), the local sources it is
// read from (directories compiled off the event loop for reloads, bundle files).
// Only re-exports.

export { createActivePolicy } from './active.js';
export type { ActivePolicy, ActivePolicyOptions, ActivationEvent } from './active.js';
export { makeUnit, revisionOf, contentDigest, PolicyUnitError } from './unit.js';
export type { PolicyPrint } from './unit.js';
export { loadNow, offThreadLoader } from './source.js';
export type { LocalSource } from './source.js';
export type {
  BundleSignature,
  Verification,
  LoadedBundle,
  PolicyEntrypoints,
  PolicyLoader,
  PolicyStatus,
  PolicyUnit,
  ReloadOutcome,
  ReloadTrigger,
} from './types.js';
