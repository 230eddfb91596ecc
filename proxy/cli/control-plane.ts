// The control plane's part of the composition root: with a state store configured, the approval
// holds (the data plane's approval port), the approval service behind the admin API (the approval
// policy deciding who may act), and the webhooks told of every request and resolution. The
// outside world is read here: webhook secrets from the environment or files. Used by gateway.ts.

import { readFileSync } from 'node:fs';
import { createApprovalHolds, createApprovalService } from '../approvals/index.js';
import type { ApprovalHolds, ApprovalPolicyInput, ApprovalService, ApprovalVerdict, Notifier } from '../approvals/index.js';
import type { GatewayConfig } from '../config/index.js';
import { resolveSecret, secretFromFile } from '../config/index.js';
import type { EventSink } from '../events.js';
import { createWebhookNotifier } from '../notify/index.js';
import type { StateStore } from '../state/index.js';

/** ControlPlane is what gateway.ts wires into the gateway and the admin API. */
export type ControlPlane = {
  /** holds is the approval port (absent without a state store: holds are refused). */
  readonly holds: ApprovalHolds | undefined;
  /** service is what the admin API acts through (absent without a state store). */
  readonly service: ApprovalService | undefined;
  close(): Promise<void>;
};

/** ControlPlaneStart is a control plane, or the reasons it cannot start (a webhook secret missing). */
export type ControlPlaneStart =
  | { readonly ok: true; readonly plane: ControlPlane }
  | { readonly ok: false; readonly reasons: readonly string[] };

/** NO_APPROVAL_POLICY refuses every approver: the policy has no approval entrypoint. */
export const NO_APPROVAL_POLICY = (entrypoint: string) => (): ApprovalVerdict => ({
  kind: 'deny',
  reasons: [{ reason: `the policy has no approval entrypoint (${entrypoint}), so nobody may approve`, rule: 'portcullis.no_policy' }],
});

/** startControlPlane builds the approvals of a gateway from its config, its state store and its approval policy. */
export function startControlPlane(
  config: GatewayConfig,
  state: StateStore | undefined,
  events: EventSink,
  decideApproval: (input: ApprovalPolicyInput) => ApprovalVerdict,
  env: Readonly<Record<string, string | undefined>>,
): ControlPlaneStart {
  const reasons: string[] = [];
  const targets = config.approval.webhooks.flatMap((w, i) => {
    const where = `approval.webhooks[${i}]`;
    try {
      const secret = w.secret.kind === 'file' ? secretFromFile(readFileSync(w.secret.path, 'utf8')) : resolveSecret(w.secret, env);
      if (secret === undefined || secret === '') {
        reasons.push(`${where}.secret_env: environment variable ${w.secret.kind === 'env' ? w.secret.name : ''} is not set`);
        return [];
      }
      return [{ url: w.url, secret }];
    } catch (e) {
      reasons.push(
        `${where}.secret_file: ${w.secret.kind === 'file' ? w.secret.path : ''} cannot be read (${e instanceof Error ? e.message : String(e)})`,
      );
      return [];
    }
  });
  if (reasons.length > 0) return { ok: false, reasons };
  if (state === undefined) return { ok: true, plane: { holds: undefined, service: undefined, close: async () => {} } };
  const notifier: Notifier | undefined =
    targets.length === 0
      ? undefined
      : createWebhookNotifier({
          targets,
          log: (e) =>
            events.publish({
              type: 'webhook.delivery',
              outcome: e.type === 'webhook.delivered' ? 'delivered' : e.type === 'webhook.failed' ? 'failed' : 'gave_up',
              url: e.url,
              attempt: e.attempt,
              ...(e.status !== undefined ? { status: e.status } : {}),
              ...(e.message !== undefined ? { message: e.message } : {}),
            }),
        });
  const holds = createApprovalHolds({
    store: state,
    config: {
      ttlMs: config.approval.ttlMs,
      mode: config.approval.mode,
      noticeIntervalMs: config.approval.noticeIntervalMs,
      maxPending: config.approval.maxPending,
    },
    ...(notifier !== undefined ? { notifier } : {}),
    onEvent: (e) =>
      events.publish(
        e.kind === 'failed'
          ? {
              type: 'approval.failed',
              message: e.message,
              ...(e.id !== undefined ? { id: e.id } : {}),
              ...(e.session !== undefined ? { session: e.session } : {}),
            }
          : { type: 'approval.changed', id: e.id, step: e.kind, session: e.session },
      ),
  });
  const service = createApprovalService({
    store: state,
    decide: decideApproval,
    grantTtlMs: config.approval.grantTtlMs,
    ...(notifier !== undefined ? { notifier } : {}),
    onEvent: (e) => events.publish({ type: 'approval.changed', id: e.id, step: e.kind, actor: e.actor }),
  });
  return {
    ok: true,
    plane: {
      holds,
      service,
      async close() {
        holds.close();
        await notifier?.close();
      },
    },
  };
}
