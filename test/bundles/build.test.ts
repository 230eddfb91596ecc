import { loadPolicy as sdkLoadPolicy } from '@open-policy-agent/opa-wasm';
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../bundles/build.js';
import { readBundleTarball, writeBundleTarball } from '../../bundles/tarball.js';
import type { DataObject } from '../../bundles/data-files.js';

const POLICY = {
  name: 'policies/authz.rego',
  text: `package authz

default allow := false

allow if input.user.role == "admin"

allow if {
  some action in data.allowed
  action == input.action
}

reasons contains "not admin" if input.user.role != "admin"
`,
};

describe('buildBundle', () => {
  it('builds a bundle the official SDK evaluates', async () => {
    const r = buildBundle({
      files: [POLICY],
      data: { allowed: ['read'] },
      entrypoints: ['authz/allow', 'data.authz.reasons'],
      revision: 'r7',
    });
    if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    expect(r.bundle.manifest).toEqual({
      revision: 'r7',
      roots: [''],
      wasm: [
        { entrypoint: 'authz/allow', module: '/policy.wasm' },
        { entrypoint: 'authz/reasons', module: '/policy.wasm' },
      ],
      rego_version: 1,
      // what each entrypoint can read of the input (engine/reads), for the gateway's decision memo
      metadata: { portcullis: { input_reads: { 'authz/allow': [['action'], ['user', 'role']], 'authz/reasons': [['user', 'role']] } } },
    });
    expect(r.bundle.modules).toEqual([{ path: '/policies/authz.rego', text: POLICY.text }]);
    const back = await readBundleTarball(await writeBundleTarball(r.bundle));
    const policy = await sdkLoadPolicy(back.wasm);
    policy.setData(back.data);
    const cases = [
      { input: { user: { role: 'admin' } }, allow: true, reasons: [] },
      { input: { user: { role: 'dev' }, action: 'read' }, allow: true, reasons: ['not admin'] },
      { input: { user: { role: 'dev' }, action: 'drop' }, allow: false, reasons: ['not admin'] },
    ];
    for (const c of cases) {
      expect(policy.evaluate(c.input, 'authz/allow')).toEqual([{ result: c.allow }]);
      expect(policy.evaluate(c.input, 'authz/reasons')).toEqual([{ result: c.reasons }]);
    }
  });

  it('is deterministic end to end', async () => {
    const build = async () => {
      const r = buildBundle({ files: [POLICY], data: { allowed: ['read'] }, entrypoints: ['authz/allow'] });
      if (!r.ok) throw new Error('compile failed');
      return Buffer.from(await writeBundleTarball(r.bundle));
    };
    expect((await build()).equals(await build())).toBe(true);
  });

  it('leaves *_test.rego files out', () => {
    const r = buildBundle({
      files: [POLICY, { name: 'policies/authz_test.rego', text: 'package authz_test\n\ntest_a if data.authz.allow with input as {}\n' }],
      entrypoints: ['authz/allow'],
    });
    expect(r.ok && r.bundle.modules.map((m) => m.path)).toEqual(['/policies/authz.rego']);
  });

  it('returns every diagnostic of broken sources', () => {
    const r = buildBundle({
      files: [
        { name: 'a.rego', text: 'package a\n\np if {\n' },
        { name: 'b.rego', text: 'package b\n\nq if {\n' },
      ],
      entrypoints: ['a/p'],
    });
    expect(r.ok).toBe(false);
    expect(r.diagnostics.map((d) => `${d.location.file}:${d.code}`)).toEqual(
      expect.arrayContaining(['a.rego:rego_parse_error', 'b.rego:rego_parse_error']),
    );
  });

  it.each([
    { note: 'no entrypoints', data: {}, entrypoints: [], code: 'ERR_BUNDLE_NO_ENTRYPOINTS' },
    { note: 'an entrypoint that names no rule', data: {}, entrypoints: ['authz/alow'], code: 'ERR_BUNDLE_ENTRYPOINT_UNDEFINED' },
    { note: 'an entrypoint in another package', data: {}, entrypoints: ['example/allow'], code: 'ERR_BUNDLE_ENTRYPOINT_UNDEFINED' },
    {
      note: 'one good and one undefined entrypoint',
      data: {},
      entrypoints: ['authz/allow', 'authz/nothing'],
      code: 'ERR_BUNDLE_ENTRYPOINT_UNDEFINED',
    },
    {
      note: 'data that is not an object',
      data: [1] as unknown as DataObject,
      entrypoints: ['authz/allow'],
      code: 'ERR_BUNDLE_DATA_INVALID',
    },
  ])('throws on $note', ({ data, entrypoints, code }) => {
    expect(() => buildBundle({ files: [POLICY], data, entrypoints })).toThrow(expect.objectContaining({ code }));
  });

  it.each([
    { note: 'a rule', entrypoints: ['authz/allow'] },
    { note: 'a package (its document)', entrypoints: ['authz'] },
    { note: 'the data. form', entrypoints: ['data.authz.allow'] },
  ])('builds an entrypoint naming $note', ({ entrypoints }) => {
    expect(buildBundle({ files: [POLICY], entrypoints }).ok).toBe(true);
  });
});
