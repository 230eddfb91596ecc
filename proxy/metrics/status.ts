// The gateway's status document in the shape of OPA's status API (docs/CONTROL-PLANE §1.5, OPA's
// management-status): `labels` {id, version}, `bundles.portcullis` (the active revision, the last
// successful activation, download and request, errors) and `plugins` states, plus what is
// Portcullis' own under `portcullis` (sessions, holds, the recording journal, decision-log drops,
// the policy's freshness). Pure: built from GatewaySources at each request.

import type { GatewaySources } from './types.js';

/** NEVER is OPA's timestamp for "never happened" (Go's zero time); receivers treat it as never. */
export const NEVER = '0001-01-01T00:00:00Z';

/** BUNDLE_NAME is the name the gateway's one policy bundle has in the status document. */
export const BUNDLE_NAME = 'portcullis';

/** PluginState is OPA's plugin state. */
export type PluginState = 'OK' | 'NOT_READY' | 'ERROR' | 'WARN';

/** StatusDocument is the answer of GET /v1/status. */
export type StatusDocument = {
  readonly labels: { readonly id: string; readonly version: string };
  readonly bundles: Readonly<
    Record<
      string,
      {
        readonly name: string;
        readonly active_revision?: string;
        readonly last_successful_activation: string;
        readonly last_successful_download: string;
        readonly last_successful_request: string;
        readonly code?: string;
        readonly message?: string;
        readonly errors: readonly string[];
      }
    >
  >;
  readonly plugins: Readonly<Record<string, { readonly state: PluginState; readonly message?: string }>>;
  readonly portcullis: {
    readonly draining: boolean;
    readonly policy: {
      readonly verified: boolean;
      readonly stale: boolean;
      readonly stale_seconds: number;
      readonly reload_failures: number;
    };
    readonly sessions: {
      readonly active: number;
      readonly connections: { readonly unauthenticated: number; readonly authenticated: number };
    };
    readonly approvals: { readonly pending: number } | null;
    readonly journal: {
      readonly records: number;
      readonly bytes: number;
      readonly fsyncs: number;
      readonly failed: string | null;
      readonly unshipped: number | null;
    } | null;
    readonly decision_logs: { readonly events: number; readonly dropped: number } | null;
  };
};

/** gatewayStatus builds the status document from the gateway's sources now. */
export function gatewayStatus(sources: GatewaySources, labels: { readonly id: string; readonly version: string }): StatusDocument {
  const policy = sources.policy.status();
  const at = (d: Date | undefined): string => (d === undefined ? NEVER : d.toISOString());
  const failing = policy.errors.length > 0;
  const bundleState: PluginState =
    policy.activatedAt === undefined ? 'NOT_READY' : failing ? 'ERROR' : policy.stale || !policy.verified ? 'WARN' : 'OK';
  const journal = sources.journal?.();
  const decisionLog = sources.decisionLog?.();
  const plugins: Record<string, { state: PluginState; message?: string }> = {
    bundle: { state: bundleState, ...(policy.stale ? { message: `the policy is ${Math.round(policy.staleSeconds)} s stale` } : {}) },
    status: { state: 'OK' },
  };
  if (decisionLog !== undefined) {
    plugins['decision_logs'] =
      decisionLog.dropped > 0 ? { state: 'WARN', message: `${decisionLog.dropped} events dropped` } : { state: 'OK' };
  }
  if (journal !== undefined) {
    plugins['recording'] = journal.failed !== undefined ? { state: 'ERROR', message: journal.failed } : { state: 'OK' };
  }
  const connections = sources.connections();
  return {
    labels: { id: labels.id, version: labels.version },
    bundles: {
      [BUNDLE_NAME]: {
        name: BUNDLE_NAME,
        ...(policy.activatedAt !== undefined ? { active_revision: policy.revision } : {}),
        last_successful_activation: at(policy.activatedAt),
        last_successful_download: at(policy.lastSuccessfulDownload),
        last_successful_request: at(policy.lastSuccessfulRequest),
        ...(failing ? { code: 'bundle_error', message: policy.errors[0] ?? '' } : {}),
        errors: policy.errors,
      },
    },
    plugins,
    portcullis: {
      draining: sources.draining?.() ?? false,
      policy: {
        verified: policy.verified,
        stale: policy.stale,
        stale_seconds: policy.staleSeconds,
        reload_failures: policy.reloadFailures,
      },
      sessions: {
        active: sources.sessions(),
        connections: { unauthenticated: connections.unauthenticated, authenticated: connections.authenticated },
      },
      approvals: sources.pendingApprovals === undefined ? null : { pending: sources.pendingApprovals() },
      journal:
        journal === undefined
          ? null
          : {
              records: journal.records,
              bytes: journal.bytes,
              fsyncs: journal.fsyncs,
              failed: journal.failed ?? null,
              unshipped: journal.unshipped ?? null,
            },
      decision_logs: decisionLog === undefined ? null : { events: decisionLog.events, dropped: decisionLog.dropped },
    },
  };
}

/** staticPolicyStatus is the provider of a policy loaded once at start (no reloads yet): active since `loadedAt`, never stale. */
export function staticPolicyStatus(revision: string, loadedAt: Date, verified = true) {
  const snapshot = Object.freeze({
    revision,
    activatedAt: loadedAt,
    lastSuccessfulDownload: loadedAt,
    lastSuccessfulRequest: loadedAt,
    verified,
    reloadFailures: 0,
    staleSeconds: 0,
    stale: false,
    errors: Object.freeze([]) as readonly string[],
  });
  return { status: () => snapshot };
}
