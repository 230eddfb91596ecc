// Hot reload of signed bundles on a running gateway (keys A and B trusted, so keys can rotate
// while signatures stay mandatory): a bundle signed by B replaces one signed by A; a tampered
// file, an extra file, a missing signature, an older signature and an unknown key are each refused
// with their own message, and the gateway keeps deciding with the policy it has.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTarGz, signBundle, writeTarGz } from '../../bundles/index.js';
import { ordersBundle, startServed, useStack } from './helpers.js';
import type { StartedServed } from './helpers.js';

const stackRef = useStack();
const dir = mkdtempSync(join(tmpdir(), 'portcullis-signed-'));
const bundlePath = join(dir, 'portcullis.tar.gz');
const A = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const B = generateKeyPairSync('ed25519');
const C = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) => k.export({ format: 'pem', type: 'pkcs8' }).toString();
let started: StartedServed;

/** bundle is a policy refusing reads of orders with `word` as the reason, of revision `word`. */
const bundle = (word: string): Promise<Uint8Array> => ordersBundle(word, word);

/** publish writes the bytes over the bundle file (by rename, as a deploy would). */
function publish(bytes: Uint8Array): void {
  writeFileSync(`${bundlePath}.next`, bytes);
  renameSync(`${bundlePath}.next`, bundlePath);
}

async function said(): Promise<string> {
  const token = await stackRef.current.mint('signed-agent', { roles: ['db:read'] });
  const c = new pg.Client({ ...stackRef.current.clientConfig(token), host: started.host, port: started.port });
  await c.connect();
  try {
    await c.query('SELECT count(*) FROM orders');
    return 'allowed';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await c.end();
  }
}

const T0 = new Date('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

beforeAll(async () => {
  writeFileSync(join(dir, 'a.pub'), A.publicKey.export({ format: 'pem', type: 'spki' }));
  writeFileSync(join(dir, 'b.pub'), B.publicKey.export({ format: 'pem', type: 'spki' }));
  publish(await signBundle(await bundle('v1 by A'), { key: pem(A.privateKey), kid: 'ci-a', alg: 'ES256', now: at(0) }));
  started = await startServed(stackRef.current, {
    policy: {
      bundle: bundlePath,
      signing: {
        keys: [
          { id: 'ci-a', algorithm: 'ES256', key_file: join(dir, 'a.pub') },
          { id: 'ci-b', algorithm: 'EdDSA', key_file: join(dir, 'b.pub') },
        ],
      },
    },
    admin: { enabled: false },
  });
}, 60_000);

afterAll(async () => {
  await started?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('signed bundles on a running gateway', () => {
  it('rotates from key A to key B while both are trusted', async () => {
    expect(await said()).toBe('v1 by A');
    publish(await signBundle(await bundle('v2 by B'), { key: pem(B.privateKey), kid: 'ci-b', alg: 'EdDSA', now: at(10) }));
    expect(await started.policy.reload('signal')).toMatchObject({ kind: 'activated', revision: 'v2 by B', previous: 'v1 by A' });
    expect(await said()).toBe('v2 by B');
  });

  it.each([
    {
      note: 'a file changed after signing',
      make: async () => {
        const files = await readTarGz(
          await signBundle(await bundle('v3'), { key: pem(B.privateKey), kid: 'ci-b', alg: 'EdDSA', now: at(20) }),
        );
        return writeTarGz(files.map((f) => (f.name === '/data.json' ? { ...f, bytes: Buffer.from('{"word":"tampered"}') } : f)));
      },
      reason: /data\.json/,
    },
    {
      note: 'a file added after signing',
      make: async () => {
        const files = await readTarGz(
          await signBundle(await bundle('v3'), { key: pem(B.privateKey), kid: 'ci-b', alg: 'EdDSA', now: at(20) }),
        );
        return writeTarGz([...files, { name: '/evil.rego', bytes: Buffer.from('package evil\n') }]);
      },
      reason: /evil\.rego is not included in the bundle signature/,
    },
    { note: 'no signature', make: () => bundle('v3 unsigned'), reason: /bundle is not signed/ },
    {
      note: 'a signature older than the active one',
      make: async () => signBundle(await bundle('v0 replayed'), { key: pem(A.privateKey), kid: 'ci-a', alg: 'ES256', now: at(5) }),
      reason: /signed .*before|older|rollback/i,
    },
    {
      note: 'an unknown key',
      make: async () => signBundle(await bundle('v3 by C'), { key: pem(C.privateKey), kid: 'ci-c', alg: 'ES256', now: at(30) }),
      reason: /"ci-c", which is not trusted/,
    },
  ])('refuses $note and keeps deciding with the active policy', async ({ make, reason }) => {
    publish(await make());
    const outcome = await started.policy.reload('signal');
    expect(outcome).toMatchObject({ kind: 'failed', revision: 'v2 by B' });
    expect(outcome.kind === 'failed' ? outcome.reasons.join('\n') : '').toMatch(reason);
    expect(await said()).toBe('v2 by B');
  });

  it('takes a newer bundle by A again, then refuses to go back to B’s older one', async () => {
    const newer = await signBundle(await bundle('v4 by A'), { key: pem(A.privateKey), kid: 'ci-a', alg: 'ES256', now: at(40) });
    publish(newer);
    expect(await started.policy.reload('signal')).toMatchObject({ kind: 'activated', revision: 'v4 by A' });
    publish(await signBundle(await bundle('v2 by B'), { key: pem(B.privateKey), kid: 'ci-b', alg: 'EdDSA', now: at(10) }));
    expect(await started.policy.reload('signal')).toMatchObject({ kind: 'failed', revision: 'v4 by A' });
  });
});
