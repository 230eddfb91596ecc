// The web console's public routes on a real admin server on 127.0.0.1: GET / and GET /console/<file>
// from an assets directory made for the test (types, security headers, revalidation), requests
// that try to leave it (encoded dot segments, absolute paths, directories, dot files, symbolic
// links, unknown types) answered with the admin API's JSON 404, config.json, the console turned
// off, and the admin API's own routes and OpenAPI document unchanged around it.

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_ASSETS_DIR, consoleCsp } from '../../../proxy/console/index.js';
import { startAdminStack } from '../../helpers/admin.js';
import type { AdminStack } from '../../helpers/admin.js';

type Raw = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

/** get sends the path exactly as written (fetch would normalise dot segments away before they reach the server). */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const FILES: Readonly<Record<string, string | Buffer>> = {
  'index.html': '<!doctype html><title>console</title><script type="module" src="/console/app.js"></script>',
  'app.js': 'export const app = 1;\n',
  'app.css': 'body { margin: 0 }\n',
  'logo.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
  'strings.json': '{"hello":"world"}',
  'icon.png': PNG,
  'views/queue.js': 'export const queue = 2;\n',
  'views/deep/more.js': 'export const more = 3;\n',
  'notes.txt': 'not a console type',
  '.hidden.js': 'export const hidden = true;\n',
  'config.json': '{"version":"from a file"}',
};

let root: string;
let assets: string;
let stack: AdminStack;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'console-static-'));
  assets = join(root, 'assets');
  for (const [name, body] of Object.entries(FILES)) {
    await mkdir(join(assets, name, '..'), { recursive: true });
    await writeFile(join(assets, name), body);
  }
  await writeFile(join(root, 'secret.json'), '{"secret":true}');
  await symlink(join(root, 'secret.json'), join(assets, 'linked.json'));
  stack = await startAdminStack({ console: { assetsDir: assets } });
  // read once at start: a later change on disk is not served
  await writeFile(join(assets, 'app.js'), 'export const app = "changed";\n');
  await writeFile(join(assets, 'late.js'), 'export const late = 1;\n');
});
afterAll(async () => {
  await stack.close();
  await rm(root, { recursive: true, force: true });
});

const u = (): string => stack.server.url;
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function expectConsoleHeaders(r: Raw): void {
  expect(r.headers['content-security-policy']).toBe(CSP);
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['referrer-policy']).toBe('no-referrer');
  expect(r.headers['cache-control']).toBe('no-cache');
}

function expectNotFound(r: Raw): void {
  expect(r.status).toBe(404);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  expect(JSON.parse(r.body.toString()).error.code).toBe('ERR_ADMIN_NOT_FOUND');
  expect(r.headers['content-security-policy']).toBeUndefined();
}

describe('serving the console files', () => {
  it.each<{ note: string; path: string; type: string; file: string }>([
    { note: 'the page at /', path: '/', type: 'text/html; charset=utf-8', file: 'index.html' },
    { note: 'a script', path: '/console/app.js', type: 'text/javascript; charset=utf-8', file: 'app.js' },
    { note: 'a style sheet', path: '/console/app.css', type: 'text/css; charset=utf-8', file: 'app.css' },
    { note: 'an SVG image', path: '/console/logo.svg', type: 'image/svg+xml', file: 'logo.svg' },
    { note: 'a JSON file', path: '/console/strings.json', type: 'application/json; charset=utf-8', file: 'strings.json' },
    { note: 'a PNG image', path: '/console/icon.png', type: 'image/png', file: 'icon.png' },
    { note: 'a module in a subfolder', path: '/console/views/queue.js', type: 'text/javascript; charset=utf-8', file: 'views/queue.js' },
    { note: 'two folders down', path: '/console/views/deep/more.js', type: 'text/javascript; charset=utf-8', file: 'views/deep/more.js' },
    { note: 'with a query string', path: '/console/app.js?v=2', type: 'text/javascript; charset=utf-8', file: 'app.js' },
    { note: 'index.html by name', path: '/console/index.html', type: 'text/html; charset=utf-8', file: 'index.html' },
    {
      note: 'the page where the sign-in redirect lands',
      path: '/?code=abc&state=xyz',
      type: 'text/html; charset=utf-8',
      file: 'index.html',
    },
  ])('$note: $path', async ({ path, type, file }) => {
    const r = await get(u(), path);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe(type);
    expect(r.body.equals(Buffer.from(FILES[file] as string | Buffer))).toBe(true);
    expectConsoleHeaders(r);
  });

  it('reads the files once, at start', async () => {
    expect((await get(u(), '/console/app.js')).body.toString()).toBe(FILES['app.js']);
    expectNotFound(await get(u(), '/console/late.js'));
  });

  it('answers 304 to a matching If-None-Match, with the headers', async () => {
    const first = await get(u(), '/console/app.css');
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await get(u(), '/console/app.css', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expectConsoleHeaders(again);
    expect((await get(u(), '/console/app.css', { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('answers HEAD like GET, without a body', async () => {
    const r = await get(u(), '/console/app.js', {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.body.length).toBe(0);
  });

  it.each<{ note: string; path: string }>([
    { note: 'a missing file', path: '/console/missing.js' },
    { note: 'the folder itself', path: '/console/' },
    { note: 'the prefix without a slash', path: '/console' },
    { note: 'a subfolder', path: '/console/views' },
    { note: 'a subfolder with a slash', path: '/console/views/' },
    { note: 'an encoded slash and dot segment', path: '/console/..%2fsecret.json' },
    { note: 'a plain dot segment', path: '/console/../secret.json' },
    { note: 'encoded dot segments', path: '/console/%2e%2e/secret.json' },
    { note: 'encoded everything', path: '/console/%2e%2e%2f%2e%2e%2fetc%2fpasswd' },
    { note: 'a dot segment inside a subfolder', path: '/console/views/../app.js' },
    { note: 'a backslash dot segment', path: '/console/..%5csecret.json' },
    { note: 'an absolute path', path: '/console//etc/passwd' },
    { note: 'an encoded absolute path', path: '/console/%2fetc%2fpasswd' },
    { note: 'a NUL byte', path: '/console/app.js%00.png' },
    { note: 'another case', path: '/console/APP.JS' },
    { note: 'a file of an unknown type', path: '/console/notes.txt' },
    { note: 'a dot file', path: '/console/.hidden.js' },
    { note: 'a symbolic link', path: '/console/linked.json' },
    { note: 'a file beside the folder', path: '/secret.json' },
    { note: 'the page under another name', path: '/index.html' },
  ])('$note ($path) is the JSON 404', async ({ path }) => {
    expectNotFound(await get(u(), path));
  });
});

describe('config.json', () => {
  it('says the version and no OIDC (pasted tokens), with the console headers; a file of that name is not served', async () => {
    const r = await get(u(), '/console/config.json');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.body.toString())).toEqual({ version: '0.1.0-test', oidc: null });
    expectConsoleHeaders(r);
  });

  it('carries the OIDC settings with the redirect URI of the listener, and the CSP allows the issuer', async () => {
    const s = await startAdminStack({
      console: {
        assetsDir: assets,
        oidc: (baseUrl) => ({
          issuer: 'https://idp.example:8443/realm',
          authorization_endpoint: 'https://idp.example:8443/realm/authorize',
          token_endpoint: 'https://tokens.example/token',
          client_id: 'portcullis-console',
          scope: 'openid',
          redirect_uri: `${baseUrl}/`,
        }),
      },
    });
    try {
      const r = await get(s.server.url, '/console/config.json');
      expect(JSON.parse(r.body.toString())).toEqual({
        version: '0.1.0-test',
        oidc: {
          issuer: 'https://idp.example:8443/realm',
          authorization_endpoint: 'https://idp.example:8443/realm/authorize',
          token_endpoint: 'https://tokens.example/token',
          client_id: 'portcullis-console',
          scope: 'openid',
          redirect_uri: `${s.server.url}/`,
        },
      });
      const csp = (await get(s.server.url, '/')).headers['content-security-policy'];
      expect(csp).toContain("connect-src 'self' https://idp.example:8443 https://tokens.example;");
      expect(csp).toMatch(/form-action 'self' https:\/\/idp\.example:8443 https:\/\/tokens\.example$/);
    } finally {
      await s.close();
    }
  });
});

describe('around the admin API', () => {
  it.each<{ note: string; path: string; status: number; code?: string }>([
    { note: 'livez', path: '/livez', status: 200 },
    { note: 'an unknown API route', path: '/v1/nothing', status: 404, code: 'ERR_ADMIN_NOT_FOUND' },
    { note: 'an API route still needs a token', path: '/v1/approvals', status: 401, code: 'ERR_ADMIN_UNAUTHENTICATED' },
    { note: 'an unknown path', path: '/nothing', status: 404, code: 'ERR_ADMIN_NOT_FOUND' },
  ])('$note: $path answers $status', async ({ path, status, code }) => {
    const r = await get(u(), path);
    expect(r.status).toBe(status);
    if (code !== undefined) expect(JSON.parse(r.body.toString()).error.code).toBe(code);
    expect(r.headers['content-security-policy']).toBeUndefined();
  });

  it('a POST to the page is the JSON 404', async () => {
    expectNotFound(await get(u(), '/', {}, 'POST'));
  });

  it('leaves the console paths out of the OpenAPI document', async () => {
    const token = await stack.token();
    const res = await fetch(`${u()}/v1/openapi.json`, { headers: { authorization: `Bearer ${token}` } });
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p === '/' || p.startsWith('/console'))).toEqual([]);
    expect(Object.keys(doc.paths)).toContain('/v1/approvals/{id}');
  });
});

describe('the console turned off, or without files', () => {
  it.each<{ note: string; options: { enabled?: boolean; assetsDir?: string } }>([
    { note: 'enabled: false', options: { enabled: false } },
    { note: 'a missing assets folder', options: { assetsDir: '/nonexistent/portcullis-console' } },
  ])('$note: / is the JSON 404', async ({ options }) => {
    const events: { kind: string }[] = [];
    const s = await startAdminStack({ console: { assetsDir: assets, ...options }, log: (e) => events.push(e) });
    try {
      expectNotFound(await get(s.server.url, '/'));
      expectNotFound(await get(s.server.url, '/console/app.js'));
      expect((await get(s.server.url, '/console/config.json')).status).toBe(options.enabled === false ? 404 : 200);
      expect(events.some((e) => e.kind === 'console.no-index')).toBe(options.enabled !== false);
    } finally {
      await s.close();
    }
  });

  it('serves proxy/console/assets by default', () => {
    expect(CONSOLE_ASSETS_DIR).toBe(fileURLToPath(new URL('../../../proxy/console/assets/', import.meta.url)));
  });

  it('consoleCsp adds nothing for an unparsable issuer URL', () => {
    const csp = consoleCsp({
      issuer: 'not a url',
      authorization_endpoint: 'also not',
      token_endpoint: '',
      client_id: 'c',
      scope: 'openid',
      redirect_uri: '/',
    });
    expect(csp).toBe(CSP);
  });
});
