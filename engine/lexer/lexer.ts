// Lexer: SourceFile → Token[] (ending in one `eof` token) plus rego_parse_error diagnostics.
// Comments are kept as tokens (the parser reads `# METADATA` blocks from them). Rows and columns
// are 1-based and count code points (a tab is one column); offsets and lengths are UTF-8 bytes.

import { error, location } from '../diagnostics/index.js';
import type { Diagnostic, Location, SourceFile, StageResult } from '../diagnostics/index.js';
import { KEYWORDS, PUNCTUATION } from './token.js';
import type { Token, TokenKind } from './token.js';

type Cursor = { i: number; row: number; col: number; byte: number };

/** lex splits a Rego source into tokens; it never throws and always ends with an `eof` token. */
export function lex(file: SourceFile): StageResult<Token[]> {
  const text = file.text;
  const tokens: Token[] = [];
  const diagnostics: Diagnostic[] = [];
  const c: Cursor = { i: 0, row: 1, col: 1, byte: 0 };
  let newline = false;

  const locFrom = (start: Cursor): Location => location(file.name, start.row, start.col, start.byte, c.byte - start.byte);
  const push = (kind: TokenKind, start: Cursor, value?: string): void => {
    const tok: Token = { kind, text: text.slice(start.i, c.i), newline, loc: locFrom(start) };
    tokens.push(value === undefined ? tok : { ...tok, value });
    if (kind !== 'comment') newline = false;
  };
  const fail = (message: string, start: Cursor): void => {
    diagnostics.push(error('rego_parse_error', message, locFrom(start)));
  };

  while (c.i < text.length) {
    const ch = text[c.i] as string;
    if (ch === '\n') {
      newline = true;
      advance(text, c);
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      advance(text, c);
      continue;
    }
    const start: Cursor = { ...c };
    if (ch === '#') {
      while (c.i < text.length && text[c.i] !== '\n') advance(text, c);
      push('comment', start);
      continue;
    }
    if (isLetter(ch)) {
      while (c.i < text.length && (isLetter(text[c.i] as string) || isDigit(text[c.i] as string))) advance(text, c);
      push(KEYWORDS.has(text.slice(start.i, c.i)) ? 'keyword' : 'ident', start);
      continue;
    }
    if (isDigit(ch)) {
      lexNumber(text, c);
      push('number', start);
      continue;
    }
    if (ch === '"') {
      const value = lexString(text, c, (m, at) => fail(m, at ?? start));
      push('string', start, value);
      continue;
    }
    if (ch === '`') {
      advance(text, c);
      while (c.i < text.length && text[c.i] !== '`') advance(text, c);
      if (c.i >= text.length) {
        fail('non-terminated raw string', start);
        push('rawString', start, text.slice(start.i + 1, c.i));
      } else {
        advance(text, c);
        push('rawString', start, text.slice(start.i + 1, c.i - 1));
      }
      continue;
    }
    const punct = PUNCTUATION.find((p) => text.startsWith(p, c.i));
    if (punct !== undefined) {
      for (let k = 0; k < punct.length; k++) advance(text, c);
      push('punct', start);
      continue;
    }
    advance(text, c);
    const shown = text.slice(start.i, c.i);
    fail(`illegal token ${JSON.stringify(shown)}`, start);
  }
  const end: Cursor = { ...c };
  push('eof', end);
  return { value: tokens, diagnostics };
}

/** advance moves past one code point, tracking row, column and UTF-8 byte offset. */
function advance(text: string, c: Cursor): void {
  const code = text.codePointAt(c.i) ?? 0;
  const units = code > 0xffff ? 2 : 1;
  c.byte += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  c.i += units;
  if (code === 0x0a) {
    c.row++;
    c.col = 1;
  } else {
    c.col++;
  }
}

function isLetter(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

// number: digit+ ('.' digit+)? ([eE] [+-]? digit+)?
function lexNumber(text: string, c: Cursor): void {
  while (c.i < text.length && isDigit(text[c.i] as string)) advance(text, c);
  if (text[c.i] === '.' && isDigit(text[c.i + 1] ?? '')) {
    advance(text, c);
    while (c.i < text.length && isDigit(text[c.i] as string)) advance(text, c);
  }
  if (text[c.i] === 'e' || text[c.i] === 'E') {
    const sign = text[c.i + 1] === '+' || text[c.i + 1] === '-' ? 1 : 0;
    if (isDigit(text[c.i + 1 + sign] ?? '')) {
      for (let k = 0; k <= sign; k++) advance(text, c);
      while (c.i < text.length && isDigit(text[c.i] as string)) advance(text, c);
    }
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

// string: '"' (char | '\' escape)* '"' on one line; returns the decoded value.
function lexString(text: string, c: Cursor, fail: (message: string, at?: Cursor) => void): string {
  const start: Cursor = { ...c };
  advance(text, c);
  const units: number[] = [];
  for (;;) {
    if (c.i >= text.length || text[c.i] === '\n') {
      fail('non-terminated string', start);
      break;
    }
    const ch = text[c.i] as string;
    if (ch === '"') {
      advance(text, c);
      break;
    }
    if (ch !== '\\') {
      const code = text.codePointAt(c.i) ?? 0;
      units.push(text.charCodeAt(c.i));
      if (code > 0xffff) units.push(text.charCodeAt(c.i + 1));
      advance(text, c);
      continue;
    }
    const escStart: Cursor = { ...c };
    advance(text, c);
    const e = text[c.i] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      units.push(simple.charCodeAt(0));
      advance(text, c);
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(c.i + 1, c.i + 5))) {
      units.push(parseInt(text.slice(c.i + 1, c.i + 5), 16));
      for (let k = 0; k < 5; k++) advance(text, c);
    } else {
      fail(`invalid escape sequence in string: \\${e === '\n' ? '' : e}`, escStart);
      if (e !== '\n' && c.i < text.length) advance(text, c);
    }
  }
  return decodeUnits(units);
}

/** decodeUnits builds a string from UTF-16 units, replacing lone surrogates with U+FFFD as JSON decoders do. */
function decodeUnits(units: readonly number[]): string {
  let out = '';
  for (let k = 0; k < units.length; k++) {
    const u = units[k] as number;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = units[k + 1];
      if (next !== undefined && next >= 0xdc00 && next <= 0xdfff) {
        out += String.fromCharCode(u, next);
        k++;
      } else {
        out += '\ufffd';
      }
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      out += '\ufffd';
    } else {
      out += String.fromCharCode(u);
    }
  }
  return out;
}
