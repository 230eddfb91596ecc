// Parser entry points: SourceFile → ast.Module (Rego v1, or v0 with ParseOptions.regoVersion), query text → Body, term text → Term.
// Lexes, then parses statement by statement; on an error it records a rego_parse_error and skips
// to the next line starting a statement at column 1, so one file can report several errors.

import type { Annotation, Body, Import, Module, Package, Rule, Term } from '../ast/nodes.js';
import { error, sortDiagnostics } from '../diagnostics/index.js';
import type { SourceFile, StageResult } from '../diagnostics/index.js';
import { lex } from '../lexer/index.js';
import type { Token } from '../lexer/index.js';
import { collectAnnotations } from './annotations.js';
import { parseLiterals } from './body.js';
import { Cursor, ParseFailure } from './cursor.js';
import { parseImport, parsePackage, parseRule } from './rules.js';
import { parseInExpr } from './terms.js';
import { checkRootShadowing } from './v1-checks.js';

/** ParseOptions selects the Rego syntax version (default v1). */
export type ParseOptions = { readonly regoVersion?: 'v0' | 'v1' };

/**
 * parse parses one Rego module. The value is the module (possibly partial when diagnostics hold
 * errors) or undefined when not even the package clause could be read. It never throws.
 */
export function parse(file: SourceFile, opts: ParseOptions = {}): StageResult<Module | undefined> {
  const lexed = lex(file);
  let tokens = lexed.value.filter((t) => t.kind !== 'comment');
  // A v0 file that imports rego.v1 is parsed with v1 rules.
  const v0 = opts.regoVersion === 'v0' && !importsRegoV1(tokens);
  if (v0) tokens = applyV0Keywords(tokens);
  const c = new Cursor(file.name, tokens);
  c.v0 = v0;
  const annotations = collectAnnotations(lexed.value, c.diagnostics);
  const module = guard(c, () => parseModule(c, file.name, annotations));
  if (module !== undefined && !v0) for (const d of checkRootShadowing(module)) c.report(d);
  return { value: module, diagnostics: sortDiagnostics([...lexed.diagnostics, ...c.diagnostics]) };
}

/** FUTURE_KEYWORDS are the v1 keywords that a v0 module enables only by importing them. */
const FUTURE_KEYWORDS: readonly string[] = ['if', 'contains', 'in', 'every'];

/** importPaths lists the dotted paths of `import a.b.c` statements (those starting a line). */
function importPaths(tokens: readonly Token[]): string[] {
  const paths: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== 'keyword' || t.text !== 'import') continue;
    const parts: string[] = [];
    let j = i + 1;
    for (;;) {
      const w = tokens[j];
      if (w === undefined || (w.kind !== 'ident' && w.kind !== 'keyword') || (j > i + 1 && w.newline)) break;
      parts.push(w.text);
      const dot = tokens[j + 1];
      if (dot === undefined || dot.kind !== 'punct' || dot.text !== '.' || dot.newline) break;
      j += 2;
    }
    paths.push(parts.join('.'));
  }
  return paths;
}

function importsRegoV1(tokens: readonly Token[]): boolean {
  return importPaths(tokens).includes('rego.v1');
}

/**
 * applyV0Keywords turns the future keywords a v0 module does not import (`future.keywords` or
 * `future.keywords.<kw>`) back into identifiers, as OPA's v0 parser treats them.
 */
function applyV0Keywords(tokens: readonly Token[]): Token[] {
  const enabled = new Set<string>();
  for (const p of importPaths(tokens)) {
    if (p === 'future.keywords') for (const k of FUTURE_KEYWORDS) enabled.add(k);
    else if (p.startsWith('future.keywords.')) enabled.add(p.slice('future.keywords.'.length));
  }
  return tokens.map((t, i) => {
    if (t.kind !== 'keyword' || !FUTURE_KEYWORDS.includes(t.text) || enabled.has(t.text)) return t;
    // the keyword inside the import path itself (`import future.keywords.in`) stays a path word
    const prev = tokens[i - 1];
    if (prev !== undefined && prev.kind === 'punct' && prev.text === '.') return t;
    return { ...t, kind: 'ident' as const };
  });
}

/** parseQuery parses a query body (`data.x.p = x; y := 1`, literals separated by `;` or newlines). */
export function parseQuery(text: string, file = 'query'): StageResult<Body | undefined> {
  return parseFragment(text, file, (c) => {
    const start = c.tok.loc;
    const exprs = parseLiterals(c, () => c.tok.kind === 'eof');
    return { exprs, loc: c.span(start) };
  });
}

/** parseTerm parses a single term such as `{"foo": {{1}}}`, `"b"` or `1.0`. */
export function parseTerm(text: string, file = 'term'): StageResult<Term | undefined> {
  return parseFragment(text, file, (c) => {
    const t = parseInExpr(c);
    if (c.tok.kind !== 'eof') c.unexpected('end of term');
    return t;
  });
}

function parseFragment<T>(text: string, file: string, run: (c: Cursor) => T): StageResult<T | undefined> {
  const lexed = lex({ name: file, text });
  const c = new Cursor(
    file,
    lexed.value.filter((t) => t.kind !== 'comment'),
  );
  const value = lexed.diagnostics.length > 0 ? undefined : guard(c, () => run(c));
  const diagnostics = sortDiagnostics([...lexed.diagnostics, ...c.diagnostics]);
  return { value: diagnostics.length > 0 ? undefined : value, diagnostics };
}

/** guard runs fn, turning a parse failure or runaway recursion into a diagnostic. */
function guard<T>(c: Cursor, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ParseFailure) {
      c.report(e.diagnostic);
      return undefined;
    }
    if (e instanceof RangeError) {
      c.report(error('rego_parse_error', 'input nested too deeply', c.tok.loc));
      return undefined;
    }
    throw e;
  }
}

// module: package (import | rule)* with statements ended by newline, ';' or eof
function parseModule(c: Cursor, file: string, annotations: Map<number, Annotation>): Module | undefined {
  const moduleAnnotations: Annotation[] = [];
  const takeAnnotation = (index: number, isPackage: boolean): Annotation | undefined => {
    const a = annotations.get(index);
    if (a === undefined) return undefined;
    if (isPackage || a.scope === 'package' || a.scope === 'subpackages') {
      moduleAnnotations.push(a);
      return undefined;
    }
    return a;
  };
  if (!c.is('package')) {
    const t = c.tok;
    c.report(error('rego_parse_error', t.kind === 'eof' ? 'empty module: package expected' : 'package expected', t.loc));
    return undefined;
  }
  takeAnnotation(c.pos, true);
  let pkg: Package;
  try {
    pkg = parsePackage(c);
    endStatement(c);
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    c.report(e.diagnostic);
    return undefined;
  }
  const imports: Import[] = [];
  const rules: Rule[] = [];
  while (c.tok.kind !== 'eof') {
    const startPos = c.pos;
    try {
      if (c.is('import')) {
        takeAnnotation(c.pos, false);
        if (rules.length > 0) c.fail('unexpected import keyword: imports must come before rules');
        imports.push(parseImport(c));
      } else if (c.is('package')) {
        c.fail('unexpected package keyword: a module has one package clause');
      } else {
        rules.push(...parseRule(c, takeAnnotation(c.pos, false)));
      }
      endStatement(c);
    } catch (e) {
      if (!(e instanceof ParseFailure)) throw e;
      c.report(e.diagnostic);
      recover(c, startPos);
    }
  }
  return { kind: 'module', file, package: pkg, imports, rules, annotations: moduleAnnotations, regoVersion: c.v0 ? 'v0' : 'v1' };
}

function endStatement(c: Cursor): void {
  if (c.tok.kind === 'eof' || c.tok.newline) return;
  if (c.accept(';')) return;
  c.unexpected('end of statement (newline or ;)');
}

/** recover skips to the next token that starts a statement at column 1 after `startPos`. */
function recover(c: Cursor, startPos: number): void {
  while (c.tok.kind !== 'eof') {
    if (c.pos > startPos && startsStatement(c.tok)) return;
    c.next();
  }
}

const CONTINUATION_KEYWORDS: ReadonlySet<string> = new Set(['else', 'with', 'as', 'in', 'contains']);

function startsStatement(t: Token): boolean {
  if (t.loc.col !== 1 || !t.newline) return false;
  // any word may start a (possibly broken) rule, except those that only continue one
  return t.kind === 'ident' || (t.kind === 'keyword' && !CONTINUATION_KEYWORDS.has(t.text));
}
