// Public surface of the parser: Rego v1 source → ast.Module, plus query and term parsing.
export { parse, parseQuery, parseTerm } from './parser.js';
export type { ParseOptions } from './parser.js';
