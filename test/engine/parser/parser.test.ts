// Parser tests: term and query shapes (precedence, refs, calls, collections, comprehensions),
// rule heads and bodies, annotations, wildcards, locations, and rego_parse_errors with their
// positions and messages, including recovery that reports several errors in one file.

import { describe, expect, it } from 'vitest';
import type { Body, Expr, Module, Rule, Term } from '../../../engine/ast/nodes.js';
import { parse, parseQuery, parseTerm } from '../../../engine/parser/index.js';

/** sx renders a term as a compact s-expression so expected shapes fit on one line. */
function sx(t: Term): string {
  switch (t.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(t.value);
    case 'number':
      return t.text;
    case 'string':
      return JSON.stringify(t.value);
    case 'var':
      return t.name;
    case 'ref':
      return `(ref ${[t.head, ...t.path].map(sx).join(' ')})`;
    case 'array':
      return `[${t.items.map(sx).join(' ')}]`;
    case 'set':
      return `(set ${t.items.map(sx).join(' ')})`.replace(' )', ')');
    case 'object':
      return `{${t.entries.map(([k, v]) => `${sx(k)}:${sx(v)}`).join(' ')}}`;
    case 'arrayCompr':
      return `[${sx(t.head)} | ${sxBody(t.body)}]`;
    case 'setCompr':
      return `(setc ${sx(t.head)} | ${sxBody(t.body)})`;
    case 'objectCompr':
      return `{${sx(t.key)}:${sx(t.value)} | ${sxBody(t.body)}}`;
    case 'call':
      return `(${t.fn.join('.')} ${t.args.map(sx).join(' ')})`.replace(' )', ')');
  }
}

function sxExpr(e: Expr): string {
  const withs = (ws: readonly { target: Term; value: Term }[]) => ws.map((w) => ` with ${sx(w.target)} as ${sx(w.value)}`).join('');
  switch (e.kind) {
    case 'term':
      return `${e.negated ? 'not ' : ''}${sx(e.term)}${withs(e.with)}`;
    case 'some':
      return `some ${e.vars.map(sx).join(',')}`;
    case 'someIn':
      return `some ${e.key ? `${sx(e.key)},` : ''}${sx(e.value)} in ${sx(e.collection)}${withs(e.with)}`;
    case 'every':
      return `every ${e.key ? `${sx(e.key)},` : ''}${sx(e.value)} in ${sx(e.domain)} {${sxBody(e.body)}}${withs(e.with)}`;
    case 'notBody':
      return `not {${sxBody(e.body)}}`;
  }
}

function sxBody(b: Body): string {
  return b.exprs.map(sxExpr).join('; ');
}

function sxRule(r: Rule): string {
  const h = r.head;
  let s = `${r.default ? 'default ' : ''}${h.ref.map(sx).join('.')}`;
  if (h.args) s += `(${h.args.map(sx).join(', ')})`;
  if (h.contains) s += ` contains ${sx(h.contains)}`;
  if (h.value) s += ` ${h.assign ? ':=' : '='} ${sx(h.value)}`;
  s += ` if {${sxBody(r.body)}}`;
  for (let e = r.else; e; e = e.else) s += ` else${e.value ? ` = ${sx(e.value)}` : ''} {${sxBody(e.body)}}`;
  return s;
}

function mustModule(text: string): Module {
  const r = parse({ name: 't.rego', text });
  expect(r.diagnostics).toEqual([]);
  if (!r.value) throw new Error('no module');
  return r.value;
}

describe('parseTerm', () => {
  const cases = [
    { note: 'null', text: 'null', want: 'null' },
    { note: 'negative number literal', text: '-1.5', want: '-1.5' },
    { note: 'unary minus with space is still a literal', text: '- 1', want: '-1' },
    { note: 'binary minus before a literal', text: 'x -1', want: '(minus x 1)' },
    { note: 'factor binds tighter than arith', text: '1 + 2 * 3', want: '(plus 1 (mul 2 3))' },
    { note: 'left associativity', text: '8 - 4 - 2', want: '(minus (minus 8 4) 2)' },
    { note: 'parens group', text: '(1 + 2) * 3', want: '(mul (plus 1 2) 3)' },
    { note: 'and binds tighter than or', text: 'a | b & c', want: '(or a (and b c))' },
    { note: 'comparison over arithmetic', text: 'a + 1 == b % 2', want: '(equal (plus a 1) (rem b 2))' },
    { note: 'in is loosest', text: 'x + 1 in xs', want: '(internal.member_2 (plus x 1) xs)' },
    { note: 'dotted ref', text: 'input.a.b', want: '(ref input "a" "b")' },
    { note: 'keywords after a dot', text: 'input.in.if', want: '(ref input "in" "if")' },
    { note: 'bracket ref', text: 'a[b].c[0]', want: '(ref a b "c" 0)' },
    { note: 'call with dotted name', text: 'a.b.c(x, 1)', want: '(a.b.c x 1)' },
    { note: 'ref on call result', text: 'f(x).y[0]', want: '(ref (f x) "y" 0)' },
    { note: 'ref on array literal', text: '[1, 2][0]', want: '(ref [1 2] 0)' },
    { note: 'ref on object literal', text: '{"a": 1}.a', want: '(ref {"a":1} "a")' },
    { note: 'empty object', text: '{}', want: '{}' },
    { note: 'empty set', text: 'set()', want: '(set)' },
    { note: 'nested sets', text: '{"foo": {{1}}}', want: '{"foo":(set (set 1))}' },
    { note: 'object with term keys', text: '{1: x, [1]: {}, y: 2}', want: '{1:x [1]:{} y:2}' },
    { note: 'trailing commas', text: '[1, 2,]', want: '[1 2]' },
    { note: 'array comprehension', text: '[x | x := xs[_]; x > 1]', want: '[x | (assign x (ref xs $_0)); (gt x 1)]' },
    { note: 'braces with bar are a set comprehension', text: '{x | y}', want: '(setc x | y)' },
    { note: 'object comprehension', text: '{k: v | v := m[k]}', want: '{k:v | (assign v (ref m k))}' },
    { note: 'union inside parens in a comprehension head', text: '[(a | b) | true]', want: '[(or a b) | true]' },
    // OPA reads a comprehension only when the head before `|` is a single term (issue 12)
    { note: 'infix head: | is union in an array', text: '[a - b | c]', want: '[(or (minus a b) c)]' },
    { note: 'infix head: array of two terms', text: '[a - b | c, d]', want: '[(or (minus a b) c) d]' },
    { note: 'infix head: | is union in a set', text: '{a - b | c}', want: '(set (or (minus a b) c))' },
    { note: 'infix value: | is union in an object', text: '{"k": a + 1 | c}', want: '{"k":(or (plus a 1) c)}' },
    { note: 'body failing at a comma: an array', text: '[a | b, c]', want: '[(or a b) c]' },
    { note: 'body failing at a comma: a set', text: '{a | b, c}', want: '(set (or a b) c)' },
    { note: 'leading comma rules out a comprehension', text: '[, a | b]', want: '[(or a b)]' },
    { note: 'negative literal head', text: '[-1 | true]', want: '[-1 | true]' },
    { note: 'infix key, simple value: object comprehension', text: '{a + 1: b | true}', want: '{(plus a 1):b | true}' },
    { note: 'k, v in xs in parentheses', text: '[(k, v in xs)]', want: '[(internal.member_3 k v xs)]' },
    { note: 'k, v in xs in a call argument', text: 'f((k, v in xs), 1)', want: '(f (internal.member_3 k v xs) 1)' },
    { note: 'a list item is one term: k, then v in xs', text: '[k, v in xs]', want: '[k (internal.member_2 v xs)]' },
    { note: 'comprehension body over lines', text: '[x |\n  x := 1\n  x > 0\n]', want: '[x | (assign x 1); (gt x 0)]' },
    { note: 'multi-line collection', text: '[\n 1,\n 2\n]', want: '[1 2]' },
    { note: 'raw string', text: '`a\\b`', want: '"a\\\\b"' },
    { note: 'continuation after operator', text: '1 +\n2', want: '(plus 1 2)' },
    { note: 'builtin-ish call with no args', text: 'time.now_ns()', want: '(time.now_ns)' },
  ];
  it.each(cases)('$note', ({ text, want }) => {
    const r = parseTerm(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.value && sx(r.value)).toBe(want);
  });

  it('sets operator and fn names for infix calls', () => {
    const t = parseTerm('a != b').value;
    expect(t).toMatchObject({ kind: 'call', fn: ['neq'], operator: '!=' });
  });

  it('numbers wildcards from zero per term', () => {
    const t = parseTerm('[_, _]').value;
    expect(t).toMatchObject({
      items: [
        { name: '$_0', wildcard: true },
        { name: '$_1', wildcard: true },
      ],
    });
  });
});

describe('parseQuery', () => {
  const cases = [
    { note: 'unification with a ref', text: 'data.x.p = x', want: '(eq (ref data "x" "p") x)' },
    { note: 'semicolons and newlines separate', text: 'x := 1; y := 2\nz', want: '(assign x 1); (assign y 2); z' },
    { note: 'key-value membership', text: 'k, v in xs', want: '(internal.member_3 k v xs)' },
    { note: 'assignment of membership', text: 'b := 1 in xs', want: '(assign b (internal.member_2 1 xs))' },
    { note: 'some declaration', text: 'some x, y', want: 'some x,y' },
    { note: 'some in', text: 'some x in xs', want: 'some x in xs' },
    { note: 'some key value patterns', text: 'some [a, _], {"b": b} in xs', want: 'some [a $_0],{"b":b} in xs' },
    { note: 'every with key', text: 'every k, v in o { v > k }', want: 'every k,v in o {(gt v k)}' },
    { note: 'not', text: 'not a == b', want: 'not (equal a b)' },
    { note: 'with chains', text: 'p with input as 1 with data.q as {}', want: 'p with input as 1 with (ref data "q") as {}' },
    { note: 'with on the next line', text: 'p\n  with input as 1', want: 'p with input as 1' },
    { note: 'with on some in', text: 'some x in xs with input as 1', want: 'some x in xs with input as 1' },
    { note: 'function call query', text: 'data.p.f(1)', want: '(data.p.f 1)' },
    { note: 'old-style output argument', text: 'count(x, n)', want: '(count x n)' },
  ];
  it.each(cases)('$note', ({ text, want }) => {
    const r = parseQuery(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.value && sxBody(r.value)).toBe(want);
  });
});

describe('parse rules', () => {
  const cases = [
    { note: 'constant', text: 'p := 1', want: 'p := 1 if {}' },
    { note: 'unify value', text: 'p = 1', want: 'p = 1 if {}' },
    { note: 'if body', text: 'p if { a; b }', want: 'p if {a; b}' },
    { note: 'single-expression body', text: 'p := y if y := 1', want: 'p := y if {(assign y 1)}' },
    { note: 'object comprehension as a single-literal body', text: 'p if {x: 1 | true}', want: 'p if {{x:1 | true}}' },
    // OPA reads `if { a | b }` as one set comprehension literal, not a body holding a union (issue 12)
    { note: 'set comprehension as a single-literal body', text: 'p if { 1 | 1 }', want: 'p if {(setc 1 | 1)}' },
    { note: 'a body whose literal is a union of sets', text: 'p if { x := a | b }', want: 'p if {(assign x (or a b))}' },
    { note: 'a braced body of one set literal stays a body', text: 'p if { x }', want: 'p if {x}' },
    { note: 'default', text: 'default p := false', want: 'default p := false if {}' },
    { note: 'default function', text: 'default f(_) := 1', want: 'default p(x) := 1 if {}'.replace('p(x)', 'f($_0)') },
    { note: 'contains with body', text: 'p contains x if { x := 1 }', want: 'p contains x if {(assign x 1)}' },
    { note: 'contains without body', text: 'p contains "a"', want: 'p contains "a" if {}' },
    { note: 'object rule', text: 'p[k] := v if { v := k }', want: 'p.k := v if {(assign v k)}' },
    { note: 'ref head', text: 'a.b.c := 1', want: 'a."b"."c" := 1 if {}' },
    { note: 'ref head with var', text: 'p.q[r] := 1 if r := 2', want: 'p."q".r := 1 if {(assign r 2)}' },
    { note: 'ref head contains', text: 'a.b[c].d contains x if x := c', want: 'a."b".c."d" contains x if {(assign x c)}' },
    { note: 'function', text: 'f(x) := y if { y := x }', want: 'f(x) := y if {(assign y x)}' },
    { note: 'function with patterns', text: 'f([a, b], {"k": v}) := a', want: 'f([a b], {"k":v}) := a if {}' },
    { note: 'function with ref name', text: 'foo["bar"](x) := x + 1', want: 'foo."bar"(x) := (plus x 1) if {}' },
    { note: 'boolean function', text: 'f(x) if x > 1', want: 'f(x) if {(gt x 1)}' },
    {
      note: 'else chain',
      text: 'p := 1 if { a } else := 2 if { b } else = 3 { c } else { d }',
      want: 'p := 1 if {a} else = 2 {b} else = 3 {c} else {d}',
    },
    { note: 'else on new lines', text: 'f(x) := 1 if x\nelse := 2 if y\nelse := 3', want: 'f(x) := 1 if {x} else = 2 {y} else = 3 {}' },
  ];
  it.each(cases)('$note', ({ text, want }) => {
    const m = mustModule(`package t\n${text}\n`);
    expect(m.rules.map(sxRule)).toEqual([want]);
  });

  it('marks := heads as assign and = heads not', () => {
    const m = mustModule('package t\np := 1\nq = 1\n');
    expect(m.rules.map((r) => r.head.assign)).toEqual([true, false]);
  });

  it('keeps all imports and the package path', () => {
    const m = mustModule('package a["b"].c\nimport data.x.y as z\nimport input\nimport rego.v1\nimport future.keywords.in\n');
    expect(m.package.path).toEqual(['a', 'b', 'c']);
    expect(m.imports.map((i) => (i.path.kind === 'var' ? i.path.name : sx(i.path)) + (i.alias ? ` as ${i.alias}` : ''))).toEqual([
      '(ref data "x" "y") as z',
      'input',
      '(ref rego "v1")',
      '(ref future "keywords" "in")',
    ]);
  });

  it('numbers wildcards per module across rules', () => {
    const m = mustModule('package t\np if _ = 1\nq if _ = 2\n');
    expect(m.rules.map((r) => sxBody(r.body))).toEqual(['(eq $_0 1)', '(eq $_1 2)']);
    expect(m.rules[0]?.body.exprs[0]).toMatchObject({ term: { args: [{ wildcard: true }, { kind: 'number' }] } });
  });

  it('parses not { … } only with import rego.v2', () => {
    const m = mustModule('package t\nimport rego.v2\np if { not { a; b } }\n');
    expect(sxRule(m.rules[0] as Rule)).toBe('p if {not {a; b}}');
    const n = mustModule('package t\np if { not {a, b} }\n');
    expect(sxRule(n.rules[0] as Rule)).toBe('p if {not (set a b)}');
  });

  it('records exact locations', () => {
    const m = mustModule('package t\n\np := 1 + x\n');
    const r = m.rules[0] as Rule;
    expect(r.loc).toEqual({ file: 't.rego', row: 3, col: 1, offset: 11, length: 10 });
    expect(r.head.value?.loc).toEqual({ file: 't.rego', row: 3, col: 6, offset: 16, length: 5 });
  });
});

describe('parse annotations', () => {
  it('attaches METADATA to the following rule and package-scoped blocks to the module', () => {
    const m = mustModule(
      '# METADATA\n# title: pkg\npackage t\n\n# METADATA\n# entrypoint: true\nallow if true\n\n# METADATA\n# scope: package\n# description: d\nx := 1\ny := 2\n',
    );
    expect(m.annotations.map((a) => a.raw)).toEqual([{ title: 'pkg' }, { scope: 'package', description: 'd' }]);
    expect(m.rules[0]?.annotations).toMatchObject({ entrypoint: true, loc: { row: 5, col: 1 } });
    expect(m.rules[1]?.annotations).toBeUndefined();
    expect(m.rules[2]?.annotations).toBeUndefined();
  });

  it('reports invalid YAML as a parse error', () => {
    const r = parse({ name: 't.rego', text: 'package t\n# METADATA\n# a: [\np := 1\n' });
    expect(r.diagnostics[0]).toMatchObject({ code: 'rego_parse_error', location: { row: 2, col: 1 } });
    expect(r.diagnostics[0]?.message).toMatch(/^invalid METADATA block/);
  });
});

describe('parse errors', () => {
  const cases = [
    { note: 'missing term', text: 'package t\np := }\n', row: 2, col: 6, message: 'unexpected } token: expected term' },
    { note: 'cut file', text: 'package t\np if {\n  x := [1,\n', row: 4, col: 1, message: 'unexpected eof token: expected term' },
    { note: 'missing package', text: 'p := 1\n', row: 1, col: 1, message: 'package expected' },
    { note: 'empty file', text: '', row: 1, col: 1, message: 'empty module: package expected' },
    {
      note: 'v0 body without if',
      text: 'package t\np {\n  true\n}\n',
      row: 2,
      col: 3,
      message: '`if` keyword is required before rule body',
    },
    { note: 'v0 partial set', text: 'package t\np[x]\n', row: 2, col: 1, message: '`contains` keyword is required for partial set rules' },
    {
      note: 'keyword as a rule name',
      text: 'package t\nin := 1\n',
      row: 2,
      col: 1,
      message: 'unexpected in keyword: expected rule name (keywords cannot be names)',
    },
    {
      note: 'two exprs on one line',
      text: 'package t\np if { a b }\n',
      row: 2,
      col: 10,
      message: 'unexpected identifier token: expected end of expression (newline or ;)',
    },
    { note: 'empty body', text: 'package t\np if {}\n', row: 2, col: 7, message: 'found empty body' },
    {
      note: 'multiple bodies',
      text: 'package t\np if { a } { b }\n',
      row: 2,
      col: 12,
      message: 'multiple rule bodies are not supported in Rego v1 (use separate rules)',
    },
    {
      note: 'default without value',
      text: 'package t\ndefault p\n',
      row: 2,
      col: 9,
      message: 'illegal default rule (must have a value)',
    },
    {
      note: 'rule without value or body',
      text: 'package t\nf(x)\n',
      row: 2,
      col: 1,
      message: 'rule must have a value (:= v), contains or an if body',
    },
    {
      note: 'bad import root',
      text: 'package t\nimport foo.bar\n',
      row: 2,
      col: 8,
      message: 'invalid import path foo.bar: must begin with input, data, future or rego',
    },
    {
      note: 'import after rules',
      text: 'package t\np := 1\nimport data.x\n',
      row: 3,
      col: 1,
      message: 'unexpected import keyword: imports must come before rules',
    },
    {
      note: 'some with non-var',
      text: 'package t\np if { some [a] }\n',
      row: 2,
      col: 13,
      message: 'unexpected term: some declares variables (expected var or `some x in xs`)',
    },
    {
      note: 'every with pattern',
      text: 'package t\np if { every [a] in x { a } }\n',
      row: 2,
      col: 14,
      message: 'unexpected term: every takes variables (expected var)',
    },
    {
      note: 'with on some decl',
      text: 'package t\np if { some x with input as 1 }\n',
      row: 2,
      col: 15,
      message: 'unexpected with keyword: with cannot modify a some declaration',
    },
    {
      note: 'call on a non-name',
      text: 'package t\np := [1](2)\n',
      row: 2,
      col: 9,
      message: 'unexpected ( token: calls need a name such as f or a.b.f',
    },
    {
      note: 'second package',
      text: 'package t\npackage u\n',
      row: 2,
      col: 1,
      message: 'unexpected package keyword: a module has one package clause',
    },
    { note: 'unclosed array', text: 'package t\np := [1, 2\n', row: 3, col: 1, message: 'unexpected eof token: expected ]' },
    // OPA has unary minus only on number literals (issue 12)
    { note: 'unary minus on a var', text: 'package t\np := -x\n', row: 2, col: 7, message: 'unexpected identifier token: expected number' },
    { note: 'unary minus on parens', text: 'package t\np := -(1)\n', row: 2, col: 7, message: 'unexpected ( token: expected number' },
    // whitespace ends a term in OPA: a call or dotted name split across lines is not one term
    {
      note: 'call name split across lines',
      text: 'package t\np := strings.\nreplace_n({}, "")\n',
      row: 2,
      col: 14,
      message: 'unexpected whitespace token: expected ident',
    },
    {
      note: 'call with space before (',
      text: 'package t\np := count ([1])\n',
      row: 2,
      col: 12,
      message: 'unexpected ( token: expected end of statement (newline or ;)',
    },
  ];
  it.each(cases)('$note', ({ text, row, col, message }) => {
    const r = parse({ name: 't.rego', text });
    expect(r.diagnostics[0]).toEqual({
      code: 'rego_parse_error',
      severity: 'error',
      message,
      location: expect.objectContaining({ file: 't.rego', row, col }),
    });
  });

  it('recovers at the next rule and reports every broken one', () => {
    const r = parse({ name: 't.rego', text: 'package t\na := }\nb := 1\nc {\n  x\n}\nd := [\ne := 2\n' });
    expect(r.diagnostics.map((d) => `${d.location.row}:${d.location.col}`)).toEqual(['2:6', '4:3', '8:3']);
    expect(r.value?.rules.map((x) => sx(x.head.ref[0] as Term))).toEqual(['b']);
  });

  it('parses v0 when asked (details in v0.test.ts)', () => {
    const r = parse({ name: 't.rego', text: 'package t\np { true }\n' }, { regoVersion: 'v0' });
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.regoVersion).toBe('v0');
  });

  const fragments = [
    { note: 'empty query', run: () => parseQuery(''), message: 'found empty body' },
    { note: 'query cut after :=', run: () => parseQuery('x := '), message: 'unexpected eof token: expected term' },
    { note: 'two terms', run: () => parseTerm('1 2'), message: 'unexpected number token: expected end of term' },
    { note: 'lexer error in a term', run: () => parseTerm('"abc'), message: 'non-terminated string' },
  ];
  it.each(fragments)('$note', ({ run, message }) => {
    const r = run();
    expect(r.value).toBeUndefined();
    expect(r.diagnostics[0]?.message).toBe(message);
  });
});
