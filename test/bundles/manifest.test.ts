import { describe, expect, it } from 'vitest';
import { createManifest, parseManifest, serializeManifest, validateManifest } from '../../bundles/manifest.js';

describe('createManifest / serializeManifest', () => {
  it('mirrors the manifest of `opa build -t wasm`', () => {
    expect(serializeManifest(createManifest(['pkg/rule']))).toBe(
      '{"revision":"","roots":[""],"wasm":[{"entrypoint":"pkg/rule","module":"/policy.wasm"}],"rego_version":1}',
    );
  });

  it('records revision, roots and metadata', () => {
    const m = createManifest(['a/p'], { revision: 'abc', roots: ['a'], metadata: { owner: 'me' } });
    expect(JSON.parse(serializeManifest(m))).toEqual({
      revision: 'abc',
      roots: ['a'],
      wasm: [{ entrypoint: 'a/p', module: '/policy.wasm' }],
      rego_version: 1,
      metadata: { owner: 'me' },
    });
  });
});

describe('validateManifest', () => {
  it('fills OPA defaults for missing fields', () => {
    expect(validateManifest({})).toEqual({ revision: '', roots: [''], wasm: [], rego_version: 1 });
  });

  it('round-trips a serialised manifest', () => {
    const m = createManifest(['x/y', 'x/z'], { revision: 'r1' });
    expect(parseManifest(serializeManifest(m))).toEqual(m);
  });

  it.each([
    { note: 'not an object', value: [1], message: /must be a JSON object/ },
    { note: 'revision not a string', value: { revision: 3 }, message: /revision/ },
    { note: 'roots not strings', value: { roots: [1] }, message: /roots/ },
    { note: 'wasm not an array', value: { wasm: {} }, message: /wasm must be an array/ },
    { note: 'wasm entry without module', value: { wasm: [{ entrypoint: 'a' }] }, message: /wasm\[0\]/ },
    { note: 'bad rego_version', value: { rego_version: 2 }, message: /rego_version/ },
    { note: 'metadata not an object', value: { metadata: 'x' }, message: /metadata/ },
  ])('rejects $note', ({ value, message }) => {
    expect(() => validateManifest(value)).toThrow(
      expect.objectContaining({ code: 'ERR_BUNDLE_MANIFEST_INVALID', message: expect.stringMatching(message) }),
    );
  });

  it('rejects text that is not JSON', () => {
    expect(() => parseManifest('nope')).toThrow(expect.objectContaining({ code: 'ERR_BUNDLE_MANIFEST_INVALID' }));
  });
});
