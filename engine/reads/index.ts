// Public surface of the input-reads analysis: which input paths an entrypoint can depend on.
export { inputReads, createReadsAnalysis, minimalPaths } from './reads.js';
export type { InputReads, InputReadsOptions, ReadsAnalysis } from './reads.js';
