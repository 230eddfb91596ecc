// Term parsing: infix expressions (by precedence), scalars, vars, refs, calls, collections and
// comprehensions. Cursor in, ast Term out; operators become CallTerms named as in OPERATORS.
// Precedence, loosest first: in; == != < <= > >=; |; &; + -; * / %; unary -; postfix (. [] ()).

import { OPERATORS } from '../ast/nodes.js';
import type { Body, CallTerm, RefTerm, StringTerm, Term, VarTerm } from '../ast/nodes.js';
import type { Location } from '../diagnostics/index.js';
import { parseLiterals } from './body.js';
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
/** parseInExpr parses a full term expression except `=`/`:=` and `k, v in xs`; noOr stops at a top-level `|`. */
export function parseInExpr(c: Cursor, noOr = false): Term {
  let lhs = parseRelation(c, noOr);
  while (c.is('in') && c.continues()) {
    c.next();
    const rhs = parseRelation(c, noOr);
    lhs = memberCall(c, [lhs, rhs], lhs.loc);
  }
  return lhs;
}

// relation: or (('==' | '!=' | '<' | '<=' | '>' | '>=') or)*
/** parseRelation parses comparisons and everything binding tighter. */
export function parseRelation(c: Cursor, noOr = false): Term {
  let lhs = parseOr(c, noOr);
  for (;;) {
    const op = RELATIONS.find((o) => c.is(o));
    if (op === undefined || !c.continues()) return lhs;
    c.next();
    lhs = operatorCall(c, op, lhs, parseOr(c, noOr));
  }
}

// or: and ('|' and)*
function parseOr(c: Cursor, noOr: boolean): Term {
  let lhs = parseAnd(c);
  while (!noOr && c.is('|') && c.continues()) {
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

// unary: '-' number (a negative literal) | '-' unary (minus(0, x)) | postfix
function parseUnary(c: Cursor): Term {
  if (!c.is('-')) return parsePostfix(c);
  const minus = c.next();
  const t = c.tok;
  if (t.kind === 'number' && t.loc.offset === minus.loc.offset + 1) {
    c.next();
    return { kind: 'number', text: `-${t.text}`, loc: c.span(minus.loc, t.loc) };
  }
  const operand = c.nested(() => parseUnary(c));
  const zero: Term = { kind: 'number', text: '0', loc: minus.loc };
  return { kind: 'call', fn: [OPERATORS['-']], args: [zero, operand], operator: '-', loc: c.span(minus.loc, operand.loc) };
}

// postfix: primary ('.' word | '[' in-expr ']' | '(' args ')')*   (on the same line)
/** parsePostfix parses a primary term and its ref/call suffixes. */
export function parsePostfix(c: Cursor): Term {
  let t = parsePrimary(c);
  if (!refable(t)) return t;
  for (;;) {
    const tok = c.tok;
    if (tok.newline || tok.kind !== 'punct') return t;
    if (tok.text === '.') {
      c.next();
      const word = c.tok;
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
        const inner = c.nested(() => c.withNewlines(false, () => parseInExpr(c)));
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

// array: '[' ']' | '[' in-expr '|' body ']' | '[' in-expr (',' in-expr)* ','? ']'
function parseArray(c: Cursor): Term {
  const open = c.expect('[');
  const first = c.withNewlines(false, () => (c.is(']') ? undefined : parseInExpr(c, true)));
  if (first === undefined) {
    c.next();
    return { kind: 'array', items: [], loc: c.span(open.loc) };
  }
  if (c.accept('|')) {
    const body = parseComprehensionBody(c, ']');
    return { kind: 'arrayCompr', head: first, body, loc: c.span(open.loc) };
  }
  const items = c.withNewlines(false, () => parseItems(c, first, ']'));
  return { kind: 'array', items, loc: c.span(open.loc) };
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

// braces: '{' '}' | '{' in-expr ':' in-expr '|' body '}' | object | '{' in-expr '|' body '}' | set
function parseBraces(c: Cursor): Term {
  const open = c.expect('{');
  const first = c.withNewlines(false, () => (c.is('}') ? undefined : parseInExpr(c, true)));
  if (first === undefined) {
    c.next();
    return { kind: 'object', entries: [], loc: c.span(open.loc) };
  }
  if (c.accept('|')) {
    const body = parseComprehensionBody(c, '}');
    return { kind: 'setCompr', head: first, body, loc: c.span(open.loc) };
  }
  if (!c.is(':')) {
    const items = c.withNewlines(false, () => parseItems(c, first, '}'));
    return { kind: 'set', items, loc: c.span(open.loc) };
  }
  c.next();
  const value = c.withNewlines(false, () => parseInExpr(c, true));
  if (c.accept('|')) {
    const body = parseComprehensionBody(c, '}');
    return { kind: 'objectCompr', key: first, value, body, loc: c.span(open.loc) };
  }
  const entries = c.withNewlines(false, () => {
    const out: (readonly [Term, Term])[] = [[first, value]];
    while (c.accept(',')) {
      if (c.is('}')) break;
      const key = parseInExpr(c);
      c.expect(':');
      out.push([key, parseInExpr(c)]);
    }
    c.expect('}');
    return out;
  });
  return { kind: 'object', entries, loc: c.span(open.loc) };
}

// comprehension body: literal ((';' | newline) literal)* followed by `close`
function parseComprehensionBody(c: Cursor, close: string): Body {
  const start = c.tok.loc;
  const exprs = c.withNewlines(true, () => parseLiterals(c, () => c.is(close)));
  const body: Body = { exprs, loc: c.span(start) };
  c.expect(close);
  return body;
}
