// Public surface of proxy/impact: which recorded decisions a policy reload changed (the newest
// recorded statements re-decided with the policy just activated). Re-exports only.

export { createReloadImpact, IMPACT_LIMIT_DEFAULT } from './impact.js';
export type { ReloadImpact, ReloadImpactOptions, ReloadImpactWatch } from './types.js';
