// The reload impact: on each activation the newest recorded statements (their policy inputs, as
// the recording keeps them) are re-decided with the new policy, a slice at a time on the
// gateway's thread, and compared with the decisions they were recorded with (proxy/replay). Only
// the last activation's comparison is kept; a newer activation supersedes one still running.

import type { Decision, PolicyInput } from '../decision/index.js';
import { replayRecent } from '../replay/index.js';
import type { ReloadImpact, ReloadImpactOptions, ReloadImpactWatch } from './types.js';

/** IMPACT_LIMIT_DEFAULT is how many recorded statements a reload is compared on by default. */
export const IMPACT_LIMIT_DEFAULT = 500;

/** UNAVAILABLE is what callers learn when the comparison could not read the recording. */
const UNAVAILABLE = 'the recorded statements could not be read from the state store';

/** createReloadImpact returns the watch; nothing runs until activated() is called. */
export function createReloadImpact(options: ReloadImpactOptions): ReloadImpactWatch {
  const now = options.now ?? (() => new Date());
  let current: ReloadImpact | undefined;
  let running: Promise<void> | undefined;
  let generation = 0;

  const compare = async (gen: number, base: ReloadImpact, decide: (input: PolicyInput) => Decision): Promise<void> => {
    try {
      const report = await replayRecent({
        store: options.store,
        decide,
        limit: options.limit ?? IMPACT_LIMIT_DEFAULT,
        examples: options.examples ?? 5,
      });
      if (gen === generation) current = { ...base, state: 'done', report };
    } catch (e) {
      options.onProblem?.(`reload impact: ${e instanceof Error ? e.message : String(e)}`);
      if (gen === generation) current = { ...base, state: 'failed', message: UNAVAILABLE };
    }
  };

  return {
    activated(revision, previous) {
      const gen = ++generation;
      const base: ReloadImpact = { revision, previous, at: now(), state: 'running' };
      // the decider is taken now, while the activated policy is the active one
      const decide = options.deciderFor(revision);
      if (decide === undefined) {
        current = { ...base, state: 'failed', message: 'the policy is no longer the active one' };
        return;
      }
      current = base;
      const before = running ?? Promise.resolve();
      // one comparison at a time: a superseded one finishes and its result is dropped
      const p = before.then(() => (gen === generation ? compare(gen, base, decide) : undefined));
      const tracked: Promise<void> = p.finally(() => {
        if (running === tracked) running = undefined;
      });
      running = tracked;
    },
    last: () => current,
    settled: async () => {
      while (running !== undefined) await running;
    },
  };
}
