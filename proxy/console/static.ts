// The console's public routes, a fastify plugin the admin server registers at its root: GET /
// (index.html), GET /console/<file> (the assets read once at start, see assets.ts) and GET
// /console/config.json (the gateway's version and how the browser signs in). Nothing else is
// answered here: an unknown file goes to the admin API's own JSON 404. The routes are hidden from
// the OpenAPI document (they are not part of the API).

import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readAssets } from './assets.js';
import type { Asset } from './assets.js';
import { consoleHeaders } from './headers.js';
import type { ConsoleConfigDocument, ConsolePluginOptions } from './types.js';

/** CONSOLE_ASSETS_DIR is where the console's files are (the ui side writes them; served as they are, no build step). */
export const CONSOLE_ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

/** CONSOLE_PATH_PREFIX is the path the assets are served under. */
export const CONSOLE_PATH_PREFIX = '/console/';

/** CONFIG_FILE is the generated file under CONSOLE_PATH_PREFIX (an asset of that name is never served). */
const CONFIG_FILE = 'config.json';

const hidden = { schema: { hide: true } } as const;

/** consolePlugin registers GET /, GET /console/config.json and GET /console/*. */
export async function consolePlugin(app: FastifyInstance, opts: ConsolePluginOptions): Promise<void> {
  const log = opts.log ?? ((): void => undefined);
  const dir = opts.assetsDir ?? CONSOLE_ASSETS_DIR;
  const { assets, skipped } = await readAssets(dir);
  if (!assets.has('index.html')) log({ kind: 'console.no-index', dir });
  if (skipped.length > 0) log({ kind: 'console.skipped-files', files: skipped });
  const oidc = () => opts.oidc?.(opts.baseUrl()) ?? null;

  const send = (request: FastifyRequest, reply: FastifyReply, asset: Asset | undefined): FastifyReply => {
    if (asset === undefined) return reply.callNotFound() as unknown as FastifyReply;
    void reply.headers(consoleHeaders(oidc())).header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  };

  app.get('/', hidden, async (request, reply) => send(request, reply, assets.get('index.html')));
  app.get(`${CONSOLE_PATH_PREFIX}${CONFIG_FILE}`, hidden, async (_request, reply) => {
    const document: ConsoleConfigDocument = { version: opts.version, oidc: oidc() };
    return reply.headers(consoleHeaders(document.oidc)).type('application/json; charset=utf-8').send(JSON.stringify(document));
  });
  app.get<{ Params: { '*': string } }>(`${CONSOLE_PATH_PREFIX}*`, hidden, async (request, reply) => {
    // the router has decoded the path: `..%2f` arrives as `../`, which names no key
    const path = request.params['*'];
    return send(request, reply, path === CONFIG_FILE ? undefined : assets.get(path));
  });
}
