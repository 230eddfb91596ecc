import { gzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundleEntries, normaliseEntryName, readBundleTarball, readTarGz, writeBundleTarball, writeTarGz } from '../../bundles/tarball.js';
import type { Bundle, TarEntry } from '../../bundles/tarball.js';
import { createManifest } from '../../bundles/manifest.js';

// The smallest valid module: magic + version.
const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const enc = new TextEncoder();

function sample(overrides: Partial<Bundle> = {}): Bundle {
  return {
    manifest: createManifest(['example/allow', 'example/deny']),
    wasm: WASM,
    data: { roles: { admin: ['read', 'write'] }, limits: [1, 2] },
    modules: [
      { path: '/example/policy.rego', text: 'package example\nallow := true\n' },
      { path: '/b.rego', text: 'package b\n' },
    ],
    ...overrides,
  };
}

async function headers(
  bytes: Uint8Array,
): Promise<Array<{ name: string; mode: number; uid: number; gid: number; mtime: number; uname: string; gname: string }>> {
  const ex = extract();
  const out: Array<{ name: string; mode: number; uid: number; gid: number; mtime: number; uname: string; gname: string }> = [];
  const done = (async () => {
    for await (const e of ex) {
      for await (const _ of e) void _;
      const h = e.header;
      out.push({ name: h.name, mode: h.mode, uid: h.uid, gid: h.gid, mtime: h.mtime.getTime(), uname: h.uname, gname: h.gname });
    }
  })();
  ex.end(gunzipSync(bytes));
  await done;
  return out;
}

describe('writeBundleTarball', () => {
  it('is deterministic: the same bundle gives identical bytes', async () => {
    const a = await writeBundleTarball(sample());
    const b = await writeBundleTarball(sample());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('does not depend on module order', async () => {
    const a = await writeBundleTarball(sample());
    const b = await writeBundleTarball(sample({ modules: [...sample().modules].reverse() }));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('writes sorted entries with fixed headers and a zero gzip mtime', async () => {
    const bytes = await writeBundleTarball(sample());
    expect([...bytes.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
    const hs = await headers(bytes);
    expect(hs.map((h) => h.name)).toEqual(['/.manifest', '/b.rego', '/data.json', '/example/policy.rego', '/policy.wasm']);
    for (const h of hs) expect(h).toMatchObject({ mode: 0o644, uid: 0, gid: 0, mtime: 0, uname: '', gname: '' });
  });

  it('writes OPA manifest and data content', async () => {
    const entries = await readTarGz(await writeBundleTarball(sample()));
    const text = (name: string) => new TextDecoder().decode(entries.find((e) => e.name === name)?.bytes);
    expect(JSON.parse(text('/.manifest'))).toEqual({
      revision: '',
      roots: [''],
      wasm: [
        { entrypoint: 'example/allow', module: '/policy.wasm' },
        { entrypoint: 'example/deny', module: '/policy.wasm' },
      ],
      rego_version: 1,
    });
    expect(JSON.parse(text('/data.json'))).toEqual({ roles: { admin: ['read', 'write'] }, limits: [1, 2] });
  });

  it('rejects two modules at the same path', () => {
    const m = { path: '/a.rego', text: 'package a' };
    expect(() => bundleEntries(sample({ modules: [m, m] }))).toThrow(expect.objectContaining({ code: 'ERR_BUNDLE_ARCHIVE_INVALID' }));
  });
});

describe('readBundleTarball', () => {
  it('reads back what was written', async () => {
    const b = await readBundleTarball(await writeBundleTarball(sample()));
    expect(b.manifest).toEqual(sample().manifest);
    expect([...b.wasm]).toEqual([...WASM]);
    expect(b.data).toEqual(sample().data);
    expect(b.modules.map((m) => m.path)).toEqual(['/b.rego', '/example/policy.rego']);
  });

  it('merges nested data files at their directories', async () => {
    const bytes = await writeTarGz([
      { name: '/.manifest', bytes: enc.encode('{"wasm":[{"entrypoint":"a/p","module":"/policy.wasm"}]}') },
      { name: '/data.json', bytes: enc.encode('{"top":1}') },
      { name: '/a/b/data.json', bytes: enc.encode('{"c":2}') },
      { name: '/x/data.yaml', bytes: enc.encode('y: [1, 2]\n') },
      { name: '/policy.wasm', bytes: WASM },
    ]);
    const b = await readBundleTarball(bytes);
    expect(b.data).toEqual({ top: 1, a: { b: { c: 2 } }, x: { y: [1, 2] } });
    expect(b.manifest).toEqual({ revision: '', roots: [''], wasm: [{ entrypoint: 'a/p', module: '/policy.wasm' }], rego_version: 1 });
  });

  const manifest = enc.encode(JSON.stringify(createManifest(['a/p'])));
  const cases: Array<{ note: string; entries?: TarEntry[]; raw?: Uint8Array; code: string; message: RegExp }> = [
    { note: 'bytes that are not gzip', raw: enc.encode('hello'), code: 'ERR_BUNDLE_ARCHIVE_INVALID', message: /not gzip/ },
    {
      note: 'gzip of something that is not tar',
      raw: new Uint8Array(gzipSync(Buffer.alloc(1024, 7))),
      code: 'ERR_BUNDLE_ARCHIVE_INVALID',
      message: /not a valid tar/,
    },
    { note: 'an empty gzip stream', raw: new Uint8Array(gzipSync(Buffer.alloc(0))), code: 'ERR_BUNDLE_ARCHIVE_INVALID', message: /empty/ },
    { note: 'no manifest', entries: [{ name: '/policy.wasm', bytes: WASM }], code: 'ERR_BUNDLE_MANIFEST_MISSING', message: /\.manifest/ },
    {
      note: 'a manifest that is not JSON',
      entries: [
        { name: '/.manifest', bytes: enc.encode('{') },
        { name: '/policy.wasm', bytes: WASM },
      ],
      code: 'ERR_BUNDLE_MANIFEST_INVALID',
      message: /not valid JSON/,
    },
    {
      note: 'a manifest with a bad wasm list',
      entries: [
        { name: '/.manifest', bytes: enc.encode('{"wasm":[{"entrypoint":1}]}') },
        { name: '/policy.wasm', bytes: WASM },
      ],
      code: 'ERR_BUNDLE_MANIFEST_INVALID',
      message: /wasm\[0\]/,
    },
    {
      note: 'no policy.wasm',
      entries: [{ name: '/.manifest', bytes: manifest }],
      code: 'ERR_BUNDLE_WASM_MISSING',
      message: /\/policy\.wasm/,
    },
    {
      note: 'an invalid policy.wasm',
      entries: [
        { name: '/.manifest', bytes: manifest },
        { name: '/policy.wasm', bytes: enc.encode('not wasm') },
      ],
      code: 'ERR_BUNDLE_WASM_INVALID',
      message: /not a valid WebAssembly/,
    },
    {
      note: 'a data.json that is not JSON',
      entries: [
        { name: '/.manifest', bytes: manifest },
        { name: '/policy.wasm', bytes: WASM },
        { name: '/data.json', bytes: enc.encode('{"a":') },
      ],
      code: 'ERR_BUNDLE_DATA_INVALID',
      message: /invalid JSON/,
    },
    {
      note: 'a root data.json that is an array',
      entries: [
        { name: '/.manifest', bytes: manifest },
        { name: '/policy.wasm', bytes: WASM },
        { name: '/data.json', bytes: enc.encode('[1]') },
      ],
      code: 'ERR_BUNDLE_DATA_INVALID',
      message: /must be an object/,
    },
    {
      note: 'conflicting data files',
      entries: [
        { name: '/.manifest', bytes: manifest },
        { name: '/policy.wasm', bytes: WASM },
        { name: '/data.json', bytes: enc.encode('{"a":{"b":1}}') },
        { name: '/a/data.json', bytes: enc.encode('{"b":2}') },
      ],
      code: 'ERR_BUNDLE_DATA_CONFLICT',
      message: /data\.a\.b/,
    },
  ];
  it.each(cases)('rejects $note', async ({ entries, raw, code, message }) => {
    const bytes = raw ?? (await writeTarGz(entries ?? []));
    await expect(readBundleTarball(bytes)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

describe('readTarGz bounds what an archive unpacks to', () => {
  it.each([
    {
      note: 'a gzip bomb (64 MiB of zeros in ~64 KiB)',
      bytes: async () => gzipSync(Buffer.alloc(64 * 1024 * 1024)),
      limit: 1024 * 1024,
      refused: true,
    },
    {
      note: 'an archive just under the bound',
      bytes: () => writeTarGz([{ name: '/a', bytes: new Uint8Array(10_000) }]),
      limit: 64 * 1024,
      refused: false,
    },
  ])('$note', async ({ bytes, limit, refused }) => {
    const read = readTarGz(await bytes(), limit);
    if (refused)
      await expect(read).rejects.toMatchObject({
        code: 'ERR_BUNDLE_ARCHIVE_INVALID',
        message: `bundle unpacks to more than ${limit} bytes`,
      });
    else await expect(read).resolves.toHaveLength(1);
  });
});

describe('normaliseEntryName', () => {
  it.each([
    { note: 'bare', name: 'policy.wasm', want: '/policy.wasm' },
    { note: 'dot-slash', name: './a/b.rego', want: '/a/b.rego' },
    { note: 'absolute', name: '/data.json', want: '/data.json' },
  ])('$note', ({ name, want }) => {
    expect(normaliseEntryName(name)).toBe(want);
  });
});
