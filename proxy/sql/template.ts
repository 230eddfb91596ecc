// Statements that differ only in literals, analysed without parsing. An agent's loop sends
// `SELECT … WHERE id = 4711`, then `… = 4712`: the text memo misses every time, and parsing is
// the largest cost left. Here a small lexer cuts the plain literals out of a single statement's
// text (a template: the text with each literal replaced by a marker); the first statement of a
// template is analysed in full, and kept only when its parse tree shows that each literal cut out
// is exactly one constant (an A_Const at the literal's own location whose value is the literal's).
// A later statement of the same template then has the same tree but for those values: its facts
// are the shape's (facts-cache.ts), its fingerprint the sha256 of the kept canonical JSON with
// its own values spliced in, its text its own. Anything the lexer is not sure of (comments,
// dollar quotes, escapes, parameters, signed or non-integer numbers, prefixed or continued
// strings, several statements) leaves the text as it is, so it is analysed in full.

import { RecentMap } from '../recent/index.js';
import type { CanonicalTree } from './fingerprint.js';
import { fingerprintOf } from './fingerprint.js';
import type { ShapeFacts } from './facts.js';
import { withIdentity } from './facts.js';
import type { StatementFacts } from './types.js';

/** Literal is one literal cut out of a statement's text: an unsigned integer that fits in int4, or a plain string. */
type Literal = { readonly offset: number; readonly kind: 'int' | 'str'; readonly value: string };

/** Lexed is a statement's template and its literals, in text order. */
export type Lexed = { readonly template: string; readonly literals: readonly Literal[] };

// Markers that cannot occur in a statement (a NUL never reaches the parser: analyze refuses or cuts it).
const INT_MARK = '\u0000i';
const STR_MARK = '\u0000s';
/** MAX_INT_DIGITS keeps integers within int4 (9 digits < 2^31): a larger one is a numeric constant. */
const MAX_INT_DIGITS = 9;

/** lex returns a statement's template, or undefined when the text holds anything it does not handle. */
export function lex(sql: string): Lexed | undefined {
  const literals: Literal[] = [];
  let template = '';
  let from = 0; // text before `from` is in the template
  let lastSignificant = ''; // the last character outside whitespace, for signs
  let ended = false; // a `;` was seen: only whitespace and `;` may follow
  const n = sql.length;
  for (let i = 0; i < n; ) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 0x3b /* ; */) {
      ended = true;
      lastSignificant = ';';
      i++;
      continue;
    }
    if (ended) return undefined; // a second statement
    if (c === 0 || c === 0x24 /* $ */ || c === 0x5c /* \ */) return undefined;
    if ((c === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d) || (c === 0x2f /* / */ && sql.charCodeAt(i + 1) === 0x2a)) return undefined;
    if (c === 0x22 /* " */) {
      const close = sql.indexOf('"', i + 1);
      if (close < 0) return undefined;
      // a doubled quote inside goes on scanning: "a""b" is one identifier
      let j = close;
      while (sql.charCodeAt(j + 1) === 0x22) {
        const next = sql.indexOf('"', j + 2);
        if (next < 0) return undefined;
        j = next;
      }
      lastSignificant = '"';
      i = j + 1;
      continue;
    }
    if (c === 0x27 /* ' */) {
      // a prefixed string (E'', B'', X'', N'', U&'') or one glued to a name is not plain
      if (i > 0 && (isIdentChar(sql.charCodeAt(i - 1)) || sql.charCodeAt(i - 1) === 0x26) /* & */) return undefined;
      const close = sql.indexOf("'", i + 1);
      if (close < 0) return undefined;
      const value = sql.slice(i + 1, close);
      if (value.includes('\\') || sql.charCodeAt(close + 1) === 0x27) return undefined; // escapes, doubled quotes
      let k = close + 1;
      while (k < n && isSpace(sql.charCodeAt(k))) k++;
      if (sql.charCodeAt(k) === 0x27) return undefined; // 'a' <newline> 'b' is one string
      template += sql.slice(from, i) + STR_MARK;
      literals.push({ offset: i, kind: 'str', value });
      from = close + 1;
      lastSignificant = "'";
      i = close + 1;
      continue;
    }
    // a digit right after a name's character or a `.` is part of that name or number
    const glued = i > 0 && (isIdentChar(sql.charCodeAt(i - 1)) || sql.charCodeAt(i - 1) === 0x2e);
    if (isDigit(c) && !glued) {
      let j = i + 1;
      while (j < n && isDigit(sql.charCodeAt(j))) j++;
      const after = j < n ? sql.charCodeAt(j) : 0x20;
      const signed = lastSignificant === '-' || lastSignificant === '+';
      if (!signed && j - i <= MAX_INT_DIGITS && !isIdentChar(after) && after !== 0x2e) {
        template += sql.slice(from, i) + INT_MARK;
        literals.push({ offset: i, kind: 'int', value: String(Number(sql.slice(i, j))) });
        from = j;
      }
      lastSignificant = '0';
      i = j;
      continue;
    }
    lastSignificant = sql[i] as string;
    i++;
  }
  return { template: template + sql.slice(from), literals };
}

/**
 * piece is a literal's value as canonicalize writes an A_Const's value field: the parser's JSON
 * leaves a zero integer out (`{}`), as protobuf does with defaults, but keeps an empty string.
 */
function piece(l: Literal): string {
  if (l.kind === 'int') return l.value === '0' ? '{}' : `{"ival":${l.value}}`;
  return `{"sval":${JSON.stringify(l.value)}}`;
}

/** Learned is what a template's first statement taught: its canonical JSON cut at the literals, and its shape's facts. */
type Learned = {
  /** segments are the canonical JSON around the literals' values (one more than `order`). */
  readonly segments: readonly string[];
  /** order lists, for each value in canonical order, the literal (by text order) written there. */
  readonly order: readonly number[];
  readonly facts: ShapeFacts['facts'];
};

/** TEMPLATE_ENTRIES bounds the templates remembered (least recently used goes first). */
const TEMPLATE_ENTRIES = 2048;
/** TEMPLATE_TOTAL_CHARS bounds the templates' keys and kept JSON together (least recently used go first past it). */
const TEMPLATE_TOTAL_CHARS = 16 * 1024 * 1024;
let learnedChars = 0;
const sizeOf = (key: string, l: Learned): number => key.length + l.segments.reduce((n, seg) => n + seg.length, 0);
// biome-ignore lint/suspicious/noControlCharactersInRegex: every ASCII character, controls included
const ASCII = /^[\u0000-\u007f]*$/;
const learned = new RecentMap<string, Learned>();

/** TEMPLATE_STATS counts statements analysed from a learned template, and templates learned (process-wide, like the caches). */
export const TEMPLATE_STATS = { hits: 0, learned: 0 };

/** statementText is a single statement's own text, as analyze slices it (the parser leaves the `;` out). */
export function statementText(sql: string): string {
  let end = sql.length;
  for (;;) {
    while (end > 0 && isSpace(sql.charCodeAt(end - 1))) end--;
    if (end > 0 && sql.charCodeAt(end - 1) === 0x3b) end--;
    else break;
  }
  return sql.slice(0, end).trim();
}

/** recallTemplate analyses a statement of a known template, or undefined when its template was not learned. */
export function recallTemplate(key: string, sql: string, lexed: Lexed): StatementFacts | undefined {
  const hit = learned.get(key);
  if (hit === undefined) return undefined;
  TEMPLATE_STATS.hits++;
  const { segments, order } = hit;
  let json = segments[0] as string;
  for (let i = 0; i < order.length; i++) json += piece(lexed.literals[order[i] as number] as Literal) + (segments[i + 1] as string);
  return withIdentity(hit.facts, statementText(sql), fingerprintOf({ json }));
}

/**
 * learnTemplate keeps what a fully analysed single statement teaches about its template, when every
 * literal the lexer cut out is exactly one constant of the tree with the literal's own value, and
 * the statement's text is what statementText gives.
 */
export function learnTemplate(
  key: string,
  sql: string,
  lexed: Lexed,
  canonical: CanonicalTree,
  facts: ShapeFacts['facts'],
  text: string,
): void {
  // locations are byte offsets, the literals' character offsets: the two agree for ASCII text only
  if (lexed.literals.length === 0 || text !== statementText(sql) || !ASCII.test(sql)) return;
  const byOffset = new Map<number, number>();
  for (const [i, l] of lexed.literals.entries()) byOffset.set(l.offset, i);
  const offsets = new Set(byOffset.keys());
  const { json, constants, locations } = canonical;
  const segments: string[] = [];
  const order: number[] = [];
  let from = 0;
  for (let c = 0; c < locations.length; c++) {
    const loc = locations[c] as number;
    const literal = byOffset.get(loc);
    if (literal === undefined) {
      if (offsets.has(loc)) return; // a second constant made from one literal: not a plain literal
      continue; // a constant the lexer left in the text (TRUE, 1.5, -1): the same in every statement
    }
    const start = constants[2 * c] as number;
    const end = constants[2 * c + 1] as number;
    if (json.slice(start, end) !== piece(lexed.literals[literal] as Literal)) return;
    byOffset.delete(loc);
    segments.push(json.slice(from, start));
    order.push(literal);
    from = end;
  }
  if (byOffset.size > 0) return; // a literal that is not a constant (a COPY file name, a comment's text): not templated
  segments.push(json.slice(from));
  const entry: Learned = { segments, order, facts };
  const previous = learned.peek(key);
  if (previous !== undefined) learnedChars -= sizeOf(key, previous);
  learned.set(key, entry);
  learnedChars += sizeOf(key, entry);
  TEMPLATE_STATS.learned++;
  while (learned.size > TEMPLATE_ENTRIES || learnedChars > TEMPLATE_TOTAL_CHARS) {
    const [oldest, l] = learned.oldest() as [string, Learned];
    learned.delete(oldest);
    learnedChars -= sizeOf(oldest, l);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** isIdentChar: letters, digits, `_`, `$` and any non-ASCII character continue a name (or a number's junk). */
function isIdentChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || isDigit(c) || c === 0x5f || c === 0x24 || c >= 0x80;
}
