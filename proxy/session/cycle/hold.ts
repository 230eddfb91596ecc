// Holding a string or batch for approval, from the session's side: the approval request is made
// through the gate, the client is told (NoticeResponse) which request to approve, and the wait
// ends early when the client cancels (CancelRequest) or disconnects, which withdraws the request.
// While it waits, the session reads nothing more from the client: later messages queue behind the
// held one, in order. An approved string is decided again first if the policy changed meanwhile.

import type { HoldNotice, HoldResult, StatementOutcome } from '../../approvals/index.js';
import type { Decision } from '../../decision/index.js';
import type { StatementFacts } from '../../sql/index.js';
import { sendToClient } from './replies.js';
import type { Cycle } from './state.js';

/** HeldStatements are the string's or batch's statements and the hold decisions among them. */
export type HeldStatements = {
  readonly statements: readonly { readonly facts: StatementFacts; readonly params: readonly (string | null)[] | null }[];
  readonly holds: readonly Extract<Decision, { kind: 'hold' }>[];
  /** recorded are the numbers of its statements on record, when recording. */
  readonly recorded?: readonly number[];
};

/** holdForApproval waits for the approval of a held string or batch; it never rejects. */
export async function holdForApproval(cycle: Cycle, held: HeldStatements): Promise<HoldResult> {
  const { ctx } = cycle;
  const signal = ctx.interrupt?.arm() ?? new AbortController().signal;
  try {
    return await ctx.gate.awaitApproval({
      session: cycle.session,
      statements: held.statements,
      holds: held.holds,
      ...(held.recorded !== undefined ? { recorded: held.recorded } : {}),
      signal,
      notice: (n: HoldNotice) => sendToClient(cycle, { kind: 'noticeResponse', severity: 'NOTICE', code: '00000', ...n }),
    });
  } finally {
    ctx.interrupt?.disarm();
  }
}

/** collectOutcomes starts recording how each forwarded statement ends (the relay adds to it). */
export function collectOutcomes(cycle: Cycle): StatementOutcome[] {
  const outcomes: StatementOutcome[] = [];
  cycle.state.outcomes = outcomes;
  return outcomes;
}

/** stopCollecting ends the recording started by collectOutcomes. */
export function stopCollecting(cycle: Cycle): void {
  cycle.state.outcomes = undefined;
}
