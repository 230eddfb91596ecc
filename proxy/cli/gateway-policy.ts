// The gateway's policy at start and after: from local files (policy.paths or a bundle file) or
// from a bundle server (policy.bundle.url: OPA's bundle protocol, proxy/bundle-service). A remote
// bundle starts from the last one persisted (the gateway says so) or from a first download; the
// poller then offers every new bundle to the active policy, which swaps it in between statements,
// and persists it once active. Staleness (`max_staleness`) is a state: `warn` logs it, and
// `deny_writes` / `deny_all` make the statement decider refuse what the stale policy may no longer
// be trusted to allow. Also the policy's views the composition root needs: the decision log's
// `bundles` and OPA's `system.log.mask`, and the audit refusal when the policy has no audit rule.

import type { Decision, PolicyInput } from '../decision/index.js';
import { changesNothing } from '../gate/index.js';
import type { VerificationKey } from '../../bundles/index.js';
import type { ActivePolicy, LoadedBundle, PolicyEntrypoints, Verification } from '../policy/index.js';
import type { GatewayConfig, RemoteBundleSource } from '../config/index.js';
import type { GatewayEvent } from '../events.js';
import type { BundleServiceEvent, BundleStatus } from '../bundle-service/index.js';
import type { PolicyStatusProvider } from '../metrics/index.js';
import type { MaskRule } from '../decisionlog/index.js';
import { bundlePollerOptions } from './bundle-poller.js';

/** PolicyStart is the active policy with what keeps it current, or why there is none. */
export type PolicyStart =
  | {
      readonly ok: true;
      readonly active: ActivePolicy;
      /** stale says whether the active policy went unconfirmed past `max_staleness` (always false for local sources). */
      readonly stale: () => { readonly stale: boolean; readonly seconds: number; readonly onStale: RemoteBundleSource['onStale'] };
      /** signaturesRequired says whether every bundle must carry a trusted signature (policy.signing keys). */
      readonly signaturesRequired: boolean;
      /** poller is the bundle poller's status (remote sources only). */
      readonly bundleStatus?: () => unknown;
      readonly close: () => Promise<void>;
    }
  | { readonly ok: false; readonly reasons: readonly string[] };

/** NEVER_STALE is the staleness of a local source (read once per statement: no allocation). */
const NEVER_STALE = Object.freeze({ stale: false, seconds: 0, onStale: 'warn' as const });

/** FIRST_FETCH_MS bounds the first download when nothing is persisted: the gateway does not start without a policy. */
const FIRST_FETCH_MS = 30_000;

/** startPolicy loads the configured policy and keeps it current. */
export async function startPolicy(
  config: GatewayConfig,
  publish: (event: GatewayEvent) => void,
  env: Readonly<Record<string, string | undefined>>,
  keys: readonly VerificationKey[] = [],
): Promise<PolicyStart> {
  const policyModule = await import('../policy/index.js');
  const entrypoints: PolicyEntrypoints = {
    statement: config.policy.entrypoint,
    connection: config.policy.connectionEntrypoint,
    approval: config.policy.approvalEntrypoint,
    audit: config.policy.auditEntrypoint,
  };
  const onPrint = (line: string) => publish({ type: 'policy.print', line });
  const source = config.policy.source;
  // with keys, every bundle must verify, and none signed before the active one may replace it
  const holder: { active?: ActivePolicy } = {};
  const verification = (): Verification | undefined => {
    if (keys.length === 0) return undefined;
    const signedAt = holder.active?.current().signature?.signedAt;
    return { keys, ...(signedAt !== undefined ? { activeSignedAt: signedAt } : {}) };
  };
  const activate = async (first: LoadedBundle, load: () => Promise<LoadedBundle>) => {
    if (!first.ok) return { ok: false as const, reasons: first.reasons };
    try {
      const initial = await policyModule.makeUnit(first.bundle, first.origin, entrypoints, onPrint, first.signature);
      holder.active = policyModule.createActivePolicy({ initial, initialBundle: first.bundle, load, entrypoints, onPrint, publish });
      return { ok: true as const, active: holder.active };
    } catch (e) {
      if (e instanceof policyModule.PolicyUnitError) return { ok: false as const, reasons: [e.message] };
      throw e;
    }
  };
  if (source.kind === 'paths' && keys.length > 0) {
    return {
      ok: false,
      reasons: [
        `policy.signing: policy sources (${source.paths.join(', ')}) cannot be signed; with verification keys configured, load a signed bundle (policy.bundle)`,
      ],
    };
  }
  if (source.kind !== 'remote') {
    const started = await activate(
      await policyModule.loadNow(source, entrypoints.statement, verification()),
      policyModule.offThreadLoader(source, entrypoints.statement, verification),
    );
    if (!started.ok) return started;
    return {
      ...started,
      signaturesRequired: keys.length > 0,
      stale: () => NEVER_STALE,
      close: async () => {},
    };
  }
  return startRemote(source, env, publish, activate, verification);
}

/** startRemote starts from the persisted bundle or a first download, then polls. */
async function startRemote(
  source: RemoteBundleSource,
  env: Readonly<Record<string, string | undefined>>,
  publish: (event: GatewayEvent) => void,
  activate: (
    first: LoadedBundle,
    load: () => Promise<LoadedBundle>,
  ) => Promise<{ readonly ok: true; readonly active: ActivePolicy } | { readonly ok: false; readonly reasons: readonly string[] }>,
  verification: () => Verification | undefined,
): Promise<PolicyStart> {
  const service = await import('../bundle-service/index.js');
  const base = bundlePollerOptions(source, env);
  const origin = service.displayUrl(source.url);
  const download = async (): Promise<{ bytes: Uint8Array; etag: string | undefined }> => {
    const token = await base.token?.();
    const got = await service.fetchBundle({
      url: source.url,
      ...(token !== undefined ? { token } : {}),
      sizeLimitBytes: source.sizeLimitBytes,
      headerTimeoutMs: 10_000,
      bodyTimeoutMs: 60_000,
      signal: AbortSignal.timeout(FIRST_FETCH_MS),
    });
    if (got.kind !== 'modified') throw new Error('the server answered 304 to a request without an ETag');
    return { bytes: got.bytes, etag: got.etag };
  };
  const load = async (): Promise<LoadedBundle> => {
    try {
      return await fromBytes((await download()).bytes, origin, verification());
    } catch (e) {
      return { ok: false, reasons: [`policy.bundle: ${origin}: ${e instanceof Error ? e.message : String(e)}`] };
    }
  };

  let persisted: Awaited<ReturnType<typeof service.loadPersisted>>;
  if (source.persistDir !== undefined) {
    try {
      persisted = await service.loadPersisted(source.persistDir);
    } catch (e) {
      publish({
        type: 'policy.source',
        level: 'error',
        message: `policy.bundle.persist_dir: ${e instanceof Error ? e.message : String(e)}; downloading instead`,
      });
    }
  }
  let first: LoadedBundle;
  let etag: string | undefined;
  let firstBytes: Uint8Array | undefined;
  if (persisted !== undefined) {
    first = await fromBytes(persisted.bytes, `${origin} (persisted ${persisted.savedAt})`, verification());
    etag = persisted.etag;
    publish({
      type: 'policy.source',
      level: 'warn',
      message: 'policy bundle: starting from the persisted bundle; the server is polled for a newer one',
      fields: { url: origin, saved_at: persisted.savedAt, revision: persisted.revision ?? null },
    });
  } else {
    try {
      const got = await download();
      first = await fromBytes(got.bytes, origin, verification());
      etag = got.etag;
      firstBytes = got.bytes;
    } catch (e) {
      return {
        ok: false,
        reasons: [
          `policy.bundle: no bundle could be downloaded from ${origin} (${e instanceof Error ? e.message : String(e)}) and none is persisted`,
        ],
      };
    }
  }
  const started = await activate(first, load);
  if (!started.ok) return started;
  const { active } = started;
  if (firstBytes !== undefined && source.persistDir !== undefined) {
    // the first download is the last good bundle until the poller brings another
    const dir = source.persistDir;
    await service
      .savePersisted(dir, {
        bytes: firstBytes,
        url: source.url,
        ...(etag !== undefined ? { etag } : {}),
        revision: active.status().revision,
      })
      .catch((e: unknown) =>
        publish({ type: 'policy.source', level: 'error', message: 'policy bundle: cannot persist it', fields: { dir, error: String(e) } }),
      );
  }
  const poller = service.startBundlePoller({
    ...base,
    ...(etag !== undefined ? { etag } : {}),
    revision: active.status().revision,
    activate: async (bytes) => {
      const outcome = await active.offer(await fromBytes(bytes, origin, verification()), 'poll');
      if (outcome.kind === 'failed') throw new Error(outcome.reasons.join('; '));
      return { revision: outcome.revision };
    },
    log: (event) => publish(sourceEvent(event)),
  });
  let warned = false;
  const stale = () => {
    const limit = source.maxStalenessMs;
    const seconds = Math.max(0, (Date.now() - poller.staleSince()) / 1000);
    const isStale = limit !== undefined && seconds * 1000 > limit;
    if (isStale !== warned) {
      warned = isStale;
      publish({
        type: 'policy.source',
        level: isStale ? 'error' : 'info',
        message: isStale
          ? 'policy bundle: the active policy is stale (the server has not confirmed it within max_staleness)'
          : 'policy bundle: the server confirmed the active policy again; it is no longer stale',
        fields: { url: origin, seconds: Math.round(seconds), on_stale: source.onStale },
      });
    }
    return { stale: isStale, seconds, onStale: source.onStale };
  };
  return {
    ok: true,
    active,
    signaturesRequired: verification() !== undefined,
    stale,
    bundleStatus: () => poller.status(),
    close: () => poller.stop(),
  };
}

/** sourceEvent is the gateway event for what the bundle poller reports. */
function sourceEvent(event: BundleServiceEvent): GatewayEvent {
  const { type, ...fields } = event;
  const level =
    type === 'bundle.fetch_failed' ? 'warn' : type === 'bundle.persist_failed' || type === 'bundle.activation_failed' ? 'error' : 'debug';
  return { type: 'policy.source', level, message: `policy ${type.replace('_', ' ')}`, fields };
}

/** fromBytes reads a bundle tarball, verifying its signature first when keys are configured (and refusing a signed one when none are). */
async function fromBytes(bytes: Uint8Array, origin: string, verification: Verification | undefined): Promise<LoadedBundle> {
  const { readTarGz, bundleFromEntries, checkSignature, isBundleError } = await import('../../bundles/index.js');
  try {
    const entries = await readTarGz(bytes);
    // the signature is checked before anything in the archive is parsed or trusted; without keys a signed bundle is refused
    const signed = await checkSignature(entries, {
      ...(verification !== undefined ? { verification } : {}),
      unverifiedSignature: 'refuse',
    });
    const bundle = bundleFromEntries(entries);
    return { ok: true, bundle, origin, ...(signed !== undefined ? { signature: { keyId: signed.keyId, signedAt: signed.signedAt } } : {}) };
  } catch (e) {
    if (isBundleError(e)) return { ok: false, reasons: [`policy.bundle: ${e.message}`] };
    throw e;
  }
}

/** policyStatusProvider is the metrics' and status document's view of the active policy and its source. */
export function policyStatusProvider(started: Extract<PolicyStart, { ok: true }>): PolicyStatusProvider {
  const at = (iso: string | undefined): Date | undefined => (iso === undefined || iso === ZERO ? undefined : new Date(iso));
  return {
    status() {
      const a = started.active.status();
      const stale = started.stale();
      const remote = started.bundleStatus?.() as BundleStatus | undefined;
      const local = a.lastReloadAt ?? a.activatedAt;
      return {
        revision: a.revision,
        activatedAt: a.activatedAt,
        lastSuccessfulDownload:
          remote !== undefined ? at(remote.last_successful_download) : a.lastError === undefined ? local : a.activatedAt,
        lastSuccessfulRequest: remote !== undefined ? at(remote.last_successful_request) : local,
        verified: !started.signaturesRequired || started.active.current().signature !== undefined,
        reloadFailures: a.reloadFailures,
        staleSeconds: stale.seconds,
        stale: stale.stale,
        errors: [...(a.lastError ?? []), ...(remote?.errors?.map((e) => e.message) ?? [])],
      };
    },
  };
}

/** ZERO is the bundle status's "never". */
const ZERO = '0001-01-01T00:00:00Z';

/** STALE_RULE is the rule id of a refusal for staleness. */
const STALE_RULE = 'portcullis.stale_policy';

/** staleRefusal is the denial a stale policy's `on_stale` asks for this statement, or undefined to ask the policy. */
export function staleRefusal(state: ReturnType<Extract<PolicyStart, { ok: true }>['stale']>, input: PolicyInput): Decision | undefined {
  if (!state.stale || state.onStale === 'warn') return undefined;
  if (state.onStale === 'deny_writes' && readsOnly(input)) return undefined;
  const reason =
    state.onStale === 'deny_all'
      ? 'the gateway cannot confirm its policy is current (the bundle server has not answered within max_staleness): every statement is refused until it does'
      : 'the gateway cannot confirm its policy is current (the bundle server has not answered within max_staleness): statements that may change data are refused until it does';
  return { kind: 'deny', reason, rule: STALE_RULE, origin: 'default', reasons: [{ reason, rule: STALE_RULE }] };
}

/** readsOnly says from the policy input whether a statement can change nothing (the recording's read-only rule, proxy/gate changesNothing). */
export function readsOnly(input: PolicyInput): boolean {
  return changesNothing(input.statement, input.statement.routines);
}

/** NO_AUDIT_POLICY refuses every caller: the active policy has no audit entrypoint. */
export const NO_AUDIT_POLICY = (entrypoint: string) =>
  ({
    kind: 'deny',
    reasons: [
      { reason: `the policy has no audit entrypoint (${entrypoint}), so nobody may read or act on sessions`, rule: 'portcullis.no_policy' },
    ],
  }) as const;

/** bundlesOf is the decision log's `bundles` for the active policy (one per revision, so the logger copies it once). */
const BUNDLES = new WeakMap<object, Readonly<Record<string, { readonly revision: string }>>>();
export function bundlesOf(unit: { readonly revision: string }): Readonly<Record<string, { readonly revision: string }>> {
  let b = BUNDLES.get(unit);
  if (b === undefined) {
    b = { portcullis: { revision: unit.revision } };
    BUNDLES.set(unit, b);
  }
  return b;
}

/** LOG_MASK_ENTRYPOINT is OPA's decision-log mask rule (`data.system.log.mask`). */
export const LOG_MASK_ENTRYPOINT = 'system/log/mask';

/** logMaskRules evaluates the policy's system.log.mask on one decision-log event: JSON pointers to erase, or {op, path, value} rules. */
export function logMaskRules(policy: { evaluateRaw(input: string, entrypoint: string): string }, doc: unknown): MaskRule[] {
  const resultSet = JSON.parse(policy.evaluateRaw(JSON.stringify(doc), LOG_MASK_ENTRYPOINT)) as { result?: unknown }[];
  const answer = resultSet[0]?.result;
  if (!Array.isArray(answer)) return [];
  return answer.flatMap((r: unknown): MaskRule[] => {
    if (typeof r === 'string') return [{ op: 'remove' as const, path: r }];
    if (typeof r === 'object' && r !== null) {
      const { op, path, value } = r as { op?: unknown; path?: unknown; value?: unknown };
      if (op === 'remove' && typeof path === 'string') return [{ op: 'remove' as const, path }];
      if (op === 'upsert' && typeof path === 'string') return [{ op: 'upsert' as const, path, value }];
    }
    return [];
  });
}
