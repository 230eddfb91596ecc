// Test helpers for the checker: parse + check Rego snippets, and a compact Rego-like printer of
// rewritten rules so expected outputs read as one line per rule.

import { parse } from '../../../engine/parser/index.js';
import { check } from '../../../engine/check/index.js';
import type { CheckOptions } from '../../../engine/check/index.js';
import type { Body, Expr, Rule, Term, WithModifier } from '../../../engine/ast/index.js';
import type { CheckedProgram } from '../../../engine/check/index.js';

/** CheckOutcome is a checked program plus diagnostics as `code row:col message` lines. */
export type CheckOutcome = { program: CheckedProgram; diags: string[]; rules: string[] };

/** checkSources parses each source as `test-<i>.rego` (Rego v1 unless `regoVersion`; failing on parse errors) and checks them. */
export function checkSources(sources: readonly string[], opts: CheckOptions = {}, regoVersion: 'v0' | 'v1' = 'v1'): CheckOutcome {
  const modules = sources.map((text, i) => {
    const r = parse({ name: `test-${i}.rego`, text }, { regoVersion });
    if (r.diagnostics.length > 0 || !r.value) throw new Error(`parse failed: ${JSON.stringify(r.diagnostics)}`);
    return r.value;
  });
  const res = check(modules, opts);
  return {
    program: res.value,
    diags: res.diagnostics.map((d) => `${d.code} ${d.location.row}:${d.location.col} ${d.message}`),
    rules: res.value.rules.map((r) => printRule(r.rule)),
  };
}

/** printTermText renders a term as compact Rego. */
export function printTermText(t: Term): string {
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
      return (
        printTermText(t.head) +
        t.path.map((p) => (p.kind === 'string' && /^[A-Za-z_]\w*$/.test(p.value) ? `.${p.value}` : `[${printTermText(p)}]`)).join('')
      );
    case 'array':
      return `[${t.items.map(printTermText).join(', ')}]`;
    case 'set':
      return t.items.length ? `{${t.items.map(printTermText).join(', ')}}` : 'set()';
    case 'object':
      return `{${t.entries.map(([k, v]) => `${printTermText(k)}: ${printTermText(v)}`).join(', ')}}`;
    case 'arrayCompr':
      return `[${printTermText(t.head)} | ${printBodyText(t.body)}]`;
    case 'setCompr':
      return `{${printTermText(t.head)} | ${printBodyText(t.body)}}`;
    case 'objectCompr':
      return `{${printTermText(t.key)}: ${printTermText(t.value)} | ${printBodyText(t.body)}}`;
    case 'call':
      if (t.operator && t.args.length === 2) return `${printTermText(t.args[0] as Term)} ${t.operator} ${printTermText(t.args[1] as Term)}`;
      return `${t.fn.join('.')}(${t.args.map(printTermText).join(', ')})`;
  }
}

function printWith(ws: readonly WithModifier[]): string {
  return ws.map((w) => ` with ${printTermText(w.target)} as ${printTermText(w.value)}`).join('');
}

/** printExprText renders one body expression. */
export function printExprText(e: Expr): string {
  switch (e.kind) {
    case 'term':
      return `${e.negated ? 'not ' : ''}${printTermText(e.term)}${printWith(e.with)}`;
    case 'some':
      return `some ${e.vars.map((v) => v.name).join(', ')}`;
    case 'someIn':
      return `some ${e.key ? `${printTermText(e.key)}, ` : ''}${printTermText(e.value)} in ${printTermText(e.collection)}${printWith(e.with)}`;
    case 'every':
      return `every ${e.key ? `${e.key.name}, ` : ''}${e.value.name} in ${printTermText(e.domain)} { ${printBodyText(e.body)} }${printWith(e.with)}`;
    case 'notBody':
      return `not { ${printBodyText(e.body)} }`;
  }
}

/** printBodyText renders a body as `e1; e2`. */
export function printBodyText(b: Body): string {
  return b.exprs.map(printExprText).join('; ');
}

/** printRule renders a rule head and body on one line. */
export function printRule(r: Rule): string {
  const h = r.head;
  let head =
    printTermText(h.ref[0] as Term) +
    h.ref
      .slice(1)
      .map((p) => (p.kind === 'string' ? `.${p.value}` : `[${printTermText(p)}]`))
      .join('');
  if (h.args) head += `(${h.args.map(printTermText).join(', ')})`;
  if (h.contains) head += ` contains ${printTermText(h.contains)}`;
  if (h.value) head += ` := ${printTermText(h.value)}`;
  if (r.default) head = `default ${head}`;
  let out = r.body.exprs.length ? `${head} if { ${printBodyText(r.body)} }` : head;
  for (let el = r.else; el; el = el.else)
    out += ` else${el.value ? ` := ${printTermText(el.value)}` : ''} if { ${printBodyText(el.body)} }`;
  return out;
}
