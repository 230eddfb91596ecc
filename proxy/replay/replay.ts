// Shadow evaluation: every recorded statement (its policy input, `body.input`, kept by the
// recording) is re-decided with a candidate policy and compared with the decision recorded then
// (kind, rules, masks). Statements are read from portcullis.recording_records in pages, oldest
// first, so a long history never sits in memory at once. Statements the gateway refused outside
// the policy (kind `refuse`: analysis, unappliable masks, an approval's outcome) are skipped: what
// the policy said about them is not recorded.

import type { Decision, PolicyInput } from '../decision/index.js';
import type { StatementBody } from '../recording/index.js';
import type { ChangeExample, ChangeGroup, ReplayOptions, ReplayReport, ReplayedDecision } from './types.js';

/** REPLAY_PAGE is how many statement records one query reads. */
export const REPLAY_PAGE = 500;

const SQL = `
SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), journal, seq::text, body::text
FROM portcullis.recording_records
WHERE kind = 'statement'
  AND ($1::timestamptz IS NULL OR at >= $1::timestamptz)
  AND ($2::timestamptz IS NULL OR (at, journal, seq) > ($2::timestamptz, $3::text, $4::bigint))
ORDER BY at, journal, seq
LIMIT $5::integer`;

/** replay re-decides every recorded statement with the candidate policy and reports what would change; StateErrors propagate. */
export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  const tally = createTally(options.decide, options.examples ?? 3);
  let after: readonly [string, string, string] | undefined;
  for (;;) {
    const res = await options.store.query(SQL, [
      options.since?.toISOString() ?? null,
      after?.[0] ?? null,
      after?.[1] ?? null,
      after?.[2] ?? null,
      String(REPLAY_PAGE),
    ]);
    for (const row of res.rows) tally.add(row[0] ?? '', row[3] ?? 'null');
    const last = res.rows[res.rows.length - 1];
    if (res.rows.length < REPLAY_PAGE || last === undefined) break;
    after = [last[0] ?? '', last[1] ?? '', last[2] ?? '0'];
  }
  return tally.report();
}

const RECENT_SQL = `
SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), body::text
FROM portcullis.recording_records
WHERE kind = 'statement'
ORDER BY at DESC, journal DESC, seq DESC
LIMIT $1::integer`;

/** RECENT_SLICE is how many statements replayRecent re-decides before it lets the event loop run (the gateway's statements share the thread). */
const RECENT_SLICE = 50;

/**
 * replayRecent re-decides the newest `limit` recorded statements (at most REPLAY_PAGE) with the
 * candidate policy, a slice at a time so statements being decided meanwhile are not held up;
 * StateErrors propagate.
 */
export async function replayRecent(options: Omit<ReplayOptions, 'since'> & { readonly limit: number }): Promise<ReplayReport> {
  const limit = Math.max(0, Math.min(REPLAY_PAGE, Math.floor(options.limit)));
  const tally = createTally(options.decide, options.examples ?? 3);
  if (limit === 0) return tally.report();
  const res = await options.store.query(RECENT_SQL, [String(limit)]);
  for (const [i, row] of res.rows.entries()) {
    if (i > 0 && i % RECENT_SLICE === 0) await new Promise<void>((r) => setImmediate(r));
    tally.add(row[0] ?? '', row[1] ?? 'null');
  }
  return tally.report();
}

/** createTally re-decides statement records one at a time and gathers the changes into groups. */
function createTally(decide: ReplayOptions['decide'], keep: number) {
  const groups = new Map<string, { group: Omit<ChangeGroup, 'count' | 'examples'>; count: number; examples: ChangeExample[] }>();
  let examined = 0;
  let compared = 0;
  let changed = 0;
  let skipped = 0;
  return {
    /** add re-decides one record (its time as stored and its body's JSON text). */
    add(at: string, bodyJson: string): void {
      examined++;
      const body = JSON.parse(bodyJson) as StatementBody | null;
      if (body === null || body.input === null || body.input === undefined || body.decision.kind === 'refuse') {
        skipped++;
        return;
      }
      compared++;
      const recorded: ReplayedDecision = { kind: body.decision.kind, rules: body.decision.rules, masks: body.decision.masks };
      const candidate = recordOf(decide(body.input as PolicyInput));
      const change = changeOf(recorded, candidate);
      if (change === undefined) return;
      changed++;
      const key = `${change.from}\u0000${change.to}\u0000${change.rule}`;
      const entry = groups.get(key) ?? { group: change, count: 0, examples: [] };
      entry.count++;
      if (entry.examples.length < keep) {
        entry.examples.push({
          session: body.session,
          statement: body.statement,
          at: at.replace(/\.(\d{3})\d*Z$/, '.$1Z'),
          text: body.text,
          recorded,
          candidate,
        });
      }
      groups.set(key, entry);
    },
    report(): ReplayReport {
      const out = [...groups.values()]
        .map(({ group, count, examples }) => ({ ...group, count, examples }))
        .sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.rule.localeCompare(b.rule));
      return { examined, compared, unchanged: compared - changed, changed, skipped, groups: out };
    },
  };
}

/** recordOf writes a candidate decision the way the recording writes decisions. */
export function recordOf(d: Decision): ReplayedDecision {
  switch (d.kind) {
    case 'allow':
      return { kind: 'allow', rules: [], masks: d.masks.map((m) => `${m.table}.${m.column}:${m.kind}`) };
    case 'deny':
      return { kind: 'deny', rules: d.reasons.map((r) => r.rule), masks: [] };
    case 'hold':
      return { kind: 'hold', rules: d.reasons.map((r) => r.rule), masks: d.masks.map((m) => `${m.table}.${m.column}:${m.kind}`) };
  }
}

/**
 * changeOf says how a decision changed, or undefined when it did not (rules and masks compared as
 * sets): the kinds, and the rule that explains it (the candidate's first new rule, else the
 * recorded rule that no longer fires, else the first mask added or removed).
 */
export function changeOf(recorded: ReplayedDecision, candidate: ReplayedDecision): Omit<ChangeGroup, 'count' | 'examples'> | undefined {
  const oldRules = new Set(recorded.rules);
  const newRules = new Set(candidate.rules);
  const oldMasks = new Set(recorded.masks);
  const newMasks = new Set(candidate.masks);
  const added = [...newRules].filter((r) => !oldRules.has(r)).sort();
  const removed = [...oldRules].filter((r) => !newRules.has(r)).sort();
  const masksAdded = [...newMasks].filter((m) => !oldMasks.has(m)).sort();
  const masksRemoved = [...oldMasks].filter((m) => !newMasks.has(m)).sort();
  if (recorded.kind === candidate.kind && added.length + removed.length + masksAdded.length + masksRemoved.length === 0) return undefined;
  const rule =
    added[0] ??
    removed[0] ??
    (masksAdded[0] !== undefined ? `mask +${masksAdded[0]}` : masksRemoved[0] !== undefined ? `mask -${masksRemoved[0]}` : undefined) ??
    (candidate.kind === 'allow' ? (recorded.rules[0] ?? 'portcullis.default_deny') : (candidate.rules[0] ?? 'portcullis.default_deny'));
  return { from: recorded.kind, to: candidate.kind, rule };
}
