// scripts/runtime-inputs.js: the runtime build's inputs hash changes with every input and only
// with them, and a runtime.wasm counts as current only with a stamp holding that hash.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STAMP_SUFFIX, isRuntimeCurrent, runtimeInputsHash } from '../../scripts/runtime-inputs.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const baseTree: Record<string, string> = {
  'package.json': '{"name":"fake"}',
  'node_modules/assemblyscript/package.json': '{"name":"assemblyscript","version":"0.28.20"}',
  'engine/runtime/as/index.ts': 'export function f(): i32 { return 1; }',
  'engine/runtime/as/builtins/strings.ts': 'export const s = 1;',
  'scripts/build-runtime.js': '// build',
  'scripts/runtime-inputs.js': '// inputs',
  'engine/query.ts': '// not an input',
};

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'runtime-inputs-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('runtimeInputsHash', () => {
  const base = runtimeInputsHash(tree(baseTree));
  it.each<{ note: string; edit: Record<string, string>; changes: boolean }>([
    { note: 'an edited runtime source', edit: { 'engine/runtime/as/index.ts': 'export function f(): i32 { return 2; }' }, changes: true },
    { note: 'a new runtime source in a subfolder', edit: { 'engine/runtime/as/builtins/new.ts': '' }, changes: true },
    { note: 'an edited build script', edit: { 'scripts/build-runtime.js': '// build -O3' }, changes: true },
    { note: 'an edited hash script', edit: { 'scripts/runtime-inputs.js': '// inputs v2' }, changes: true },
    {
      note: 'another assemblyscript version',
      edit: { 'node_modules/assemblyscript/package.json': '{"version":"0.28.21"}' },
      changes: true,
    },
    { note: 'a file outside the runtime', edit: { 'engine/query.ts': '// edited' }, changes: false },
    { note: 'nothing', edit: {}, changes: false },
  ])('$note changes it: $changes', ({ edit, changes }) => {
    const h = runtimeInputsHash(tree({ ...baseTree, ...edit }));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h !== base).toBe(changes);
  });

  it('does not depend on where the tree is', () => {
    expect(runtimeInputsHash(tree(baseTree))).toBe(runtimeInputsHash(tree(baseTree)));
  });
});

describe('isRuntimeCurrent', () => {
  const hash = 'ab'.repeat(32);
  it.each([
    { note: 'wasm and matching stamp', files: { 'runtime.wasm': 'x', [`runtime.wasm${STAMP_SUFFIX}`]: `${hash}\n` }, want: true },
    { note: 'no stamp (built before stamps, or by --out)', files: { 'runtime.wasm': 'x' }, want: false },
    { note: 'a stamp of other sources', files: { 'runtime.wasm': 'x', [`runtime.wasm${STAMP_SUFFIX}`]: 'cd'.repeat(32) }, want: false },
    { note: 'a stamp without its wasm', files: { [`runtime.wasm${STAMP_SUFFIX}`]: hash }, want: false },
  ])('$note: $want', ({ files, want }) => {
    const dir = tree(files);
    expect(isRuntimeCurrent(join(dir, 'runtime.wasm'), hash)).toBe(want);
  });
});
