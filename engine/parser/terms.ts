// Term parsing: infix expressions (by precedence), scalars, vars, refs, calls, collections and
// comprehensions. Cursor in, ast Term out; operators become CallTerms named as in OPERATORS.
// Precedence, loosest first: in; == != < <= > >=; |; &; + -; * / %; unary -; postfix (. [] ()).

import { OPERATORS } from '../ast/nodes.js';
import type { Body, CallTerm, RefTerm, StringTerm, Term, VarTerm } from '../ast/nodes.js';
import type { Location } from '../diagnostics/index.js';
import { parseLiterals } from './body.js';
import { ParseFailure } from './cursor.js';
import type { Cursor } from './cursor.js';

type Operator = keyof typeof OPERATORS;

const RELATIONS: readonly Operator[] = ['==', '!=', '<', '<=', '>', '>='];

/** operatorCall builds the CallTerm for an infix operator spanning its operands. */
export function operatorCall(c: Cursor, op: Operator, lhs: Term, rhs: Term): CallTerm {
  return { kind: 'call', fn: [OPERATORS[op]], args: [lhs, rhs], operator: op, loc: c.span(lhs.loc, rhs.loc) };
}

/** memberCall builds `internal.member_2(x, xs)` or `internal.member_3(k, v, xs)` for `in`. */
export function memberCall(c: Cursor, args: readonly Term[], start: Location): CallTerm {
  const name = args.length === 3 ? 'member_3' : 'member_2';
  const end = (args[args.length - 1] as Term).loc;
  return { kind: 'call', fn: ['internal', name], args, operator: 'in', loc: c.span(start, end) };
}

// in-expr: relation ('in' relation)*
/** parseInExpr parses a full term expression except `=`/`:=` and `k, v in xs` (a list item or call argument). */
export function parseInExpr(c: Cursor): Term {
  return parseMembers(c, parseRelation(c));
}

// infix: relation [',' relation 'in' relation] ('in' relation)*
/**
 * parseInfix parses a term where OPA also reads `k, v in xs` (expressions, parentheses, `with`
 * values). When no `in` follows the second term, the `,` is left for the caller, so
 * `[x | a, b]` can still fall back to an array.
 */
export function parseInfix(c: Cursor): Term {
  const lhs = parseRelation(c);
  if (!c.is(',') || !c.continues()) return parseMembers(c, lhs);
  const back = mark(c);
  c.next();
  const value = parseRelation(c);
  if (!c.is('in') || !c.continues()) {
    restore(c, back);
    return parseMembers(c, lhs);
  }
  c.next();
  const collection = parseRelation(c);
  return parseMembers(c, memberCall(c, [lhs, value, collection], lhs.loc));
}

function parseMembers(c: Cursor, first: Term): Term {
  let lhs = first;
  while (c.is('in') && c.continues()) {
    c.next();
    const rhs = parseRelation(c);
    lhs = memberCall(c, [lhs, rhs], lhs.loc);
  }
  return lhs;
}

// relation: or (('==' | '!=' | '<' | '<=' | '>' | '>=') or)*
/** parseRelation parses comparisons and everything binding tighter. */
export function parseRelation(c: Cursor): Term {
  let lhs = parseOr(c);
  for (;;) {
    const op = RELATIONS.find((o) => c.is(o));
    if (op === undefined || !c.continues()) return lhs;
    c.next();
    lhs = operatorCall(c, op, lhs, parseOr(c));
  }
}

// or: and ('|' and)*
function parseOr(c: Cursor): Term {
  let lhs = parseAnd(c);
  while (c.is('|') && c.continues()) {
    c.next();
    lhs = operatorCall(c, '|', lhs, parseAnd(c));
  }
  return lhs;
}

// and: arith ('&' arith)*
function parseAnd(c: Cursor): Term {
  let lhs = parseArith(c);
  while (c.is('&') && c.continues()) {
    c.next();
    lhs = operatorCall(c, '&', lhs, parseArith(c));
  }
  return lhs;
}

// arith: factor (('+' | '-') factor)*
function parseArith(c: Cursor): Term {
  let lhs = parseFactor(c);
  for (;;) {
    const op = c.is('+') ? '+' : c.is('-') ? '-' : undefined;
    if (op === undefined || !c.continues()) return lhs;
    c.next();
    lhs = operatorCall(c, op, lhs, parseFactor(c));
  }
}

// factor: unary (('*' | '/' | '%') unary)*
function parseFactor(c: Cursor): Term {
  let lhs = parseUnary(c);
  for (;;) {
    const op = c.is('*') ? '*' : c.is('/') ? '/' : c.is('%') ? '%' : undefined;
    if (op === undefined || !c.continues()) return lhs;
    c.next();
    lhs = operatorCall(c, op, lhs, parseUnary(c));
  }
}

// unary: '-' number (a negative literal; OPA has no unary minus on other terms) | postfix
function parseUnary(c: Cursor): Term {
  if (!c.is('-')) return parsePostfix(c);
  const minus = c.next();
  const t = c.tok;
  if (t.kind !== 'number') c.unexpected('number');
  c.next();
  return { kind: 'number', text: `-${t.text}`, loc: c.span(minus.loc, t.loc) };
}

// postfix: primary ('.' word | '[' in-expr ']' | '(' args ')')*   (no whitespace before a suffix)
/**
 * parsePostfix parses a primary term and its ref/call suffixes. As in OPA, whitespace ends a
 * term: `f (x)` is not a call, and `a.\nb(x)` (a dotted name split across lines) is an error.
 */
export function parsePostfix(c: Cursor): Term {
  let t = parsePrimary(c);
  if (!refable(t)) return t;
  for (;;) {
    const tok = c.tok;
    if (!adjacent(c) || tok.kind !== 'punct') return t;
    if (tok.text === '.') {
      c.next();
      const word = c.tok;
      if (!adjacent(c))
        c.fail('unexpected whitespace token: expected ident', { ...tok.loc, offset: tok.loc.offset + 1, col: tok.loc.col + 1, length: 0 });
      if (word.kind !== 'ident' && word.kind !== 'keyword') c.unexpected('identifier');
      c.next();
      t = extendRef(c, t, { kind: 'string', value: word.text, raw: false, loc: word.loc });
    } else if (tok.text === '[') {
      c.next();
      const index = c.nested(() => c.withNewlines(false, () => parseInExpr(c)));
      c.expect(']');
      t = extendRef(c, t, index);
    } else if (tok.text === '(') {
      t = parseCall(c, t);
    } else {
      return t;
    }
  }
}

/** adjacent tells whether the current token directly follows the previous one (no whitespace or comment between). */
export function adjacent(c: Cursor): boolean {
  const prev = c.last.loc;
  return c.pos > 0 && c.tok.loc.offset === prev.offset + prev.length;
}

function refable(t: Term): boolean {
  switch (t.kind) {
    case 'var':
    case 'ref':
    case 'array':
    case 'object':
    case 'set':
    case 'arrayCompr':
    case 'setCompr':
    case 'objectCompr':
    case 'call':
      return true;
    default:
      return false;
  }
}

function extendRef(c: Cursor, t: Term, elem: Term): RefTerm {
  if (t.kind === 'ref') return { kind: 'ref', head: t.head, path: [...t.path, elem], loc: c.span(t.loc) };
  return { kind: 'ref', head: t, path: [elem], loc: c.span(t.loc) };
}

/** calleeName turns a callee term (`f`, `a.b.c`, `foo["bar"]`) into its dotted name, or undefined. */
export function calleeName(t: Term): string[] | undefined {
  if (t.kind === 'var' && !t.wildcard) return [t.name];
  if (t.kind !== 'ref' || t.head.kind !== 'var' || t.head.wildcard) return undefined;
  const names = [t.head.name];
  for (const p of t.path) {
    if (p.kind !== 'string') return undefined;
    names.push(p.value);
  }
  return names;
}

// call: callee '(' (in-expr (',' in-expr)* ','?)? ')'
function parseCall(c: Cursor, callee: Term): Term {
  const fn = calleeName(callee);
  if (fn === undefined) c.fail('unexpected ( token: calls need a name such as f or a.b.f');
  const args = parseArgs(c);
  return { kind: 'call', fn, args, loc: c.span(callee.loc) };
}

/** parseArgs parses a parenthesised, comma-separated argument list (the `(` is current). */
export function parseArgs(c: Cursor): Term[] {
  c.expect('(');
  return c.nested(() =>
    c.withNewlines(false, () => {
      const args: Term[] = [];
      while (!c.is(')')) {
        args.push(parseInExpr(c));
        if (!c.accept(',')) break;
      }
      c.expect(')');
      return args;
    }),
  );
}

// primary: null | true | false | number | string | var | 'set()' | array | braces | '(' in-expr ')'
function parsePrimary(c: Cursor): Term {
  const t = c.tok;
  switch (t.kind) {
    case 'keyword':
      // `contains` is a keyword in rule heads, but `contains(s, sub)` is still the builtin.
      if (t.text === 'contains' && c.peek().kind === 'punct' && c.peek().text === '(' && !c.peek().newline) {
        c.next();
        return varTerm(c, t.text, t.loc);
      }
      if (t.text === 'null') {
        c.next();
        return { kind: 'null', loc: t.loc };
      }
      if (t.text === 'true' || t.text === 'false') {
        c.next();
        return { kind: 'boolean', value: t.text === 'true', loc: t.loc };
      }
      return c.unexpected('term');
    case 'number':
      c.next();
      return { kind: 'number', text: t.text, loc: t.loc };
    case 'string':
    case 'rawString':
      c.next();
      return { kind: 'string', value: t.value ?? '', raw: t.kind === 'rawString', loc: t.loc };
    case 'ident':
      c.next();
      if (t.text === 'set' && c.is('(') && !c.tok.newline && c.peek().kind === 'punct' && c.peek().text === ')') {
        c.next();
        c.next();
        return { kind: 'set', items: [], loc: c.span(t.loc) };
      }
      return varTerm(c, t.text, t.loc);
    case 'punct':
      if (t.text === '[') return c.nested(() => parseArray(c));
      if (t.text === '{') return c.nested(() => parseBraces(c));
      if (t.text === '(') {
        c.next();
        const inner = c.nested(() => c.withNewlines(false, () => parseInfix(c)));
        c.expect(')');
        return inner;
      }
      return c.unexpected('term');
    default:
      return c.unexpected('term');
  }
}

/** varTerm builds a VarTerm, giving `_` a fresh wildcard name. */
export function varTerm(c: Cursor, name: string, loc: Location): VarTerm {
  return name === '_' ? { kind: 'var', name: c.wildcard(), wildcard: true, loc } : { kind: 'var', name, loc };
}

/** stringTerm builds a non-raw StringTerm. */
export function stringTerm(value: string, loc: Location): StringTerm {
  return { kind: 'string', value, raw: false, loc };
}

// OPA's parser resolves `[a | b]` and `{a | b}` in favour of comprehensions only when the head
// before `|` is a single term (a primary with its ref/call suffixes). After an infix operator the
// `|` is set union: `[a - b | c]` is an array holding `(a - b) | c`, `[a - b | c, d]` an array of
// two terms. When the body after `|` does not parse and stops at a `,`, the whole literal is read
// again as a plain list (`[a | b, c]` holds `a | b` and `c`). A leading `,` (`[, x]`) is accepted
// and rules out a comprehension, as in OPA.

/** Mark is a parser position to go back to (tokens consumed and wildcards numbered). */
type Mark = { readonly pos: number; readonly wildcards: number };

function mark(c: Cursor): Mark {
  return { pos: c.pos, wildcards: c.wildcards };
}

function restore(c: Cursor, m: Mark): void {
  c.pos = m.pos;
  c.wildcards = m.wildcards;
}

/** parseSimpleTerm parses a comprehension head candidate: a negative number literal or a postfix term. */
function parseSimpleTerm(c: Cursor): Term {
  return c.is('-') ? parseUnary(c) : parsePostfix(c);
}

/**
 * tryComprehension parses `| body close` after a simple head (the `|` is current). It returns
 * undefined when the body fails at a `,` (the caller re-reads a list) and rethrows other failures.
 */
function tryComprehension(c: Cursor, close: string): Body | undefined {
  c.expect('|');
  try {
    return parseComprehensionBody(c, close);
  } catch (e) {
    if (e instanceof ParseFailure && c.is(',')) return undefined;
    throw e;
  }
}

// array: '[' ']' | '[' ','? term '|' body ']' | '[' ','? in-expr (',' in-expr)* ','? ']'
function parseArray(c: Cursor): Term {
  const open = c.expect('[');
  return c.withNewlines(false, () => {
    if (c.accept(']')) return { kind: 'array', items: [], loc: c.span(open.loc) };
    const comprehension = c.accept(',') === undefined;
    const start = mark(c);
    const head = parseSimpleTerm(c);
    if (c.is('|') && comprehension) {
      const body = tryComprehension(c, ']');
      if (body !== undefined) return { kind: 'arrayCompr', head, body, loc: c.span(open.loc) };
    }
    restore(c, start);
    const items = parseItems(c, parseInExpr(c), ']');
    return { kind: 'array', items, loc: c.span(open.loc) };
  });
}

function parseItems(c: Cursor, first: Term, close: string): Term[] {
  const items = [first];
  while (c.accept(',')) {
    if (c.is(close)) break;
    items.push(parseInExpr(c));
  }
  c.expect(close);
  return items;
}

// braces: '{' '}' | '{' ','? term '|' body '}' | '{' ','? key ':' term '|' body '}' | object | set
function parseBraces(c: Cursor): Term {
  const open = c.expect('{');
  return c.withNewlines(false, () => {
    if (c.accept('}')) return { kind: 'object', entries: [], loc: c.span(open.loc) };
    const comprehension = c.accept(',') === undefined;
    const start = mark(c);
    const head = parseSimpleTerm(c);
    if (c.is('|') && comprehension) {
      const body = tryComprehension(c, '}');
      if (body !== undefined) return { kind: 'setCompr', head, body, loc: c.span(open.loc) };
    }
    if (!c.is(':')) {
      restore(c, start);
      const first = parseInExpr(c);
      if (!c.is(':')) return { kind: 'set', items: parseItems(c, first, '}'), loc: c.span(open.loc) };
      return parseObject(c, open.loc, first, comprehension);
    }
    return parseObject(c, open.loc, head, comprehension);
  });
}

// object: key ':' (term '|' body | in-expr) (',' in-expr ':' in-expr)* ','? '}'   (the ':' is current)
function parseObject(c: Cursor, open: Location, key: Term, comprehension: boolean): Term {
  c.expect(':');
  const start = mark(c);
  const simple = parseSimpleTerm(c);
  if (c.is('|') && comprehension) {
    const body = tryComprehension(c, '}');
    if (body !== undefined) return { kind: 'objectCompr', key, value: simple, body, loc: c.span(open) };
  }
  restore(c, start);
  const value = parseInExpr(c);
  const entries: (readonly [Term, Term])[] = [[key, value]];
  while (c.accept(',')) {
    if (c.is('}')) break;
    const k = parseInExpr(c);
    c.expect(':');
    entries.push([k, parseInExpr(c)]);
  }
  c.expect('}');
  return { kind: 'object', entries, loc: c.span(open) };
}

// comprehension body: literal ((';' | newline) literal)* followed by `close`
function parseComprehensionBody(c: Cursor, close: string): Body {
  const start = c.tok.loc;
  const exprs = c.withNewlines(true, () => parseLiterals(c, () => c.is(close)));
  const body: Body = { exprs, loc: c.span(start) };
  c.expect(close);
  return body;
}
