// The console's SQL highlighter (proxy/console/assets/sql.js) is plain JavaScript for the browser;
// its tokenize() is pure, so it runs here without one. It must give back the text it was given
// (joined tokens equal the input) and classify what the console colours.

import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/shared.js';

type Token = { kind: string; text: string };
// a path the compiler does not resolve: the module is browser JavaScript without type declarations
const SQL_JS = `${REPO_ROOT}/proxy/console/assets/sql.js`;
const { tokenize } = (await import(SQL_JS)) as { tokenize: (text: string) => Token[] };

const kinds = (text: string): string[] =>
  tokenize(text)
    .filter((t) => t.kind !== 'ws')
    .map((t) => `${t.kind}:${t.text}`);

describe('tokenize', () => {
  it.each([
    {
      note: 'keywords in any case, names and punctuation',
      sql: 'select id FROM t;',
      want: ['kw:select', 'word:id', 'kw:FROM', 'word:t', 'op:;'],
    },
    { note: 'a string with a doubled quote', sql: "'it''s'", want: ["str:'it''s'"] },
    { note: 'an escape string', sql: "E'a\\n'", want: ["str:E'a\\n'"] },
    {
      note: 'an escape string whose backslash escapes a quote',
      sql: "e'it\\'s' = x",
      want: ["str:e'it\\'s'", 'op:=', 'word:x'],
    },
    { note: 'an escape string ending in an escaped backslash', sql: "E'a\\\\' b", want: ["str:E'a\\\\'", 'word:b'] },
    { note: 'a plain string keeps its backslash (standard_conforming_strings)', sql: "'a\\' b", want: ["str:'a\\'", 'word:b'] },
    { note: 'a dollar-quoted body, tag and all', sql: '$f$ x $$ y $f$', want: ['str:$f$ x $$ y $f$'] },
    { note: 'a quoted identifier with a doubled quote', sql: '"we""ird"', want: ['ident:"we""ird"'] },
    { note: 'parameters and numbers', sql: '$1 + 2.5e3 - .5', want: ['param:$1', 'op:+', 'num:2.5e3', 'op:-', 'num:.5'] },
    { note: 'a line comment ends at the line', sql: 'a -- c\nb', want: ['word:a', 'cmt:-- c', 'word:b'] },
    { note: 'a block comment', sql: 'a /* c */ b', want: ['word:a', 'cmt:/* c */', 'word:b'] },
    { note: 'an unterminated string runs to the end', sql: "x = 'open", want: ['word:x', 'op:=', "str:'open"] },
    { note: 'an unterminated comment runs to the end', sql: '/* open', want: ['cmt:/* open'] },
    {
      note: 'markup is just text',
      sql: '<img src=x onerror=alert(1)>',
      want: ['op:<', 'word:img', 'word:src', 'op:=', 'word:x', 'word:onerror', 'op:=', 'word:alert', 'op:(', 'num:1', 'op:)', 'op:>'],
    },
    { note: 'non-ASCII names', sql: 'SELECT ñame', want: ['kw:SELECT', 'word:ñame'] },
  ])('$note', ({ sql, want }) => {
    expect(kinds(sql)).toEqual(want);
  });

  it.each(["SELECT 'a' || $1 FROM \"T\" -- x\n/* y */ WHERE a = E'\\''", "E'\\", "'", '"', '$$', '/*', '--', '', '\u0000\uffff'])(
    'gives back the input unchanged: %j',
    (sql) => {
      expect(
        tokenize(sql)
          .map((t) => t.text)
          .join(''),
      ).toBe(sql);
    },
  );
});
