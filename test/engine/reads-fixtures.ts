// Shared by the input-reads tests (reads.test.ts, reads-soundness.test.ts): compiling small
// policies and the shipped one, and what the shipped decision entrypoint reads.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { compile, formatDiagnostic } from '../../engine/index.js';
import type { CompileResult } from '../../engine/index.js';

/** sources names one or more module texts a.rego, b.rego, … */
export function sources(rego: string | string[]) {
  const texts = Array.isArray(rego) ? rego : [rego];
  return texts.map((text, i) => ({ name: `${String.fromCharCode(97 + i)}.rego`, text }));
}

/** compiled compiles `files` and expects no errors. */
export function compiled(
  files: { name: string; text: string }[],
  entrypoints: string[],
  hostBuiltins?: Record<string, { arity: number }>,
): CompileResult {
  const r = compile({ files, entrypoints, ...(hostBuiltins ? { hostBuiltins } : {}) });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map(formatDiagnostic)).toEqual([]);
  return r;
}

/** policiesDir is the shipped policy library. */
export const policiesDir = fileURLToPath(new URL('../../policies', import.meta.url));

/** regoFiles reads the .rego files under `dir` (not the tests), as a bundle holds them. */
export function regoFiles(dir: string): { name: string; text: string }[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return regoFiles(p);
      return p.endsWith('.rego') && !p.endsWith('_test.rego') ? [{ name: p, text: readFileSync(p, 'utf8') }] : [];
    });
}

/** DECISION_READS is what portcullis/decision reads, found by reading policies/portcullis (rules/, lib/identity.rego). */
export const DECISION_READS = [
  // lib/identity.rego: roles (roles, scope, scp), name (sub)
  ['identity', 'roles'],
  ['identity', 'scope'],
  ['identity', 'scp'],
  ['identity', 'sub'],
  // rules/pii.rego masked_use
  ['statement', 'columns', 'uses'],
  // sprintf reasons, production approvals
  ['statement', 'command'],
  // destructive_ddl (cascade, destructive), read_only writes/what, escape_hatches, where_clause
  ['statement', 'flags', 'cascade'],
  ['statement', 'flags', 'copy_from_stdin'],
  ['statement', 'flags', 'copy_program'],
  ['statement', 'flags', 'copy_server_file'],
  ['statement', 'flags', 'data_modifying_cte'],
  ['statement', 'flags', 'ddl'],
  ['statement', 'flags', 'delete_without_where'],
  ['statement', 'flags', 'destructive'],
  ['statement', 'flags', 'dynamic_sql'],
  ['statement', 'flags', 'for_update'],
  ['statement', 'flags', 'into'],
  ['statement', 'flags', 'session_authorization'],
  ['statement', 'flags', 'set_role'],
  ['statement', 'flags', 'update_without_where'],
  // access, identity.allowing, destructive, read_only writes, escape_hatches switches_role
  ['statement', 'kind'],
  // rules/functions.rego
  ['statement', 'routines'],
  // statistics, pii statement_tables; read_only, destructive_ddl, where_clause, production
  ['statement', 'tables', 'read'],
  ['statement', 'tables', 'written'],
];
