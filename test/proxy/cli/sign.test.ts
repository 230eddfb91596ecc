// End to end: `portcullis build` (spawned as a user runs it) records the git revision, `portcullis
// sign` signs the bundle in OPA's format, and the gateway's start (startGatewayFromConfig, as
// `portcullis serve` calls it) loads it only while a trusted key signed it, refusing with one line
// that names the key or file otherwise.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundleTarball, readTarGz, writeTarGz } from '../../../bundles/index.js';
import { startGatewayFromConfig } from '../../../proxy/cli/gateway.js';
import { validateConfig } from '../../../proxy/config/index.js';
import { REPO_ROOT } from '../../helpers/shared.js';

const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../../bin/portcullis.js');
const dir = mkdtempSync(join(tmpdir(), 'portcullis-sign-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);

function cli(args: readonly string[], cwd = dir): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
function git(cwd: string, ...args: string[]): string {
  return spawnSync('git', args, { cwd, encoding: 'utf8' }).stdout.trim();
}

const A = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const B = generateKeyPairSync('ed25519');
writeFileSync(at('a.key'), A.privateKey.export({ format: 'pem', type: 'pkcs8' }));
writeFileSync(at('a.pub'), A.publicKey.export({ format: 'pem', type: 'spki' }));
writeFileSync(at('b.key'), B.privateKey.export({ format: 'pem', type: 'pkcs8' }));
writeFileSync(at('b.pub'), B.publicKey.export({ format: 'pem', type: 'spki' }));

beforeAll(() => {
  const r = cli(['build', join(REPO_ROOT, 'policies'), '-e', 'portcullis/decision', '-o', at('unsigned.tar.gz')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  writeFileSync(at('a.tar.gz'), readFileSync(at('unsigned.tar.gz')));
  expect(cli(['sign', 'a.tar.gz', '--key', 'a.key', '--kid', 'ci-a'])).toMatchObject({
    code: 0,
    stderr: 'signed a.tar.gz with key "ci-a" (ES256)\n',
  });
  expect(cli(['sign', 'unsigned.tar.gz', '--key', 'b.key', '--kid', 'ci-b', '--alg', 'EdDSA', '-o', 'b.tar.gz']).code).toBe(0);
}, 240_000);

describe('portcullis build', () => {
  it("records the policy sources' git commit as the revision", async () => {
    const head = git(REPO_ROOT, 'rev-parse', 'HEAD');
    const dirty = git(REPO_ROOT, 'status', '--porcelain', '--', 'policies') !== '';
    const bundle = await readBundleTarball(readFileSync(at('unsigned.tar.gz')));
    expect(bundle.manifest.revision).toBe(dirty ? `${head}-dirty` : head);
  });

  it('takes --revision over the git commit', async () => {
    expect(cli(['build', join(REPO_ROOT, 'policies'), '-e', 'portcullis/decision', '-o', at('r.tar.gz'), '-r', 'release-7']).code).toBe(0);
    expect((await readBundleTarball(readFileSync(at('r.tar.gz')))).manifest.revision).toBe('release-7');
  });

  it('fails with exit 1 on an entrypoint that names no rule', () => {
    const r = cli(['build', join(REPO_ROOT, 'policies'), '-e', 'portcullis/decisoin', '-o', at('typo.tar.gz')]);
    expect(r).toMatchObject({
      code: 1,
      stderr: 'portcullis: entrypoint "portcullis/decisoin" does not refer to a rule or package of the sources\n',
    });
  });
});

describe('portcullis sign', () => {
  it('signs in place, leaving the bundle loadable', async () => {
    const files = await readTarGz(readFileSync(at('a.tar.gz')));
    expect(files[0]?.name).toBe('/.signatures.json');
    expect((await readBundleTarball(readFileSync(at('a.tar.gz')))).manifest.wasm.map((w) => w.entrypoint)).toContain('portcullis/decision');
  });

  it.each([
    {
      note: 'no --kid',
      args: ['sign', 'unsigned.tar.gz', '--key', 'a.key'],
      code: 2,
      match: /^portcullis: sign: --kid <id> is required\n/,
    },
    {
      note: 'an unknown --alg',
      args: ['sign', 'unsigned.tar.gz', '--key', 'a.key', '--kid', 'k', '--alg', 'none'],
      code: 2,
      match: /--alg "none" is not one of/,
    },
    {
      note: 'two bundles',
      args: ['sign', 'a.tar.gz', 'b.tar.gz', '--key', 'a.key', '--kid', 'k'],
      code: 2,
      match: /exactly one bundle file/,
    },
    {
      note: 'a key that does not fit the algorithm',
      args: ['sign', 'unsigned.tar.gz', '--key', 'b.key', '--kid', 'k', '-o', 'x.tar.gz'],
      code: 1,
      match: /^portcullis: key "k" \(ES256\) cannot be used to sign: a ed25519 key does not fit ES256 \(expected ec\)\n$/,
    },
    {
      note: 'a missing key file',
      args: ['sign', 'unsigned.tar.gz', '--key', 'nope.key', '--kid', 'k'],
      code: 1,
      match: /^portcullis: nope\.key: no such file or directory\n$/,
    },
    {
      note: 'a file that is no bundle',
      args: ['sign', 'a.key', '--key', 'a.key', '--kid', 'k'],
      code: 1,
      match: /^portcullis: bundle is not gzip data/,
    },
  ])('fails on $note', ({ args, code, match }) => {
    const r = cli(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(match);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the gateway loads a signed bundle only', () => {
  const start = (bundle: string, keys: readonly { id: string; algorithm: string; key_file: string }[]) => {
    const r = validateConfig({
      listen: { port: 0 },
      admin: { port: 0 },
      upstream: { database: 'app', user: 'gw' },
      identity: { issuer: 'https://idp.example', audience: 'portcullis', jwks: { url: 'https://idp.example/jwks' } },
      policy: { bundle: at(bundle), ...(keys.length > 0 ? { signing: { keys } } : {}) },
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    return startGatewayFromConfig(r.config, () => undefined);
  };
  const keyA = { id: 'ci-a', algorithm: 'ES256', key_file: at('a.pub') };
  const keyB = { id: 'ci-b', algorithm: 'EdDSA', key_file: at('b.pub') };

  it.each([
    { note: 'signed by A, A and B trusted', bundle: 'a.tar.gz', keys: [keyA, keyB] },
    { note: 'signed by B, A and B trusted (rotation)', bundle: 'b.tar.gz', keys: [keyA, keyB] },
    { note: 'signed by B, only B trusted (A dropped)', bundle: 'b.tar.gz', keys: [keyB] },
    { note: 'unsigned, no key configured', bundle: 'unsigned.tar.gz', keys: [] },
  ])('starts with a bundle $note', async ({ bundle, keys }) => {
    const r = await start(bundle, keys);
    expect(r.kind).toBe('started');
    if (r.kind === 'started') await r.close();
  });

  it.each([
    {
      note: 'signed by A after A was dropped',
      bundle: async () => 'a.tar.gz',
      keys: [keyB],
      reason: 'bundle is signed by key "ci-a", which is not trusted (trusted keys: "ci-b")',
    },
    {
      note: 'unsigned while keys are configured',
      bundle: async () => 'unsigned.tar.gz',
      keys: [keyA],
      reason: 'bundle is not signed: it has no /.signatures.json and verification keys are configured',
    },
    {
      note: 'signed, then given an extra file',
      bundle: async () => {
        const files = await readTarGz(readFileSync(at('a.tar.gz')));
        writeFileSync(at('extra.tar.gz'), await writeTarGz([...files, { name: '/evil.rego', bytes: Buffer.from('package evil\n') }]));
        return 'extra.tar.gz';
      },
      keys: [keyA],
      reason: 'evil.rego is not included in the bundle signature (added after signing?)',
    },
    {
      note: 'signed while no key is configured (a signature nobody checks proves nothing)',
      bundle: async () => 'a.tar.gz',
      keys: [],
      reason:
        'bundle is signed (/.signatures.json) but no verification keys are configured (policy.signing.keys): configure the signing key, or publish the bundle unsigned',
    },
    {
      note: 'with a bogus signature and a tampered data.json while no key is configured',
      bundle: async () => {
        const files = await readTarGz(readFileSync(at('unsigned.tar.gz')));
        const bogus = { name: '/.signatures.json', bytes: Buffer.from('{"signatures":["e30.e30.AAAA"]}') };
        const tampered = files.map((f) => (f.name === '/data.json' ? { ...f, bytes: Buffer.from('{"tampered":true}') } : f));
        writeFileSync(at('bogus.tar.gz'), await writeTarGz([...tampered, bogus]));
        return 'bogus.tar.gz';
      },
      keys: [],
      reason: expect.stringMatching(/^bundle is signed \(\/\.signatures\.json\) but no verification keys are configured/),
    },
    {
      note: 'a key file that is missing',
      bundle: async () => 'a.tar.gz',
      keys: [{ ...keyA, key_file: at('missing.pub') }],
      reason: expect.stringMatching(/^policy\.signing: key "ci-a": key_file .*missing\.pub cannot be read/),
    },
  ])('refuses to start with a bundle $note', async ({ bundle, keys, reason }) => {
    await expect(start(await bundle(), keys)).resolves.toEqual({ kind: 'failed', reasons: [reason] });
  });
});
