// `portcullis approvals` in-process against a real admin server on 127.0.0.1 (in-memory
// ApprovalService, tokens from a served dev issuer): argument grammar, list/show/approve/deny in
// text and --json, API errors as code and message (exit 1; the audit policy's refusal to read
// approvals with its reasons), a missing token (exit 2), and an
// admin API that cannot be reached. The clock is frozen so ages and expiries print exactly.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sampleRequest, startAdminStack } from '../../helpers/admin.js';
import type { AdminStack } from '../../helpers/admin.js';
import { portOpen } from '../../helpers/ports.js';
import { parseFlat, runCli } from './invocation.js';
import type { Flat } from './invocation.js';

const NOW = Date.parse('2026-06-01T08:05:00.000Z');

let stack: AdminStack;
let env: Record<string, string>;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
  stack = await startAdminStack({}, [
    sampleRequest('req-a'),
    sampleRequest('req-b', {
      database: 'analytics',
      requester: { sub: 'etl-bot', iss: 'https://idp.example', claims: {} },
      statements: [
        {
          text: 'TRUNCATE staging',
          params: null,
          fingerprint: 'fp-2',
          kind: 'truncate',
          tables: { read: [], written: ['public.staging'] },
        },
        { text: 'VACUUM staging', params: null, fingerprint: 'fp-3', kind: 'vacuum', tables: { read: [], written: [] } },
      ],
    }),
    sampleRequest('req-c', { status: 'denied', resolved_at: '2026-06-01T08:02:00.000Z' }),
  ]);
  env = { PORTCULLIS_ADMIN_URL: stack.server.url, PORTCULLIS_TOKEN: await stack.token('alice') };
});
afterAll(async () => {
  await stack.close();
  vi.useRealTimers();
});

describe('parsing approvals', () => {
  const cases: Array<{ note: string; argv: string[]; want: Flat }> = [
    { note: 'list', argv: ['approvals', 'list'], want: { kind: 'approvals', action: { kind: 'list' }, json: false } },
    {
      note: 'list with a status, limit, URL, token and --json',
      argv: ['approvals', 'list', '--status', 'pending', '--limit', '5', '--admin-url', 'https://gw:9187', '--token', 't', '--json'],
      want: {
        kind: 'approvals',
        action: { kind: 'list', status: 'pending', limit: 5 },
        adminUrl: 'https://gw:9187',
        token: 't',
        json: true,
      },
    },
    { note: 'show', argv: ['approvals', 'show', 'req-a'], want: { kind: 'approvals', action: { kind: 'show', id: 'req-a' }, json: false } },
    {
      note: 'approve',
      argv: ['approvals', 'approve', 'req-a', '--reason', 'ticket 12'],
      want: { kind: 'approvals', action: { kind: 'approve', id: 'req-a', reason: 'ticket 12' }, json: false },
    },
    {
      note: 'deny',
      argv: ['approvals', 'deny', 'req-a', '--reason', 'no'],
      want: { kind: 'approvals', action: { kind: 'deny', id: 'req-a', reason: 'no' }, json: false },
    },
    ...(
      [
        ['no subcommand', ['approvals'], 'approvals: a subcommand is required (list, show, approve, deny)'],
        ['an unknown subcommand', ['approvals', 'grant'], 'approvals: unknown subcommand "grant" (expected list, show, approve, deny)'],
        ['approve without a reason', ['approvals', 'approve', 'req-a'], 'approvals approve: --reason <text> is required'],
        ['deny with a blank reason', ['approvals', 'deny', 'req-a', '--reason', ' '], 'approvals deny: --reason <text> is required'],
        ['show without an id', ['approvals', 'show'], 'approvals show: the request id is required'],
        ['show with a bad id', ['approvals', 'show', '../x'], 'approvals show: "../x" is not a request id'],
        ['show with two ids', ['approvals', 'show', 'a', 'b'], 'approvals show: unexpected argument "b"'],
        [
          'list with a bad status',
          ['approvals', 'list', '--status', 'open'],
          'approvals list: --status must be one of pending, approved, denied, expired, withdrawn',
        ],
        ['list with a bad limit', ['approvals', 'list', '--limit', '0'], 'approvals list: --limit "0" is not a number from 1 to 500'],
        ['list with a reason', ['approvals', 'list', '--reason', 'x'], 'approvals list: --reason is an option of approve and deny'],
        [
          'show with a status',
          ['approvals', 'show', 'a', '--status', 'pending'],
          'approvals show: --status and --limit are options of list',
        ],
        ['a bad URL', ['approvals', 'list', '--admin-url', 'ftp://x'], 'approvals: --admin-url "ftp://x" is not an http(s) URL'],
      ] as const
    ).map(([note, argv, message]) => ({ note, argv: [...argv], want: { kind: 'usage-error', topic: 'approvals', message } as Flat })),
  ];
  it.each(cases)('$note', ({ argv, want }) => {
    expect(parseFlat(argv)).toEqual(want);
  });
});

describe('approvals against the admin API', () => {
  it('list prints an aligned table, newest first', async () => {
    const r = await runCli(['approvals', 'list'], env);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'ID     STATUS   AGE  REQUESTER  DATABASE   STATEMENT                                                     EXPIRES IN',
        'req-c  denied   5m   agent-7    app        DELETE FROM invoices WHERE created_at < $1 AND customer_id …  -',
        'req-b  pending  5m   etl-bot    analytics  TRUNCATE staging (+1)                                         10m',
        'req-a  pending  5m   agent-7    app        DELETE FROM invoices WHERE created_at < $1 AND customer_id …  10m',
        '',
      ].join('\n'),
    });
  });

  it('list --status filters, and an empty list says so', async () => {
    expect((await runCli(['approvals', 'list', '--status', 'denied'], env)).stdout).toMatch(/^ID .*\nreq-c .*\n$/);
    expect(await runCli(['approvals', 'list', '--status', 'expired'], env)).toEqual({
      code: 0,
      stdout: 'no approval requests\n',
      stderr: '',
    });
  });

  it('list --json prints the API answer', async () => {
    const r = await runCli(['approvals', 'list', '--limit', '1', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ approvals: [stack.service.requests.get('req-c')] });
  });

  it('show prints every field, the statements with params, the reasons and the history', async () => {
    const r = await runCli(['approvals', 'show', 'req-a'], env);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'id:              req-a',
        'status:          pending',
        'mode:            hold',
        'requester:       agent-7 (https://idp.example)',
        'claims:          {"sub":"agent-7","team":"billing"}',
        'session:         sess-1',
        'database:        app',
        'policy revision: rev-1',
        'min approvals:   1',
        'created:         2026-06-01T08:00:00.000Z (5m ago)',
        'expires:         2026-06-01T08:15:00.000Z (in 10m)',
        'resolved:        -',
        'executed:        -',
        '',
        'reasons:',
        '  - bulk delete needs a human [data.portcullis.approval.bulk_delete]',
        '',
        'statements:',
        '  1. delete (writes public.invoices; reads public.customers), fingerprint fp-1',
        '     DELETE FROM invoices WHERE created_at < $1 AND customer_id IN (SELECT id FROM customers WHERE closed)',
        '     params: $1="2020-01-01"',
        '',
        'events:',
        '  2026-06-01T08:00:00.000Z  requested  https://idp.example#agent-7',
        '',
      ].join('\n'),
    });
  });

  it('show --json prints the view', async () => {
    const r = await runCli(['approvals', 'show', 'req-b', '--json'], env);
    expect(JSON.parse(r.stdout)).toEqual(stack.service.requests.get('req-b'));
  });

  it('approve, then approve again: the second is the API error, exit 1', async () => {
    expect(await runCli(['approvals', 'approve', 'req-a', '--reason', 'ticket OPS-12'], env)).toEqual({
      code: 0,
      stdout: 'req-a: approval recorded; status approved\n',
      stderr: '',
    });
    expect(await runCli(['approvals', 'approve', 'req-a', '--reason', 'again'], env)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'portcullis: ERR_APPROVAL_NOT_PENDING: request req-a is approved\n',
    });
    const shown = await runCli(['approvals', 'show', 'req-a'], env);
    expect(shown.stdout).toContain(`  2026-06-01T08:05:00.000Z  approved  ${stack.issuer.url}#alice  "ticket OPS-12"\n`);
  });

  it('deny --json prints the view', async () => {
    const r = await runCli(['approvals', 'deny', 'req-b', '--reason', 'freeze', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'req-b', status: 'denied' });
  });

  it('a refusal prints the code, the message and the policy reasons', async () => {
    stack.service.requests.set('req-d', sampleRequest('req-d'));
    const token = await stack.token('mallory', { role: 'viewer' });
    expect(await runCli(['approvals', 'deny', 'req-d', '--reason', 'x', '--token', token], env)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'portcullis: ERR_APPROVAL_FORBIDDEN: the approval policy refused\n  - only approvers may act [data.portcullis.approval.deny]\n',
    });
  });

  it.each([
    ['list', ['approvals', 'list'], ''],
    ['show', ['approvals', 'show', 'req-b'], ", or the token must be the requester's"],
    ['show (an unknown id)', ['approvals', 'show', 'nope'], ", or the token must be the requester's"],
  ])('a token that may not read approvals (%s): the audit policy refuses with its reasons, exit 1', async (_note, argv, tail) => {
    const token = await stack.token('bot', { roles: ['db:read'] });
    expect(await runCli([...argv, '--token', token], env)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'portcullis: ERR_ADMIN_FORBIDDEN: the audit policy does not let you read approval requests\n' +
        `  - identity "bot" may not read approval requests: the token's roles must include one of ["audit:read", "audit:admin", "db:approver"]${tail} [audit.approvals_role]\n`,
    });
  });

  it.each([
    { note: 'unknown id', argv: ['approvals', 'show', 'nope'], stderr: 'portcullis: ERR_APPROVAL_NOT_FOUND: no approval request nope\n' },
    {
      note: 'bad token',
      argv: ['approvals', 'list', '--token', 'not-a-jwt'],
      stderr: 'portcullis: ERR_ADMIN_UNAUTHENTICATED: the token is not valid\n',
    },
  ])('API error ($note): code and message on stderr, exit 1', async ({ argv, stderr }) => {
    expect(await runCli(argv, env)).toEqual({ code: 1, stdout: '', stderr });
  });

  it('no token at all is exit 2 with a clear message', async () => {
    expect(await runCli(['approvals', 'list'], { PORTCULLIS_ADMIN_URL: stack.server.url })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'portcullis: approvals: no token: pass --token <jwt> or set PORTCULLIS_TOKEN\n',
    });
  });

  it('--admin-url and --token win over the environment', async () => {
    const r = await runCli(['approvals', 'list', '--admin-url', stack.server.url, '--token', env['PORTCULLIS_TOKEN'] ?? ''], {
      PORTCULLIS_ADMIN_URL: 'http://127.0.0.1:1',
      PORTCULLIS_TOKEN: 'stale',
    });
    expect(r.code).toBe(0);
  });

  it('an admin API that is not listening: "cannot reach", exit 1', async () => {
    const dead = await startAdminStack();
    const url = dead.server.url;
    await dead.close();
    expect(await portOpen(dead.server.port)).toBe(false);
    expect(await runCli(['approvals', 'list'], { PORTCULLIS_ADMIN_URL: url, PORTCULLIS_TOKEN: 't' })).toEqual({
      code: 1,
      stdout: '',
      stderr: `portcullis: cannot reach the admin API at ${url} (connection refused)\n`,
    });
  });
});
