// The shipped library is configured through data (policies/data.json, or an operator's own data
// files): `data.portcullis.approvals.approver_roles`, `data.portcullis.roles`, … A rule defined at
// such a path, or at a prefix of it, shadows the data: the operator's setting is silently ignored
// (a rule `approvals` in package portcullis once made `approver_roles` unsettable, so approvers
// could not be restricted). Every data path the library reads, and every path of data.json, must
// lie outside the library's rules. Found from the parsed modules, not from a list of names.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from '../../engine/index.js';
import { POLICIES_DIR, regoFiles } from '../helpers/policies.js';

type Module = NonNullable<ReturnType<typeof parse>['value']>;

const modules = regoFiles()
  .filter((f) => !f.name.endsWith('_test.rego'))
  .map((f): Module => {
    const parsed = parse(f);
    if (parsed.value === undefined) throw new Error(`${f.name} does not parse`);
    return parsed.value;
  });

/** stringPath is the leading run of constant keys of a ref's path. */
function stringPath(terms: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const t of terms as readonly { kind: string; value?: unknown; name?: string }[]) {
    if (t.kind === 'string' && typeof t.value === 'string') out.push(t.value);
    else if (t.kind === 'var' && out.length === 0 && t.name !== undefined) out.push(t.name);
    else break;
  }
  return out;
}

/** rulePaths are the documents the library's rules define, as dotted paths below data. */
function rulePaths(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of modules) {
    const pkg = m.package.path.filter((p, i) => !(i === 0 && p === 'data'));
    for (const r of m.rules) out.set([...pkg, ...stringPath(r.head.ref)].join('.'), m.file);
  }
  return out;
}

/** dataRefs are the constant prefixes of every `data.…` ref in the library, with their file. */
function dataRefs(): { path: string; file: string }[] {
  const out: { path: string; file: string }[] = [];
  const walk = (node: unknown, file: string): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n, file);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const n = node as { kind?: string; head?: { kind?: string; name?: string }; path?: readonly unknown[] };
    if (n.kind === 'ref' && n.head?.kind === 'var' && n.head.name === 'data' && Array.isArray(n.path)) {
      const path = stringPath(n.path as unknown[]);
      if (path.length > 0) out.push({ path: path.join('.'), file });
    }
    for (const [k, v] of Object.entries(node)) if (k !== 'loc') walk(v, file);
  };
  for (const m of modules) walk(m.rules, m.file);
  return out;
}

/** leafPaths are the paths of data.json's objects' members, at every depth. */
function dataJsonPaths(value: unknown, prefix: string[] = []): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [[...prefix, k].join('.'), ...dataJsonPaths(v, [...prefix, k])]);
}

/** shadowing names the rule at a proper prefix of path (the rule's value is read instead of the data there). */
function shadowing(path: string, rules: Map<string, string>): string | undefined {
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i).join('.');
    if (rules.has(prefix)) return prefix;
  }
  return undefined;
}

describe('data the library reads is not shadowed by its rules', () => {
  const rules = rulePaths();

  it('finds rules and data refs to check (the scan works)', () => {
    expect(rules.has('portcullis.decision')).toBe(true);
    expect(dataRefs().some((r) => r.path.startsWith('portcullis.approvals.approver_roles'))).toBe(true);
    // a rule at a prefix of a read path is reported
    expect(shadowing('portcullis.decision.x', rules)).toBe('portcullis.decision');
  });

  it('no data path the library reads runs into a rule', () => {
    const found = dataRefs()
      .map(({ path, file }) => ({ path, file, rule: shadowing(path, rules) }))
      .filter((r) => r.rule !== undefined && !rules.has(r.path))
      .map((r) => `data.${r.path} (read in ${r.file}) is shadowed by the rule data.${r.rule} (${rules.get(r.rule ?? '')})`);
    expect([...new Set(found)]).toEqual([]);
  });

  it('no path of policies/data.json is defined by a rule', () => {
    const data = JSON.parse(readFileSync(join(POLICIES_DIR, 'data.json'), 'utf8')) as unknown;
    const clashes = dataJsonPaths(data).filter((p) => rules.has(p) || shadowing(p, rules) !== undefined);
    expect(clashes).toEqual([]);
  });
});
