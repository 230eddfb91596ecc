// The persisted last-known-good bundle: a round trip, replacement, and every way the record on
// disk can be damaged, each refused with ERR_PROXY_BUNDLE_PERSISTED_INVALID and a message naming it.

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SIDECAR, loadPersisted, savePersisted } from '../../../proxy/bundle-service/index.js';

let root: string;
let dir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-persist-'));
  dir = join(root, 'state', 'bundle');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const URL_ = 'https://bundles.example.com/bundles/authz.tar.gz';

describe('persisted bundle', () => {
  it('round-trips bytes, ETag, revision and URL, with 0600 files in a 0700 directory', async () => {
    await savePersisted(dir, { bytes: Buffer.from('v1'), etag: '"e1"', revision: 'abc123', url: URL_ }, new Date('2026-12-07T10:00:00Z'));
    const got = await loadPersisted(dir);
    expect(got).toMatchObject({ etag: '"e1"', revision: 'abc123', url: URL_, savedAt: '2026-12-07T10:00:00.000Z' });
    expect(Buffer.from(got?.bytes ?? []).toString()).toBe('v1');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it('keeps only the latest bundle file and no temporary files', async () => {
    await savePersisted(dir, { bytes: Buffer.from('v1'), url: URL_ });
    await savePersisted(dir, { bytes: Buffer.from('v2'), etag: '"e2"', url: URL_ });
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^bundle-[0-9a-f]{64}\.tar\.gz$/), SIDECAR]);
    const got = await loadPersisted(dir);
    expect([Buffer.from(got?.bytes ?? []).toString(), got?.etag, got?.revision]).toEqual(['v2', '"e2"', undefined]);
  });

  it('is undefined when nothing was saved', async () => {
    expect(await loadPersisted(dir)).toBeUndefined();
  });

  const sidecar = () => JSON.parse(readFileSync(join(dir, SIDECAR), 'utf8')) as Record<string, unknown>;
  const write = (value: unknown) => writeFileSync(join(dir, SIDECAR), typeof value === 'string' ? value : JSON.stringify(value));

  it.each([
    { note: 'a truncated sidecar', damage: () => write('{"etag": "e'), want: /bundle\.json is not JSON/ },
    { note: 'a sidecar that is a list', damage: () => write([]), want: /is not a JSON object/ },
    { note: 'a sidecar without url', damage: () => write({ ...sidecar(), url: undefined }), want: /has no url/ },
    { note: 'an ETag that is not a string', damage: () => write({ ...sidecar(), etag: 5 }), want: /has a etag that is not a string/ },
    {
      note: 'a file name outside the pattern',
      damage: () => write({ ...sidecar(), file: '../../etc/passwd' }),
      want: /names "..\/..\/etc\/passwd", which is not a persisted bundle file/,
    },
    {
      note: 'a missing bundle file',
      damage: () => rmSync(join(dir, sidecar().file as string)),
      want: /which cannot be read/,
    },
    {
      note: 'bundle bytes that do not match',
      damage: () => writeFileSync(join(dir, sidecar().file as string), 'tampered'),
      want: /whose SHA-256 does not match/,
    },
  ])('refuses $note', async ({ damage, want }) => {
    await savePersisted(dir, { bytes: Buffer.from('v1'), etag: '"e1"', url: URL_ });
    damage();
    const err = await loadPersisted(dir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_PROXY_BUNDLE_PERSISTED_INVALID', message: expect.stringMatching(want) });
    expect((err as Error).message).toContain(join(dir, SIDECAR));
  });
});
