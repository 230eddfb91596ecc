// The commands test/serve/demo/token through the registry: their argument grammar, `token` minting
// from a demo state dir (claims checked against the issuer's JWKS), `test` running Rego tests and
// `serve` reporting config errors. startDemo itself is tested in test/proxy/dev/demo.test.ts.

import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCommand, usageFor } from '../../../proxy/cli/run.js';
import { createDevIssuer, demoPointerFile, readIssuerState, writeDemoState } from '../../../proxy/dev/index.js';
import { parseFlat, runCli } from './invocation.js';
import type { Flat } from './invocation.js';

const cli = runCli;

const dir = mkdtempSync(join(tmpdir(), 'portcullis-demo-test-'));
// demo state and its pointer file live in the temporary directory: keep them out of the host's
const hostTmp = process.env['TMPDIR'];
process.env['TMPDIR'] = dir;
afterAll(() => {
  if (hostTmp === undefined) delete process.env['TMPDIR'];
  else process.env['TMPDIR'] = hostTmp;
  rmSync(dir, { recursive: true, force: true });
});

describe('parsing test, serve, demo and token', () => {
  const cases: Array<{ note: string; argv: string[]; want: Flat }> = [
    {
      note: 'test with paths',
      argv: ['test', 'policies', 'x.rego'],
      want: {
        kind: 'test',
        paths: ['policies', 'x.rego'],
        verbose: false,
        format: 'pretty',
        timeoutMs: 5000,
        exitZeroOnSkipped: false,
        coverage: false,
      },
    },
    {
      note: 'test --run -v',
      argv: ['test', 'p', '--run', 'deny', '-v'],
      want: {
        kind: 'test',
        paths: ['p'],
        run: 'deny',
        verbose: true,
        format: 'pretty',
        timeoutMs: 5000,
        exitZeroOnSkipped: false,
        coverage: false,
      },
    },
    {
      note: 'test with the CI flags: --threshold implies --coverage',
      argv: ['test', 'p', '-f', 'json', '--timeout', '1.5s', '-z', '--junit', 'r.xml', '--lcov', 'c.info', '--threshold', '80.5'],
      want: {
        kind: 'test',
        paths: ['p'],
        verbose: false,
        format: 'json',
        timeoutMs: 1500,
        exitZeroOnSkipped: true,
        junit: 'r.xml',
        coverage: true,
        lcov: 'c.info',
        threshold: 80.5,
      },
    },
    {
      note: 'test without paths',
      argv: ['test'],
      want: { kind: 'usage-error', message: 'test: at least one path is required', topic: 'test' },
    },
    {
      note: 'test with a bad regex',
      argv: ['test', 'p', '-r', '('],
      want: { kind: 'usage-error', message: 'test: --run "(" is not a regular expression', topic: 'test' },
    },
    { note: 'serve defaults to opa.config.yaml', argv: ['serve'], want: { kind: 'serve', configPath: 'opa.config.yaml', watch: false } },
    { note: 'serve --config', argv: ['serve', '-c', 'x.yaml'], want: { kind: 'serve', configPath: 'x.yaml', watch: false } },
    { note: 'serve --watch', argv: ['serve', '--watch'], want: { kind: 'serve', configPath: 'opa.config.yaml', watch: true } },
    {
      note: 'serve with an operand',
      argv: ['serve', 'x.yaml'],
      want: { kind: 'usage-error', message: expect.stringMatching(/Unexpected argument 'x.yaml'/) as unknown, topic: 'serve' },
    },
    { note: 'demo', argv: ['demo'], want: { kind: 'demo' } },
    {
      note: 'demo with everything',
      argv: ['demo', '--config', 'c.yaml', '--state', 's', '--port', '0'],
      want: { kind: 'demo', configPath: 'c.yaml', stateDir: 's', port: 0 },
    },
    {
      note: 'demo with a bad port',
      argv: ['demo', '-p', '99999'],
      want: { kind: 'usage-error', message: 'demo: --port "99999" is not a TCP port (0-65535)', topic: 'demo' },
    },
    { note: 'token with defaults', argv: ['token', '--sub', 'bot'], want: { kind: 'token', sub: 'bot', claims: {}, ttlSeconds: 900 } },
    {
      note: 'token with claims, ttl and state',
      argv: [
        'token',
        '--sub',
        'bot',
        '--claim',
        'role=reader',
        '--claim',
        'n=3',
        '--claim',
        'tags=["a","b"]',
        '--claim',
        'eq=a=b',
        '--ttl',
        '1h30m',
        '-s',
        'st',
      ],
      want: { kind: 'token', sub: 'bot', claims: { role: 'reader', n: 3, tags: ['a', 'b'], eq: 'a=b' }, ttlSeconds: 5400, stateDir: 'st' },
    },
    {
      note: 'token without --sub',
      argv: ['token'],
      want: { kind: 'usage-error', message: 'token: --sub <name> is required', topic: 'token' },
    },
    {
      note: 'token claim without =',
      argv: ['token', '--sub', 'b', '--claim', 'role'],
      want: { kind: 'usage-error', message: 'token: --claim "role" must be key=value', topic: 'token' },
    },
    {
      note: 'token overriding a reserved claim',
      argv: ['token', '--sub', 'b', '--claim', 'exp=1'],
      want: { kind: 'usage-error', message: 'token: --claim cannot set "exp" (the issuer sets it; use --sub or --ttl)', topic: 'token' },
    },
    {
      note: 'token with a repeated claim',
      argv: ['token', '--sub', 'b', '--claim', 'a=1', '--claim', 'a=2'],
      want: { kind: 'usage-error', message: 'token: --claim "a" given twice', topic: 'token' },
    },
    {
      note: 'token with a bad ttl',
      argv: ['token', '--sub', 'b', '--ttl', '15 minutes'],
      want: {
        kind: 'usage-error',
        message: 'token: --ttl "15 minutes" is not a duration of at least 1s (e.g. 30s, 15m, 1h)',
        topic: 'token',
      },
    },
    { note: 'help token', argv: ['help', 'token'], want: { kind: 'help', topic: 'token' } },
    { note: 'demo --help', argv: ['demo', '--help'], want: { kind: 'help', topic: 'demo' } },
  ];
  it.each(cases)('$note', ({ argv, want }) => {
    expect(parseFlat(argv)).toEqual(want);
  });

  it.each([
    {
      note: 'top level lists the new commands',
      topic: undefined,
      match: /test <path>[\s\S]*serve \[--config[\s\S]*demo [\s\S]*token --sub/,
    },
    { note: 'test', topic: 'test', match: /^Usage: portcullis test/ },
    { note: 'serve', topic: 'serve', match: /^Usage: portcullis serve/ },
    { note: 'demo', topic: 'demo', match: /^Usage: portcullis demo/ },
    { note: 'token', topic: 'token', match: /^Usage: portcullis token/ },
  ])('usage: $note', ({ topic, match }) => {
    expect(usageFor(topic === undefined ? undefined : findCommand(topic))).toMatch(match);
  });

  it('prints a usage error with the command help and exit 2', async () => {
    const r = await cli(['token']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(/^portcullis: token: --sub <name> is required\n\nUsage: portcullis token/),
    });
  });
});

describe('portcullis token', () => {
  const stateDir = join(dir, 'state');
  let jwks: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    const issuer = await createDevIssuer({ issuer: 'http://127.0.0.1:9999', audience: 'portcullis' });
    writeDemoState(stateDir, issuer.exportState(), { any: 'config' });
    jwks = createLocalJWKSet(issuer.jwks() as Parameters<typeof createLocalJWKSet>[0]);
  });

  it.each([
    { note: 'default ttl', argv: [], ttl: 900, claims: {} },
    {
      note: 'claims and ttl',
      argv: ['--claim', 'role=reader', '--claim', 'tables=["orders"]', '--ttl', '5m'],
      ttl: 300,
      claims: { role: 'reader', tables: ['orders'] },
    },
  ])('mints a verifiable token: $note', async ({ argv, ttl, claims }) => {
    const r = await cli(['token', '--sub', 'bot-1', '--state', stateDir, ...argv]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const { payload, protectedHeader } = await jwtVerify(r.stdout.trim(), jwks, {
      issuer: 'http://127.0.0.1:9999',
      audience: 'portcullis',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: 'bot-1', ...claims });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(ttl);
  });

  it('creates a fresh state directory per run when none is given, and removes it', async () => {
    const issuer = await createDevIssuer({ issuer: 'http://127.0.0.1:9999', audience: 'portcullis' });
    const a = writeDemoState(undefined, issuer.exportState(), {});
    const b = writeDemoState(undefined, issuer.exportState(), {});
    try {
      expect(a.dir).not.toBe(b.dir);
      expect(statSync(a.dir).mode & 0o777).toBe(0o700);
      // the pointer names the demo started last
      expect((await cli(['token', '--sub', 'p'])).code).toBe(0);
    } finally {
      b.remove();
      a.remove();
    }
    expect(existsSync(a.dir)).toBe(false);
    expect(existsSync(b.dir)).toBe(false);
    expect(existsSync(demoPointerFile())).toBe(false);
  });

  it('refuses a state whose demo is no longer running', async () => {
    const issuer = await createDevIssuer({ issuer: 'http://127.0.0.1:9999', audience: 'portcullis' });
    const stale = writeDemoState(join(dir, 'stale'), issuer.exportState(), {}, 2 ** 22 + 12345);
    try {
      for (const argv of [['--state', join(dir, 'stale')], []]) {
        const r = await cli(['token', '--sub', 'x', ...argv]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/is no longer running: start it again with `npm start`/);
      }
    } finally {
      stale.remove();
    }
    const none = await cli(['token', '--sub', 'x']);
    expect(none.stderr).toMatch(/^portcullis: no demo is running/);
  });

  it('writes the state privately', () => {
    expect(readIssuerState(stateDir)).toContain('"privateJwk"');
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateDir, 'issuer.json')).mode & 0o777).toBe(0o600);
  });

  it.each([
    {
      note: 'no state dir',
      state: join(dir, 'missing'),
      match: /^portcullis: no demo issuer state at .*issuer\.json: start the demo first/,
    },
    { note: 'a corrupt state', state: 'corrupt', match: /^portcullis: issuer state is not valid JSON/ },
  ])('fails with one line for $note', async ({ state, match }) => {
    let stateArg = state;
    if (state === 'corrupt') {
      stateArg = join(dir, 'corrupt');
      mkdirSync(stateArg, { recursive: true });
      writeFileSync(join(stateArg, 'issuer.json'), '{not json');
    }
    const r = await cli(['token', '--sub', 'x', '--state', stateArg]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(match);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('portcullis test', () => {
  const files = {
    'p/policy.rego': 'package demo\n\nallow if input.user == "alice"\n\nlimit := data.demo.max\n',
    'p/demo/data.json': '{"max": 3}',
    'p/policy_test.rego': [
      'package demo',
      '',
      'test_alice_allowed if allow with input as {"user": "alice"}',
      'test_bob_denied if not allow with input as {"user": "bob"}',
      'test_limit_from_data if limit == 3',
      'test_wrong if allow with input as {"user": "bob"}',
      '',
    ].join('\n'),
    'ok/ok_test.rego': 'package ok\n\ntest_one if 1 == 1\n',
    'broken/b.rego': 'package broken\n\nallow if {\n',
  };
  beforeAll(() => {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
  });

  it('prints every test with -v, a summary and the closing line, exit 2 on a failure', async () => {
    const r = await cli(['test', join(dir, 'p'), '-v']);
    expect(r.code).toBe(2);
    const lines = r.stdout
      .replace(/\([\d.]+(ms|µs)\)/g, '(T)')
      .trimEnd()
      .split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/policy_test\.rego:3:$/),
      'data.demo.test_alice_allowed: PASS (T)',
      expect.stringMatching(/policy_test\.rego:4:$/),
      'data.demo.test_bob_denied: PASS (T)',
      expect.stringMatching(/policy_test\.rego:5:$/),
      'data.demo.test_limit_from_data: PASS (T)',
      expect.stringMatching(/policy_test\.rego:6:$/),
      'data.demo.test_wrong: FAIL (T)',
      expect.stringMatching(/^ {2}.*policy_test\.rego:6: allow with input as \{"user": "bob"\}$/),
      '    allow = undefined',
      '-'.repeat(80),
      'PASS: 3/4',
      'FAIL: 1/4',
      '3 passed, 1 failed',
    ]);
  });

  it.each([
    { note: 'all passing → exit 0', paths: ['ok'], flags: [], code: 0, stdout: /^PASS: 1\/1\n1 passed, 0 failed\n$/, stderr: /^$/ },
    {
      note: '--run filters by name',
      paths: ['p'],
      flags: ['--run', 'alice', '-v'],
      code: 0,
      stdout: /test_alice_allowed: PASS[\s\S]*PASS: 1\/1\n1 passed, 0 failed\n$/,
      stderr: /^$/,
    },
    {
      note: 'no matching tests → exit 1',
      paths: ['p'],
      flags: ['--run', 'nothing'],
      code: 1,
      stdout: /^$/,
      stderr: /no tests found \(rules named test_\*\) matching nothing/,
    },
    {
      note: 'compile errors → diagnostics, exit 1',
      paths: ['broken'],
      flags: [],
      code: 1,
      stdout: /^$/,
      stderr: /b\.rego:\d+:\d+: rego_parse_error/,
    },
    { note: 'no rego files → exit 1', paths: ['p/demo'], flags: [], code: 1, stdout: /^$/, stderr: /no \.rego files found/ },
  ])('$note', async ({ paths, flags, code, stdout, stderr }) => {
    const r = await cli(['test', ...paths.map((p) => join(dir, p)), ...flags]);
    expect(r.stderr).toMatch(stderr);
    expect(r.stdout).toMatch(stdout);
    expect(r.code).toBe(code);
  });
});

describe('portcullis serve', () => {
  it('prints every config error, path-addressed, and exits 1', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'listen: {port: 99999}\nidentity: {issuer: x, audience: a, jwks: {file: k.json}, algorithms: [HS256]}\npolicy: {paths: [p]}\n',
    );
    const r = await cli(['serve', '--config', file]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        `portcullis: ${file}: listen.port: must be an integer from 0 to 65535, got number 99999`,
        `portcullis: ${file}: upstream: is required`,
        `portcullis: ${file}: identity.algorithms[0]: "HS256" is not allowed: Portcullis verifies asymmetric signatures only`,
        '',
      ].join('\n'),
    });
  });

  it('reports a YAML syntax error with its line', async () => {
    const file = join(dir, 'syntax.yaml');
    writeFileSync(file, 'listen:\n  port: 1\n bad: [\n');
    const r = await cli(['serve', '-c', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^portcullis: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:\\d+: YAML syntax error: `));
  });

  it('reads password_env from the environment', async () => {
    const r = await cli(['serve', '--config', join(process.cwd(), 'opa.config.yaml')], {});
    expect(r.stderr).toMatch(/upstream\.password_env: environment variable PORTCULLIS_UPSTREAM_PASSWORD is not set/);
    expect(r.code).toBe(1);
  });
});
