// Public surface of the check stage.
export type { CheckedProgram, CheckedRule, RuleKind } from './types.js';
export { check } from './check.js';
export type { CheckOptions } from './check.js';
