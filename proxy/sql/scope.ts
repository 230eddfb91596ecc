// Query scopes for the walker: the FROM-clause entries and CTEs a column reference can see at
// one query level, innermost level first, as PostgreSQL resolves names without a catalog.

import type { ColumnName } from './types.js';
import { columnKey, flatten, type Col, type Lineage } from './lineage.js';

/** Entry is a FROM-clause entry as a column reference sees it. */
export type Entry =
  | { readonly kind: 'table'; readonly refname: string; readonly table: string; readonly renamed: boolean }
  | { readonly kind: 'query'; readonly refname: string; readonly cols: readonly Col[]; readonly aliases: readonly string[] }
  | { readonly kind: 'opaque'; readonly refname: string; readonly lineage: Lineage }
  | { readonly kind: 'join'; readonly refname: string; readonly children: readonly Entry[] };

/** Acc accumulates the columns and whole-row references that make up one value. */
export type Acc = { readonly cols: Map<string, ColumnName>; wholeRow: boolean };

/** newAcc starts an empty accumulator. */
export function newAcc(): Acc {
  return { cols: new Map(), wholeRow: false };
}

/** add merges a lineage into an accumulator. */
export function add(acc: Acc, l: Lineage): void {
  for (const c of flatten(l)) acc.cols.set(columnKey(c), c);
  acc.wholeRow ||= l.wholeRow;
}

/** accLineage reads an accumulator back as a lineage (every column derived). */
export function accLineage(acc: Acc): Lineage {
  return { derived: [...acc.cols.values()], wholeRow: acc.wholeRow };
}

/** Cte is a CTE's result columns, or null while a recursive CTE's own body is being walked. */
export type Cte = { readonly cols: readonly Col[] | null; readonly aliases: readonly string[] };

/** Scope is one query level. Entries and CTEs are looked up innermost first. */
export type Scope = {
  readonly parent: Scope | undefined;
  readonly entries: Entry[];
  readonly ctes: Map<string, Cte>;
  outputs?: readonly Col[];
};

/** childScope opens a query level inside `parent` (undefined: a statement's outermost level). */
export function childScope(parent: Scope | undefined): Scope {
  return { parent, entries: [], ctes: new Map() };
}

/** findCte looks a CTE name up, innermost level first. */
export function findCte(name: string, sc: Scope): Cte | undefined {
  for (let s: Scope | undefined = sc; s !== undefined; s = s.parent) {
    const cte = s.ctes.get(name);
    if (cte !== undefined) return cte;
  }
  return undefined;
}

/** flattenJoins opens up join aliases; `keepJoins` also keeps the join entries themselves. */
export function flattenJoins(entries: readonly Entry[], keepJoins: boolean): Entry[] {
  const out: Entry[] = [];
  for (const e of entries) {
    if (e.kind === 'join') {
      if (keepJoins) out.push(e);
      out.push(...flattenJoins(e.children, keepJoins));
    } else out.push(e);
  }
  return out;
}

/** hasColumn tells whether an entry has a column of that name: 'maybe' where only the catalog could say. */
export function hasColumn(e: Entry, name: string): 'yes' | 'no' | 'maybe' {
  switch (e.kind) {
    case 'table':
      return 'maybe';
    case 'opaque':
      return e.refname === name ? 'yes' : 'maybe';
    case 'query': {
      if (e.cols.some((c, i) => (e.aliases[i] ?? c.name) === name && c.star === undefined)) return 'yes';
      return e.cols.some((c) => c.star !== undefined) ? 'maybe' : 'no';
    }
    case 'join': {
      const inner = e.children.map((c) => hasColumn(c, name));
      return inner.includes('yes') ? 'yes' : inner.includes('maybe') ? 'maybe' : 'no';
    }
  }
}
