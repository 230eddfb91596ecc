// Enforces the import arrows of ARCHITECTURE.md §9: proxy → bundles → engine, each part entered
// only through its index.ts, engine importing nothing of ours, and engine's runtime kept apart
// from the compiler stages. Scans import specifiers of every .ts file under the parts.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(dir: string): string[] {
  const abs = join(root, dir);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) {
      if (name === 'as' || name === 'build' || name === 'node_modules') continue; // AssemblyScript sources are not TS modules
      out.push(...sourceFiles(relative(root, p)));
    } else if (name.endsWith('.ts')) {
      out.push(relative(root, p).split(sep).join('/'));
    }
  }
  return out;
}

/** importsOf lists the module specifiers of static and dynamic imports and re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3]) as string);
  return specs;
}

type Violation = { file: string; spec: string; rule: string };

function resolveLocal(file: string, spec: string): string {
  return relative(root, resolve(root, dirname(file), spec)).split(sep).join('/');
}

const ENGINE_NPM = new Set(['yaml']);
const STAGES = ['lexer', 'parser', 'check', 'planner', 'wasm', 'ast', 'builtins', 'ir'];

function violations(file: string, specs: readonly string[]): Violation[] {
  const part = file.split('/')[0] as 'engine' | 'bundles' | 'proxy';
  const v: Violation[] = [];
  for (const spec of specs) {
    if (spec.startsWith('node:')) {
      if (part === 'engine' && !file.startsWith('engine/runtime/')) v.push({ file, spec, rule: 'engine uses node: modules only in engine/runtime/' });
      continue;
    }
    if (!spec.startsWith('.')) {
      if (part === 'engine' && !ENGINE_NPM.has(spec)) v.push({ file, spec, rule: 'engine npm dependencies: yaml only' });
      continue;
    }
    const target = resolveLocal(file, spec);
    const targetPart = target.split('/')[0];
    if (targetPart === 'test') v.push({ file, spec, rule: 'nothing imports test/' });
    if (part === 'engine' && targetPart !== 'engine') v.push({ file, spec, rule: 'engine imports nothing of ours' });
    if (part === 'bundles' && targetPart === 'proxy') v.push({ file, spec, rule: 'bundles never imports proxy' });
    if (part !== targetPart && (targetPart === 'engine' || targetPart === 'bundles')) {
      if (target !== `${targetPart}/index.js` && target !== `${targetPart}/index.ts`) {
        v.push({ file, spec, rule: `cross-part imports go through ${targetPart}/index.ts` });
      }
    }
    if (file.startsWith('engine/runtime/') && target.startsWith('engine/')) {
      const ok = target.startsWith('engine/runtime/') || target === 'engine/abi.js' || target.startsWith('engine/diagnostics/');
      if (!ok) v.push({ file, spec, rule: 'engine/runtime imports only abi (never the compiler stages)' });
    }
    if (file.startsWith('engine/wasm/') && /^engine\/(ast|parser|lexer|check)\//.test(target)) {
      v.push({ file, spec, rule: 'engine/wasm never imports the AST stages' });
    }
    // A stage imports another stage only through its index.ts.
    const [, fromStage] = file.split('/');
    const [, toStage, ...rest] = target.split('/');
    if (targetPart === 'engine' && part === 'engine' && fromStage !== toStage && STAGES.includes(toStage ?? '') && rest.join('/') !== 'index.js') {
      if (!(toStage === 'ast' && rest.join('/') === 'nodes.js') && !(toStage === 'ir' && rest.join('/') === 'nodes.js')) {
        v.push({ file, spec, rule: `stages import ${toStage}/ only through its index.ts` });
      }
    }
  }
  return v;
}

describe('architecture', () => {
  const files = ['engine', 'bundles', 'proxy'].flatMap(sourceFiles);

  it('finds the parts', () => {
    expect(files.some((f) => f.startsWith('engine/'))).toBe(true);
  });

  it('keeps the import arrows', () => {
    expect(files.flatMap((f) => violations(f, importsOf(f)))).toEqual([]);
  });

  it.each([
    { note: 'engine importing proxy', file: 'engine/x.ts', spec: '../proxy/index.js', bad: true },
    { note: 'engine importing fastify', file: 'engine/x.ts', spec: 'fastify', bad: true },
    { note: 'a compiler stage using node:fs', file: 'engine/parser/x.ts', spec: 'node:fs', bad: true },
    { note: 'bundles deep-importing engine', file: 'bundles/build.ts', spec: '../engine/compile.js', bad: true },
    { note: 'bundles through the engine index', file: 'bundles/build.ts', spec: '../engine/index.js', bad: false },
    { note: 'bundles importing proxy', file: 'bundles/build.ts', spec: '../proxy/index.js', bad: true },
    { note: 'proxy deep-importing bundles', file: 'proxy/cli/main.ts', spec: '../../bundles/build.js', bad: true },
    { note: 'runtime importing the parser', file: 'engine/runtime/loader.ts', spec: '../parser/index.js', bad: true },
    { note: 'runtime importing abi', file: 'engine/runtime/loader.ts', spec: '../abi.js', bad: false },
    { note: 'wasm importing the AST', file: 'engine/wasm/codegen.ts', spec: '../ast/nodes.js', bad: true },
    { note: 'planner deep-importing check internals', file: 'engine/planner/rules.ts', spec: '../check/safety.js', bad: true },
    { note: 'planner importing check through its index', file: 'engine/planner/rules.ts', spec: '../check/index.js', bad: false },
    { note: 'source importing test helpers', file: 'proxy/x.ts', spec: '../test/helpers/a.js', bad: true },
  ])('flags $note: $bad', ({ file, spec, bad }) => {
    expect(violations(file, [spec]).length > 0).toBe(bad);
  });
});
