// The console's static files, read once when the admin server starts: every regular file with a
// known type under the assets directory (its subfolders too), keyed by its path relative to it
// with `/` separators. A request names a key or nothing: there is no path on disk to traverse,
// and symbolic links, dot files, directories and unknown types are never served.

import { createHash } from 'node:crypto';
import { lstat, readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

/** CONTENT_TYPES are the types the console serves, by extension; a file of any other type is not served. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
});

/** Asset is one served file: its bytes, content type and entity tag. */
export type Asset = { readonly body: Buffer; readonly type: string; readonly etag: string };

/** AssetsRead are the files found and the paths left out (with why), for the log. */
export type AssetsRead = { readonly assets: ReadonlyMap<string, Asset>; readonly skipped: readonly string[] };

/** MAX_DEPTH bounds how deep subfolders are read (a console has a few). */
const MAX_DEPTH = 8;

/** readAssets reads the assets directory; a missing directory yields no assets (the console answers 404). */
export async function readAssets(dir: string): Promise<AssetsRead> {
  const assets = new Map<string, Asset>();
  const skipped: string[] = [];
  const walk = async (abs: string, rel: string, depth: number): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(abs);
    } catch (e) {
      if (rel === '' && (e as { code?: unknown }).code === 'ENOENT') return;
      throw e;
    }
    for (const name of names.sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      if (name.startsWith('.')) {
        skipped.push(`${path} (dot file)`);
        continue;
      }
      const full = join(abs, name);
      const st = await lstat(full);
      if (st.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(full, path, depth + 1);
        else skipped.push(`${path} (too deep)`);
        continue;
      }
      const type = CONTENT_TYPES[extname(name).toLowerCase()];
      if (!st.isFile() || type === undefined) {
        skipped.push(`${path} (${st.isFile() ? 'unknown type' : 'not a regular file'})`);
        continue;
      }
      const body = await readFile(full);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
      assets.set(path, { body, type, etag });
    }
  };
  await walk(dir, '', 0);
  return { assets, skipped };
}
