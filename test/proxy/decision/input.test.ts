// buildPolicyInput: the session's parts → the snake_case policy input (copies, clock, defaults).

import { describe, expect, it } from 'vitest';
import { buildPolicyInput } from '../../../proxy/decision/index.js';
import type { PolicyInputParts, StatementFactsLike } from '../../../proxy/decision/index.js';
import { FLAGS, NOW, sampleFacts, sampleParts } from './fixtures.js';
import type { StatementFacts } from '../../../proxy/sql/index.js';

// proxy/sql's facts must be accepted as they are (checked by the type checker).
const acceptsSqlFacts = (f: StatementFacts): StatementFactsLike => f;
void acceptsSqlFacts;

describe('buildPolicyInput', () => {
  it('maps every part to the documented snake_case fields', () => {
    expect(buildPolicyInput(sampleParts)).toEqual({
      identity: { sub: 'agent-7', iss: 'https://issuer.example', aud: ['portcullis'], exp: 1767229200, roles: ['db:read'] },
      connection: { database: 'app', user: 'agent', application_name: 'psql', client_address: '127.0.0.1', tls: true },
      statement: {
        kind: 'select',
        command: 'SELECT',
        text: 'SELECT *, email AS e FROM customers',
        tables: { read: ['public.customers'], written: [] },
        columns: {
          read: [{ table: 'public.customers', column: 'email' }],
          written: [],
          uses: [{ table: 'public.customers', column: 'email', use: 'output' }],
        },
        functions: [],
        routines: [],
        flags: FLAGS,
        parameters: 0,
        fingerprint: 'abc',
        output: {
          columns: [
            { position: 1, name: '*', star: {}, derived: [] },
            { position: 2, name: 'e', source: { table: 'public.customers', column: 'email' }, derived: [] },
          ],
          whole_row: false,
        },
        params: ['42', null],
      },
      session: { statements: 3, rows_returned: 17, in_transaction: true, age_seconds: 12 },
      time: { now_ns: NOW * 1_000_000, rfc3339: '2026-01-01T12:00:00.250Z' },
    });
  });

  const cases: {
    note: string;
    parts: Partial<PolicyInputParts>;
    path: (i: ReturnType<typeof buildPolicyInput>) => unknown;
    want: unknown;
  }[] = [
    { note: 'simple protocol: params is null', parts: { params: undefined }, path: (i) => i.statement.params, want: null },
    { note: 'no output: null', parts: { statement: { ...sampleFacts, output: undefined } }, path: (i) => i.statement.output, want: null },
    {
      note: 'missing application_name is empty',
      parts: { connection: { database: 'app', user: 'u', clientAddress: '::1', tls: false } },
      path: (i) => i.connection.application_name,
      want: '',
    },
    {
      note: 'a clock behind the session start gives age 0',
      parts: { session: { statements: 0, rowsReturned: 0, inTransaction: false, startedAtMs: NOW + 5000 } },
      path: (i) => i.session.age_seconds,
      want: 0,
    },
    {
      note: 'fractional clock readings are floored',
      parts: { nowMs: NOW + 0.9 },
      path: (i) => i.time.rfc3339,
      want: '2026-01-01T12:00:00.250Z',
    },
    {
      note: 'routines in snake_case',
      parts: {
        routines: [
          {
            schema: 'pg_catalog',
            name: 'now',
            known: true,
            volatility: 'stable',
            securityDefiner: false,
            publicExecute: true,
            builtin: true,
            kinds: ['function'],
          },
        ],
      },
      path: (i) => i.statement.routines,
      want: [
        {
          schema: 'pg_catalog',
          name: 'now',
          known: true,
          volatility: 'stable',
          security_definer: false,
          public_execute: true,
          builtin: true,
          kinds: ['function'],
        },
      ],
    },
    {
      note: 'star with a table',
      parts: {
        statement: {
          ...sampleFacts,
          output: { columns: [{ position: 1, name: '*', star: { table: 'public.t' }, derived: [] }], wholeRow: true },
        },
      },
      path: (i) => i.statement.output,
      want: { columns: [{ position: 1, name: '*', star: { table: 'public.t' }, derived: [] }], whole_row: true },
    },
  ];
  it.each(cases)('$note', ({ parts, path, want }) => {
    expect(path(buildPolicyInput({ ...sampleParts, ...parts }))).toEqual(want);
  });

  it('copies, so later changes to the parts do not leak into the input', () => {
    const tables = { read: ['public.a'], written: [] as string[] };
    const params: (string | null)[] = ['1'];
    const claims: Record<string, unknown> = { sub: 'a' };
    const input = buildPolicyInput({ ...sampleParts, claims, params, statement: { ...sampleFacts, tables } });
    tables.read.push('public.b');
    params.push('2');
    claims['sub'] = 'b';
    expect(input.statement.tables.read).toEqual(['public.a']);
    expect(input.statement.params).toEqual(['1']);
    expect(input.identity['sub']).toBe('a');
  });

  it('produces plain JSON (no undefined fields)', () => {
    const input = buildPolicyInput(sampleParts);
    expect(JSON.parse(JSON.stringify(input))).toEqual(input);
  });
});
