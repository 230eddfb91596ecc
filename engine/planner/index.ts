// Public surface of the planner: CheckedProgram + entrypoints → plan IR (ir.Policy).
export { plan } from './planner.js';
export type { PlanOptions } from './planner.js';
