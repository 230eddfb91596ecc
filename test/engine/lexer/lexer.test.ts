// Lexer tests: token kinds and texts, decoded string values, locations (rows, code-point
// columns, UTF-8 byte offsets), the newline flag, and the rego_parse_errors the lexer reports.

import { describe, expect, it } from 'vitest';
import { lex } from '../../../engine/lexer/index.js';

const lexText = (text: string) => lex({ name: 't.rego', text });
const kinds = (text: string) => lexText(text).value.map((t) => `${t.kind}:${t.text}`);

describe('lex tokens', () => {
  const cases = [
    {
      note: 'keywords vs identifiers',
      text: 'if iff contains in input',
      want: ['keyword:if', 'ident:iff', 'keyword:contains', 'keyword:in', 'ident:input', 'eof:'],
    },
    {
      note: 'greedy two-char operators',
      text: ':= == != <= >= = < >',
      want: ['punct::=', 'punct:==', 'punct:!=', 'punct:<=', 'punct:>=', 'punct:=', 'punct:<', 'punct:>', 'eof:'],
    },
    {
      note: 'numbers keep their text',
      text: '1 2.50 1e400 1.5E-3 007',
      want: ['number:1', 'number:2.50', 'number:1e400', 'number:1.5E-3', 'number:007', 'eof:'],
    },
    { note: 'minus is separate from numbers', text: 'x-1', want: ['ident:x', 'punct:-', 'number:1', 'eof:'] },
    {
      note: 'a dot after a number without digits',
      text: 'a[1].b',
      want: ['ident:a', 'punct:[', 'number:1', 'punct:]', 'punct:.', 'ident:b', 'eof:'],
    },
    { note: 'comments are tokens', text: 'p # note\nq', want: ['ident:p', 'comment:# note', 'ident:q', 'eof:'] },
    { note: 'raw strings span lines', text: '`a\nb` x', want: ['rawString:`a\nb`', 'ident:x', 'eof:'] },
    { note: 'underscore words', text: '_ _x x_1', want: ['ident:_', 'ident:_x', 'ident:x_1', 'eof:'] },
  ];
  it.each(cases)('$note', ({ text, want }) => {
    expect(kinds(text)).toEqual(want);
    expect(lexText(text).diagnostics).toEqual([]);
  });
});

describe('lex string values', () => {
  const cases = [
    { note: 'simple escapes', text: String.raw`"\" \\ \/ \b \f \n \r \t"`, want: '" \\ / \b \f \n \r \t' },
    { note: 'unicode escape', text: String.raw`"\u00e9"`, want: 'é' },
    { note: 'surrogate pair escape', text: String.raw`"\ud83d\ude00"`, want: '😀' },
    { note: 'lone surrogate becomes U+FFFD', text: String.raw`"\ud83d!"`, want: '\ufffd!' },
    { note: 'raw strings keep backslashes', text: '`a\\nb`', want: 'a\\nb' },
    { note: 'literal non-ASCII', text: '"ünï 😀"', want: 'ünï 😀' },
  ];
  it.each(cases)('$note', ({ text, want }) => {
    const r = lexText(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.value[0]?.value).toBe(want);
  });
});

describe('lex locations', () => {
  const cases = [
    { note: 'tab counts as one column', text: '\tx', index: 0, want: { row: 1, col: 2, offset: 1, length: 1 } },
    { note: 'second line', text: 'a\n  bc', index: 1, want: { row: 2, col: 3, offset: 4, length: 2 } },
    { note: 'columns count code points, offsets bytes', text: '"é" x', index: 1, want: { row: 1, col: 5, offset: 5, length: 1 } },
    { note: 'astral characters are one column, four bytes', text: '"😀"x', index: 1, want: { row: 1, col: 4, offset: 6, length: 1 } },
    { note: 'after a multi-line raw string', text: '`a\nbb` x', index: 1, want: { row: 2, col: 5, offset: 7, length: 1 } },
    { note: 'string length covers quotes', text: '"ab"', index: 0, want: { row: 1, col: 1, offset: 0, length: 4 } },
  ];
  it.each(cases)('$note', ({ text, index, want }) => {
    expect(lexText(text).value[index]?.loc).toEqual({ file: 't.rego', ...want });
  });

  it('flags tokens that follow a line break, ignoring comments', () => {
    const toks = lexText('a b # c\n d').value.filter((t) => t.kind !== 'comment');
    expect(toks.map((t) => t.newline)).toEqual([false, false, true, false]);
  });
});

describe('lex errors', () => {
  const cases = [
    { note: 'unterminated string', text: 'x := "abc\ny', row: 1, col: 6, message: 'non-terminated string' },
    { note: 'string cut at eof', text: '"abc', row: 1, col: 1, message: 'non-terminated string' },
    { note: 'unterminated raw string', text: 'x := `abc', row: 1, col: 6, message: 'non-terminated raw string' },
    { note: 'bad escape', text: '"a\\qb"', row: 1, col: 3, message: 'invalid escape sequence in string: \\q' },
    { note: 'short unicode escape', text: '"\\u12"', row: 1, col: 2, message: 'invalid escape sequence in string: \\u' },
    { note: 'illegal character', text: 'p := 1 $', row: 1, col: 8, message: 'illegal token "$"' },
  ];
  it.each(cases)('$note', ({ text, row, col, message }) => {
    const r = lexText(text);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code: 'rego_parse_error', message, location: { row, col } });
    expect(r.value.at(-1)?.kind).toBe('eof');
  });
});
