// Graph builtins of the "data" family: graph.reachable and graph.reachable_paths over a graph given
// as an object from node to its neighbours (an array or set; any other value means no edges).
// A node reaches only what is a key of the graph, as in OPA. Exports: the bi_* functions.

import { T_OBJECT, listGet, listLen, listPush, newArray, newSet, tagOf } from "../../value";
import { isList, objectGet, setAdd, setContains } from "../../collections";
import { equal } from "../../compare";
import { operandError } from "../errors";

/** edgeCount is the number of neighbours listed by an edges value (0 unless an array or set). */
function edgeCount(edges: usize): u32 {
  return isList(edges) ? listLen(edges) : 0;
}

/** checkOperands reports OPA's type errors for (graph, initial nodes); true when both are fine. */
function checkOperands(fn: string, graph: usize, initial: usize): bool {
  if (tagOf(graph) != T_OBJECT) {
    operandError(fn, 1, "object", graph);
    return false;
  }
  if (!isList(initial)) {
    operandError(fn, 2, "{array, set}", initial);
    return false;
  }
  return true;
}

/** bi_graph_reachable returns the set of graph nodes reachable from the initial nodes (breadth first). */
export function bi_graph_reachable(graph: usize, initial: usize): usize {
  if (graph == 0 || initial == 0) return 0;
  if (!checkOperands("graph.reachable", graph, initial)) return 0;
  const reached = newSet(8);
  const queue = newArray(listLen(initial));
  for (let i: u32 = 0; i < listLen(initial); i++) listPush(queue, listGet(initial, i));
  for (let i: u32 = 0; i < listLen(queue); i++) {
    const node = listGet(queue, i);
    if (setContains(reached, node)) continue;
    const edges = objectGet(graph, node);
    if (edges == 0) continue;
    setAdd(reached, node);
    const n = edgeCount(edges);
    for (let j: u32 = 0; j < n; j++) {
      const next = listGet(edges, j);
      if (!setContains(reached, next)) listPush(queue, next);
    }
  }
  return reached;
}

/** withNode returns a new array: path followed by node. */
function withNode(path: usize, node: usize): usize {
  const n = listLen(path);
  const out = newArray(n + 1);
  for (let i: u32 = 0; i < n; i++) listPush(out, listGet(path, i));
  listPush(out, node);
  return out;
}

/** onPath tells whether node occurs in path. */
function onPath(path: usize, node: usize): bool {
  const n = listLen(path);
  for (let i: u32 = 0; i < n; i++) if (equal(listGet(path, i), node)) return true;
  return false;
}

/**
 * addPaths adds to out every path that extends path (which ends at the node that leads to root)
 * through root: a path stops before a node the graph does not have, at a node without edges, and
 * before a neighbour already on it (a cycle).
 */
function addPaths(graph: usize, root: usize, path: usize, out: usize): void {
  const edges = objectGet(graph, root);
  if (edges == 0) {
    setAdd(out, path);
    return;
  }
  const here = withNode(path, root);
  const n = edgeCount(edges);
  if (n == 0) {
    setAdd(out, here);
    return;
  }
  for (let i: u32 = 0; i < n; i++) {
    const next = listGet(edges, i);
    if (onPath(here, next)) setAdd(out, here);
    else addPaths(graph, next, here, out);
  }
}

/** bi_graph_reachable_paths returns the set of paths (arrays of nodes) from each initial node that is in the graph. */
export function bi_graph_reachable_paths(graph: usize, initial: usize): usize {
  if (graph == 0 || initial == 0) return 0;
  if (!checkOperands("graph.reachable_paths", graph, initial)) return 0;
  const out = newSet(8);
  for (let i: u32 = 0; i < listLen(initial); i++) {
    const node = listGet(initial, i);
    const edges = objectGet(graph, node);
    if (edges == 0) continue;
    const start = withNode(newArray(1), node);
    const n = edgeCount(edges);
    if (n == 0) setAdd(out, start);
    for (let j: u32 = 0; j < n; j++) addPaths(graph, listGet(edges, j), start, out);
  }
  return out;
}
