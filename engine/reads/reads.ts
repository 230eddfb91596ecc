// The input-reads analysis: which `input` paths an entrypoint's value can depend on, so that a
// decision can be memoised keyed on exactly those values. Always a superset (or 'unbounded'):
// from the entrypoint's rules, follow every data ref and user-function call to the rules it can
// reach, and collect their input refs' constant prefixes (summary.ts). In: a CheckedProgram.
// Out: InputReads per entrypoint. Pure; costs one walk of the program plus a search per entrypoint.

import type { CheckedProgram } from '../check/index.js';
import { ruleFacts } from './summary.js';
import type { HostBuiltinNames, RuleFacts } from './summary.js';

/** InputReads: the input paths an entrypoint's value can depend on, or why that cannot be bounded. */
export type InputReads =
  | { readonly kind: 'paths'; readonly paths: readonly (readonly string[])[] }
  | { readonly kind: 'unbounded'; readonly reason: string };

/** InputReadsOptions are the compilation settings the analysis needs. */
export type InputReadsOptions = {
  /** Builtins declared as host-supplied (CompileOptions.hostBuiltins): calling one makes the value unbounded. */
  readonly hostBuiltins?: HostBuiltinNames;
};

/** ReadsAnalysis answers inputReads for many entrypoints of one program, walking its rules once. */
export type ReadsAnalysis = {
  readonly inputReads: (entrypoint: string) => InputReads;
};

/**
 * inputReads reports the input paths entrypoint `pkg/rule` (or `pkg`: every rule under it) can
 * read: sorted, deduplicated and minimal (no path is a prefix of another; `[[]]` is the whole
 * input), or 'unbounded' with the reason when a reachable rule calls something that is not a
 * function of input and data (time.now_ns, print, a host builtin…).
 */
export function inputReads(program: CheckedProgram, entrypoint: string, opts: InputReadsOptions = {}): InputReads {
  return createReadsAnalysis(program, opts).inputReads(entrypoint);
}

/** createReadsAnalysis prepares the per-rule facts and the rule index of `program`. */
export function createReadsAnalysis(program: CheckedProgram, opts: InputReadsOptions = {}): ReadsAnalysis {
  const hostBuiltins = opts.hostBuiltins ?? {};
  const facts: (RuleFacts | undefined)[] = [];
  const factsOf = (i: number): RuleFacts => {
    const have = facts[i];
    if (have) return have;
    const made = ruleFacts((program.rules[i] as CheckedProgram['rules'][number]).rule, hostBuiltins);
    facts[i] = made;
    return made;
  };
  const index = indexRules(program);
  return {
    inputReads(entrypoint) {
      const start = ['data', ...entrypoint.split('/').filter((s) => s !== '')];
      const seen = new Set<number>();
      const todo = [...related(index, start)];
      const paths: (readonly string[])[] = [];
      while (todo.length > 0) {
        const i = todo.pop() as number;
        if (seen.has(i)) continue;
        seen.add(i);
        const f = factsOf(i);
        paths.push(...f.inputPaths);
        for (const ref of f.dataRefs) for (const j of related(index, ref)) if (!seen.has(j)) todo.push(j);
      }
      // The first offending rule in program order, so the reason is the same on every compile.
      for (const i of [...seen].sort((a, b) => a - b)) {
        const reason = factsOf(i).unbounded[0];
        if (reason !== undefined) return { kind: 'unbounded', reason };
      }
      return { kind: 'paths', paths: minimalPaths(paths) };
    },
  };
}

/** RuleNode is one node of the trie of rule paths (`data`, `a`, `b`, …); `rules` are indices into program.rules. */
type RuleNode = { readonly children: Map<string, RuleNode>; readonly rules: number[] };

function indexRules(program: CheckedProgram): RuleNode {
  const root: RuleNode = { children: new Map(), rules: [] };
  program.rules.forEach((r, i) => {
    let node = root;
    for (const seg of r.path) {
      let next = node.children.get(seg);
      if (!next) {
        next = { children: new Map(), rules: [] };
        node.children.set(seg, next);
      }
      node = next;
    }
    node.rules.push(i);
  });
  return root;
}

/**
 * related lists the rules whose path and `prefix` are prefix-related either way: a ref to
 * data.a.b reaches the rule data.a (it reads into its value) and every rule under data.a.b.
 */
function related(root: RuleNode, prefix: readonly string[]): number[] {
  const out: number[] = [];
  let node: RuleNode | undefined = root;
  for (const seg of prefix) {
    out.push(...node.rules);
    node = node.children.get(seg);
    if (!node) return out;
  }
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop() as RuleNode;
    out.push(...n.rules);
    stack.push(...n.children.values());
  }
  return out;
}

/** minimalPaths sorts paths element by element and drops duplicates and paths under another one. */
export function minimalPaths(paths: readonly (readonly string[])[]): string[][] {
  const sorted = [...paths].sort(comparePaths);
  const out: string[][] = [];
  for (const p of sorted) {
    const last = out[out.length - 1];
    if (last && isPrefix(last, p)) continue;
    out.push([...p]);
  }
  return out;
}

function comparePaths(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function isPrefix(p: readonly string[], of: readonly string[]): boolean {
  return p.length <= of.length && p.every((s, i) => s === of[i]);
}
