// Public surface of proxy/recording: what a gateway records about every session and statement,
// hash-chained per journal. Re-exports only.

export { canonicalJson, chain, recordHash } from './chain.js';
export type * from './types.js';
