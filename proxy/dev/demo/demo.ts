// `portcullis demo` (npm start): a throwaway PostgreSQL with the sample schema (and a separate
// `portcullis_state` database for the gateway's shared state), the dev token
// issuer serving JWKS on loopback (and signing people in to the web console: the console is its
// client, the demo's approvers, auditor and agent its identities), the gateway in front with the configured (example) policies,
// and a ready psql line. startDemo starts everything and returns a handle; runDemo prints the
// banner and waits for Ctrl-C. Anything that fails to start stops what already started. The
// config loader and the gateway itself come from the composition root (proxy/cli) as DemoDeps.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RECORDING_DEFAULTS } from '../../config/index.js';
import type { GatewayConfig } from '../../config/index.js';
import { join } from 'node:path';
import { createDevIssuer } from '../issuer/issuer.js';
import { serveIssuer } from '../issuer/server.js';
import type { ServedIssuer } from '../issuer/types.js';
import { startPostgres } from '../postgres/launcher.js';
import type { PostgresHandle } from '../postgres/types.js';
import { writeDemoAdminUrl, writeDemoState } from '../state.js';
import { DemoConfigInvalid } from './errors.js';

/** DEMO_SCHEMA_PATH is the sample schema's file. */
export const DEMO_SCHEMA_PATH = fileURLToPath(new URL('./schema.sql', import.meta.url));

/** DEFAULT_DEMO_CONFIG_PATH is the repository's opa.config.yaml. */
export const DEFAULT_DEMO_CONFIG_PATH = fileURLToPath(new URL('../../../opa.config.yaml', import.meta.url));

/** DEMO_UPSTREAM_USER is the PostgreSQL role the gateway logs in as (SCRAM, generated password). */
export const DEMO_UPSTREAM_USER = 'portcullis_gateway';

/** DEMO_STATE_DATABASE is the database of the embedded cluster that holds the gateway's shared state (never the guarded one). */
export const DEMO_STATE_DATABASE = 'portcullis_state';

/** DEMO_AGENT is the subject of the token the demo prints. */
export const DEMO_AGENT = 'agent';

/** DEMO_AGENT_CLAIMS are the claims of the printed token: a read-only agent (PII is masked for it). */
export const DEMO_AGENT_CLAIMS = { roles: ['db:write'] } as const;

/** DEMO_APPROVER is the subject the banner suggests for the approver's token (role db:approver). */
export const DEMO_APPROVER = 'alice';

/** DEMO_SECOND_APPROVER is another approver (a request needs one who did not make it; a quorum of two needs both). */
export const DEMO_SECOND_APPROVER = 'bob';

/** DEMO_AUDITOR reads recorded sessions, approval requests and the policy's status (role audit:read) but approves nothing. */
export const DEMO_AUDITOR = 'carol';

/** DEMO_CONSOLE_CLIENT_ID is the web console's client id at the demo's issuer (`admin.console.oidc.client_id`). */
export const DEMO_CONSOLE_CLIENT_ID = 'portcullis-console';

/**
 * DEMO_IDENTITIES are who the issuer's sign-in page offers (by name, also the `login_hint`): the
 * approver (who may also read sessions, so one sign-in shows the whole console), a second
 * approver, an auditor, and the agent with the printed token's claims.
 */
export const DEMO_IDENTITIES = {
  [DEMO_APPROVER]: { sub: DEMO_APPROVER, claims: { roles: ['db:approver', 'audit:read'] } },
  [DEMO_SECOND_APPROVER]: { sub: DEMO_SECOND_APPROVER, claims: { roles: ['db:approver'] } },
  [DEMO_AUDITOR]: { sub: DEMO_AUDITOR, claims: { roles: ['audit:read'] } },
  [DEMO_AGENT]: { sub: DEMO_AGENT, claims: { roles: [...DEMO_AGENT_CLAIMS.roles] } },
} as const;

/** DEMO_TOKEN_TTL_SECONDS is the lifetime of the printed token. */
const DEMO_TOKEN_TTL_SECONDS = 900;

/** DemoGatewayStart is a running gateway, or every reason it could not start (the CLI's GatewayStart). */
export type DemoGatewayStart =
  | {
      readonly kind: 'started';
      readonly host: string;
      readonly port: number;
      readonly adminUrl?: string;
      readonly close: () => Promise<void>;
    }
  | { readonly kind: 'failed'; readonly reasons: readonly string[] };

/** DemoDeps are what the demo takes from the composition root (proxy/cli): reading the config file and starting the gateway. */
export type DemoDeps = {
  /** loadConfig reads and validates a config file, resolving `password_env` against env. */
  readonly loadConfig: (
    path: string,
    env: Readonly<Record<string, string | undefined>>,
  ) => { readonly ok: true; readonly config: GatewayConfig } | { readonly ok: false; readonly errors: readonly string[] };
  /** startGateway starts a gateway for a config (the CLI's startGatewayFromConfig). */
  readonly startGateway: (config: GatewayConfig, log: (line: string) => void) => Promise<DemoGatewayStart>;
};

/** DemoOptions configures a demo run. */
export type DemoOptions = {
  /** configPath is the opa.config.yaml to start from (default: the repository's); upstream and the identity issuer/JWKS are overridden. */
  readonly configPath?: string;
  /** stateDir receives issuer.json, config.json and demo.pid (default: a fresh <tmp>/portcullis-demo-XXXXXX, removed when the demo stops). */
  readonly stateDir?: string;
  /** gatewayPort overrides listen.port (0 picks a free one). */
  readonly gatewayPort?: number;
  /** adminPort overrides admin.port (0 picks a free one). */
  readonly adminPort?: number;
  /** env resolves the config's password_env (the demo sets PORTCULLIS_UPSTREAM_PASSWORD itself). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** log receives progress lines. */
  readonly log?: (line: string) => void;
};

/** DemoHandle is a running demo. */
export type DemoHandle = {
  readonly postgres: PostgresHandle;
  /** issuerUrl is the dev issuer's base URL (its `iss`; JWKS at jwksUrl). */
  readonly issuerUrl: string;
  readonly jwksUrl: string;
  readonly stateDir: string;
  /** config is the effective gateway configuration (written, password redacted, to `<stateDir>/config.json`). */
  readonly config: GatewayConfig;
  /** gateway is the running gateway. */
  readonly gateway: Extract<DemoGatewayStart, { kind: 'started' }>;
  /** token is a fresh agent token (sub `agent`). */
  readonly token: string;
  /** psqlCommand is the ready-to-paste psql line. */
  readonly psqlCommand: string;
  /** stop stops the gateway, the issuer and PostgreSQL; idempotent. */
  readonly stop: () => Promise<void>;
};

/** psqlLine renders the psql command line for a token. */
export function psqlLine(host: string, port: number, database: string, token: string): string {
  return `psql "host=${host} port=${port} user=${DEMO_AGENT} dbname=${database} sslmode=disable password=${token}"`;
}

/** startDemo starts PostgreSQL, the issuer and the gateway, writes the state dir and returns the handle. */
export async function startDemo(options: DemoOptions, deps: DemoDeps): Promise<DemoHandle> {
  const log = options.log ?? ((): void => undefined);
  const upstreamPassword = randomBytes(24).toString('base64url');
  const configPath = options.configPath ?? DEFAULT_DEMO_CONFIG_PATH;
  const loaded = deps.loadConfig(configPath, { ...options.env, PORTCULLIS_UPSTREAM_PASSWORD: upstreamPassword });
  if (!loaded.ok) throw new DemoConfigInvalid(loaded.errors);
  const base = loaded.config;

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    // Reverse start order: gateway, issuer, PostgreSQL. Each runs even if another fails.
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) await stop().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw errors[0];
  };
  try {
    const postgres = await startPostgres({
      database: base.upstream.database,
      schemaSql: readFileSync(DEMO_SCHEMA_PATH, 'utf8'),
      users: [{ name: DEMO_UPSTREAM_USER, password: upstreamPassword, auth: 'scram-sha-256' }],
      ownDatabases: [DEMO_STATE_DATABASE],
      databaseRoles: true,
      log,
    });
    stops.push(postgres.stop);

    const audience = base.identity.audience;
    const served: ServedIssuer = await serveIssuer(await createDevIssuer({ issuer: 'http://127.0.0.1', audience }), {
      issuerFromUrl: true,
      identities: DEMO_IDENTITIES,
    });
    stops.push(served.close);
    log(`token issuer at ${served.url}`);

    let config: GatewayConfig = {
      ...base,
      listen: { ...base.listen, ...(options.gatewayPort !== undefined ? { port: options.gatewayPort } : {}) },
      admin: {
        ...base.admin,
        ...(options.adminPort !== undefined ? { port: options.adminPort } : {}),
        // the console signs in at the demo's issuer (its default: identity.issuer, set below)
        console: { ...base.admin.console, oidc: { clientId: DEMO_CONSOLE_CLIENT_ID, scope: 'openid' } },
      },
      upstream: {
        ...base.upstream,
        host: postgres.host,
        port: postgres.port,
        database: postgres.database,
        user: DEMO_UPSTREAM_USER,
        password: { kind: 'inline', value: upstreamPassword },
      },
      identity: { ...base.identity, issuer: served.issuer.issuer, jwks: { kind: 'url', url: served.jwksUrl } },
      // shared state in its own database of the cluster, owned by the gateway's role: never in the guarded one
      state: {
        host: postgres.host,
        port: postgres.port,
        database: DEMO_STATE_DATABASE,
        user: DEMO_UPSTREAM_USER,
        password: { kind: 'inline', value: upstreamPassword },
        connectTimeoutMs: base.state?.connectTimeoutMs ?? base.upstream.connectTimeoutMs,
      },
    };
    const state = writeDemoState(options.stateDir, served.issuer.exportState(), redacted(config));
    stops.push(async () => state.remove());
    const stateDir = state.dir;
    // every demo session is recorded: the journal lives in the demo's own state directory, and the
    // rows each statement answered (masked as the agent saw them) are kept, for the console's replay
    config = {
      ...config,
      recording: { ...(base.recording ?? RECORDING_DEFAULTS), dir: join(stateDir, 'journal'), results: 'capped' },
    };
    log(`state written to ${stateDir}`);

    const gateway = await deps.startGateway(config, log);
    if (gateway.kind === 'failed') throw new DemoConfigInvalid(gateway.reasons);
    stops.push(gateway.close);
    // `portcullis approvals` finds the running demo's admin API without flags
    if (gateway.adminUrl !== undefined) writeDemoAdminUrl(stateDir, gateway.adminUrl);
    // the console's redirect URI is its own address, known once the admin API listens (port 0 picks one)
    if (gateway.adminUrl !== undefined)
      served.registerClient({ client_id: DEMO_CONSOLE_CLIENT_ID, redirect_uris: [consoleUrl(gateway.adminUrl)] });

    const token = await served.issuer.mint({
      sub: DEMO_AGENT,
      claims: { roles: [...DEMO_AGENT_CLAIMS.roles] },
      ttlSeconds: DEMO_TOKEN_TTL_SECONDS,
    });
    const { host, port } = gateway;
    let stopping: Promise<void> | undefined;
    return {
      postgres,
      issuerUrl: served.url,
      jwksUrl: served.jwksUrl,
      stateDir,
      config,
      gateway,
      token,
      psqlCommand: psqlLine(host, port, postgres.database, token),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
}

/** consoleUrl is the web console's address on the admin listener (also its OIDC redirect URI). */
export function consoleUrl(adminUrl: string): string {
  return `${adminUrl.replace(/\/+$/, '')}/`;
}

/** redacted is the config as written to config.json: the upstream password replaced. */
function redacted(config: GatewayConfig): unknown {
  const hidden = { kind: 'inline', value: '<redacted>' } as const;
  return {
    ...config,
    upstream: { ...config.upstream, password: hidden },
    ...(config.state !== undefined ? { state: { ...config.state, password: hidden } } : {}),
  };
}

/** RunDemoIo is where runDemo prints and how it learns about Ctrl-C. */
export type RunDemoIo = {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** untilStopped resolves on SIGINT/SIGTERM. */
  readonly untilStopped: () => Promise<void>;
};

/** runDemo starts the demo, prints the psql line and how to mint tokens, waits for Ctrl-C, stops everything and returns the exit code. */
export async function runDemo(options: DemoOptions, deps: DemoDeps, io: RunDemoIo): Promise<number> {
  let demo: DemoHandle;
  try {
    demo = await startDemo({ ...options, log: options.log ?? ((): void => undefined) }, deps);
  } catch (e) {
    if (e instanceof DemoConfigInvalid) {
      for (const line of e.errors) io.stderr(`portcullis: ${line}\n`);
      return 1;
    }
    throw e;
  }
  io.stdout(banner(demo, options.stateDir !== undefined));
  await io.untilStopped();
  io.stdout('\nstopping the demo…\n');
  await demo.stop();
  io.stdout('stopped.\n');
  return 0;
}

/** banner is what the demo prints once everything runs. */
export function banner(demo: DemoHandle, customState: boolean): string {
  const pg = demo.postgres;
  const source = demo.config.policy.source;
  const policy = source.kind === 'bundle' ? source.path : source.kind === 'remote' ? source.url : source.paths.join(', ');
  const gatewayLine = `  gateway      ${demo.gateway.host}:${demo.gateway.port}, policy ${policy} (${demo.config.policy.entrypoint})`;
  return [
    'Portcullis demo is running.',
    `  PostgreSQL   ${pg.host}:${pg.port}, database ${pg.database} (throwaway; the gateway logs in as ${DEMO_UPSTREAM_USER}, agents never see its password)`,
    `  shared state database ${demo.config.state?.database ?? DEMO_STATE_DATABASE} on ${pg.host}:${pg.port} (approvals, schema portcullis; kept out of ${pg.database})`,
    `  issuer       ${demo.issuerUrl} (JWKS ${demo.jwksUrl})`,
    gatewayLine,
    `  state        ${demo.stateDir} (issuer.json, config.json; removed when the demo stops)`,
    '',
    `Connect as an agent (token for sub "${DEMO_AGENT}" with roles ["db:write"], valid ${DEMO_TOKEN_TTL_SECONDS / 60} minutes; try SELECT * FROM customers, then UPDATE orders SET status = 'paid' WHERE id = 3):`,
    `  ${demo.psqlCommand}`,
    '',
    ...(demo.gateway.adminUrl !== undefined
      ? [
          `A write to a production table (orders, customers) waits for a human. Approve it from another terminal (admin API ${demo.gateway.adminUrl}):`,
          `  export PORTCULLIS_TOKEN=$(npx portcullis token --sub ${DEMO_APPROVER} --claim roles=db:approver${customState ? ` --state ${demo.stateDir}` : ''})`,
          '  npx portcullis approvals list',
          '  npx portcullis approvals approve <id> --reason "checked with the team"',
          '',
          `Or in the web console: ${consoleUrl(demo.gateway.adminUrl)} (sign in at the issuer as ${DEMO_APPROVER} or ${DEMO_SECOND_APPROVER}, approvers; ${DEMO_AUDITOR}, auditor; ${DEMO_AGENT})`,
          `  one click as the approver ${DEMO_APPROVER}: ${consoleUrl(demo.gateway.adminUrl)}?login_hint=${DEMO_APPROVER}`,
          '',
        ]
      : []),
    'Mint more tokens:',
    `  npx portcullis token --sub <name> [--claim k=v]... [--ttl 15m]${customState ? ` --state ${demo.stateDir}` : ''}`,
    `  e.g. --claim 'roles=["db:write"]' to write, --claim 'roles=["db:read","pii:read"]' to see PII unmasked`,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}
