// Body parsing: query literals (`some`, `every`, `not`, terms with `=`/`:=`, `k, v in xs`) and
// their `with` modifiers, separated by `;` or newlines. Cursor in, ast Expr/Body out.

import { OPERATORS } from '../ast/nodes.js';
import type { Body, Expr, Term, VarTerm, WithModifier } from '../ast/nodes.js';
import { assertNever } from '../diagnostics/index.js';
import type { Cursor } from './cursor.js';
import { parseInfix, parsePostfix, parseRelation } from './terms.js';

// literals: (literal ((';' | newline) literal)*)? until isEnd(); a trailing ';' is allowed.
/** parseLiterals parses query literals up to (not including) the token where isEnd() holds. */
export function parseLiterals(c: Cursor, isEnd: () => boolean): Expr[] {
  const exprs: Expr[] = [];
  if (isEnd()) c.fail('found empty body');
  for (;;) {
    exprs.push(parseLiteral(c));
    if (c.accept(';')) {
      if (isEnd()) return exprs;
      continue;
    }
    if (isEnd()) return exprs;
    if (!c.tok.newline) c.unexpected('end of expression (newline or ;)');
  }
}

// braced body: '{' literals '}'
/** parseBracedBody parses `{ … }` as a Body spanning the braces. */
export function parseBracedBody(c: Cursor): Body {
  const open = c.expect('{');
  const exprs = c.nested(() => c.withNewlines(true, () => parseLiterals(c, () => c.is('}'))));
  c.expect('}');
  return { exprs, loc: c.span(open.loc) };
}

// literal: ('some' … | 'every' … | 'not' expr | 'not' '{' body '}' | expr) ('with' term 'as' in-expr)*
/** parseLiteral parses one body expression with its `with` modifiers. */
export function parseLiteral(c: Cursor): Expr {
  return c.nested(() => {
    const start = c.tok;
    if (c.is('some')) return withModifiers(c, parseSome(c));
    if (c.is('every')) return withModifiers(c, parseEvery(c));
    if (c.is('not')) {
      c.next();
      if (c.notBody && c.is('{')) {
        const body = parseBracedBody(c);
        if (c.is('with')) c.unexpected('end of expression (with cannot modify not { … })');
        return { kind: 'notBody', body, loc: c.span(start.loc) };
      }
      const term = parseExprTerm(c);
      return withModifiers(c, { kind: 'term', term, negated: true, with: [], loc: c.span(start.loc) });
    }
    const term = parseExprTerm(c);
    return withModifiers(c, { kind: 'term', term, negated: false, with: [], loc: term.loc });
  });
}

// expr: infix [('=' | ':=') infix]
/** parseExprTerm parses an expression term, including `k, v in xs` and `=`/`:=` unification. */
export function parseExprTerm(c: Cursor): Term {
  const lhs = parseInfix(c);
  const op = c.is(':=') ? ':=' : c.is('=') ? '=' : undefined;
  if (op === undefined || !c.continues()) return lhs;
  c.next();
  const rhs = parseInfix(c);
  return { kind: 'call', fn: [OPERATORS[op]], args: [lhs, rhs], operator: op, loc: c.span(lhs.loc, rhs.loc) };
}

// some: 'some' relation (',' relation)* ['in' relation]
function parseSome(c: Cursor): Expr {
  const start = c.expect('some');
  const terms: Term[] = [parseRelation(c)];
  while (c.is(',') && c.continues()) {
    c.next();
    terms.push(parseRelation(c));
  }
  if (c.is('in') && c.continues()) {
    const inTok = c.next();
    if (terms.length > 2) c.fail('unexpected in keyword: some … in takes at most a key and a value', inTok.loc);
    const collection = parseRelation(c);
    const [first, second] = terms as [Term, Term | undefined];
    const loc = c.span(start.loc);
    return second === undefined
      ? { kind: 'someIn', value: first, collection, with: [], loc }
      : { kind: 'someIn', key: first, value: second, collection, with: [], loc };
  }
  const vars = terms.map((t) => {
    if (t.kind !== 'var') c.fail('unexpected term: some declares variables (expected var or `some x in xs`)', t.loc);
    return t;
  });
  return { kind: 'some', vars, loc: c.span(start.loc) };
}

// every: 'every' var [',' var] 'in' relation '{' body '}'
function parseEvery(c: Cursor): Expr {
  const start = c.expect('every');
  const vars: VarTerm[] = [expectVar(c)];
  if (c.accept(',')) vars.push(expectVar(c));
  c.expect('in');
  const domain = parseRelation(c);
  const body = parseBracedBody(c);
  const [first, second] = vars as [VarTerm, VarTerm | undefined];
  const loc = c.span(start.loc);
  return second === undefined
    ? { kind: 'every', value: first, domain, body, with: [], loc }
    : { kind: 'every', key: first, value: second, domain, body, with: [], loc };
}

function expectVar(c: Cursor): VarTerm {
  const t = parsePostfix(c);
  if (t.kind !== 'var') c.fail('unexpected term: every takes variables (expected var)', t.loc);
  return t;
}

// with: ('with' postfix 'as' in-expr)*, allowed on term, some-in and every literals
function withModifiers(c: Cursor, expr: Expr): Expr {
  if (!c.is('with')) return expr;
  const mods: WithModifier[] = [];
  while (c.is('with')) {
    const w = c.next();
    const target = parsePostfix(c);
    if (target.kind !== 'var' && target.kind !== 'ref')
      c.fail('unexpected term: with target must be a reference such as input.x or data.y', target.loc);
    c.expect('as');
    const value = parseInfix(c);
    mods.push({ kind: 'with', target, value, loc: c.span(w.loc) });
  }
  const loc = c.span(expr.loc);
  switch (expr.kind) {
    case 'term':
    case 'someIn':
    case 'every':
      return { ...expr, with: mods, loc };
    case 'some':
    case 'notBody':
      return c.fail('unexpected with keyword: with cannot modify a some declaration', (mods[0] as WithModifier).loc);
    default:
      return assertNever(expr);
  }
}
