// Test helper for the sessions views, their admin routes, the `sessions` command and replay: the
// recording_records table (created here as the shipper's migration will, not migrated), sample
// records made with chain() for a mixed session (allowed, masked, denied, held) and two more, and
// their insertion into a state store; and the shipped audit policy, compiled as the gateway does.

import { fileURLToPath } from 'node:url';
import { loadBundle } from '../../bundles/index.js';
import { formatDiagnostic, loadPolicy } from '../../engine/index.js';
import { createAuditDecider } from '../../proxy/decision/index.js';
import type { AuditDecisionInput, AuditVerdict } from '../../proxy/decision/index.js';
import { chain } from '../../proxy/recording/index.js';
import type { ChainedRecord, DecisionRecord, RecordBody, StatementBody } from '../../proxy/recording/index.js';
import type { StateStore } from '../../proxy/state/index.js';

/** SESSION ids of the sample sessions: s1 mixed (alice, app), s2 open (bob, analytics), s3 older (alice, app). */
export const S1 = '11111111-1111-4111-8111-111111111111';
export const S2 = '22222222-2222-4222-8222-222222222222';
export const S3 = '33333333-3333-4333-8333-333333333333';
export const ISS = 'https://issuer.test';

/** statementBody builds a statement record body; `input` defaults to a small policy input of its kind. */
export function statementBody(
  session: string,
  statement: number,
  text: string,
  kind: string,
  decision: DecisionRecord,
  over: Partial<StatementBody> = {},
): StatementBody {
  return {
    kind: 'statement',
    session,
    statement,
    text,
    params: null,
    statement_kind: kind,
    command: kind.toUpperCase(),
    tables: { read: ['public.orders'], written: kind === 'delete' ? ['public.orders'] : [] },
    columns: { read: [], written: [] },
    flags: [],
    fingerprint: `fp-${session.slice(0, 4)}-${statement}`,
    decision,
    approval: null,
    policy_revision: 'rev-1',
    input: { statement: { kind, tables: { read: ['public.orders'], written: kind === 'delete' ? ['public.orders'] : [] } } },
    ...over,
  };
}

const allow = (masks: string[] = []): DecisionRecord => ({ kind: 'allow', rules: [], reasons: [], masks });

/** sampleBodies are the sample facts, in journal order, with the time each was recorded. */
export function sampleBodies(): { at: string; body: RecordBody }[] {
  const start = (session: string, sub: string, database: string, gateway: string) => ({
    kind: 'session.start' as const,
    session,
    identity: { sub, iss: ISS, claims: { sub, iss: ISS, roles: ['db:write'] } },
    connection: { database, user: sub, application_name: 'psql', client_address: '127.0.0.1', tls: false },
    role: 'portcullis_writer',
    gateway,
    policy_revision: 'rev-1',
  });
  const outcome = (session: string, statement: number, tag: string, rows: number, columns: string[]) => ({
    kind: 'statement.outcome' as const,
    session,
    statement,
    tag,
    sqlstate: null,
    message: null,
    rows,
    columns,
    digest: 'ab'.repeat(32),
    duration_ms: 3,
  });
  return [
    { at: '2026-05-20T09:00:00.000Z', body: start(S3, 'alice', 'app', 'gw-1') },
    {
      at: '2026-05-20T09:00:01.000Z',
      body: statementBody(S3, 1, 'DROP TABLE orders', 'drop', {
        kind: 'deny',
        rules: ['destructive_ddl.drop'],
        reasons: ['DROP TABLE is not allowed'],
        masks: [],
      }),
    },
    {
      at: '2026-05-20T09:00:02.000Z',
      body: { kind: 'session.end', session: S3, reason: 'client closed', statements: 1, rows: 0, duration_ms: 2000 },
    },
    { at: '2026-06-01T08:00:00.000Z', body: start(S1, 'alice', 'app', 'gw-1') },
    { at: '2026-06-01T08:00:01.000Z', body: statementBody(S1, 1, 'SELECT id FROM orders', 'select', allow()) },
    { at: '2026-06-01T08:00:01.010Z', body: outcome(S1, 1, 'SELECT 2', 2, ['id']) },
    {
      at: '2026-06-01T08:00:02.000Z',
      body: statementBody(S1, 2, 'SELECT email FROM customers', 'select', allow(['public.customers.email:partial']), {
        tables: { read: ['public.customers'], written: [] },
        input: { statement: { kind: 'select', tables: { read: ['public.customers'], written: [] } } },
      }),
    },
    {
      at: '2026-06-01T08:00:02.010Z',
      // recorded with `recording.results: capped`: the rows as the agent saw them (masked), the third past the cap
      body: { ...outcome(S1, 2, 'SELECT 3', 3, ['email']), result_rows: [['a****@example.com'], [null]], result_truncated: true },
    },
    {
      at: '2026-06-01T08:00:03.000Z',
      body: statementBody(S1, 3, 'DELETE FROM orders', 'delete', {
        kind: 'deny',
        rules: ['where_clause.delete'],
        reasons: ['DELETE without WHERE is not allowed'],
        masks: [],
      }),
    },
    {
      at: '2026-06-01T08:00:04.000Z',
      body: statementBody(
        S1,
        4,
        'DELETE FROM orders WHERE id = $1',
        'delete',
        { kind: 'hold', rules: ['production.write'], reasons: ['writes to production need a human'], masks: [] },
        { params: ['7'] },
      ),
    },
    {
      at: '2026-06-01T08:00:08.900Z',
      body: { kind: 'statement.approval', session: S1, statements: [4], approval: 'req-1', outcome: 'approved', code: null, reason: null },
    },
    { at: '2026-06-01T08:00:09.000Z', body: outcome(S1, 4, 'DELETE 1', 1, []) },
    {
      at: '2026-06-01T08:00:10.000Z',
      body: { kind: 'session.end', session: S1, reason: 'client closed', statements: 4, rows: 6, duration_ms: 10_000 },
    },
    { at: '2026-06-01T08:10:00.000Z', body: start(S2, 'bob', 'analytics', 'gw-2') },
    { at: '2026-06-01T08:10:01.000Z', body: statementBody(S2, 1, 'SELECT 1', 'select', allow()) },
    // recorded with `recording.results: capped`: the rows themselves too
    {
      at: '2026-06-01T08:10:01.005Z',
      body: { ...outcome(S2, 1, 'SELECT 1', 1, ['?column?']), result_rows: [['1']], result_truncated: false },
    },
  ];
}

/** chainRecords chains bodies into one journal, as a gateway writes them. */
export function chainRecords(journal: string, bodies: readonly { at: string; body: RecordBody }[]): ChainedRecord[] {
  const out: ChainedRecord[] = [];
  let prev = '';
  bodies.forEach(({ at, body }, i) => {
    const r = chain(journal, i + 1, prev, at, body);
    out.push(r);
    prev = r.hash;
  });
  return out;
}

/** insertRecords stores chained records as the shipper does (one row each). */
export async function insertRecords(store: Pick<StateStore, 'query'>, records: readonly ChainedRecord[]): Promise<void> {
  for (const r of records) {
    const b = r.body as { session?: string; statement?: number };
    await store.query(
      'INSERT INTO portcullis.recording_records (journal, seq, at, prev, hash, kind, session, statement, body) VALUES ($1, $2::bigint, $3::timestamptz, $4, $5, $6, $7, $8::integer, $9::json)',
      [
        r.journal,
        String(r.seq),
        r.at,
        r.prev,
        r.hash,
        r.body.kind,
        b.session ?? null,
        b.statement === undefined ? null : String(b.statement),
        r.bodyJson,
      ],
    );
  }
}

/** seedRecordings stores the sample records in one journal (the store's own migrations create the table). */
export async function seedRecordings(store: Pick<StateStore, 'query'>): Promise<ChainedRecord[]> {
  const records = chainRecords('gw-1', sampleBodies());
  await insertRecords(store, records);
  return records;
}

/** shippedAuditDecide compiles policies/ as the gateway does (annotated entrypoints included) and returns its audit decide function. */
export async function shippedAuditDecide(): Promise<(input: AuditDecisionInput) => AuditVerdict> {
  const loaded = await loadBundle({ kind: 'paths', paths: [POLICIES], entrypoints: ['portcullis/decision'] });
  if (!loaded.ok) throw new Error(loaded.diagnostics.map(formatDiagnostic).join('\n'));
  const policy = await loadPolicy(loaded.bundle.wasm);
  policy.setData(loaded.bundle.data);
  const decider = createAuditDecider({ policy });
  return (input) => decider.decide(input);
}

/** POLICIES is the shipped policy library. */
export const POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));
