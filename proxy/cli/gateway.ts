// The gateway's composition root: a validated GatewayConfig → the active policy (gateway-policy.ts:
// local files or a bundle server, verified, hot reloaded), proxy/sql, proxy/auth (the token
// verifier, swapped by SIGHUP: gateway-reconfigure.ts), proxy/decision (the statement decider and
// the login, approval and audit deciders, each asking the policy active at that moment) and
// proxy's startGateway, wired together, with the status, metrics and readiness
// (gateway-status.ts). The outside world is read here, never in the data plane: the TLS PEM files,
// the JWKS file, the signing keys and the upstream password (`password_env`). It also opens the
// shared state store (proxy/state) when `state` is configured and migrates it at start. Shared by
// `portcullis serve` and the demo.

import { readFileSync } from 'node:fs';
import { NO_APPROVAL_POLICY, startControlPlane } from './control-plane.js';
import { startAdminServer } from '../admin/index.js';
import { consoleOidc } from '../console/index.js';
import type { ConsoleOidc } from '../console/index.js';
import { watchApprovalChanges } from '../approvals/index.js';
import { createLiveControl } from '../control/index.js';
import { createDecisionLogger, sinksFromConfig } from '../decisionlog/index.js';
import { nodeLogFiles, readHeaderFile } from './decision-log-files.js';
import { startRecording } from './gateway-recording.js';
import { watchSource } from './policy-watch.js';
import { watchReloadImpact } from './gateway-impact.js';
import {
  LOG_MASK_ENTRYPOINT,
  NO_AUDIT_POLICY,
  bundlesOf,
  logMaskRules,
  policyStatusProvider,
  staleRefusal,
  startPolicy,
} from './gateway-policy.js';
import { keysEvent, reconfigure, swappableVerifier } from './gateway-reconfigure.js';
import type { ReconfigureReport, SwappableVerifier } from './gateway-reconfigure.js';
import { startGatewayStatus } from './gateway-status.js';
import { hostname } from 'node:os';
import { readFile } from 'node:fs/promises';
import type { TokenVerifier } from '../auth/index.js';
import type { GatewayConfig } from '../config/index.js';
import type { ActivePolicy } from '../policy/index.js';
import { readSigningKeys } from './signing-keys.js';
import { openState, statePassword } from './gateway-state.js';

/** GatewayStart is a running gateway, or every reason it could not start (policy errors, bad keys). */
export type GatewayStart =
  | {
      readonly kind: 'started';
      readonly host: string;
      readonly port: number;
      /** adminUrl is the admin API's base URL (absent when `admin.enabled` is false). */
      readonly adminUrl?: string;
      /** policy is the active policy: reload it (SIGHUP, --watch), read its status. */
      readonly policy: Pick<ActivePolicy, 'reload' | 'status'>;
      /** reconfigure applies a re-read configuration's log level and identity settings and reports what needs a restart (SIGHUP). */
      readonly reconfigure: (next: GatewayConfig) => ReconfigureReport;
      /** watch reloads the policy when its local source changes (`serve --watch`); the returned function stops watching. */
      readonly watch: () => () => void;
      /** close stops the gateway; `graceMs` lets running statements finish first (a drain, `limits.shutdown_grace`). */
      readonly close: (options?: { readonly graceMs?: number }) => Promise<void>;
      /** metricsJson is this gateway's own metrics (prom-client's JSON), for a supervisor that sums its workers'. */
      readonly metricsJson: () => Promise<readonly unknown[]>;
    }
  | { readonly kind: 'failed'; readonly reasons: readonly string[] };

/**
 * GatewayClusterHooks connect a gateway that is one of `serve`'s workers to its supervisor
 * (proxy/workers): /metrics answers every worker's metrics summed, and a policy reload made
 * through this worker's admin API is passed on to the others.
 */
export type GatewayClusterHooks = {
  readonly metrics?: () => Promise<{ readonly contentType: string; readonly body: string }>;
  readonly policyReloaded?: () => void;
};

/** GatewayEnv is the environment `password_env` is resolved against (the CLI passes its RunContext env). */
export type GatewayEnv = Readonly<Record<string, string | undefined>>;

/**
 * startGatewayFromConfig is the composition root of a running gateway: it loads the policy
 * (bundle tarball or policy directories compiled now), the SQL parser and the JWT verifier, reads
 * the TLS files and resolves the upstream password, and starts the server. Mistakes come back as
 * `failed` with one line per problem, never a stack trace; unreadable TLS files reject (ENOENT …).
 */
export async function startGatewayFromConfig(
  config: GatewayConfig,
  log: (line: string) => void,
  env: GatewayEnv = {},
  stdout: (text: string) => void = (text) => process.stdout.write(text),
  cluster: GatewayClusterHooks = {},
): Promise<GatewayStart> {
  const [
    { startGateway, createEventBus },
    { createOperationalLog },
    auth,
    { createApprovalDecider, createAuditDecider, createDecider, createLoginDecider },
    { initSql, configureAnalysis, closeAnalysis },
    { resolveSecret, secretFromFile, toIdentityConfig },
    stateModule,
    { createSessionViews },
  ] = await Promise.all([
    import('../index.js'),
    import('../observe/index.js'),
    import('../auth/index.js'),
    import('../decision/index.js'),
    import('../sql/index.js'),
    import('../config/index.js'),
    import('../state/index.js'),
    import('../sessions/index.js'),
  ]);
  const secret = config.upstream.password;
  // a password file is read for every upstream login, so a rotated password needs no restart
  const upstreamPassword =
    secret === undefined
      ? undefined
      : secret.kind === 'file'
        ? () => readFile(secret.path, 'utf8').then(secretFromFile)
        : resolveSecret(secret, env);
  if (secret !== undefined && upstreamPassword === undefined) {
    return {
      kind: 'failed',
      reasons: [`upstream.password_env: environment variable ${secret.kind === 'env' ? secret.name : ''} is not set`],
    };
  }
  // the shared state store's password: like the upstream's, a file is read for every login
  const stateSecret = statePassword(config, env);
  if (!stateSecret.ok) return { kind: 'failed', reasons: [stateSecret.reason] };
  const tls = config.tls === undefined ? undefined : { key: readFileSync(config.tls.keyFile), cert: readFileSync(config.tls.certFile) };
  // the `hash` mask's HMAC key: read once at start; a missing or short key stops the start (a
  // hash without a key can be reversed by hashing guesses)
  const hashSource = config.masking.hashKey;
  let maskHashKey: string | undefined;
  if (hashSource !== undefined) {
    try {
      maskHashKey = hashSource.kind === 'file' ? secretFromFile(readFileSync(hashSource.path, 'utf8')) : resolveSecret(hashSource, env);
    } catch (e) {
      return {
        kind: 'failed',
        reasons: [
          `masking.hash_key_file: ${hashSource.kind === 'file' ? hashSource.path : ''} cannot be read (${e instanceof Error ? e.message : String(e)})`,
        ],
      };
    }
    if (maskHashKey === undefined || Buffer.byteLength(maskHashKey) < MIN_HASH_KEY_BYTES) {
      const where =
        hashSource.kind === 'env'
          ? `masking.hash_key_env: environment variable ${hashSource.name}`
          : `masking.hash_key_file: ${hashSource.kind === 'file' ? hashSource.path : ''}`;
      return { kind: 'failed', reasons: [`${where} must hold a key of at least ${MIN_HASH_KEY_BYTES} bytes`] };
    }
  }
  // one bus for everything the gateway reports; the operational log is its first subscriber
  const events = createEventBus();
  let logLevel = config.log.level;
  events.subscribe(createOperationalLog({ level: () => logLevel, write: (line) => log(line.endsWith('\n') ? line.slice(0, -1) : line) }));
  // the policy: loaded now (from files, or a bundle server), then held by the active policy,
  // which hot reloads swap underneath (every decider asks `active.current()` at each decision)
  const source = config.policy.source;
  // policy.signing: the trusted keys, read now; with any key a bundle must verify to load or to
  // replace the active one (fail closed), and may not be older than the active one
  const trusted = readSigningKeys(config.policy.signing, env);
  if (trusted.kind === 'failed') return { kind: 'failed', reasons: [trusted.reason] };
  const policyStart = await startPolicy(config, (e) => events.publish(e), env, trusted.keys);
  if (!policyStart.ok) return { kind: 'failed', reasons: policyStart.reasons };
  const { active } = policyStart;
  const policy = () => active.current().policy;
  const has = (entrypoint: string) => active.current().has(entrypoint);
  const onPolicyError = (message: string) => events.publish({ type: 'policy.error', message });
  // statement decisions are memoised per policy unit, on exactly the input values its entrypoint can read
  const memo = () => {
    const m = active.current().memo;
    return m.kind === 'on' ? m.memo : undefined;
  };
  const decider = createDecider({ policy, entrypoint: config.policy.entrypoint, memo });
  // the optional entrypoints are asked only while the active policy has them: without the login
  // rule sessions run as the upstream login role; without the approval rule nobody may approve;
  // without the audit rule nobody may read recorded sessions
  const connectionEntrypoint = config.policy.connectionEntrypoint;
  const hasLogin = has(connectionEntrypoint);
  const loginDecider = createLoginDecider({ policy, entrypoint: connectionEntrypoint, onPolicyError });
  const approvalEntrypoint = config.policy.approvalEntrypoint;
  const approvalDecider = createApprovalDecider({ policy, entrypoint: approvalEntrypoint, onPolicyError });
  const noApprovalPolicy = NO_APPROVAL_POLICY(approvalEntrypoint);
  const auditEntrypoint = config.policy.auditEntrypoint;
  const auditDecider = createAuditDecider({ policy, entrypoint: auditEntrypoint, onPolicyError });
  const audit = (input: Parameters<typeof auditDecider.decide>[0]) =>
    has(auditEntrypoint) ? auditDecider.decide(input) : NO_AUDIT_POLICY(auditEntrypoint);
  events.publish({
    type: 'policy.loaded',
    entrypoint: config.policy.entrypoint,
    connectionEntrypoint: hasLogin ? connectionEntrypoint : null,
    ...(hasLogin ? {} : { missingConnectionEntrypoint: connectionEntrypoint }),
  });
  // the introspection client secret is read for every request: a rotated secret needs no restart
  const readSecret = async (source: Parameters<typeof resolveSecret>[0]): Promise<string> => {
    if (source.kind === 'file') return secretFromFile(await readFile(source.path, 'utf8'));
    const value = resolveSecret(source, env);
    if (value === undefined) throw new Error(`environment variable ${source.kind === 'env' ? source.name : ''} is not set`);
    return value;
  };
  const makeVerifier = (c: GatewayConfig): TokenVerifier => {
    try {
      return auth.createTokenVerifier(toIdentityConfig(c, readSecret), {
        readFile: (path) => readFile(path, 'utf8'),
        log: (event) => events.publish(keysEvent(event)),
      });
    } catch (e) {
      if (e instanceof auth.AuthConfigInvalid) throw new auth.AuthConfigInvalid(e.problems.map((p) => `identity: ${p}`));
      throw e;
    }
  };
  let verifier: SwappableVerifier;
  try {
    verifier = swappableVerifier(makeVerifier(config));
  } catch (e) {
    if (e instanceof auth.AuthConfigInvalid) return { kind: 'failed', reasons: e.problems };
    throw e;
  }
  // the shared state store (approvals, recordings): migrated now; one that cannot be reached or
  // migrated is reported and does not stop the gateway: statements that need nothing from it go on
  const { state, shipLogin } = await openState(config, stateSecret.password, events);
  await initSql();
  // long statements are analysed on worker threads within this budget (docs/config.md, limits)
  configureAnalysis({ maxMs: config.limits.maxAnalysisMs });
  // approvals: held statements wait in the state store, approvers act through the approval policy
  const plane = startControlPlane(
    config,
    state,
    events,
    (input) => (has(approvalEntrypoint) ? approvalDecider.decide(input) : noApprovalPolicy()),
    env,
  );
  if (!plane.ok) {
    await state?.close();
    return { kind: 'failed', reasons: plane.reasons };
  }
  const { holds } = plane.plane;
  // live control: end sessions and block identities on every gateway of the store
  let running: { live(): ReturnType<Awaited<ReturnType<typeof startGateway>>['live']> } | undefined;
  const control =
    state === undefined
      ? undefined
      : createLiveControl({
          store: state,
          sessions: () => running?.live() ?? [],
          onEvent: (e) => events.publish({ type: 'control.failed', message: e.message }),
        });
  if (control !== undefined) {
    await control.start().catch((e: unknown) =>
      events.publish({
        type: 'state.failed',
        code: 'ERR_PROXY_STATE_UNAVAILABLE',
        message: `live control: ${stateModule.describeStateError(e)}`,
      }),
    );
  }
  const gatewayId = `${hostname()}:${process.pid}`;
  // the session recording: a journal written ahead of every statement, shipped to the state store
  const recording = await startRecording(config, state, events, shipLogin);
  if (!recording.ok) {
    control?.close();
    await plane.plane.close();
    await state?.close();
    return { kind: 'failed', reasons: [recording.reason] };
  }
  const gateway = await startGateway(config, {
    gatewayId,
    ...(recording.recorder !== undefined ? { recorder: recording.recorder } : {}),
    ...(config.recording?.results === 'capped' ? { recordRowsBytes: config.recording.resultsCapBytes } : {}),
    ...(holds !== undefined ? { approvals: holds } : {}),
    ...(control !== undefined ? { control } : {}),
    // the revision recorded with each decision and on approval requests: the active policy's
    revision: () => active.current().revision,
    verifier,
    // a stale policy (policy.bundle.max_staleness) refuses what on_stale says it may no longer allow
    decide: (input) => staleRefusal(policyStart.stale(), input) ?? decider.decide(input),
    decideLogin: (input) => (has(connectionEntrypoint) ? loginDecider.decide(input) : undefined),
    events,
    ...(upstreamPassword !== undefined ? { upstreamPassword } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(maskHashKey !== undefined ? { maskHashKey } : {}),
  });
  running = gateway;
  // decision logs in OPA's format, to the configured sinks (none without the section)
  const sinks = sinksFromConfig(config.decisionLogs, { stdout, env, files: nodeLogFiles, readFile: readHeaderFile });
  const decisionLogger =
    sinks.length === 0
      ? undefined
      : createDecisionLogger({
          labels: { id: gatewayId, version: VERSION },
          bundles: () => bundlesOf(active.current()),
          path: config.policy.entrypoint,
          sinks,
          mask: config.decisionLogs.mask,
          eraseParams: config.decisionLogs.eraseParams,
          // as OPA's system.log.mask: a policy rule naming what to erase or replace in each event
          maskPolicy: (doc: unknown) => (has(LOG_MASK_ENTRYPOINT) ? logMaskRules(policy(), doc) : []),
          log: ({ type, ...fields }) => events.publish({ type: 'decision_log.problem', kind: type, fields }),
        });
  const unsubscribeDecisions = decisionLogger === undefined ? undefined : events.subscribe(decisionLogger.subscriber);
  // metrics, readiness and the status document (the policy's status: the active policy and its source)
  const status = startGatewayStatus({
    config,
    events,
    policy: policyStatusProvider(policyStart),
    gateway,
    state,
    holds,
    journal: recording.status,
    decisionLog: decisionLogger,
    labels: { id: gatewayId, version: VERSION },
  });
  // after each reload, which of the newest recorded decisions the new policy would change
  const impact = watchReloadImpact(config, state, events, active);
  // the admin API (approvals): a listener of its own, loopback unless configured otherwise
  let admin: Awaited<ReturnType<typeof startAdminServer>> | undefined;
  let consoleSignIn: ConsoleOidc | null = null;
  if (config.admin.enabled) {
    try {
      const adminTls = config.admin.tls;
      admin = await startAdminServer({
        listen: { host: config.admin.host, port: config.admin.port },
        ...(adminTls !== undefined ? { tls: { key: readFileSync(adminTls.keyFile), cert: readFileSync(adminTls.certFile) } } : {}),
        service: plane.plane.service,
        ...(state !== undefined ? { sessions: createSessionViews(state) } : {}),
        ...(control !== undefined ? { control } : {}),
        audit,
        policy: {
          // a reload through this worker's admin API reaches the other workers too
          reload: async (trigger) => {
            const outcome = await active.reload(trigger);
            cluster.policyReloaded?.();
            return outcome;
          },
          status: active.status,
          ...(impact !== undefined ? { impact: impact.last } : {}),
        },
        verifier,
        readiness: status.readiness,
        metrics: cluster.metrics ?? status.metrics,
        status: status.status,
        openRoutes: config.admin.openRoutes,
        rateLimit: { max: config.admin.rateLimit.max, timeWindowMs: config.admin.rateLimit.windowMs },
        log: ({ kind, ...fields }) => events.publish({ type: 'admin.log', kind, fields }),
        version: VERSION,
        console: {
          enabled: config.admin.console.enabled,
          oidc: () => consoleSignIn,
          overview: status.figures,
          // the console's live approval events: one LISTEN of this gateway, opened with the first stream
          ...(state !== undefined ? { approvals: (onChange, onLost) => watchApprovalChanges(state, onChange, onLost) } : {}),
        },
      });
      events.publish({ type: 'admin.listening', url: admin.url });
      // the console's sign-in needs the provider's endpoints: read once, bounded; a failure leaves pasted tokens (and a log line)
      if (config.admin.console.enabled)
        consoleSignIn = await consoleOidc(config, admin.url, {
          log: ({ kind, ...fields }) => events.publish({ type: 'admin.log', kind, fields }),
        });
    } catch (e) {
      status.close();
      await gateway.close();
      await plane.plane.close();
      control?.close();
      verifier.close();
      await state?.close();
      return {
        kind: 'failed',
        reasons: [`admin: cannot listen on ${config.admin.host}:${config.admin.port} (${e instanceof Error ? e.message : String(e)})`],
      };
    }
  }
  const watchers = new Set<{ close(): void }>();
  let runningConfig = config;
  return {
    kind: 'started',
    host: gateway.host,
    port: gateway.port,
    ...(admin !== undefined ? { adminUrl: admin.url } : {}),
    policy: active,
    metricsJson: status.metricsJson,
    reconfigure: (next) => {
      const report = reconfigure(runningConfig, next, {
        setLogLevel: (level) => {
          logLevel = level;
        },
        verifier,
        makeVerifier,
      });
      // what was applied is now the running configuration; what needs a restart is not
      runningConfig = {
        ...runningConfig,
        ...(report.applied.includes('log') ? { log: next.log } : {}),
        ...(report.applied.includes('identity') ? { identity: next.identity } : {}),
      };
      return report;
    },
    watch: () => {
      if (source.kind === 'remote') return () => undefined;
      const watcher = watchSource(
        source,
        () => void active.reload('watch'),
        (message) => events.publish({ type: 'policy.error', message }),
      );
      watchers.add(watcher);
      return () => {
        watcher.close();
        watchers.delete(watcher);
      };
    },
    close: async (options) => {
      for (const w of watchers) w.close();
      // the gateway drains first, with the admin API still up (readiness says it is shutting down,
      // approvers can still act on held statements); then everything else
      await gateway.close(options);
      await policyStart.close();
      await admin?.close();
      status.close();
      await recording.close();
      unsubscribeDecisions?.();
      await decisionLogger?.close();
      await plane.plane.close();
      control?.close();
      verifier.close();
      await state?.close();
      await closeAnalysis();
    },
  };
}

/** VERSION is the gateway's version (package.json), shown by the admin API. */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** MIN_HASH_KEY_BYTES is the shortest HMAC key accepted for the `hash` mask. */
const MIN_HASH_KEY_BYTES = 16;
