// Token: what the lexer hands the parser. One flat shape with a `kind` discriminant; the parser
// reads `text` for punctuation and keywords and `value` for decoded strings. `newline` tells
// whether a line break separates this token from the previous non-comment token.

import { assertNever } from '../diagnostics/index.js';
import type { Location } from '../diagnostics/index.js';

/** TokenKind is the lexical category of a token. */
export type TokenKind = 'ident' | 'keyword' | 'number' | 'string' | 'rawString' | 'punct' | 'comment' | 'eof';

/** Token is one lexeme with its source text, decoded value (strings) and location. */
export type Token = {
  readonly kind: TokenKind;
  /** The exact source text (for comments: including the leading `#`). */
  readonly text: string;
  /** The decoded value of string and raw string tokens. */
  readonly value?: string;
  /** True when a line break lies between this token and the previous non-comment token. */
  readonly newline: boolean;
  readonly loc: Location;
};

/** KEYWORDS are the Rego v1 words that cannot be used as names. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'if',
  'contains',
  'in',
  'every',
  'some',
  'not',
  'with',
  'as',
  'default',
  'else',
  'import',
  'package',
  'true',
  'false',
  'null',
]);

/** PUNCTUATION lists the operator and delimiter tokens, longest first so the lexer matches greedily. */
export const PUNCTUATION: readonly string[] = [
  ':=',
  '==',
  '!=',
  '<=',
  '>=',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '.',
  ',',
  ';',
  ':',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
];

/** describeToken renders a token for error messages the way OPA does (`}`, `identifier`, `eof`). */
export function describeToken(t: Token): string {
  switch (t.kind) {
    case 'ident':
      return 'identifier token';
    case 'keyword':
      return `${t.text} keyword`;
    case 'number':
      return 'number token';
    case 'string':
    case 'rawString':
      return 'string token';
    case 'punct':
      return `${t.text} token`;
    case 'comment':
      return 'comment';
    case 'eof':
      return 'eof token';
    default:
      return assertNever(t.kind);
  }
}
