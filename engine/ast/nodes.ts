// AST: the parser's output and the checker's input. Plain readonly data with a `kind`
// discriminant and a Location on every node, so goldens are plain text and stages switch
// exhaustively. Operators are desugared to calls with OPA's builtin names (see OPERATORS).

import type { Location } from '../diagnostics/index.js';

/** Term is a Rego value or value-producing expression. */
export type Term =
  | NullTerm
  | BooleanTerm
  | NumberTerm
  | StringTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | ObjectTerm
  | SetTerm
  | ArrayComprehension
  | SetComprehension
  | ObjectComprehension
  | CallTerm;

/** NullTerm is the literal `null`. */
export type NullTerm = { readonly kind: 'null'; readonly loc: Location };
/** BooleanTerm is `true` or `false`. */
export type BooleanTerm = { readonly kind: 'boolean'; readonly value: boolean; readonly loc: Location };
/** NumberTerm keeps the literal's exact text (`1`, `-2.5`, `1e400`, `12345678901234567890`). */
export type NumberTerm = { readonly kind: 'number'; readonly text: string; readonly loc: Location };
/** StringTerm is a decoded string; `raw` is true for backtick strings. */
export type StringTerm = { readonly kind: 'string'; readonly value: string; readonly raw: boolean; readonly loc: Location };
/**
 * VarTerm is a variable or a root name (`input`, `data`, a rule or function name, an import alias).
 * The parser gives every `_` wildcard a unique name `$_<n>` (n counts per module from 0) and sets
 * `wildcard`.
 */
export type VarTerm = { readonly kind: 'var'; readonly name: string; readonly wildcard?: boolean; readonly loc: Location };
/**
 * RefTerm is `head.a[b][c]...`. `head` is a VarTerm (usually), or a composite/call/comprehension
 * term (e.g. `[1,2][i]`, `f(x).y`). Each `.name` path element is a StringTerm; `[t]` is the term t.
 */
export type RefTerm = { readonly kind: 'ref'; readonly head: Term; readonly path: readonly Term[]; readonly loc: Location };
/** ArrayTerm is `[a, b]`. */
export type ArrayTerm = { readonly kind: 'array'; readonly items: readonly Term[]; readonly loc: Location };
/** ObjectTerm is `{k: v, ...}`; keys may be any term. */
export type ObjectTerm = { readonly kind: 'object'; readonly entries: readonly (readonly [Term, Term])[]; readonly loc: Location };
/** SetTerm is `{a, b}` or `set()`. */
export type SetTerm = { readonly kind: 'set'; readonly items: readonly Term[]; readonly loc: Location };
/** ArrayComprehension is `[head | body]`. */
export type ArrayComprehension = { readonly kind: 'arrayCompr'; readonly head: Term; readonly body: Body; readonly loc: Location };
/** SetComprehension is `{head | body}`. */
export type SetComprehension = { readonly kind: 'setCompr'; readonly head: Term; readonly body: Body; readonly loc: Location };
/** ObjectComprehension is `{key: value | body}`. */
export type ObjectComprehension = {
  readonly kind: 'objectCompr';
  readonly key: Term;
  readonly value: Term;
  readonly body: Body;
  readonly loc: Location;
};
/**
 * CallTerm is `f(args)`. `fn` is the callee as a dotted name (`count`, `array.concat`, `data.pkg.f`,
 * `f`, an import alias path) exactly as written; the checker resolves it into `resolved`.
 * Operators are CallTerms too: `a + b` is `{ fn: ['plus'], args: [a, b], operator: '+' }`.
 */
export type CallTerm = {
  readonly kind: 'call';
  readonly fn: readonly string[];
  readonly args: readonly Term[];
  readonly operator?: string;
  readonly loc: Location;
};

/**
 * OPERATORS maps infix operators to OPA's builtin names. `=` is unification (`eq`), `:=` is
 * declaration+unification (`assign`). `x in xs` is `internal.member_2(x, xs)`, `k, v in xs` is
 * `internal.member_3(k, v, xs)`. `-1` is a number literal; unary minus on anything else is
 * `minus(0, x)`.
 */
export const OPERATORS = {
  '=': 'eq',
  ':=': 'assign',
  '==': 'equal',
  '!=': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
  '+': 'plus',
  '-': 'minus',
  '*': 'mul',
  '/': 'div',
  '%': 'rem',
  '&': 'and',
  '|': 'or',
} as const;

/** WithModifier is `with target as value`; target is a RefTerm or VarTerm (`input`, `data.x`, `count`). */
export type WithModifier = { readonly kind: 'with'; readonly target: Term; readonly value: Term; readonly loc: Location };

/** Expr is one body expression (a literal in OPA's terms). */
export type Expr = TermExpr | SomeDecl | SomeInExpr | EveryExpr | NotBodyExpr;

/** TermExpr is a term used as an expression, optionally negated with `not`; calls (incl. operators) live here. */
export type TermExpr = {
  readonly kind: 'term';
  readonly term: Term;
  readonly negated: boolean;
  readonly with: readonly WithModifier[];
  readonly loc: Location;
};
/** SomeDecl is `some x, y` (declaration only). */
export type SomeDecl = { readonly kind: 'some'; readonly vars: readonly VarTerm[]; readonly loc: Location };
/** SomeInExpr is `some v in xs` / `some k, v in xs`; key and value may be patterns (`some [a, b] in xs`). */
export type SomeInExpr = {
  readonly kind: 'someIn';
  readonly key?: Term;
  readonly value: Term;
  readonly collection: Term;
  readonly with: readonly WithModifier[];
  readonly loc: Location;
};
/** EveryExpr is `every v in xs { body }` / `every k, v in xs { body }`. */
export type EveryExpr = {
  readonly kind: 'every';
  readonly key?: VarTerm;
  readonly value: VarTerm;
  readonly domain: Term;
  readonly body: Body;
  readonly with: readonly WithModifier[];
  readonly loc: Location;
};
/** NotBodyExpr is `not { a; b }` (rego.v2 / future syntax); optional. */
export type NotBodyExpr = { readonly kind: 'notBody'; readonly body: Body; readonly loc: Location };

/** Body is a conjunction of expressions. */
export type Body = { readonly exprs: readonly Expr[]; readonly loc: Location };

/**
 * RuleHead describes what a rule defines.
 *  - `ref`: the rule's name as a ref relative to the package: `p` → [Var p]; `a.b.c` → [Var a, Str b, Str c];
 *    `p[x]` → [Var p, Var x]; `p.q[r]` → [Var p, Str q, Var r]. Elements after the first are terms.
 *  - `args`: present for functions (`f(x, [y, z])`).
 *  - `value`: the value (`:= v`, `= v`, or for functions the return). Absent means `true`.
 *  - `contains`: the member term for multi-value rules (`p contains x`, v0 `p[x] { }`).
 *  - `assign`: `:=` was used (affects redeclaration checks).
 */
export type RuleHead = {
  readonly ref: readonly Term[];
  readonly args?: readonly Term[];
  readonly value?: Term;
  readonly contains?: Term;
  readonly assign: boolean;
  readonly loc: Location;
};

/** ElseClause is `else [= v] [if] { body }`; chains through `else`. */
export type ElseClause = {
  readonly value?: Term;
  readonly body: Body;
  readonly else?: ElseClause;
  readonly loc: Location;
};

/**
 * Rule is one rule definition. `body` is the rule body; a rule written without a body
 * (`p := 1`, `default p := false`) gets a Body with no exprs (always true).
 */
export type Rule = {
  readonly kind: 'rule';
  readonly default: boolean;
  readonly head: RuleHead;
  readonly body: Body;
  readonly else?: ElseClause;
  readonly annotations?: Annotation;
  readonly loc: Location;
};

/** Import is `import data.x.y [as z]`, `import input.x`, `import rego.v1`, `import future.keywords.in`. */
export type Import = { readonly path: RefTerm | VarTerm; readonly alias?: string; readonly loc: Location };

/** Package is `package a.b.c`; path holds the segments without `data`. */
export type Package = { readonly path: readonly string[]; readonly loc: Location };

/** Annotation is a parsed `# METADATA` block (YAML); `entrypoint` and `scope` are the fields we act on. */
export type Annotation = {
  readonly scope?: string;
  readonly title?: string;
  readonly entrypoint?: boolean;
  readonly raw: Readonly<Record<string, unknown>>;
  readonly loc: Location;
};

/** Module is one parsed source file. */
export type Module = {
  readonly kind: 'module';
  readonly file: string;
  readonly package: Package;
  readonly imports: readonly Import[];
  readonly rules: readonly Rule[];
  /** Annotations on the package (scope package/subpackages) or document. */
  readonly annotations: readonly Annotation[];
  readonly regoVersion: 'v0' | 'v1';
};
