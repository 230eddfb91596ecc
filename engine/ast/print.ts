// AST printer for golden files: Module/Body/Term → indented text, one node per line with its
// kind, payload and `@row:col`. Deterministic (annotation YAML printed as key-sorted JSON) so
// goldens diff cleanly; not Rego syntax.

import { assertNever } from '../diagnostics/index.js';
import type { Location } from '../diagnostics/index.js';
import type { Annotation, Body, ElseClause, Expr, Module, Rule, Term, WithModifier } from './nodes.js';

type Out = string[];

const at = (loc: Location): string => `@${loc.row}:${loc.col}`;
const pad = (depth: number): string => '  '.repeat(depth);

/** printModule renders a whole module, one node per line. */
export function printModule(m: Module): string {
  const out: Out = [`module ${m.file} ${m.regoVersion}`];
  out.push(`${pad(1)}package ${m.package.path.join('.')} ${at(m.package.loc)}`);
  for (const a of m.annotations) annotationLines(out, 1, a);
  for (const imp of m.imports) {
    out.push(`${pad(1)}import${imp.alias !== undefined ? ` as ${imp.alias}` : ''} ${at(imp.loc)}`);
    termLines(out, 2, imp.path);
  }
  for (const r of m.rules) ruleLines(out, 1, r);
  return `${out.join('\n')}\n`;
}

/** printTerm renders one term and its children. */
export function printTerm(t: Term): string {
  const out: Out = [];
  termLines(out, 0, t);
  return `${out.join('\n')}\n`;
}

/** printBody renders a body and its expressions. */
export function printBody(b: Body): string {
  const out: Out = [];
  bodyLines(out, 0, b);
  return `${out.join('\n')}\n`;
}

function annotationLines(out: Out, depth: number, a: Annotation): void {
  out.push(`${pad(depth)}annotation ${stableJson(a.raw)} ${at(a.loc)}`);
}

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
    return sorted;
  });
}

function ruleLines(out: Out, depth: number, r: Rule): void {
  out.push(`${pad(depth)}rule${r.default ? ' default' : ''} ${at(r.loc)}`);
  if (r.annotations !== undefined) annotationLines(out, depth + 1, r.annotations);
  const h = r.head;
  out.push(`${pad(depth + 1)}head${h.assign ? ' assign' : ''} ${at(h.loc)}`);
  for (const t of h.ref) termLines(out, depth + 2, t, 'ref');
  for (const t of h.args ?? []) termLines(out, depth + 2, t, 'arg');
  if (h.contains !== undefined) termLines(out, depth + 2, h.contains, 'contains');
  if (h.value !== undefined) termLines(out, depth + 2, h.value, 'value');
  bodyLines(out, depth + 1, r.body);
  if (r.else !== undefined) elseLines(out, depth + 1, r.else);
}

function elseLines(out: Out, depth: number, e: ElseClause): void {
  out.push(`${pad(depth)}else ${at(e.loc)}`);
  if (e.value !== undefined) termLines(out, depth + 1, e.value, 'value');
  bodyLines(out, depth + 1, e.body);
  if (e.else !== undefined) elseLines(out, depth, e.else);
}

function bodyLines(out: Out, depth: number, b: Body, label?: string): void {
  const prefix = label === undefined ? '' : `${label}: `;
  out.push(`${pad(depth)}${prefix}body${b.exprs.length === 0 ? ' (empty)' : ''} ${at(b.loc)}`);
  for (const e of b.exprs) exprLines(out, depth + 1, e);
}

function exprLines(out: Out, depth: number, e: Expr): void {
  const p = pad(depth);
  switch (e.kind) {
    case 'term':
      out.push(`${p}expr${e.negated ? ' not' : ''} ${at(e.loc)}`);
      termLines(out, depth + 1, e.term);
      withLines(out, depth + 1, e.with);
      return;
    case 'some':
      out.push(`${p}some ${at(e.loc)}`);
      for (const v of e.vars) termLines(out, depth + 1, v);
      return;
    case 'someIn':
      out.push(`${p}someIn ${at(e.loc)}`);
      if (e.key !== undefined) termLines(out, depth + 1, e.key, 'key');
      termLines(out, depth + 1, e.value, 'value');
      termLines(out, depth + 1, e.collection, 'collection');
      withLines(out, depth + 1, e.with);
      return;
    case 'every':
      out.push(`${p}every ${at(e.loc)}`);
      if (e.key !== undefined) termLines(out, depth + 1, e.key, 'key');
      termLines(out, depth + 1, e.value, 'value');
      termLines(out, depth + 1, e.domain, 'domain');
      bodyLines(out, depth + 1, e.body);
      withLines(out, depth + 1, e.with);
      return;
    case 'notBody':
      out.push(`${p}notBody ${at(e.loc)}`);
      bodyLines(out, depth + 1, e.body);
      return;
    default:
      assertNever(e);
  }
}

function withLines(out: Out, depth: number, mods: readonly WithModifier[]): void {
  for (const w of mods) {
    out.push(`${pad(depth)}with ${at(w.loc)}`);
    termLines(out, depth + 1, w.target, 'target');
    termLines(out, depth + 1, w.value, 'as');
  }
}

function termLines(out: Out, depth: number, t: Term, label?: string): void {
  const p = `${pad(depth)}${label === undefined ? '' : `${label}: `}`;
  const d = depth + 1;
  switch (t.kind) {
    case 'null':
      out.push(`${p}null ${at(t.loc)}`);
      return;
    case 'boolean':
      out.push(`${p}boolean ${t.value} ${at(t.loc)}`);
      return;
    case 'number':
      out.push(`${p}number ${t.text} ${at(t.loc)}`);
      return;
    case 'string':
      out.push(`${p}${t.raw ? 'rawString' : 'string'} ${JSON.stringify(t.value)} ${at(t.loc)}`);
      return;
    case 'var':
      out.push(`${p}var ${t.name}${t.wildcard === true ? ' (wildcard)' : ''} ${at(t.loc)}`);
      return;
    case 'ref':
      out.push(`${p}ref ${at(t.loc)}`);
      termLines(out, d, t.head, 'head');
      for (const x of t.path) termLines(out, d, x);
      return;
    case 'array':
    case 'set':
      out.push(`${p}${t.kind}${t.items.length === 0 ? ' (empty)' : ''} ${at(t.loc)}`);
      for (const x of t.items) termLines(out, d, x);
      return;
    case 'object':
      out.push(`${p}object${t.entries.length === 0 ? ' (empty)' : ''} ${at(t.loc)}`);
      for (const [k, v] of t.entries) {
        termLines(out, d, k, 'key');
        termLines(out, d + 1, v, 'value');
      }
      return;
    case 'arrayCompr':
    case 'setCompr':
      out.push(`${p}${t.kind} ${at(t.loc)}`);
      termLines(out, d, t.head, 'head');
      bodyLines(out, d, t.body);
      return;
    case 'objectCompr':
      out.push(`${p}objectCompr ${at(t.loc)}`);
      termLines(out, d, t.key, 'key');
      termLines(out, d, t.value, 'value');
      bodyLines(out, d, t.body);
      return;
    case 'call':
      out.push(`${p}call ${t.fn.join('.')}${t.operator !== undefined ? ` (${t.operator})` : ''} ${at(t.loc)}`);
      for (const x of t.args) termLines(out, d, x);
      return;
    default:
      assertNever(t);
  }
}
