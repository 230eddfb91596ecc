// The last bundle that activated, kept on disk so a gateway restarting while its bundle server is
// down starts from it (OPA's `persist`, CONTROL-PLANE.md §1.4): the original bytes in
// `bundle-<sha256>.tar.gz` and the sidecar `bundle.json` {etag, revision, url, saved_at, file,
// sha256}. Each is written to a temporary file, fsynced and renamed; the sidecar's rename is the
// commit, so a crash at any point leaves the previous pair or the new one, never a mix.

import { createHash } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { BundleServiceError } from './errors.js';

/** SIDECAR is the name of the record naming the persisted bundle. */
export const SIDECAR = 'bundle.json';

const BUNDLE_FILE = /^bundle-[0-9a-f]{64}\.tar\.gz$/;

/** PersistedBundle is the last bundle that activated, as saved. */
export type PersistedBundle = {
  readonly bytes: Uint8Array;
  /** etag is the server's ETag for these bytes (sent as the first If-None-Match after a restart). */
  readonly etag?: string;
  /** revision is the revision activation reported. */
  readonly revision?: string;
  /** url is where the bundle was fetched from. */
  readonly url: string;
  /** savedAt is when it was saved (RFC 3339). */
  readonly savedAt: string;
};

/** savePersisted writes a bundle and its sidecar atomically into dir (created 0700; files 0600), then removes older bundle files. */
export async function savePersisted(
  dir: string,
  bundle: { readonly bytes: Uint8Array; readonly etag?: string; readonly revision?: string; readonly url: string },
  now: Date = new Date(),
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const sha256 = createHash('sha256').update(bundle.bytes).digest('hex');
  const file = `bundle-${sha256}.tar.gz`;
  await writeAtomic(dir, file, bundle.bytes);
  const sidecar = {
    ...(bundle.etag !== undefined ? { etag: bundle.etag } : {}),
    ...(bundle.revision !== undefined ? { revision: bundle.revision } : {}),
    url: bundle.url,
    saved_at: now.toISOString(),
    file,
    sha256,
  };
  await writeAtomic(dir, SIDECAR, Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`));
  await syncDir(dir);
  for (const name of await readdir(dir)) {
    if ((BUNDLE_FILE.test(name) && name !== file) || name.endsWith('.tmp')) await rm(join(dir, name), { force: true });
  }
}

/** loadPersisted reads the persisted bundle of dir: undefined when none was saved; a BundleServiceError when the record is damaged. */
export async function loadPersisted(dir: string): Promise<PersistedBundle | undefined> {
  const where = join(dir, SIDECAR);
  let text: string;
  try {
    text = await readFile(where, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(where, `cannot be read (${(e as Error).message})`, e);
  }
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (e) {
    throw invalid(where, `is not JSON (${(e as Error).message})`, e);
  }
  const r = record as Record<string, unknown>;
  if (record === null || typeof record !== 'object' || Array.isArray(record)) throw invalid(where, 'is not a JSON object');
  for (const key of ['url', 'saved_at', 'file', 'sha256'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') throw invalid(where, `has no ${key}`);
  }
  for (const key of ['etag', 'revision'] as const) {
    if (r[key] !== undefined && typeof r[key] !== 'string') throw invalid(where, `has a ${key} that is not a string`);
  }
  const file = r.file as string;
  if (!BUNDLE_FILE.test(file)) throw invalid(where, `names ${JSON.stringify(file)}, which is not a persisted bundle file`);
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, file));
  } catch (e) {
    throw invalid(where, `names ${file}, which cannot be read (${(e as Error).message})`, e);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== r.sha256) throw invalid(where, `names ${file}, whose SHA-256 does not match`);
  return {
    bytes,
    ...(typeof r.etag === 'string' ? { etag: r.etag } : {}),
    ...(typeof r.revision === 'string' ? { revision: r.revision } : {}),
    url: r.url as string,
    savedAt: r.saved_at as string,
  };
}

function invalid(where: string, what: string, cause?: unknown): BundleServiceError {
  return new BundleServiceError('ERR_PROXY_BUNDLE_PERSISTED_INVALID', `the persisted bundle record ${where} ${what}`, { cause });
}

/** writeAtomic writes name in dir through a temporary file: write, fsync, rename. */
async function writeAtomic(dir: string, name: string, bytes: Uint8Array): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, join(dir, name));
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** syncDir fsyncs a directory so the renames in it survive a power loss (a no-op where directories cannot be opened). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (fh === undefined) return;
  try {
    await fh.sync().catch(() => undefined);
  } finally {
    await fh.close();
  }
}
