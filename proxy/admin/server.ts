// The admin API as a fastify instance (loaded by start.ts when a server starts). /livez and the
// open routes (`openRoutes`: /metrics by default, /readyz on request) are public; everything else
// (the OpenAPI document, /v1/status, /v1/approvals, /v1/sessions) needs a bearer token and is rate
// limited per caller. Requests are validated without coercion or stripping, and every failure becomes one
// JSON error body here (setErrorHandler, setNotFoundHandler), so no stack trace, path or URL ever
// reaches a caller: details go to the injected `log`. Fastify's own logger stays off.

import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { Socket } from 'node:net';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consolePlugin, createEventHub } from '../console/index.js';
import { STATE_ERROR_CODES, StateError } from '../state/index.js';
import { approvalsRoutes } from './approvals.js';
import { consoleRoutes } from './console-routes.js';
import { authenticate, rateLimitKey, requireAuth } from './auth.js';
import { sessionsRoutes } from './sessions.js';
import { controlRoutes } from './control.js';
import { policyRoutes } from './policy.js';
import { AdminHttpError, INTERNAL_MESSAGE, STATE_UNAVAILABLE_MESSAGE, errorBody } from './errors.js';
import type { AdminErrorCode, AdminErrorReason } from './errors.js';
import { emptyQuerySchema } from './schemas.js';
import { statusRoutes } from './status.js';
import { ADMIN_BODY_LIMIT_BYTES, ADMIN_DEFAULT_OPEN_ROUTES, ADMIN_DEFAULT_RATE_LIMIT, OPENAPI_PATH, OPEN_ROUTES } from './types.js';
import type { AdminLogEvent, AdminServer, AdminServerOptions, OpenRoute } from './types.js';

/** listenAdminServer builds the admin API, listens on options.listen and resolves once it accepts connections. */
export async function listenAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const log = options.log ?? ((): void => undefined);
  const state = { closing: false, url: '' };
  const app = await buildAdminApp(options, log, state);
  try {
    await app.listen({ host: options.listen.host, port: options.listen.port });
  } catch (e) {
    await app.close().catch(() => undefined);
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.listen.port;
  const host = options.listen.host;
  const url = `${options.tls !== undefined ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.url = url;
  log({ kind: 'admin.listening', url });
  let closing: Promise<void> | undefined;
  return {
    url,
    host,
    port,
    close: () => {
      state.closing = true;
      closing ??= app.close().then(() => log({ kind: 'admin.closed', url }));
      return closing;
    },
  };
}

/** buildAdminApp assembles the fastify instance (plugins, handlers, routes) without listening. */
async function buildAdminApp(
  options: AdminServerOptions,
  log: (event: AdminLogEvent) => void,
  state: { readonly closing: boolean; readonly url: string },
): Promise<FastifyInstance> {
  const limit = options.rateLimit ?? ADMIN_DEFAULT_RATE_LIMIT;
  if (!Number.isInteger(limit.max) || limit.max < 1 || !Number.isFinite(limit.timeWindowMs) || limit.timeWindowMs < 1) {
    throw new TypeError('admin rateLimit needs a positive integer max and a positive timeWindowMs');
  }
  const app = Fastify({
    logger: false,
    bodyLimit: ADMIN_BODY_LIMIT_BYTES,
    requestTimeout: 30_000,
    // Requests arriving while close() waits are answered by the onRequest hook below, in our shape.
    return503OnClosing: false,
    ...(options.tls !== undefined ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
  }) as unknown as FastifyInstance;

  // JSON only: fastify also parses text/plain by default; without a parser it answers 415.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply, log));
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send(errorBody('ERR_ADMIN_NOT_FOUND', `no route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)}`));
  });

  app.addHook('onRequest', async (_request, reply) => {
    if (!state.closing) return;
    void reply.header('connection', 'close');
    throw new AdminHttpError('ERR_ADMIN_SHUTTING_DOWN', 'the admin API is shutting down');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Portcullis admin API',
        version: options.version,
        description: 'Approve or deny held statements, read recorded sessions, and probe the gateway. See docs/admin-api.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'approvals', description: 'Approval requests' },
        { name: 'sessions', description: 'Recorded sessions (read under the audit policy)' },
        { name: 'policy', description: 'The active policy and its hot reload (under the audit policy)' },
        { name: 'probes', description: 'Liveness, readiness, metrics and status' },
        { name: 'console', description: 'What the web console reads: who the caller is, live events' },
      ],
    },
  });
  await app.register(rateLimit, {
    global: false,
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new AdminHttpError('ERR_ADMIN_RATE_LIMITED', `too many requests; retry in ${Math.max(1, Math.ceil(context.ttl / 1000))}s`),
  });

  // the console's live event streams; ended before the server closes, so close() never waits on one
  const c = options.console;
  const { enabled: _enabled, assetsDir: _assetsDir, oidc: _oidc, ...hubOptions } = c ?? {};
  const hub = createEventHub({ ...hubOptions, log });

  app.addHook('preClose', async () => {
    hub.close();
    closeIdleSockets();
  });
  const closeIdleSockets = trackIdleSockets(app, options.tls !== undefined);

  const publicRoute = { security: [], tags: ['probes'] };
  app.get('/livez', { schema: { ...publicRoute, summary: 'Liveness', querystring: emptyQuerySchema, response: livez } }, async () => ({
    status: 'ok',
  }));
  // the open routes (by default /metrics) answer anyone; the admin API listens on loopback by default
  const open = new Set<OpenRoute>(options.openRoutes ?? ADMIN_DEFAULT_OPEN_ROUTES);
  const statusOptions = { readiness: options.readiness, metrics: options.metrics, status: options.status, audit: options.audit, log };
  await app.register(statusRoutes, { ...statusOptions, routes: open, public: true });
  // the web console's page, files and config.json are public (the console holds no power: every
  // action goes through the routes below, with the caller's token)
  if (c?.enabled ?? true) {
    await app.register(consolePlugin, {
      version: options.version,
      baseUrl: () => state.url,
      ...(c?.assetsDir !== undefined ? { assetsDir: c.assetsDir } : {}),
      ...(c?.oidc !== undefined ? { oidc: c.oidc } : {}),
      log,
    });
  }
  // everything else needs a bearer token (and counts against the caller's rate limit)
  await app.register(async (secured) => {
    secured.addHook('onRequest', authenticate(options.verifier, log));
    secured.addHook('onRequest', secured.rateLimit());
    secured.addHook('onRequest', requireAuth);
    secured.get(OPENAPI_PATH, { schema: { hide: true, querystring: emptyQuerySchema } }, async () => app.swagger());
    await secured.register(approvalsRoutes, { prefix: '/v1/approvals', service: options.service, audit: options.audit, log });
    await secured.register(consoleRoutes, { prefix: '/v1', hub, audit: options.audit });
    await secured.register(sessionsRoutes, { prefix: '/v1/sessions', sessions: options.sessions, audit: options.audit, log });
    await secured.register(controlRoutes, { prefix: '/v1', control: options.control, audit: options.audit, log });
    await secured.register(policyRoutes, { prefix: '/v1/policy', policy: options.policy, audit: options.audit, log });
    const guarded = new Set<OpenRoute | 'status'>(['status', ...OPEN_ROUTES.filter((r) => !open.has(r))]);
    await secured.register(statusRoutes, { ...statusOptions, routes: guarded, public: false });
  });
  app.addHook('onResponse', async (request, reply) => {
    log({
      kind: 'admin.request',
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });
  await app.ready();
  return app;
}

/**
 * trackIdleSockets counts the requests in flight on each connection and returns what closes the
 * connections without one. Node's close() leaves open a connection that never sent a request (a
 * browser's or undici's speculative pre-connect), and would wait on it for minutes; the console
 * brings browsers to this listener.
 */
function trackIdleSockets(app: FastifyInstance, tls: boolean): () => void {
  const inFlight = new Map<Socket, number>();
  // under TLS a request's socket is the TLS socket, announced once the handshake is done
  app.server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    inFlight.set(socket, 0);
    socket.once('close', () => inFlight.delete(socket));
  });
  const add = (request: FastifyRequest, n: number): void => {
    const count = inFlight.get(request.socket);
    if (count !== undefined) inFlight.set(request.socket, Math.max(0, count + n));
  };
  app.addHook('onRequest', async (request) => add(request, 1));
  app.addHook('onResponse', async (request) => add(request, -1));
  return () => {
    for (const [socket, count] of inFlight) if (count === 0) socket.destroy();
  };
}

const livez = {
  200: {
    description: 'the process answers',
    type: 'object',
    additionalProperties: false,
    required: ['status'],
    properties: { status: { type: 'string', enum: ['ok'] } },
  },
};

/** sendError is the one translation of a failure to an error body (see errors.ts). */
function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply, log: (event: AdminLogEvent) => void): FastifyReply {
  const [status, code, message, reasons] = classify(error);
  if (error instanceof AdminHttpError) for (const [k, v] of Object.entries(error.headers)) void reply.header(k, v);
  if (status >= 500) {
    log({
      kind: code === 'ERR_ADMIN_INTERNAL' ? 'admin.internal-error' : 'admin.unavailable',
      code,
      method: request.method,
      route: request.routeOptions.url ?? 'unknown',
      error: messageOf(error),
      ...(error instanceof Error && code === 'ERR_ADMIN_INTERNAL' ? { stack: error.stack } : {}),
    });
  }
  return reply
    .code(status)
    .type('application/json; charset=utf-8')
    .send(errorBody(code, message, reasons));
}

type Classified = readonly [status: number, code: AdminErrorCode, message: string, reasons?: readonly AdminErrorReason[]];

/** classify maps a failure to its status, code and public message. */
function classify(error: unknown): Classified {
  if (error instanceof AdminHttpError) return [error.statusCode, error.code, error.message, error.reasons];
  if (isStateError(error)) return [503, 'ERR_STATE_UNAVAILABLE', STATE_UNAVAILABLE_MESSAGE];
  const e = error as Partial<FastifyError> | undefined;
  if (e?.validation !== undefined && e.validation.length > 0) return [400, 'ERR_ADMIN_BAD_REQUEST', validationMessage(e as FastifyError)];
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return [413, 'ERR_ADMIN_PAYLOAD_TOO_LARGE', 'the request body is larger than 64 KiB'];
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return [415, 'ERR_ADMIN_UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json'];
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return [400, 'ERR_ADMIN_BAD_REQUEST', 'the request body is empty'];
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return [400, 'ERR_ADMIN_BAD_REQUEST', 'the request body does not match its Content-Length'];
  }
  // The JSON parser's errors (syntax, __proto__ keys) carry status 400 and a parser message.
  if (e?.statusCode === 400) return [400, 'ERR_ADMIN_BAD_REQUEST', 'the request body is not valid JSON'];
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return [400, 'ERR_ADMIN_BAD_REQUEST', 'bad request'];
  }
  return [500, 'ERR_ADMIN_INTERNAL', INTERNAL_MESSAGE];
}

/** isStateError tells a state-store failure (the store is unreachable) by class or by its stable code. */
function isStateError(error: unknown): boolean {
  if (error instanceof StateError) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && (STATE_ERROR_CODES as readonly string[]).includes(code);
}

/** validationMessage names the field and what is wrong with it (ajv stops at the first error). */
function validationMessage(error: FastifyError): string {
  const v = error.validation?.[0];
  const where = error.validationContext ?? 'request';
  if (v === undefined) return `${where} is invalid`;
  const path = v.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const field = path === '' ? where : `${where}.${path}`;
  const params = v.params as Record<string, unknown>;
  switch (v.keyword) {
    case 'additionalProperties':
      return `${field}: unknown field "${String(params['additionalProperty'])}"`;
    case 'required':
      return `${field}.${String(params['missingProperty'])} is required`;
    case 'type':
      return `${field} must be ${String(params['type'])}`;
    case 'enum':
      return `${field} must be one of ${(params['allowedValues'] as unknown[]).map(String).join(', ')}`;
    case 'pattern':
      return `${field} does not match ${String(params['pattern'])}`;
    default:
      return `${field} ${v.message ?? 'is invalid'}`;
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
