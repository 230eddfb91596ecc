// The gateway's own messages to the client during the query cycle: ErrorResponse (through the
// one error mapping, published as `statement.refused`) and ReadyForQuery.

import { encodeBackend } from '../../wire/index.js';
import type { BackendMessageOut } from '../../wire/index.js';
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

/** sendReady writes ReadyForQuery with the upstream's last transaction status. */
export function sendReady(cycle: Cycle): void {
  sendToClient(cycle, { kind: 'readyForQuery', status: cycle.state.txStatus });
}
