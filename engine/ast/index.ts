// Public surface of the AST: node types, the printer used by golden tests, and tree walkers.
export type * from './nodes.js';
export { OPERATORS } from './nodes.js';
export { printModule, printTerm, printBody } from './print.js';
export * from './walk.js';
