// loadBundle: the policy a gateway runs, from directories compiled at start or from a tarball,
// evaluated through the engine's loader to prove the pieces fit.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundle, writeBundleTarball } from '../../bundles/index.js';
import { loadPolicy } from '../../engine/index.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'p.rego'), 'package app\nallow if input.role in data.app.roles\n');
writeFileSync(join(dir, 'data.json'), JSON.stringify({ app: { roles: ['reader'] } }));

async function evaluate(wasm: Uint8Array, data: unknown, input: unknown): Promise<unknown> {
  const p = await loadPolicy(wasm);
  p.setData(data);
  return p.evaluate(input, 'app/allow');
}

describe('loadBundle', () => {
  it('compiles policy directories with their data', async () => {
    const r = await loadBundle({ kind: 'paths', paths: [dir], entrypoints: ['app/allow'] });
    if (!r.ok) throw new Error('expected a bundle');
    expect(r.bundle.manifest.wasm?.map((w) => w.entrypoint)).toEqual(['app/allow']);
    expect(await evaluate(r.bundle.wasm, r.bundle.data, { role: 'reader' })).toEqual([{ result: true }]);
    expect(await evaluate(r.bundle.wasm, r.bundle.data, { role: 'writer' })).toEqual([]);
  });

  it('reads a bundle tarball', async () => {
    const built = await loadBundle({ kind: 'paths', paths: [dir], entrypoints: ['app/allow'] });
    if (!built.ok) throw new Error('expected a bundle');
    const file = join(dir, 'bundle.tar.gz');
    writeFileSync(file, await writeBundleTarball(built.bundle));
    const r = await loadBundle({ kind: 'bundle', path: file });
    if (!r.ok) throw new Error('expected a bundle');
    expect(await evaluate(r.bundle.wasm, r.bundle.data, { role: 'reader' })).toEqual([{ result: true }]);
  });

  it('returns compile diagnostics instead of a bundle', async () => {
    const bad = mkdtempSync(join(dir, 'bad-'));
    writeFileSync(join(bad, 'p.rego'), 'package app\nallow if {');
    const r = await loadBundle({ kind: 'paths', paths: [bad], entrypoints: ['app/allow'] });
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]?.code).toBe('rego_parse_error');
  });

  it.each([
    {
      note: 'a missing bundle file',
      source: { kind: 'bundle' as const, path: join(dir, 'nope.tar.gz') },
      code: 'ERR_BUNDLE_PATH_NOT_FOUND',
    },
    {
      note: 'a missing policy directory',
      source: { kind: 'paths' as const, paths: [join(dir, 'nope')] },
      code: 'ERR_BUNDLE_PATH_NOT_FOUND',
    },
  ])('refuses $note with $code', async ({ source, code }) => {
    await expect(loadBundle(source)).rejects.toMatchObject({ code });
  });
});
