// Public surface of proxy/replay: shadow evaluation of a candidate policy against the recorded
// statements (what would change, grouped, with examples). Re-exports only.

export { changeOf, recordOf, replay, replayRecent, REPLAY_PAGE } from './replay.js';
export type { ChangeExample, ChangeGroup, ReplayedDecision, ReplayOptions, ReplayReport } from './types.js';
