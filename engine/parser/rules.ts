// Statement parsing: `package`, `import` and rules (heads, bodies, `else` chains, `default`),
// Rego v1 syntax, plus v0 rules (`p { … }`, `p[x] { … }` partial sets) when the cursor is in v0 mode. Cursor in, ast Package/Import/Rule out; failures unwind as ParseFailure.

import type { Annotation, Body, ElseClause, Import, Package, RefTerm, Rule, RuleHead, Term, VarTerm } from '../ast/nodes.js';
import type { Location } from '../diagnostics/index.js';
import { walkTerms } from '../ast/index.js';
import { parseBracedBody, parseLiteral } from './body.js';
import { ParseFailure } from './cursor.js';
import type { Cursor } from './cursor.js';
import { parseArgs, parseInExpr, parseRelation, stringTerm, varTerm } from './terms.js';

const IMPORT_ROOTS: ReadonlySet<string> = new Set(['data', 'input', 'future', 'rego']);

// package: 'package' name ('.' word | '[' string ']')*
/** parsePackage parses the package clause into its path segments. */
export function parsePackage(c: Cursor): Package {
  const start = c.expect('package');
  const ref = parseDottedName(c, 'package');
  const path = refStrings(ref);
  if (path[0] === 'data' && path.length > 1) path.shift();
  return { path, loc: c.span(start.loc) };
}

// import: 'import' name ('.' word | '[' string ']')* ['as' ident]
/** parseImport parses one import; enabling `not { … }` when it is `rego.v2`. */
export function parseImport(c: Cursor): Import {
  const start = c.expect('import');
  const path = parseDottedName(c, 'import');
  const root = path.kind === 'var' ? path.name : (path.head as VarTerm).name;
  if (!IMPORT_ROOTS.has(root)) {
    c.fail(`invalid import path ${refStrings(path).join('.')}: must begin with input, data, future or rego`, path.loc);
  }
  const dotted = refStrings(path).join('.');
  if (dotted === 'rego.v2') c.notBody = true;
  if (c.is('as') && c.continues()) {
    c.next();
    const alias = c.tok;
    if (alias.kind !== 'ident') c.unexpected('identifier');
    c.next();
    return { path, alias: alias.text, loc: c.span(start.loc) };
  }
  return { path, loc: c.span(start.loc) };
}

/** parseDottedName parses `a.b["c"]` with string-only path elements (packages and imports). */
function parseDottedName(c: Cursor, what: string): RefTerm | VarTerm {
  const root = c.tok;
  if (root.kind !== 'ident') c.unexpected(`${what} path`);
  c.next();
  const head: VarTerm = { kind: 'var', name: root.text, loc: root.loc };
  const path: Term[] = [];
  for (;;) {
    const t = c.tok;
    if (t.newline || t.kind !== 'punct') break;
    if (t.text === '.') {
      c.next();
      const w = c.tok;
      if (w.kind !== 'ident' && w.kind !== 'keyword') c.unexpected('identifier');
      c.next();
      path.push(stringTerm(w.text, w.loc));
    } else if (t.text === '[') {
      c.next();
      const s = c.tok;
      if (s.kind !== 'string' && s.kind !== 'rawString') c.unexpected(`string (${what} paths hold only strings)`);
      c.next();
      path.push(stringTerm(s.value ?? '', s.loc));
      c.expect(']');
    } else {
      break;
    }
  }
  return path.length === 0 ? head : { kind: 'ref', head, path, loc: c.span(root.loc) };
}

function refStrings(t: RefTerm | VarTerm): string[] {
  if (t.kind === 'var') return [t.name];
  return [(t.head as VarTerm).name, ...t.path.map((p) => (p.kind === 'string' ? p.value : '?'))];
}

// rule: ['default'] head-ref ['(' args ')'] ['contains' term] [(':=' | '=') term]
//       ['if' ('{' body '}' | literal)] ('else' [(':=' | '=') term] ['if'] ('{' body '}' | literal))*
/** parseRule parses one rule (the current token starts it); in v0, a head with chained bodies (`p { a } { b }`) gives one rule per body. */
export function parseRule(c: Cursor, annotations?: Annotation): Rule[] {
  const start = c.tok;
  const isDefault = c.accept('default') !== undefined;
  const headStart = c.tok;
  const ref = parseHeadRef(c);
  let args: Term[] | undefined;
  if (c.is('(') && !c.tok.newline) args = parseArgs(c);
  let contains: Term | undefined;
  let value: Term | undefined;
  let assign = false;
  // v0: a two-term head without a value (`p[x]`, and also `p.a`, as OPA's parser keys any such head) declares a partial set.
  if (
    c.v0 &&
    !isDefault &&
    args === undefined &&
    ref.length === 2 &&
    (c.last.text === ']' || !c.is('if')) &&
    !c.is('=') &&
    !c.is(':=') &&
    !c.is('contains')
  ) {
    contains = ref.pop() as Term;
  }
  if (contains === undefined && c.is('contains')) {
    const kw = c.next();
    if (args !== undefined) c.fail('unexpected contains keyword: functions cannot use contains', kw.loc);
    contains = parseRelation(c);
  } else if (c.is(':=') || c.is('=')) {
    assign = c.next().text === ':=';
    value = parseInExpr(c);
  }
  const head: RuleHead = {
    ref,
    ...(args !== undefined ? { args } : {}),
    ...(value !== undefined ? { value } : {}),
    ...(contains !== undefined ? { contains } : {}),
    assign,
    loc: c.span(headStart.loc),
  };
  const emptyBody: Body = { exprs: [], loc: head.loc };
  if (isDefault) {
    if (value === undefined) c.fail('illegal default rule (must have a value)', head.loc);
    const bad = defaultValueProblem(value);
    if (bad !== undefined) c.fail(`illegal default rule (value cannot contain ${bad})`, start.loc);
    if (c.is('if') || c.is('{')) c.unexpected('end of rule (default rules have no body)');
    return [annotate({ kind: 'rule', default: true, head, body: emptyBody, loc: c.span(start.loc) }, annotations)];
  }
  let body = parseRuleBody(c);
  if (body === undefined && c.v0 && value === undefined && contains === undefined) {
    // v0: the body may start on the line after the head, as OPA's scanner skips the newline there.
    if (c.is('{')) body = parseBracedBody(c);
    else if (c.tok.kind !== 'eof' && !c.tok.newline && !c.is(';')) c.unexpected('rule body ({ … })');
    else if (args !== undefined || ref.length === 1) c.fail('rule must have a value (= v) or a body ({ … })', head.loc);
  } else if (body === undefined && c.v0 && c.is('{')) {
    body = parseBracedBody(c);
  }
  if (body === undefined) {
    if (c.is('{')) c.fail('`if` keyword is required before rule body');
    if (value === undefined && contains === undefined) {
      if (ref.length > 1 && args === undefined && isSetLike(ref)) {
        c.fail('`contains` keyword is required for partial set rules', head.loc);
      }
      c.fail('rule must have a value (:= v), contains or an if body', head.loc);
    }
    body = emptyBody;
  }
  if (c.is('{') && !c.v0) c.fail('multiple rule bodies are not supported in Rego v1 (use separate rules)');
  const elseClause = c.is('else') ? parseElse(c) : undefined;
  const rule: Rule = {
    kind: 'rule',
    default: false,
    head,
    body,
    ...(elseClause !== undefined ? { else: elseClause } : {}),
    loc: c.span(start.loc),
  };
  const rules = [annotate(rule, annotations)];
  // v0: `p { a } { b }` chains bodies on one head, each a rule of its own with a copy of that head (as OPA's parser does).
  while (c.v0 && c.is('{')) {
    if (elseClause !== undefined) c.unexpected('else keyword');
    const bodyStart = c.tok.loc;
    const next = parseBracedBody(c);
    const loc = c.span(bodyStart);
    rules.push({
      kind: 'rule',
      default: false,
      head: { ...head, ...(args !== undefined ? { args: freshWildcards(c, args) } : {}), loc },
      body: next,
      loc,
    });
  }
  return rules;
}

/** freshWildcards gives each `_` argument of a chained rule's copied head a new wildcard name. */
function freshWildcards(c: Cursor, args: readonly Term[]): Term[] {
  return args.map((a) => (a.kind === 'var' && a.wildcard === true ? varTerm(c, '_', a.loc) : a));
}

/** defaultValueProblem names the first ref, var or call in a default value (comprehensions may hold them), as OPA's parser does. */
function defaultValueProblem(value: Term): string | undefined {
  let found: string | undefined;
  walkTerms(value, (t) => {
    if (found !== undefined || t.kind === 'arrayCompr' || t.kind === 'setCompr' || t.kind === 'objectCompr') return true;
    if (t.kind === 'ref' || t.kind === 'var' || t.kind === 'call') {
      found = t.kind;
      return true;
    }
    return undefined;
  });
  return found;
}

function isSetLike(ref: readonly Term[]): boolean {
  return ref.length === 2 && (ref[1] as Term).kind !== 'string';
}

function annotate(rule: Rule, annotations: Annotation | undefined): Rule {
  return annotations === undefined ? rule : { ...rule, annotations };
}

// head-ref: ident ('.' word | '[' in-expr ']')*
function parseHeadRef(c: Cursor): Term[] {
  const root = c.tok;
  if (root.kind !== 'ident') c.unexpected(root.kind === 'keyword' ? 'rule name (keywords cannot be names)' : 'rule name');
  c.next();
  const ref: Term[] = [varTerm(c, root.text, root.loc)];
  for (;;) {
    const t = c.tok;
    if (t.newline || t.kind !== 'punct') return ref;
    if (t.text === '.') {
      c.next();
      const w = c.tok;
      if (w.kind !== 'ident' && w.kind !== 'keyword') c.unexpected('identifier');
      c.next();
      ref.push(stringTerm(w.text, w.loc));
    } else if (t.text === '[') {
      c.next();
      ref.push(c.nested(() => c.withNewlines(false, () => parseInExpr(c))));
      c.expect(']');
    } else {
      return ref;
    }
  }
}

// rule body: 'if' ('{' body '}' | literal); undefined when there is no `if`.
function parseRuleBody(c: Cursor): Body | undefined {
  if (!c.is('if')) return undefined;
  c.next();
  if (c.is('{')) {
    // As in OPA, `if { … }` holding exactly one set or object comprehension is that term as a
    // one-literal body: `p if { 1 | 1 }` is `p if {1 | 1}` (a non-empty set), not a union.
    const compr = tryComprehensionLiteral(c);
    if (compr !== undefined) return compr;
    // Otherwise a braced body, unless that fails and the braces parse as one term literal.
    const saved = { pos: c.pos, wildcards: c.wildcards };
    try {
      return parseBracedBody(c);
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      if (c.tokens[saved.pos + 1]?.text === '}') throw e; // `if {}` is an empty body, not an empty object
      const afterBody = { pos: c.pos, wildcards: c.wildcards };
      c.pos = saved.pos;
      c.wildcards = saved.wildcards;
      try {
        const expr = c.withNewlines(true, () => parseLiteral(c));
        if (endsRule(c)) return { exprs: [expr], loc: expr.loc };
      } catch (e2) {
        if (!(e2 instanceof ParseFailure)) throw e2;
      }
      c.pos = afterBody.pos;
      c.wildcards = afterBody.wildcards;
      throw e;
    }
  }
  const start: Location = c.tok.loc;
  const expr = c.withNewlines(true, () => parseLiteral(c));
  return { exprs: [expr], loc: c.span(start) };
}

function endsRule(c: Cursor): boolean {
  return c.tok.kind === 'eof' || c.tok.newline || c.is(';') || c.is('else');
}

/** tryComprehensionLiteral reads `{ … | … }` as one literal when it is a whole set/object comprehension; else it consumes nothing. */
function tryComprehensionLiteral(c: Cursor): Body | undefined {
  const saved = { pos: c.pos, wildcards: c.wildcards };
  try {
    const expr = c.withNewlines(true, () => parseLiteral(c));
    const t = expr.kind === 'term' && !expr.negated && expr.with.length === 0 ? expr.term : undefined;
    if (t !== undefined && (t.kind === 'setCompr' || t.kind === 'objectCompr') && endsRule(c)) return { exprs: [expr], loc: expr.loc };
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
  }
  c.pos = saved.pos;
  c.wildcards = saved.wildcards;
  return undefined;
}

// else: 'else' [(':=' | '=') in-expr] ['if'] ('{' body '}' | literal)? else?
function parseElse(c: Cursor): ElseClause {
  const clauses: { value?: Term; body: Body; loc: Location }[] = [];
  while (c.is('else')) {
    const kw = c.next();
    let value: Term | undefined;
    if (c.is(':=') || c.is('=')) {
      c.next();
      value = parseInExpr(c);
    }
    let body = parseRuleBody(c);
    if (body === undefined && c.is('{')) body = parseBracedBody(c);
    const clause = { body: body ?? { exprs: [], loc: kw.loc }, loc: c.span(kw.loc) };
    clauses.push(value === undefined ? clause : { ...clause, value });
  }
  let chain: ElseClause | undefined;
  for (let i = clauses.length - 1; i >= 0; i--) {
    const cl = clauses[i] as { value?: Term; body: Body; loc: Location };
    chain = chain === undefined ? cl : { ...cl, else: chain };
  }
  return chain as ElseClause;
}
