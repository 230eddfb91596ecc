// Public surface of the plan IR.
export type * from './nodes.js';
export { INPUT, DATA } from './nodes.js';
export { printPolicy } from './print.js';
