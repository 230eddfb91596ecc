// The end-to-end harness: a throwaway PostgreSQL (with one login role per upstream password
// method), the dev token issuer serving its JWKS on loopback, the policies compiled by our engine
// into a Decide, and the gateway on a free port. Every test file starts one stack in beforeAll
// (useStack) and the stack stops everything it started in afterAll, also after failures.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, importJWK } from 'jose';
import type { JWTPayload } from 'jose';
import pg from 'pg';
import type { ClientConfig, DatabaseError } from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { buildBundle, collectSources, loadDataFiles } from '../../bundles/index.js';
import { loadPolicy, formatDiagnostic } from '../../engine/index.js';
import { createTokenVerifier } from '../../proxy/auth/index.js';
import type { TokenVerifier } from '../../proxy/auth/index.js';
import { createDevIssuer, DEMO_SCHEMA_PATH, serveIssuer, startPostgres } from '../../proxy/dev/index.js';
import type { PostgresAuthMethod, PostgresHandle, PostgresUser, ServedIssuer } from '../../proxy/dev/index.js';
import { toIdentityConfig, validateConfig } from '../../proxy/config/index.js';
import type { GatewayConfig } from '../../proxy/config/index.js';
import {
  createApprovalDecider,
  createDecider,
  createLoginDecider,
  DEFAULT_APPROVAL_ENTRYPOINT,
  DEFAULT_CONNECTION_ENTRYPOINT,
} from '../../proxy/decision/index.js';
import type { ApprovalPolicyInput, ApprovalVerdict } from '../../proxy/approvals/index.js';
import { createEventBus, startGateway } from '../../proxy/index.js';
import type { Decide, DecideLogin, Gateway, GatewayDeps, GatewayEvent } from '../../proxy/index.js';
import type { SessionContext } from '../../proxy/session/index.js';

export { selfSignedCert } from '../helpers/tls.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** REPO_POLICIES is the shipped example policy library (Rego + data.json). */
export const REPO_POLICIES = resolve(root, 'policies');

/** AUDIENCE is the `aud` the stack's gateway accepts and its issuer mints. */
export const AUDIENCE = 'portcullis';

/** UPSTREAM_USERS are the gateway's login roles, one per upstream password method. */
export const UPSTREAM_USERS: Readonly<Record<PostgresAuthMethod, PostgresUser>> = {
  'scram-sha-256': { name: 'gw_scram', password: 'scram-secret-Pw1', auth: 'scram-sha-256' },
  md5: { name: 'gw_md5', password: 'md5-secret-Pw2', auth: 'md5' },
  password: { name: 'gw_plain', password: 'plain-secret-Pw3', auth: 'password' },
};

/** StackOptions configures startStack. */
export type StackOptions = {
  /** policies is a directory of .rego and data files (default: the repo's policies/). */
  readonly policies?: string;
  /** decide replaces the compiled policy altogether (e.g. allow-all for startup tests). */
  readonly decide?: Decide;
  /**
   * decideLogin decides each session's database role: `true` compiles the login entrypoint
   * (`portcullis/connection`) of `policies`, a function replaces it; absent: no SET ROLE (as a
   * policy without the entrypoint).
   */
  readonly decideLogin?: DecideLogin | true;
  /** schemaSql runs in the database at start (default: the demo schema). */
  readonly schemaSql?: string;
  /** upstreamAuth selects the login role the gateway uses (default scram-sha-256). */
  readonly upstreamAuth?: PostgresAuthMethod;
  /** config overrides fields of the gateway's validated configuration (shallow). */
  readonly config?: Partial<GatewayConfig>;
  /** deps overrides gateway dependencies (queryCycle, isLoopback, tls, now, …). */
  readonly deps?: Partial<GatewayDeps>;
  /** clockSkewSeconds for token verification (default 0, so expiry tests are exact). */
  readonly clockSkewSeconds?: number;
  /** relay puts a counting TCP relay between the gateway and PostgreSQL (stack.relay). */
  readonly relay?: boolean;
};

/** Relay is a real TCP relay in front of PostgreSQL that counts the connections it accepted. */
export type Relay = {
  readonly host: string;
  readonly port: number;
  /** accepted counts connections made to the relay (i.e. attempts to reach the upstream). */
  readonly accepted: number;
  close(): Promise<void>;
};

/** sendCancel sends a CancelRequest with this key to the gateway and resolves once the gateway closed it (the cancel was forwarded, or dropped). */
export function sendCancel(g: Pick<Gateway, 'host' | 'port'>, processId: number, secretKey: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(g.port, g.host, () => {
      const b = Buffer.alloc(16);
      b.writeInt32BE(16, 0);
      b.writeInt32BE(80877102, 4);
      b.writeInt32BE(processId, 8);
      b.writeInt32BE(secretKey, 12);
      s.end(b);
    });
    s.on('close', () => resolve());
    s.on('error', reject);
  });
}

/** startRelay relays 127.0.0.1:<free port> to target, counting accepted connections. */
export async function startRelay(target: () => { host: string; port: number }): Promise<Relay> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    accepted += 1;
    const { host, port } = target();
    const outbound = connect({ host, port });
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    get accepted() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Stack is a running PostgreSQL + issuer + gateway. */
export type Stack = {
  readonly gateway: Gateway;
  readonly pg: PostgresHandle;
  readonly issuer: ServedIssuer;
  readonly config: GatewayConfig;
  readonly verifier: TokenVerifier;
  /** relay is the counting relay in front of PostgreSQL (when StackOptions.relay). */
  readonly relay: Relay | undefined;
  /** events are everything the gateway published, in order. */
  readonly events: GatewayEvent[];
  /** startGateway starts one more gateway on the same PostgreSQL and issuer (closed by stop()). */
  startGateway(config?: Partial<GatewayConfig>, deps?: Partial<GatewayDeps>): Promise<Gateway>;
  /** signAsIssuer signs exactly `payload` with the issuer's key (for malformed-claim tokens); header fields override. */
  signAsIssuer(payload: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** mint signs a token for `sub` with extra claims (default lifetime 300 s). */
  mint(sub: string, claims?: Readonly<Record<string, unknown>>, ttlSeconds?: number): Promise<string>;
  /** clientConfig is a `pg` ClientConfig reaching the gateway with the token as password. */
  clientConfig(token: string, extra?: Partial<ClientConfig>): ClientConfig;
  /** superuserConfig reaches PostgreSQL directly as its superuser (to inspect pg_stat_activity). */
  superuserConfig(): ClientConfig;
  /** restartPostgres stops the cluster and starts a fresh one on the same port (same users and schema). */
  restartPostgres(): Promise<void>;
  /** stopPostgres stops the cluster (the gateway keeps running). */
  stopPostgres(): Promise<void>;
  /** stop closes the gateway, the issuer and PostgreSQL; idempotent. */
  stop(): Promise<void>;
};

/**
 * servedConfig is the raw configuration (as opa.config.yaml holds it) of a gateway in front of the
 * stack's PostgreSQL (as the scram user) and issuer, on a free port, with `extra` sections added
 * (policy, admin, decision_logs, …): for composed gateways (`portcullis serve`, startGatewayFromConfig).
 */
export function servedConfig(stack: Stack, extra: Record<string, unknown>): Record<string, unknown> {
  const user = UPSTREAM_USERS['scram-sha-256'];
  return {
    listen: { host: '127.0.0.1', port: 0 },
    upstream: { host: stack.pg.host, port: stack.pg.port, database: stack.pg.database, user: user.name, password: user.password },
    identity: { issuer: stack.issuer.issuer.issuer, audience: AUDIENCE, jwks: { url: stack.issuer.jwksUrl }, algorithms: ['ES256'] },
    ...extra,
  };
}

/** StartedServed is a composed gateway (startGatewayFromConfig) that started. */
export type StartedServed = Extract<
  Awaited<ReturnType<typeof import('../../proxy/cli/gateway.js').startGatewayFromConfig>>,
  { kind: 'started' }
>;

/** startServed validates servedConfig(stack, extra) and starts the composed gateway, throwing with the reasons when it does not start. */
export async function startServed(
  stack: Stack,
  extra: Record<string, unknown>,
  log: (line: string) => void = () => undefined,
): Promise<StartedServed> {
  const [{ startGatewayFromConfig }, { validateConfig }] = await Promise.all([
    import('../../proxy/cli/gateway.js'),
    import('../../proxy/config/index.js'),
  ]);
  const validated = validateConfig(servedConfig(stack, extra));
  if (!validated.ok) throw new Error(validated.errors.join('; '));
  const start = await startGatewayFromConfig(validated.config, log);
  if (start.kind !== 'started') throw new Error(start.reasons.join('; '));
  return start;
}

/** AUDIT_ADMIN_POLICY is an audit policy (portcullis/audit) that lets audit:admin use every audited admin route. */
export const AUDIT_ADMIN_POLICY = `# METADATA
# entrypoint: true
package portcullis.audit

default allow := false

allow if "audit:admin" in input.caller.roles

deny contains {"reason": "not an admin", "rule": "test.admin"} if not allow
`;

/**
 * ORDERS_POLICY is a statement policy (portcullis/decision) that allows everything but reads of
 * public.orders while `data.refusal` is a string, which is then the refusal's reason.
 */
export const ORDERS_POLICY = `package portcullis

# METADATA
# entrypoint: true
decision := {"allow": true, "deny": deny, "approval": set(), "mask": set()}

deny contains {"reason": data.refusal, "rule": "test.orders"} if {
	is_string(data.refusal)
	"public.orders" in input.statement.tables.read
}
`;

/** ordersBundle builds ORDERS_POLICY with this refusal (null: none) as a bundle tarball of this revision. */
export async function ordersBundle(refusal: string | null, revision: string, extra: Record<string, unknown> = {}): Promise<Uint8Array> {
  const { buildBundle, writeBundleTarball } = await import('../../bundles/index.js');
  const built = await buildBundle({
    files: [{ name: 'decision.rego', path: 'decision.rego', text: ORDERS_POLICY }],
    data: { refusal, ...extra },
    entrypoints: ['portcullis/decision'],
    revision,
  });
  if (!built.ok) throw new Error(JSON.stringify(built.diagnostics));
  return writeBundleTarball(built.bundle);
}

/** compilePolicies builds the policies in `dir` with our engine and returns a Decide over them. */
export async function compilePolicies(dir: string): Promise<Decide> {
  const files = collectSources([dir]);
  const data = loadDataFiles([dir]);
  const built = buildBundle({ files, data, entrypoints: ['portcullis/decision'] });
  if (!built.ok) throw new Error(`policies in ${dir} do not compile:\n${built.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  const policy = await loadPolicy(built.bundle.wasm);
  policy.setData(built.bundle.data);
  const decider = createDecider({ policy });
  return (input) => decider.decide(input);
}

/** compileLoginPolicy builds the policies in `dir` and returns a DecideLogin over their `portcullis/connection` entrypoint. */
export async function compileLoginPolicy(dir: string): Promise<DecideLogin> {
  const files = collectSources([dir]);
  const data = loadDataFiles([dir]);
  const built = buildBundle({ files, data, entrypoints: [DEFAULT_CONNECTION_ENTRYPOINT] });
  if (!built.ok) throw new Error(`policies in ${dir} do not compile:\n${built.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  const policy = await loadPolicy(built.bundle.wasm);
  policy.setData(built.bundle.data);
  const decider = createLoginDecider({ policy });
  return (input) => decider.decide(input);
}

/** compileApprovalPolicy builds the policies in `dir` and returns their approval entrypoint (`portcullis/approval`) as a function. */
export async function compileApprovalPolicy(dir: string): Promise<(input: ApprovalPolicyInput) => ApprovalVerdict> {
  const files = collectSources([dir]);
  const data = loadDataFiles([dir]);
  const built = buildBundle({ files, data, entrypoints: [DEFAULT_APPROVAL_ENTRYPOINT] });
  if (!built.ok) throw new Error(`policies in ${dir} do not compile:\n${built.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  const policy = await loadPolicy(built.bundle.wasm);
  policy.setData(built.bundle.data);
  const decider = createApprovalDecider({ policy });
  return (input) => decider.decide(input);
}

/** startStack starts everything; on a failure it stops what it had started and rethrows. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const schemaSql = options.schemaSql ?? readFileSync(DEMO_SCHEMA_PATH, 'utf8');
    const users = Object.values(UPSTREAM_USERS);
    // the shipped policy's database roles, with every gateway login role a member (SET ROLE)
    let pg = await startPostgres({ schemaSql, users, databaseRoles: true });
    const port = pg.port;
    cleanups.push(() => pg.stop());

    const issuer = await serveIssuer(await createDevIssuer({ issuer: 'http://127.0.0.1', audience: AUDIENCE }), { issuerFromUrl: true });
    cleanups.push(() => issuer.close());

    const relay = options.relay === true ? await startRelay(() => ({ host: pg.host, port: pg.port })) : undefined;
    if (relay !== undefined) cleanups.push(() => relay.close());
    const upstreamUser = UPSTREAM_USERS[options.upstreamAuth ?? 'scram-sha-256'];
    const validated = validateConfig({
      listen: { host: '127.0.0.1', port: 0 },
      upstream: {
        host: relay?.host ?? pg.host,
        port: relay?.port ?? pg.port,
        database: pg.database,
        user: upstreamUser.name,
        password: upstreamUser.password,
        connect_timeout: '5s',
      },
      identity: {
        issuer: issuer.issuer.issuer,
        audience: AUDIENCE,
        jwks: { url: issuer.jwksUrl },
        algorithms: ['ES256'],
        clock_skew: `${options.clockSkewSeconds ?? 0}s`,
        jwks_refresh_min_interval: '0s',
      },
      policy: { paths: [options.policies ?? REPO_POLICIES] },
    });
    if (!validated.ok) throw new Error(`stack config invalid: ${validated.errors.join('; ')}`);
    const config: GatewayConfig = { ...validated.config, ...options.config };

    const decide = options.decide ?? (await compilePolicies(options.policies ?? REPO_POLICIES));
    const decideLogin = options.decideLogin === true ? await compileLoginPolicy(options.policies ?? REPO_POLICIES) : options.decideLogin;
    const loginDeps = decideLogin !== undefined ? { decideLogin } : {};
    const verifier = createTokenVerifier(toIdentityConfig(config));
    cleanups.push(async () => verifier.close());
    const events: GatewayEvent[] = [];
    const bus = createEventBus();
    bus.subscribe((event) => events.push(event));
    const gateway = await startGateway(config, { verifier, decide, ...loginDeps, events: bus, ...options.deps });
    cleanups.push(() => gateway.close());
    const issuerState = JSON.parse(issuer.issuer.exportState()) as { privateJwk: Parameters<typeof importJWK>[0] };
    const issuerKey = await importJWK(issuerState.privateJwk, 'ES256');

    const stack: Stack = {
      gateway,
      get pg() {
        return pg;
      },
      issuer,
      config,
      verifier,
      relay,
      events,
      async startGateway(overrides, deps) {
        const extra = await startGateway(
          { ...config, ...overrides },
          { verifier, decide, ...loginDeps, events: bus, ...options.deps, ...deps },
        );
        cleanups.push(() => extra.close());
        return extra;
      },
      signAsIssuer: (payload, header) =>
        new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: issuer.issuer.kid, typ: 'JWT', ...header }).sign(issuerKey),
      mint: (sub, claims, ttlSeconds) =>
        issuer.issuer.mint({ sub, ...(claims !== undefined ? { claims } : {}), ttlSeconds: ttlSeconds ?? 300 }),
      clientConfig: (token, extra) => ({
        host: gateway.host,
        port: gateway.port,
        user: 'agent',
        database: pg.database,
        password: token,
        connectionTimeoutMillis: 10_000,
        ...extra,
      }),
      superuserConfig: () => ({
        host: pg.host,
        port: pg.port,
        user: pg.superuser.name,
        password: pg.superuser.password,
        database: pg.database,
      }),
      async stopPostgres() {
        await pg.stop();
      },
      async restartPostgres() {
        await pg.stop();
        pg = await startPostgres({ schemaSql, users, databaseRoles: true, port });
      },
      stop: stopAll,
    };
    return stack;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** StackRef gives a test file its stack; `current` throws before beforeAll ran. */
export type StackRef = { readonly current: Stack };

/** useStack starts a stack before the file's tests (90 s allowed) and stops it after them. */
export function useStack(options: StackOptions = {}): StackRef {
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  }, 30_000);
  return {
    get current(): Stack {
      if (stack === undefined) throw new Error('useStack: the stack is not started (use it inside tests or hooks)');
      return stack;
    },
  };
}

/**
 * passThroughQueryCycle relays frames unchanged in both directions until either side closes:
 * the stand-in for the real query cycle in tests of the startup phase (no policy is applied).
 */
export async function passThroughQueryCycle(ctx: SessionContext): Promise<undefined> {
  const pump = async (from: SessionContext['client'], to: SessionContext['client']): Promise<void> => {
    try {
      for (;;) {
        const frame = await from.next();
        if (frame === undefined || frame.kind === 'skipped') break;
        to.write(frame.kind === 'part' ? frame.bytes : frame.raw);
      }
    } catch {
      // a framing error ends the relay
    }
    to.end();
  };
  await Promise.all([pump(ctx.client, ctx.upstream), pump(ctx.upstream, ctx.client)]);
  return undefined;
}

/** failure awaits a query that must fail and returns its error (the test fails if it succeeds). */
export async function failure(p: Promise<unknown>): Promise<DatabaseError> {
  try {
    await p;
  } catch (err) {
    return err as DatabaseError;
  }
  throw new Error('the query succeeded but was expected to fail');
}

/** ConnectAs opens a gateway session for an agent with these roles (extra `pg` settings optional). */
export type ConnectAs = (sub: string, roles: readonly string[], extra?: Partial<ClientConfig>) => Promise<pg.Client>;

/** useAgents gives a test file a ConnectAs whose sessions are all closed after the file's tests. */
export function useAgents(stack: StackRef): ConnectAs {
  const clients: pg.Client[] = [];
  afterAll(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => undefined);
  });
  return async (sub, roles, extra) => {
    const token = await stack.current.mint(sub, { roles: [...roles] });
    const client = new pg.Client(stack.current.clientConfig(token, extra));
    client.on('error', () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };
}

/** PSQL is Debian's psql (postgresql-client); tests that drive it skip where it is missing. */
export const PSQL = '/usr/bin/psql';
/** havePsql says whether PSQL is installed. */
export const havePsql = existsSync(PSQL);

/** PsqlResult is how a psql run ended. */
export type PsqlResult = { readonly code: number; readonly stdout: string; readonly stderr: string };

/** runPsql runs `psql -X -A -t -v ON_ERROR_STOP=1 -c <sql>` through the gateway as `sub` with these roles (the token as PGPASSWORD), `input` on stdin. */
export async function runPsql(
  stack: StackRef,
  sql: string,
  roles: readonly string[],
  options: { sub?: string; input?: string } = {},
): Promise<PsqlResult> {
  const s = stack.current;
  const token = await s.mint(options.sub ?? 'psql-agent', { roles: [...roles] });
  const args = [
    '-X',
    '-A',
    '-t',
    '-v',
    'ON_ERROR_STOP=1',
    '-h',
    s.gateway.host,
    '-p',
    String(s.gateway.port),
    '-U',
    'agent',
    '-d',
    s.pg.database,
    '-c',
    sql,
  ];
  return new Promise((resolveRun) => {
    const child = spawn(PSQL, args, {
      env: { ...process.env, PGPASSWORD: token, PGSSLMODE: 'disable', PGCONNECT_TIMEOUT: '10' },
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolveRun({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
