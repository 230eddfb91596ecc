// `portcullis sessions` in-process against a real admin server on 127.0.0.1 whose sessions views
// read sample records from a real PostgreSQL and whose audit policy is the shipped one: argument
// grammar, list (filters, paging hint, --json), show (the timeline: decisions, reasons, rows seen,
// outcomes), a token the audit policy refuses (exit 1 with the reasons) and a missing token (exit 2).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionViews } from '../../../proxy/sessions/index.js';
import { createStateStore } from '../../../proxy/state/index.js';
import type { StateStore } from '../../../proxy/state/index.js';
import { startAdminStack } from '../../helpers/admin.js';
import type { AdminStack } from '../../helpers/admin.js';
import { usePostgres } from '../../helpers/postgres.js';
import { ISS, S1, S2, S3, seedRecordings, shippedAuditDecide } from '../../helpers/recording.js';
import { parseFlat, runCli } from './invocation.js';
import type { Flat } from './invocation.js';

const OWNER = { name: 'sessions_cli', password: 'sessions-cli-pw' };
const pgRef = usePostgres({ users: [OWNER], ownDatabases: ['sessions_cli'] });

let store: StateStore;
let stack: AdminStack;
let env: Record<string, string>;

beforeAll(async () => {
  const { host, port } = pgRef.current;
  store = createStateStore({ host, port, database: 'sessions_cli', user: OWNER.name, password: OWNER.password, connectTimeoutMs: 5000 });
  await seedRecordings(store);
  stack = await startAdminStack({ sessions: createSessionViews(store), audit: await shippedAuditDecide() });
  env = { PORTCULLIS_ADMIN_URL: stack.server.url, PORTCULLIS_TOKEN: await stack.token('ada', { roles: ['audit:read'] }) };
});
afterAll(async () => {
  await stack?.close();
  await store?.close();
});

describe('parsing sessions', () => {
  const cases: Array<{ note: string; argv: string[]; want: Flat }> = [
    { note: 'list', argv: ['sessions', 'list'], want: { kind: 'sessions', action: { kind: 'list' }, json: false } },
    {
      note: 'list with every filter',
      argv: [
        'sessions',
        'list',
        '--sub',
        'a',
        '--iss',
        'i',
        '--since',
        '24h',
        '--decision',
        'deny',
        '--database',
        'app',
        '--limit',
        '5',
        '--json',
      ],
      want: {
        kind: 'sessions',
        action: { kind: 'list', sub: 'a', iss: 'i', since: '24h', decision: 'deny', database: 'app', limit: 5 },
        json: true,
      },
    },
    { note: 'show', argv: ['sessions', 'show', S1], want: { kind: 'sessions', action: { kind: 'show', id: S1 }, json: false } },
    ...(
      [
        ['no subcommand', ['sessions'], 'sessions: a subcommand is required (list, show, kill)'],
        [
          'kill without a reason',
          ['sessions', 'kill', '11111111-1111-4111-8111-111111111111'],
          'sessions kill: --reason <text> is required',
        ],
        ['kill without an id', ['sessions', 'kill', '--reason', 'x'], 'sessions kill: the session id is required'],
        ['an unknown subcommand', ['sessions', 'stop'], 'sessions: unknown subcommand "stop" (expected list, show, kill)'],
        [
          'a bad decision',
          ['sessions', 'list', '--decision', 'nope'],
          'sessions list: --decision must be one of allow, deny, hold, refuse',
        ],
        [
          'a bad since',
          ['sessions', 'list', '--since', 'yesterday'],
          'sessions list: --since "yesterday" is not an RFC 3339 time or a duration such as 24h',
        ],
        ['a bad limit', ['sessions', 'list', '--limit', '501'], 'sessions list: --limit "501" is not a number from 1 to 500'],
        ['show without an id', ['sessions', 'show'], 'sessions show: the session id is required'],
        ['show with a bad id', ['sessions', 'show', '../x'], 'sessions show: "../x" is not a session id'],
        ['show with a list option', ['sessions', 'show', S1, '--sub', 'a'], 'sessions show: --sub is an option of list'],
        ['a bad URL', ['sessions', 'list', '--admin-url', 'ftp://x'], 'sessions: --admin-url "ftp://x" is not an http(s) URL'],
      ] as const
    ).map(([note, argv, message]) => ({ note, argv: [...argv], want: { kind: 'usage-error', topic: 'sessions', message } as Flat })),
  ];
  it.each(cases)('$note', ({ argv, want }) => {
    expect(parseFlat(argv)).toEqual(want);
  });
});

describe('sessions against the admin API', () => {
  it('list prints a table, newest first', async () => {
    const r = await runCli(['sessions', 'list'], env);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'ID                                    STARTED                   IDENTITY                     DATABASE   STATEMENTS  DENIED  HELD  ENDED',
        `${S2}  2026-06-01T08:10:00.000Z  bob (${ISS})    analytics  1           0       0     open`,
        `${S1}  2026-06-01T08:00:00.000Z  alice (${ISS})  app        4           1       1     2026-06-01T08:00:10.000Z (client closed)`,
        `${S3}  2026-05-20T09:00:00.000Z  alice (${ISS})  app        1           1       0     2026-05-20T09:00:02.000Z (client closed)`,
        '',
      ].join('\n'),
    });
  });

  it('list filters, and says how to get the next page', async () => {
    const r = await runCli(['sessions', 'list', '--decision', 'deny', '--limit', '1'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ID .*\\n${S1} .*\\nmore: --cursor [A-Za-z0-9_-]+\\n$`));
    const cursor = /--cursor (\S+)/.exec(r.stdout)?.[1] as string;
    const next = await runCli(['sessions', 'list', '--decision', 'deny', '--limit', '1', '--cursor', cursor], env);
    expect(next.stdout).toMatch(new RegExp(`^ID .*\\n${S3} .*\\n$`));
    expect(await runCli(['sessions', 'list', '--sub', 'nobody'], env)).toEqual({ code: 0, stdout: 'no recorded sessions\n', stderr: '' });
  });

  it('list --json prints the API answer', async () => {
    const r = await runCli(['sessions', 'list', '--sub', 'bob', '--json'], env);
    expect(JSON.parse(r.stdout)).toEqual({ sessions: [expect.objectContaining({ id: S2, gateway: 'gw-2' })] });
  });

  it('show prints the session and its timeline', async () => {
    const r = await runCli(['sessions', 'show', S1], env);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `session:         ${S1}`,
        `identity:        alice (${ISS})`,
        'database:        app as alice (role portcullis_writer)',
        'client:          127.0.0.1, psql',
        'gateway:         gw-1',
        'policy revision: rev-1',
        'started:         2026-06-01T08:00:00.000Z',
        'ended:           2026-06-01T08:00:10.000Z (client closed, 10000ms)',
        'statements:      4 (allow 2, deny 1, hold 1, refuse 0); 6 rows seen',
        '',
        'timeline:',
        '  #1  2026-06-01T08:00:01.000Z  select  ALLOW',
        '      SELECT id FROM orders',
        '      -> SELECT 2, 2 rows seen (id), 3ms, sha256 abababababababab',
        '  #2  2026-06-01T08:00:02.000Z  select  ALLOW, masks public.customers.email:partial',
        '      SELECT email FROM customers',
        '      -> SELECT 3, 3 rows seen (email), 3ms, sha256 abababababababab',
        '  #3  2026-06-01T08:00:03.000Z  delete  DENY',
        '      DELETE FROM orders',
        '      - DELETE without WHERE is not allowed [where_clause.delete]',
        '      -> not run',
        '  #4  2026-06-01T08:00:04.000Z  delete  HOLD',
        '      DELETE FROM orders WHERE id = $1',
        '      params: $1="7"',
        '      - writes to production need a human [production.write]',
        '      approval req-1: approved',
        '      -> DELETE 1, 1 rows seen, 3ms, sha256 abababababababab',
        '',
      ].join('\n'),
    });
  });

  it('show --decision keeps those statements; --json prints the session and every statement', async () => {
    const r = await runCli(['sessions', 'show', S1, '--decision', 'deny'], env);
    expect(r.stdout).toContain('#3');
    expect(r.stdout).not.toContain('#1 ');
    const j = await runCli(['sessions', 'show', S1, '--json'], env);
    const body = JSON.parse(j.stdout) as { session: { id: string }; statements: { statement: number }[] };
    expect(body.session.id).toBe(S1);
    expect(body.statements.map((s) => s.statement)).toEqual([1, 2, 3, 4]);
  });

  it('an unknown session prints the API error', async () => {
    expect(await runCli(['sessions', 'show', 'no-such-session'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'portcullis: ERR_SESSION_NOT_FOUND: no recorded session no-such-session\n',
    });
  });

  it('a token the audit policy refuses prints the reasons (exit 1)', async () => {
    const token = await stack.token('agent-7', { roles: ['db:write'] });
    expect(await runCli(['sessions', 'list'], { ...env, PORTCULLIS_TOKEN: token })).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'portcullis: ERR_ADMIN_FORBIDDEN: the audit policy does not let you read recorded sessions',
        `  - identity "agent-7" may not read recorded sessions: the token's roles must include one of ["audit:read", "audit:admin"] [audit.read_role]`,
        '',
      ].join('\n'),
    });
  });

  it('without a token exits 2', async () => {
    expect(await runCli(['sessions', 'list'], { PORTCULLIS_ADMIN_URL: stack.server.url })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'portcullis: sessions: no token: pass --token <jwt> or set PORTCULLIS_TOKEN\n',
    });
  });
});
