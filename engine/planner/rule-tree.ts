// The rule tree: CheckedRules grouped by their constant path (`data.a.b.p`), as a trie whose
// children are kept in sorted key order so planning is deterministic.
// In: CheckedProgram.rules. Out: RuleNode root (path ['data']).

import type { CheckedRule } from '../check/index.js';

/** RuleNode is one path in the rule tree: the rules defined exactly there and its child paths. */
export type RuleNode = {
  readonly path: readonly string[];
  readonly rules: CheckedRule[];
  readonly children: Map<string, RuleNode>;
};

/**
 * buildRuleTree groups rules by path into a trie rooted at `data`. Each package path gets a node
 * even without rules, so a package with no rules is the document `{}` (as in OPA), not undefined.
 */
export function buildRuleTree(rules: readonly CheckedRule[], packages: readonly (readonly string[])[] = []): RuleNode {
  const root: RuleNode = { path: ['data'], rules: [], children: new Map() };
  const nodeAt = (keys: readonly string[]): RuleNode => {
    let node = root;
    for (const key of keys) {
      let child = node.children.get(key);
      if (!child) {
        child = { path: [...node.path, key], rules: [], children: new Map() };
        node.children.set(key, child);
      }
      node = child;
    }
    return node;
  };
  for (const p of packages) nodeAt(p);
  for (const r of rules) nodeAt(r.path.slice(1)).rules.push(r);
  return root;
}

/** sortedChildren lists a node's children by key (code-unit order). */
export function sortedChildren(node: RuleNode): RuleNode[] {
  return [...node.children.keys()].sort().map((k) => node.children.get(k) as RuleNode);
}

/** isFunctionNode tells whether the rules at a node define a function (not a document). */
export function isFunctionNode(node: RuleNode): boolean {
  return node.rules.some((r) => r.kind === 'function');
}

/** findNode returns the node at a path (with or without the leading `data`), if any. */
export function findNode(root: RuleNode, path: readonly string[]): RuleNode | undefined {
  let node: RuleNode | undefined = root;
  for (const key of path[0] === 'data' ? path.slice(1) : path) {
    node = node.children.get(key);
    if (!node) return undefined;
  }
  return node;
}

/** hasDocument tells whether a node contributes to `data` when materialized (functions do not). */
export function hasDocument(node: RuleNode): boolean {
  return !isFunctionNode(node);
}

/** pathName renders a path as `data.a.b`. */
export function pathName(path: readonly string[]): string {
  return path.join('.');
}
