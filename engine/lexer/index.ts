// Public surface of the lexer: SourceFile → Token[] with diagnostics.
export { lex } from './lexer.js';
export { KEYWORDS, PUNCTUATION, describeToken } from './token.js';
export type { Token, TokenKind } from './token.js';
