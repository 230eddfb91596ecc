// Types of the reload impact: after a reload activates a new policy, the newest recorded
// statements are re-decided with it and compared with what was decided when they ran, so the
// console and GET /v1/policy can show which decisions the reload changed. Plain readonly data.

import type { Decision, PolicyInput } from '../decision/index.js';
import type { ReplayReport } from '../replay/index.js';
import type { StateStore } from '../state/index.js';

/** ReloadImpact is what is known about one reload's effect on the recorded statements. */
export type ReloadImpact = {
  /** revision is the policy the reload activated; previous the one it replaced. */
  readonly revision: string;
  readonly previous: string;
  /** at is when the comparison began (right after the activation). */
  readonly at: Date;
  /** state: running while the statements are re-decided, done with a report, failed with a message. */
  readonly state: 'running' | 'done' | 'failed';
  /** message says why a comparison failed (safe to show: no address or path). */
  readonly message?: string;
  readonly report?: ReplayReport;
};

/** ReloadImpactOptions configure createReloadImpact. */
export type ReloadImpactOptions = {
  /** store holds the recorded statements (portcullis.recording_records). */
  readonly store: Pick<StateStore, 'query'>;
  /** deciderFor is the statement decider of the policy with this revision, undefined once another policy is active. */
  readonly deciderFor: (revision: string) => ((input: PolicyInput) => Decision) | undefined;
  /** limit is how many of the newest recorded statements are re-decided (default 500, at most 500). */
  readonly limit?: number;
  /** examples is how many statements each change keeps (default 5). */
  readonly examples?: number;
  /** onProblem tells the operator's log why a comparison failed (with the store's own message). */
  readonly onProblem?: (message: string) => void;
  readonly now?: () => Date;
};

/** ReloadImpactWatch compares after each activation and keeps the last comparison. */
export type ReloadImpactWatch = {
  /** activated starts the comparison for a policy that was just activated (a newer activation supersedes a running one). */
  activated(revision: string, previous: string): void;
  /** last is the last activation's comparison, undefined before any reload activated a policy. */
  last(): ReloadImpact | undefined;
  /** settled resolves once no comparison runs. */
  settled(): Promise<void>;
};
