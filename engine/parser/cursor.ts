// Cursor: the parser's mutable state over the lexer's non-comment tokens: position, diagnostics,
// wildcard counter, nesting depth and whether newlines end expressions here. Parse functions in
// terms.ts, body.ts and rules.ts take it as their first argument; errors unwind as ParseFailure.

import { describeToken } from '../lexer/index.js';
import type { Token } from '../lexer/index.js';
import { error } from '../diagnostics/index.js';
import type { Diagnostic, Location } from '../diagnostics/index.js';

/** MAX_DEPTH bounds term/body nesting so hostile input cannot overflow the stack. */
export const MAX_DEPTH = 400;

/** ParseFailure unwinds the parser to the nearest recovery point; it never leaves the parser. */
export class ParseFailure extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    super(diagnostic.message);
    this.name = 'ParseFailure';
    this.diagnostic = diagnostic;
  }
}

/** Cursor walks a token list (ending in `eof`) and records diagnostics. */
export class Cursor {
  readonly file: string;
  readonly tokens: readonly Token[];
  readonly diagnostics: Diagnostic[] = [];
  pos = 0;
  /** wildcards numbers `_` occurrences: `$_0`, `$_1`, … */
  wildcards = 0;
  depth = 0;
  /** notBody enables `not { … }` (set by `import rego.v2`). */
  notBody = false;
  /** v0 selects Rego v0 rule syntax (bodies without `if`, `p[x] { … }` partial sets). */
  v0 = false;
  private readonly newlineStack: boolean[] = [true];

  constructor(file: string, tokens: readonly Token[]) {
    this.file = file;
    this.tokens = tokens;
  }

  /** tok is the current token. */
  get tok(): Token {
    return this.tokens[this.pos] as Token;
  }

  /** last is the most recently consumed token (the first token before anything is consumed). */
  get last(): Token {
    return this.tokens[Math.max(0, this.pos - 1)] as Token;
  }

  /** peek looks k tokens ahead. */
  peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)] as Token;
  }

  /** next consumes and returns the current token (eof is never consumed past). */
  next(): Token {
    const t = this.tok;
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  /** is tells whether the current token is the punctuation or keyword `text`. */
  is(text: string): boolean {
    const t = this.tok;
    return (t.kind === 'punct' || t.kind === 'keyword') && t.text === text;
  }

  /** accept consumes the token `text` if it is current. */
  accept(text: string): Token | undefined {
    return this.is(text) ? this.next() : undefined;
  }

  /** expect consumes the token `text` or fails with `unexpected X token: expected text`. */
  expect(text: string): Token {
    if (!this.is(text)) this.unexpected(text);
    return this.next();
  }

  /** continues tells whether the current token may continue the expression (no significant newline before it). */
  continues(): boolean {
    return !this.tok.newline || !(this.newlineStack[this.newlineStack.length - 1] ?? true);
  }

  /** withNewlines runs fn with newlines significant (bodies) or not (inside brackets). */
  withNewlines<T>(significant: boolean, fn: () => T): T {
    this.newlineStack.push(significant);
    try {
      return fn();
    } finally {
      this.newlineStack.pop();
    }
  }

  /** nested runs fn one nesting level deeper, failing beyond MAX_DEPTH. */
  nested<T>(fn: () => T): T {
    if (this.depth >= MAX_DEPTH) this.fail('maximum nesting depth exceeded');
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  /** wildcard returns the next generated wildcard name. */
  wildcard(): string {
    return `$_${this.wildcards++}`;
  }

  /** span covers from `start` through the end of `end` (default: the last consumed token). */
  span(start: Location, end: Location = this.last.loc): Location {
    const stop = Math.max(end.offset + end.length, start.offset + start.length);
    return { file: start.file, row: start.row, col: start.col, offset: start.offset, length: stop - start.offset };
  }

  /** fail aborts the current construct with a rego_parse_error at `at` (default: current token). */
  fail(message: string, at: Location = this.tok.loc): never {
    throw new ParseFailure(error('rego_parse_error', message, at));
  }

  /** unexpected fails with `unexpected <token>[: expected <what>]` at the current token. */
  unexpected(expected?: string): never {
    const t = this.tok;
    const what = describeToken(t);
    return this.fail(expected === undefined ? `unexpected ${what}` : `unexpected ${what}: expected ${expected}`);
  }

  /** report records a diagnostic without unwinding. */
  report(d: Diagnostic): void {
    this.diagnostics.push(d);
  }
}
