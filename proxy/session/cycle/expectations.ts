// What the relay expects from the upstream: one entry per forwarded simple query or
// extended-protocol message, with what each statement needs when its answers arrive (masks,
// COPY plan, its number on record, and the sync its answers wait for).

import type { CopyMaskPlan } from '../../actions/index.js';
import type { Mask } from '../../decision/index.js';
import type { StatementFacts } from '../../sql/index.js';
import type { PortalState, PreparedStatement } from './state.js';

/** SimpleStatementPlan is what the relay needs about one statement of a forwarded query string. */
export type SimpleStatementPlan = {
  readonly facts: StatementFacts;
  readonly copy: CopyMaskPlan | undefined;
  /** masks are the statement's own masks (the result sets of the string are bound against the union). */
  readonly masks: readonly Mask[];
  /** statement is the statement's number in its session when it was recorded (its outcome is recorded too). */
  readonly statement?: number;
  /** durable settles once the statement's record is on disk (a read-only query's answers wait for it: Verdict.durable). */
  readonly durable?: Promise<void>;
};

/** Expectation is one forwarded request whose response has not fully arrived yet. */
export type Expectation =
  | {
      readonly kind: 'query';
      readonly statements: readonly SimpleStatementPlan[];
      /** masks is the union of the statements' masks; every result set of the string is bound against it. */
      readonly masks: readonly Mask[];
      /** index is the statement whose result is arriving (CommandComplete / EmptyQueryResponse advance it). */
      index: number;
    }
  | { readonly kind: 'parse'; readonly statement: PreparedStatement }
  | { readonly kind: 'bind'; readonly portal: PortalState }
  | { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'describeStatement' }
  | { readonly kind: 'describePortal'; readonly portal: PortalState; readonly synthetic: boolean }
  | { readonly kind: 'execute'; readonly portal: PortalState }
  | { readonly kind: 'sync' }
  /** abort is the gateway's own failing statement that aborts the client's open transaction (its error is not relayed). */
  | { readonly kind: 'abort' };

/** RelayOutcome says whether the session goes on ('done') or a side closed ('closed'). */
export type RelayOutcome = 'done' | 'closed';

/** durableOf is one promise for every record the queue's statements wait to be synced, undefined when none waits. */
export function durableOf(queue: readonly Expectation[]): Promise<unknown> | undefined {
  const waits: Promise<void>[] = [];
  for (const e of queue) {
    if (e.kind === 'query') {
      for (const st of e.statements) if (st.durable !== undefined) waits.push(st.durable);
    } else if (e.kind === 'execute' && e.portal.durable !== undefined) waits.push(e.portal.durable);
  }
  return waits.length === 0 ? undefined : waits.length === 1 ? waits[0] : Promise.all(waits);
}
