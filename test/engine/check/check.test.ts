// Tests for the checker driver: stage order/stopAfter, the rebuilt program, and a sweep over
// OPA's conformance modules (which must check cleanly apart from unsupported builtins).
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parse } from '../../../engine/parser/index.js';
import { check } from '../../../engine/check/index.js';
import { stages } from '../../../engine/check/check.js';
import type { Module } from '../../../engine/ast/index.js';
import { checkSources } from './helpers.js';
import { OPA_CORPUS, hasShared } from '../../helpers/shared.js';

describe('check', () => {
  it('runs the named stages in order', () => {
    expect(stages.map((s) => s.name)).toEqual([
      'collectRules',
      'resolveRefs',
      'rewriteLocals',
      'checkSafety',
      'checkRecursion',
      'checkUnifyLiterals',
    ]);
  });

  it.each([
    { note: 'stopAfter collectRules leaves names unresolved', stop: 'collectRules' as const, want: ['p if { q }', 'q := 1'] },
    { note: 'a full run resolves names', stop: undefined, want: ['p if { data.a.q }', 'q := 1'] },
  ])('$note', ({ stop, want }) => {
    expect(checkSources(['package a\np if q\nq := 1\n'], stop ? { stopAfter: stop } : {}).rules).toEqual(want);
  });

  it('rebuilds modules with the rewritten rules and links CheckedRules to them', () => {
    const out = checkSources(['package a\np if q\nq := 1\n', 'package b\nr := data.a.p\n']);
    expect(out.program.modules).toHaveLength(2);
    for (const r of out.program.rules) expect(r.module.rules).toContain(r.rule);
    expect(out.program.rules.map((r) => r.path.join('.'))).toEqual(['data.a.p', 'data.a.q', 'data.b.r']);
  });

  it('reports every error, not only the first', () => {
    const out = checkSources(['package a\np if { foo(1) }\nq if { x > 1 }\nr if r\n']);
    expect(out.diags.map((d) => d.split(' ')[0])).toEqual(['rego_type_error', 'rego_unsafe_var_error', 'rego_recursion_error']);
  });
});

const root = OPA_CORPUS;

describe.runIf(hasShared(root))('conformance modules', () => {
  it('check cleanly except for unsupported builtins', () => {
    let cases = 0;
    const other: string[] = [];
    for (const dir of readdirSync(root, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      for (const f of readdirSync(`${root}/${dir.name}`)) {
        const doc = parseYaml(readFileSync(`${root}/${dir.name}/${f}`, 'utf8')) as { cases?: { modules: string[] }[] };
        for (const tc of doc.cases ?? []) {
          cases++;
          const modules: Module[] = [];
          for (const [i, text] of tc.modules.entries()) {
            const r = parse({ name: `test-${i}.rego`, text });
            if (r.value && r.diagnostics.length === 0) modules.push(r.value);
          }
          for (const d of check(modules).diagnostics) {
            if (!d.message.startsWith('unsupported builtin: ')) other.push(`${dir.name}/${f}: ${d.code}: ${d.message}`);
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(300);
    expect(other).toEqual([]);
  });
});
