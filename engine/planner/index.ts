// Public surface of the planner: CheckedProgram + entrypoints → plan IR (ir.Policy).
export { plan } from './planner.js';
export type { PlanInstrumentation, PlanOptions } from './planner.js';
export type { ExplainSite } from './instrument.js';
