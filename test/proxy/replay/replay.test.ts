// Shadow evaluation against a real PostgreSQL holding sample records (made with chain()) and a
// candidate policy compiled from a temporary directory that denies every DELETE and redacts
// customers' emails: changeOf's table, replay() grouping the changes (allow → deny, hold → deny,
// deny → deny by another rule, a changed mask) with counts and examples while skipping refused
// statements, and `portcullis replay` printing the report and exiting 1 with --fail-on-change.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../../bundles/index.js';
import { loadPolicy } from '../../../engine/index.js';
import { createDecider } from '../../../proxy/decision/index.js';
import type { Decision, PolicyInput } from '../../../proxy/decision/index.js';
import { createReloadImpact } from '../../../proxy/impact/index.js';
import { changeOf, replay, replayRecent } from '../../../proxy/replay/index.js';
import type { ReplayedDecision } from '../../../proxy/replay/index.js';
import { createStateStore } from '../../../proxy/state/index.js';
import type { StateStore } from '../../../proxy/state/index.js';
import { usePostgres } from '../../helpers/postgres.js';
import { S1, chainRecords, insertRecords, seedRecordings, statementBody } from '../../helpers/recording.js';
import { runCli } from '../cli/invocation.js';

const OWNER = { name: 'replay_owner', password: 'replay-owner-pw' };
const pgRef = usePostgres({ users: [OWNER], ownDatabases: ['replay'] });
const S4 = '44444444-4444-4444-8444-444444444444';

/** CANDIDATE denies every DELETE, keeps DROP denied, and redacts customers' emails. */
const CANDIDATE = `package portcullis

decision := {"allow": true, "deny": deny, "mask": mask}

deny contains {"reason": "the candidate allows no DELETE", "rule": "candidate.no_delete"} if input.statement.kind == "delete"

deny contains {"reason": "DROP TABLE is not allowed", "rule": "destructive_ddl.drop"} if input.statement.kind == "drop"

mask contains {"table": "public.customers", "column": "email", "kind": "redact"} if "public.customers" in input.statement.tables.read
`;

let dir: string;
let store: StateStore;
let decide: (input: PolicyInput) => Decision;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-replay-'));
  writeFileSync(join(dir, 'candidate.rego'), CANDIDATE);
  const { host, port } = pgRef.current;
  store = createStateStore({ host, port, database: 'replay', user: OWNER.name, password: OWNER.password, connectTimeoutMs: 5000 });
  await seedRecordings(store);
  // a second gateway's journal: two allowed DELETEs the candidate would deny, and a statement the gateway refused
  const allowed = { kind: 'allow' as const, rules: [], reasons: [], masks: [] };
  await insertRecords(
    store,
    chainRecords('gw-2', [
      { at: '2026-06-02T10:00:01.000Z', body: statementBody(S4, 1, 'DELETE FROM orders WHERE id = 1', 'delete', allowed) },
      { at: '2026-06-02T10:00:02.000Z', body: statementBody(S4, 2, 'DELETE FROM orders WHERE id = 2', 'delete', allowed) },
      {
        at: '2026-06-02T10:00:03.000Z',
        body: statementBody(S4, 3, 'SELECT 1; SELECT 2', 'select', {
          kind: 'refuse',
          rules: ['ERR_PROXY_MULTI_STATEMENT'],
          reasons: ['one statement at a time'],
          masks: [],
        }),
      },
    ]),
  );
  const loaded = await loadBundle({ kind: 'paths', paths: [dir], entrypoints: ['portcullis/decision'] });
  if (!loaded.ok) throw new Error('the candidate does not compile');
  const policy = await loadPolicy(loaded.bundle.wasm);
  policy.setData(loaded.bundle.data);
  const decider = createDecider({ policy, entrypoint: 'portcullis/decision' });
  decide = (input) => decider.decide(input);
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('changeOf', () => {
  const d = (kind: ReplayedDecision['kind'], rules: string[] = [], masks: string[] = []): ReplayedDecision => ({ kind, rules, masks });
  const cases: Array<{ note: string; recorded: ReplayedDecision; candidate: ReplayedDecision; want: unknown }> = [
    { note: 'the same decision', recorded: d('deny', ['a', 'b']), candidate: d('deny', ['b', 'a']), want: undefined },
    {
      note: 'allow to deny names the new rule',
      recorded: d('allow'),
      candidate: d('deny', ['x']),
      want: { from: 'allow', to: 'deny', rule: 'x' },
    },
    {
      note: 'deny to allow names the rule that stopped',
      recorded: d('deny', ['x']),
      candidate: d('allow'),
      want: { from: 'deny', to: 'allow', rule: 'x' },
    },
    {
      note: 'deny by another rule',
      recorded: d('deny', ['x']),
      candidate: d('deny', ['y']),
      want: { from: 'deny', to: 'deny', rule: 'y' },
    },
    {
      note: 'a mask added',
      recorded: d('allow'),
      candidate: d('allow', [], ['t.c:redact']),
      want: { from: 'allow', to: 'allow', rule: 'mask +t.c:redact' },
    },
    {
      note: 'a mask removed',
      recorded: d('allow', [], ['t.c:hash']),
      candidate: d('allow'),
      want: { from: 'allow', to: 'allow', rule: 'mask -t.c:hash' },
    },
    {
      note: 'a default deny',
      recorded: d('allow'),
      candidate: d('deny', []),
      want: { from: 'allow', to: 'deny', rule: 'portcullis.default_deny' },
    },
  ];
  it.each(cases)('$note', ({ recorded, candidate, want }) => {
    expect(changeOf(recorded, candidate)).toEqual(want);
  });
});

describe('replay', () => {
  it('reports what the candidate would change, grouped, with examples', async () => {
    const report = await replay({ store, decide });
    expect(report).toMatchObject({ examined: 9, compared: 8, skipped: 1, changed: 5, unchanged: 3 });
    expect(report.groups.map((g) => [g.from, g.to, g.rule, g.count])).toEqual([
      ['allow', 'deny', 'candidate.no_delete', 2],
      ['allow', 'allow', 'mask +public.customers.email:redact', 1],
      ['deny', 'deny', 'candidate.no_delete', 1],
      ['hold', 'deny', 'candidate.no_delete', 1],
    ]);
    expect(report.groups[0]?.examples).toEqual([
      {
        session: S4,
        statement: 1,
        at: '2026-06-02T10:00:01.000Z',
        text: 'DELETE FROM orders WHERE id = 1',
        recorded: { kind: 'allow', rules: [], masks: [] },
        candidate: { kind: 'deny', rules: ['candidate.no_delete'], masks: [] },
      },
      expect.objectContaining({ session: S4, statement: 2 }),
    ]);
    expect(report.groups[3]?.examples).toEqual([
      expect.objectContaining({ session: S1, statement: 4, text: 'DELETE FROM orders WHERE id = $1' }),
    ]);
  });

  it('keeps statements recorded since a time, and at most the asked examples', async () => {
    const report = await replay({ store, decide, since: new Date('2026-06-02T00:00:00Z'), examples: 1 });
    expect(report).toMatchObject({ examined: 3, compared: 2, skipped: 1, changed: 2 });
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0]?.examples).toHaveLength(1);
  });

  it('finds nothing to change when the candidate decides as recorded', async () => {
    const same = await replay({ store, since: new Date('2026-06-01T08:10:00Z'), decide: () => ({ kind: 'allow', masks: [] }) });
    expect(same).toMatchObject({ compared: 3, changed: 0, unchanged: 3, groups: [] });
    const none = await replay({ store, since: new Date('2026-06-03T00:00:00Z'), decide });
    expect(none).toEqual({ examined: 0, compared: 0, unchanged: 0, changed: 0, skipped: 0, groups: [] });
  });
});

describe('replayRecent', () => {
  it.each([
    { limit: 3, want: { examined: 3, compared: 2, skipped: 1, changed: 2 }, statements: [2, 1] },
    { limit: 1, want: { examined: 1, compared: 0, skipped: 1, changed: 0 }, statements: [] },
    { limit: 0, want: { examined: 0, compared: 0, skipped: 0, changed: 0 }, statements: [] },
    { limit: 100, want: { examined: 9, compared: 8, skipped: 1, changed: 5 }, statements: [2, 1] },
  ])('re-decides the newest $limit records, newest first', async ({ limit, want, statements }) => {
    const report = await replayRecent({ store, decide, limit });
    expect(report).toMatchObject(want);
    const deletes = report.groups.find((g) => g.from === 'allow' && g.to === 'deny');
    expect(deletes?.examples.map((e) => e.statement) ?? []).toEqual(statements);
  });
});

describe('createReloadImpact', () => {
  it('compares after an activation and keeps the last comparison', async () => {
    const impact = createReloadImpact({ store, deciderFor: () => decide, now: () => new Date('2026-06-03T00:00:00Z') });
    expect(impact.last()).toBeUndefined();
    impact.activated('rev-2', 'rev-1');
    expect(impact.last()).toMatchObject({ revision: 'rev-2', previous: 'rev-1', state: 'running' });
    await impact.settled();
    expect(impact.last()).toMatchObject({ state: 'done', report: { examined: 9, changed: 5 } });
    // a newer activation supersedes: its comparison is the one kept
    impact.activated('rev-3', 'rev-2');
    impact.activated('rev-4', 'rev-3');
    await impact.settled();
    expect(impact.last()).toMatchObject({ revision: 'rev-4', previous: 'rev-3', state: 'done', report: { changed: 5 } });
  });

  it('says so when the policy is no longer active or the recording cannot be read', async () => {
    const gone = createReloadImpact({ store, deciderFor: () => undefined });
    gone.activated('rev-2', 'rev-1');
    expect(gone.last()).toMatchObject({ state: 'failed', message: 'the policy is no longer the active one' });
    const problems: string[] = [];
    const closed = createStateStore({
      host: '127.0.0.1',
      port: 1,
      database: 'replay',
      user: OWNER.name,
      password: 'x',
      connectTimeoutMs: 500,
    });
    const broken = createReloadImpact({ store: closed, deciderFor: () => decide, onProblem: (m) => problems.push(m) });
    broken.activated('rev-2', 'rev-1');
    await broken.settled();
    await closed.close();
    // the caller learns only that the recording could not be read; the operator's log gets the store's message
    expect(broken.last()).toEqual({
      revision: 'rev-2',
      previous: 'rev-1',
      at: expect.any(Date),
      state: 'failed',
      message: 'the recorded statements could not be read from the state store',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^reload impact: /);
  });
});

describe('portcullis replay', () => {
  let config: string;
  beforeAll(() => {
    const { host, port } = pgRef.current;
    config = join(dir, 'opa.config.yaml');
    writeFileSync(
      config,
      [
        'upstream: {database: app, user: gw}',
        'identity: {issuer: "https://idp.example", audience: portcullis, jwks: {url: "https://idp.example/jwks"}}',
        `policy: {paths: [${JSON.stringify(dir)}]}`,
        `state: {host: 127.0.0.1, port: ${port}, database: replay, user: ${OWNER.name}, password_env: REPLAY_STATE_PW}`,
        '',
      ].join('\n'),
    );
    expect(host).toBe('127.0.0.1');
  });
  const env = (): Record<string, string> => ({ REPLAY_STATE_PW: OWNER.password });

  it('prints the changes and exits 1 with --fail-on-change', async () => {
    const r = await runCli(['replay', '--config', config, '--paths', dir, '--since', '2026-06-02T00:00:00Z', '--fail-on-change'], env());
    expect(r).toEqual({
      code: 1,
      stderr: '',
      stdout: [
        '2 statements re-decided (1 skipped of 3 recorded): 2 would change, 0 unchanged',
        '',
        'allow -> deny  candidate.no_delete  (2 statements)',
        `  session ${S4} #1  2026-06-02T10:00:01.000Z`,
        '    DELETE FROM orders WHERE id = 1',
        '    recorded: allow',
        '    candidate: deny; rules candidate.no_delete',
        `  session ${S4} #2  2026-06-02T10:00:02.000Z`,
        '    DELETE FROM orders WHERE id = 2',
        '    recorded: allow',
        '    candidate: deny; rules candidate.no_delete',
        '',
      ].join('\n'),
    });
  });

  it('exits 0 without --fail-on-change, and prints JSON with --json', async () => {
    const r = await runCli(['replay', '--config', config, '--paths', dir, '--json'], env());
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ examined: 9, changed: 5 });
  });

  it('exits 1 when the store cannot be logged in to, without naming the password', async () => {
    const r = await runCli(['replay', '--config', config, '--paths', dir], { REPLAY_STATE_PW: 'wrong-password' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^portcullis: replay: /);
    expect(r.stderr).not.toContain('wrong-password');
  });

  const usage: Array<{ note: string; argv: string[]; message: string }> = [
    {
      note: 'no candidate',
      argv: ['replay'],
      message: 'replay: give the candidate policy as --bundle <file> or --paths <dir> (one of them)',
    },
    {
      note: 'both candidates',
      argv: ['replay', '--bundle', 'b.tar.gz', '--paths', 'p'],
      message: 'replay: give the candidate policy as --bundle <file> or --paths <dir> (one of them)',
    },
    {
      note: 'a bad since',
      argv: ['replay', '--paths', 'p', '--since', 'soon'],
      message: 'replay: --since "soon" is not an RFC 3339 time or a duration such as 7d',
    },
  ];
  it.each(usage)('refuses $note (exit 2)', async ({ argv, message }) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`portcullis: ${message}\n`);
  });
});
