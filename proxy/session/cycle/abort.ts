// Ending a refused request as PostgreSQL ends a failed one. A statement that fails inside a
// transaction aborts it: an open block turns into a failed one (COMMIT then rolls back), and an
// implicit transaction of the extended protocol (work forwarded at a Flush, no Sync yet) rolls
// back at the Sync. A gateway refusal must do the same, so when such a transaction is open the
// gateway sends a statement that cannot parse; its error stays with the gateway.

import { encodeFrontend } from '../../wire/index.js';
import { sendReady } from './replies.js';
import { relayResponses } from './relay.js';
import type { RelayOutcome } from './expectations.js';
import type { Cycle } from './state.js';

/** ABORT_SQL cannot be parsed: the upstream answers it with a syntax error and runs nothing. */
export const ABORT_SQL = 'PORTCULLIS REFUSED';

/** transactionOpen tells whether the client has work upstream that a refusal must abort. */
function transactionOpen(cycle: Cycle): boolean {
  return cycle.state.txStatus === 'T' || cycle.state.pipelineOpen;
}

/**
 * endRefusedQuery finishes a refused simple Query (the ErrorResponse was sent): ReadyForQuery
 * from the gateway when no transaction is open, else the upstream's, after aborting the transaction.
 */
export function endRefusedQuery(cycle: Cycle): RelayOutcome | Promise<RelayOutcome> {
  if (!transactionOpen(cycle)) {
    sendReady(cycle);
    return 'done';
  }
  cycle.state.pipelineOpen = false;
  cycle.ctx.upstream.write(encodeFrontend({ kind: 'query', sql: ABORT_SQL }));
  return relayResponses(cycle, [{ kind: 'abort' }, { kind: 'sync' }]);
}

/**
 * endRefusedBatch finishes a refused extended-protocol batch at its Sync (the ErrorResponse was
 * sent and the client's messages up to Sync discarded): the Sync goes upstream, after a failing
 * Parse when a transaction is open, and the upstream's ReadyForQuery tells the status.
 */
export function endRefusedBatch(cycle: Cycle): Promise<RelayOutcome> {
  const abort = transactionOpen(cycle);
  cycle.state.pipelineOpen = false;
  const sync = encodeFrontend({ kind: 'sync' });
  if (!abort) {
    cycle.ctx.upstream.write(sync);
    return relayResponses(cycle, [{ kind: 'sync' }]);
  }
  cycle.ctx.upstream.write(Buffer.concat([encodeFrontend({ kind: 'parse', name: '', query: ABORT_SQL, paramTypes: [] }), sync]));
  return relayResponses(cycle, [{ kind: 'abort' }, { kind: 'sync' }]);
}
