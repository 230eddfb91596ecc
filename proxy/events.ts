// The gateway's typed events: what the data path publishes (a session opened, a login refused, a
// statement decided, …) and the bus that fans them out to subscribers (operational logs now;
// recording, decision logs and metrics later). Publishing is synchronous and cheap; a subscriber
// that throws is cut off from that event, never the data path. Events carry no token, password
// or Bind value except where a field says so (statement.decided `params` and the statement's
// text, for recorders); subscribers that log pick their fields (proxy/observe).

import type { Decision, Mask } from './decision/index.js';
import type { StatementFacts } from './sql/index.js';

/** SessionRef names the session and identity an event belongs to. */
export type SessionRef = { readonly session: string; readonly subject: string };

/** SessionEndReason says why a session ended. */
export type SessionEndReason =
  | 'client'
  | 'upstream'
  | 'expired'
  | 'revoked'
  | 'shutdown'
  | 'message_timeout'
  | 'terminated'
  | 'blocked'
  | 'error';

/** GatewayEvent is every event the data path publishes, discriminated by `type`. */
export type GatewayEvent =
  | { readonly type: 'gateway.listening'; readonly host: string; readonly port: number; readonly tls: boolean }
  | { readonly type: 'gateway.error'; readonly message: string }
  /** connection.accepted: the accept loop admitted a client connection (it may still be refused at login). */
  | { readonly type: 'connection.accepted'; readonly clientAddress: string }
  | {
      readonly type: 'connection.refused';
      /**
       * reason: max_connections (authenticated connections full), max_unauthenticated (the pool of
       * connections logging in is full and none can be crowded out), crowded_out (this connection,
       * the oldest logging in from the busiest address, was closed to make room for a newer one).
       */
      readonly reason: 'max_connections' | 'max_unauthenticated' | 'crowded_out' | 'shutting_down';
      readonly clientAddress: string;
    }
  | {
      readonly type: 'login.refused';
      readonly session: string;
      readonly clientAddress: string;
      /** code is the stable ERR_PROXY_* code of the refusal; sqlstate what the client saw. */
      readonly code: string;
      readonly sqlstate: string;
      readonly message: string;
    }
  | {
      readonly type: 'session.opened';
      readonly session: string;
      readonly subject: string;
      readonly issuer: string;
      readonly clientAddress: string;
      readonly tls: boolean;
      readonly database: string;
      readonly user: string;
      readonly applicationName: string;
      /** role is the database role the session runs as (the login entrypoint's answer); absent without a login policy. */
      readonly role?: string;
    }
  | (SessionRef & {
      readonly type: 'session.closed';
      readonly reason: SessionEndReason;
      readonly durationMs: number;
      readonly statements: number;
    })
  | (SessionRef & { readonly type: 'session.failed'; readonly message: string })
  | { readonly type: 'cancel.requested'; readonly matched: boolean; readonly session?: string }
  | { readonly type: 'cancel.failed'; readonly session: string; readonly message: string }
  | (SessionRef & {
      readonly type: 'statement.decided';
      readonly statement: StatementFacts;
      readonly decision: Decision;
      /** params are the Bind values (text format; null for binary/NULL); null for the simple protocol. Never logged. */
      readonly params: readonly (string | null)[] | null;
      /** inTransaction is whether the statement runs inside a transaction block. */
      readonly inTransaction: boolean;
      /** statementId is the session's statement counter for this statement (1 for the first); decision logs use it when present. */
      readonly statementId?: number;
      /** input is the exact policy input the decision was made on (it holds `params`: never logged as is); decision logs use it when present. */
      readonly input?: unknown;
      /** evalNs is how long the policy took to decide, in nanoseconds (decision logs' timer_rego_query_eval_ns). */
      readonly evalNs?: number;
    })
  | (SessionRef & {
      readonly type: 'statement.refused';
      /** code is the stable ERR_PROXY_* code (absent for an internal error); sqlstate and message are what the client saw. */
      readonly code?: string;
      readonly sqlstate: string;
      readonly message: string;
      /** rule is the policy rule behind a denial, when there is one. */
      readonly rule?: string;
    })
  | (SessionRef & {
      readonly type: 'statement.finished';
      readonly statement: StatementFacts;
      /** tag is the upstream's CommandComplete tag; sqlstate the upstream's error code. */
      readonly tag?: string;
      readonly sqlstate?: string;
      /** masks are the masks applied to the statement's result. */
      readonly masks: readonly Mask[];
      /** durationMs is the upstream's time on the statement: from its forwarding (or the previous statement's end) to its end. */
      readonly durationMs?: number;
    })
  | (SessionRef & {
      readonly type: 'statement.withheld';
      readonly statement: StatementFacts;
      /** sqlstate and message are the upstream's original error or notice, which the client did not see (it may quote masked values). */
      readonly sqlstate: string;
      readonly message: string;
    })
  | { readonly type: 'policy.error'; readonly session?: string; readonly message: string }
  /** policy.print is a `print()` line of the policy (the author's debugging aid; it may echo input). */
  | { readonly type: 'policy.print'; readonly line: string }
  | {
      readonly type: 'policy.loaded';
      /** entrypoint is the statement entrypoint evaluated for every statement. */
      readonly entrypoint: string;
      /** connectionEntrypoint is the login entrypoint that decides each session's database role; null when the policy has none (no SET ROLE). */
      readonly connectionEntrypoint: string | null;
      /** missingConnectionEntrypoint is the configured login entrypoint the policy lacks (when connectionEntrypoint is null). */
      readonly missingConnectionEntrypoint?: string;
    }
  /** policy.activated: a reload swapped a new policy in (it decides every statement from now on); ms is how long loading it took, off the statement path. */
  | {
      readonly type: 'policy.activated';
      readonly revision: string;
      readonly previous: string;
      readonly origin: string;
      readonly trigger: string;
      readonly ms: number;
    }
  /** policy.reload_failed: a reload could not bring a new policy up; `revision` keeps deciding. */
  | { readonly type: 'policy.reload_failed'; readonly trigger: string; readonly revision: string; readonly reasons: readonly string[] }
  /** policy.source reports where the policy comes from: a bundle server's answers, the persisted bundle, staleness. */
  | {
      readonly type: 'policy.source';
      readonly level: 'debug' | 'info' | 'warn' | 'error';
      readonly message: string;
      readonly fields?: Readonly<Record<string, unknown>>;
    }
  /** keys.loaded / keys.failed / keys.throttled report the token verifier's key source (JWKS URL or file). */
  | { readonly type: 'keys.loaded'; readonly source: string; readonly keyCount: number }
  | { readonly type: 'keys.failed'; readonly source: string; readonly reason: string; readonly cachedKeyCount: number }
  | { readonly type: 'keys.throttled'; readonly kid: string | undefined; readonly nextRefreshAt: string }
  /** introspection.failed: the issuer's introspection endpoint did not answer (logins are refused meanwhile; live sessions go on). */
  | { readonly type: 'introspection.failed'; readonly reason: string }
  | {
      readonly type: 'upstream.failed';
      readonly session?: string;
      readonly purpose: 'session' | 'catalog' | 'cancel';
      readonly code: string;
      readonly message: string;
    }
  | { readonly type: 'catalog.failed'; readonly key: string; readonly message: string }
  | { readonly type: 'sql.unavailable'; readonly message: string }
  /** state.ready: the shared state store's schema is current at `version` (`applied` lists the migrations this gateway ran). */
  | { readonly type: 'state.ready'; readonly version: number; readonly applied: readonly number[] }
  /** state.failed: the state store could not be reached or migrated; what needs it fails closed, the rest goes on. */
  | { readonly type: 'state.failed'; readonly code: string; readonly message: string }
  /** approval.changed: a step of an approval request (requested, approved, denied, expired, withdrawn, executed, granted_use). */
  | {
      readonly type: 'approval.changed';
      readonly id: string;
      readonly step: string;
      readonly session?: string;
      readonly actor?: string;
    }
  /** approval.failed: the approvals could not reach the state store or record a step (the statement was refused, or its record is missing a step). */
  | { readonly type: 'approval.failed'; readonly id?: string; readonly session?: string; readonly message: string }
  /** webhook.delivery: an approval event was delivered to a webhook, failed an attempt, or was given up. */
  | {
      readonly type: 'webhook.delivery';
      readonly outcome: 'delivered' | 'failed' | 'gave_up';
      readonly url: string;
      readonly attempt: number;
      readonly status?: number;
      readonly message?: string;
    }
  /** decision_log.problem: the decision log dropped events, or an upload failed or recovered (never silent). */
  | { readonly type: 'decision_log.problem'; readonly kind: string; readonly fields: Readonly<Record<string, unknown>> }
  /** recording.problem: the journal could not be written (statements refused or run unrecorded, per recording.on_failure), shipping or pruning failed. */
  | { readonly type: 'recording.problem'; readonly message: string }
  /** recording.shipped: journal records reached the state store. */
  | { readonly type: 'recording.shipped'; readonly journal: string; readonly records: number; readonly through: number }
  /** control.failed: live control could not reload the identity blocks (the last loaded ones stay in force). */
  | { readonly type: 'control.failed'; readonly message: string }
  /** admin.listening: the admin API accepts requests at `url`. */
  | { readonly type: 'admin.listening'; readonly url: string }
  /** admin.failed: the admin API could not start (details for the operator only). */
  | { readonly type: 'admin.failed'; readonly message: string }
  /** admin.log: what the admin API reports: each request, approvers' actions, refused tokens, internal errors (their details only here). */
  | { readonly type: 'admin.log'; readonly kind: string; readonly fields: Readonly<Record<string, unknown>> };

/** GatewayEventType is one of the event type names. */
export type GatewayEventType = GatewayEvent['type'];

/** EventOf picks the event with type T. */
export type EventOf<T extends GatewayEventType> = Extract<GatewayEvent, { readonly type: T }>;

/** EventSink is where the data path publishes (the bus, or a test's collector). */
export type EventSink = { publish(event: GatewayEvent): void };

/** Subscriber receives every published event. */
export type Subscriber = (event: GatewayEvent) => void;

/** EventBus fans published events out to its subscribers, in subscription order. */
export type EventBus = EventSink & {
  /** subscribe adds a subscriber and returns the function that removes it. */
  subscribe(subscriber: Subscriber): () => void;
};

/** createEventBus returns a bus; a subscriber that throws is reported to `onSubscriberError` (default: ignored). */
export function createEventBus(onSubscriberError: (err: unknown, event: GatewayEvent) => void = () => {}): EventBus {
  let subscribers: readonly Subscriber[] = [];
  return {
    publish(event) {
      for (const s of subscribers) {
        try {
          s(event);
        } catch (err) {
          onSubscriberError(err, event);
        }
      }
    },
    subscribe(subscriber) {
      subscribers = [...subscribers, subscriber];
      return () => {
        subscribers = subscribers.filter((s) => s !== subscriber);
      };
    },
  };
}

/** NO_EVENTS drops every event (a gateway nobody observes). */
export const NO_EVENTS: EventSink = Object.freeze({ publish: () => {} });
