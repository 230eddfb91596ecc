// The gateway's own messages to the client during the query cycle: ErrorResponse (through the
// one error mapping, published as `statement.refused`) and ReadyForQuery.

import { encodeBackend } from '../../wire/index.js';
import type { BackendMessageOut, NoticeFields } from '../../wire/index.js';
import { UpstreamClosedError } from '../../actions/index.js';
import { ProxyError, toErrorFields } from '../../errors.js';
import type { Cycle } from './state.js';

/** sendToClient encodes and writes one of the gateway's own messages. */
export function sendToClient(cycle: Cycle, msg: BackendMessageOut): void {
  cycle.ctx.client.write(encodeBackend(msg));
}

/** sendError writes an ErrorResponse for any error (toErrorFields: the one mapping; no internals leak). */
export function sendError(cycle: Cycle, err: unknown): void {
  const f = toErrorFields(err);
  const rule = (err as { rule?: unknown } | null)?.rule;
  cycle.ctx.events.publish({
    type: 'statement.refused',
    session: cycle.ctx.id,
    subject: cycle.ctx.principal.subject,
    ...(err instanceof ProxyError ? { code: err.code } : {}),
    sqlstate: f.code,
    message: f.message,
    ...(typeof rule === 'string' ? { rule } : {}),
  });
  sendToClient(cycle, { kind: 'errorResponse', ...f });
}

/** isFatal tells whether an upstream ErrorResponse ends the upstream session (FATAL or PANIC: the server closes next). */
export function isFatal(fields: NoticeFields): boolean {
  const severity = fields['V'] ?? fields['S'];
  return severity === 'FATAL' || severity === 'PANIC';
}

/**
 * sendUpstreamClosed tells the client the upstream went away (08006, FATAL), unless the
 * upstream's own FATAL (e.g. 57P01 after pg_terminate_backend or a shutdown) already did: the
 * client hears exactly one.
 */
export function sendUpstreamClosed(cycle: Cycle): void {
  if (!cycle.state.upstreamFatal) sendError(cycle, new UpstreamClosedError());
}

/** sendReady writes ReadyForQuery with the upstream's last transaction status. */
export function sendReady(cycle: Cycle): void {
  sendToClient(cycle, { kind: 'readyForQuery', status: cycle.state.txStatus });
}
