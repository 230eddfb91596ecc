// Types of shadow evaluation (replay): what it reads (recorded statements with the policy input
// they were decided on), how it re-decides them (a candidate policy's decide function) and the
// report of what would change. Plain readonly data; the logic lives in replay.ts.

import type { Decision, PolicyInput } from '../decision/index.js';
import type { DecisionRecord } from '../recording/index.js';
import type { StateStore } from '../state/index.js';

/** ReplayOptions configure replay: where the records are, the candidate policy, and which records. */
export type ReplayOptions = {
  /** store holds portcullis.recording_records (the shared state store). */
  readonly store: Pick<StateStore, 'query'>;
  /** decide is the candidate policy's statement decider (it never throws). */
  readonly decide: (input: PolicyInput) => Decision;
  /** since keeps statements recorded at or after this time (default: all). */
  readonly since?: Date;
  /** examples is how many example statements each change keeps (default 3). */
  readonly examples?: number;
};

/** ReplayedDecision is a decision as the recording writes it (kind, rules, masks as `table.column:kind`). */
export type ReplayedDecision = Pick<DecisionRecord, 'kind' | 'rules' | 'masks'>;

/** ChangeExample is one statement whose decision would change. */
export type ChangeExample = {
  readonly session: string;
  readonly statement: number;
  readonly at: string;
  readonly text: string;
  readonly recorded: ReplayedDecision;
  readonly candidate: ReplayedDecision;
};

/**
 * ChangeGroup gathers the statements whose decision changes the same way: from one kind to
 * another (or the same kind with other rules or masks), because of one rule (the candidate's new
 * rule, the recorded rule that no longer fires, or `mask +table.column:kind` / `mask -…`).
 */
export type ChangeGroup = {
  readonly from: DecisionRecord['kind'];
  readonly to: DecisionRecord['kind'];
  readonly rule: string;
  readonly count: number;
  readonly examples: readonly ChangeExample[];
};

/** ReplayReport is what replay found: how many statements it re-decided, how many would change and how. */
export type ReplayReport = {
  /** examined counts the statement records read. */
  readonly examined: number;
  /** compared counts those re-decided (the rest were skipped). */
  readonly compared: number;
  readonly unchanged: number;
  readonly changed: number;
  /** skipped counts records without a policy input, and those the gateway refused outside the policy (kind refuse). */
  readonly skipped: number;
  /** groups are the changes, the largest first. */
  readonly groups: readonly ChangeGroup[];
};
