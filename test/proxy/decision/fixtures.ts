// Shared fixtures for the decision tests: one statement's facts and the session parts around it.

import type { PolicyInputParts, StatementFactsLike } from '../../../proxy/decision/index.js';

export const FLAGS = {
  ddl: false,
  destructive: false,
  delete_without_where: false,
  update_without_where: false,
  copy_program: false,
  copy_server_file: false,
  copy_from_stdin: false,
  copy_to_stdout: false,
  dynamic_sql: false,
  set_role: false,
  session_authorization: false,
  data_modifying_cte: false,
  select_star: true,
  has_where: false,
  for_update: false,
  cascade: false,
  into: false,
};

export const sampleFacts: StatementFactsLike = {
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
  flags: FLAGS,
  parameters: 0,
  fingerprint: 'abc',
  output: {
    columns: [
      { position: 1, name: '*', star: {}, derived: [] },
      { position: 2, name: 'e', source: { table: 'public.customers', column: 'email' }, derived: [] },
    ],
    wholeRow: false,
  },
};

export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0, 250);

export const sampleParts: PolicyInputParts = {
  claims: { sub: 'agent-7', iss: 'https://issuer.example', aud: ['portcullis'], exp: 1767229200, roles: ['db:read'] },
  connection: { database: 'app', user: 'agent', applicationName: 'psql', clientAddress: '127.0.0.1', tls: true },
  statement: sampleFacts,
  params: ['42', null],
  session: { statements: 3, rowsReturned: 17, inTransaction: true, startedAtMs: NOW - 12_999 },
  nowMs: NOW,
};
