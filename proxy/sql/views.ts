// Views for the walker: a view named in FROM is walked as the query it stands for (its definition
// from the catalog), so lineage, functions and tables follow it into the relations it reads.
// Definitions are parsed once per definition object; a definition that does not parse to one
// query, or a view met inside itself, is opaque (its columns carry the view's whole row).

import { parseSync } from 'libpg-query';
import type { ViewDefinition } from './types.js';
import { asFields, asList, asNode, type Node } from './tree.js';

/** MAX_VIEW_DEPTH bounds views inside views (PostgreSQL itself forbids cycles). */
export const MAX_VIEW_DEPTH = 16;

const parsed = new WeakMap<ViewDefinition, Node | null>();

/** viewQuery parses a view's definition into its one query node, or null when it is not exactly one SELECT. */
export function viewQuery(view: ViewDefinition): Node | null {
  const hit = parsed.get(view);
  if (hit !== undefined) return hit;
  let node: Node | null = null;
  try {
    const stmts = asList(asFields(parseSync(view.sql))?.['stmts']);
    const only = stmts.length === 1 ? asNode(asFields(stmts[0])?.['stmt']) : undefined;
    if (only?.type === 'SelectStmt') node = only;
  } catch {
    node = null;
  }
  parsed.set(view, node);
  return node;
}
