// The shipped policy library (policies/): its Rego unit tests pass through our engine, every
// rule family has tests, a wrong expectation does fail, and the compiled library decides real
// SQL (parsed by proxy/sql) as docs/policy.md describes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, formatDiagnostic, loadPolicy, runRegoTests } from '../../engine/index.js';
import type { SourceFile } from '../../engine/index.js';
import { buildPolicyInput, createDecider } from '../../proxy/decision/index.js';
import type { Decider, Decision } from '../../proxy/decision/index.js';
import { analyze, initSql } from '../../proxy/sql/index.js';
import { POLICIES_DIR, regoFiles } from '../helpers/policies.js';

const root = POLICIES_DIR;
const files = regoFiles();
const data = JSON.parse(readFileSync(join(root, 'data.json'), 'utf8')) as unknown;
const isTestFile = (f: SourceFile) => f.name.endsWith('_test.rego');

describe('policies/ Rego unit tests', async () => {
  const report = await runRegoTests(files, { data });

  it('compile without diagnostics', () => {
    expect(report.diagnostics.map(formatDiagnostic)).toEqual([]);
  });

  it.each(report.results.map((r) => ({ ...r, note: r.name })))('$note', ({ passed, error }) => {
    expect(error).toBeUndefined();
    expect(passed).toBe(true);
  });

  const families = ['access', 'read_only', 'destructive_ddl', 'where_clause', 'escape_hatches', 'pii', 'production'];
  it.each(families.map((family) => ({ family })))('family $family has a rule file and tests', ({ family }) => {
    expect(files.some((f) => f.name === `portcullis/rules/${family}.rego`)).toBe(true);
    const tests = report.results.filter((r) => r.name.startsWith(`data.portcullis.rules.${family}_test.test_`));
    expect(tests.length).toBeGreaterThanOrEqual(2);
  });

  it('every rule file has a test file', () => {
    const rules = files.filter((f) => !isTestFile(f)).map((f) => f.name.replace(/\.rego$/, ''));
    for (const r of rules) expect(files.map((f) => f.name)).toContain(`${r}_test.rego`);
  });

  it('a wrong expectation fails (the fixtures can tell outcomes apart)', async () => {
    const wrong = {
      name: 'wrong_test.rego',
      text: `package wrong_test

import data.portcullis.fixtures

test_reader_insert_allowed if {
	d := fixtures.decide(fixtures.reader, fixtures.insert_audit)
	count(d.deny) == 0
}
`,
    };
    const r = await runRegoTests([...files, wrong], { data, filter: /^data\.wrong_test\./ });
    expect(r.results.map((t) => [t.name, t.passed])).toEqual([['data.wrong_test.test_reader_insert_allowed', false]]);
  });
});

describe('the compiled library decides real SQL', () => {
  let decider: Decider;
  beforeAll(async () => {
    await initSql();
    const out = compile({ files: files.filter((f) => !isTestFile(f)) });
    expect(out.diagnostics.map(formatDiagnostic)).toEqual([]);
    // the entrypoints carry `# METADATA entrypoint: true`: statements, the login role, approvers' actions
    expect([...out.entrypoints].sort()).toEqual([
      'portcullis/approval',
      'portcullis/audit',
      'portcullis/connection',
      'portcullis/decision',
    ]);
    const policy = await loadPolicy(out.wasm as Uint8Array);
    policy.setData(data);
    decider = createDecider({ policy });
  });

  const reader = { sub: 'agent-r', roles: ['db:read'] };
  const writer = { sub: 'agent-w', roles: ['db:write'] };
  const admin = { sub: 'agent-a', scope: 'db:admin' };
  const support = { sub: 'agent-s', roles: ['db:read', 'pii:read'] };

  function decide(claims: Record<string, unknown>, sql: string): Decision {
    const analyzed = analyze(sql);
    if (!analyzed.ok) throw new Error(`analyze failed: ${analyzed.error.message}`);
    const [facts] = analyzed.statements;
    if (facts === undefined) throw new Error('no statement');
    const input = buildPolicyInput({
      claims: { iss: 'https://issuer.test', aud: 'portcullis', exp: 1893456000, ...claims },
      connection: { database: 'app', user: 'agent', clientAddress: '127.0.0.1', tls: false },
      statement: facts,
      session: { statements: 0, rowsReturned: 0, inTransaction: false, startedAtMs: 0 },
      nowMs: 1_000,
    });
    return decider.decide(input);
  }

  const pii = [
    { table: 'public.customers', column: 'card_number', kind: 'partial', keep: 4 },
    { table: 'public.customers', column: 'email', kind: 'partial', keep: 4 },
  ];
  const cases: { note: string; claims: Record<string, unknown>; sql: string; kind: Decision['kind']; rule?: string; masks?: unknown[] }[] =
    [
      { note: 'reader selects orders', claims: reader, sql: 'SELECT id, amount FROM orders WHERE status = $1', kind: 'allow', masks: pii },
      {
        note: 'reader selects customers: PII masked',
        claims: reader,
        sql: 'SELECT name, email AS contact FROM customers',
        kind: 'allow',
        masks: pii,
      },
      { note: 'reader with pii:read sees PII', claims: support, sql: 'SELECT * FROM customers', kind: 'allow', masks: [] },
      {
        note: 'reader inserts',
        claims: reader,
        sql: "INSERT INTO audit_log(actor, action) VALUES ('a', 'b')",
        kind: 'deny',
        rule: 'read_only.write',
      },
      {
        note: 'reader hides a write in a CTE',
        claims: reader,
        sql: 'WITH d AS (DELETE FROM audit_log WHERE id = 1 RETURNING *) SELECT * FROM d',
        kind: 'deny',
        rule: 'read_only.write',
      },
      {
        note: 'writer inserts into audit_log',
        claims: writer,
        sql: "INSERT INTO audit_log(actor, action) VALUES ('a', 'b')",
        kind: 'allow',
        masks: pii,
      },
      {
        note: 'writer updates orders: approval',
        claims: writer,
        sql: "UPDATE orders SET status = 'paid' WHERE id = 7",
        kind: 'hold',
        rule: 'production.write',
      },
      {
        note: 'writer deletes without WHERE',
        claims: writer,
        sql: 'DELETE FROM audit_log',
        kind: 'deny',
        rule: 'dml.delete_without_where',
      },
      {
        note: 'writer updates without WHERE',
        claims: writer,
        sql: "UPDATE audit_log SET action = 'x'",
        kind: 'deny',
        rule: 'dml.update_without_where',
      },
      { note: 'writer drops a table', claims: writer, sql: 'DROP TABLE scratch', kind: 'deny', rule: 'ddl.destructive' },
      { note: 'writer truncates', claims: writer, sql: 'TRUNCATE audit_log', kind: 'deny', rule: 'ddl.destructive' },
      { note: 'admin drops a table with CASCADE', claims: admin, sql: 'DROP TABLE scratch CASCADE', kind: 'deny', rule: 'ddl.destructive' },
      { note: 'admin truncates with CASCADE', claims: admin, sql: 'TRUNCATE audit_log CASCADE', kind: 'deny', rule: 'ddl.destructive' },
      { note: 'admin drops a schema', claims: admin, sql: 'DROP SCHEMA app', kind: 'deny', rule: 'ddl.destructive' },
      { note: 'admin drops a production table', claims: admin, sql: 'DROP TABLE orders', kind: 'hold', rule: 'production.write' },
      {
        note: 'admin drops its own tables (pgbench -i)',
        claims: admin,
        sql: 'drop table if exists pgbench_accounts, pgbench_branches',
        kind: 'allow',
        masks: pii,
      },
      { note: 'admin truncates its own table', claims: admin, sql: 'truncate table pgbench_history', kind: 'allow', masks: pii },
      {
        note: 'reader declares a cursor',
        claims: reader,
        sql: 'DECLARE c CURSOR FOR SELECT id, email FROM customers',
        kind: 'allow',
        masks: pii,
      },
      { note: 'reader fetches', claims: reader, sql: 'FETCH FORWARD 2000 FROM "c"', kind: 'allow', masks: pii },
      { note: 'reader closes', claims: reader, sql: 'CLOSE c', kind: 'allow', masks: pii },
      {
        note: 'reader declares a locking cursor',
        claims: reader,
        sql: 'DECLARE c CURSOR FOR SELECT id FROM orders FOR UPDATE',
        kind: 'deny',
        rule: 'read_only.write',
      },
      {
        note: 'reader declares a cursor over a masked expression',
        claims: reader,
        sql: 'DECLARE c CURSOR FOR SELECT upper(email) FROM customers',
        kind: 'deny',
        rule: 'pii.masked_use',
      },
      {
        note: 'admin COPY ... PROGRAM',
        claims: admin,
        sql: "COPY audit_log TO PROGRAM 'cat > /tmp/x'",
        kind: 'deny',
        rule: 'escape.copy_program',
      },
      {
        note: 'admin COPY to a server file',
        claims: admin,
        sql: "COPY audit_log TO '/tmp/x.csv'",
        kind: 'deny',
        rule: 'escape.copy_server_file',
      },
      {
        note: 'reader COPY from a server file',
        claims: reader,
        sql: "COPY (SELECT 1) TO '/tmp/x.csv'",
        kind: 'deny',
        rule: 'escape.copy_server_file',
      },
      { note: 'admin SET ROLE', claims: admin, sql: 'SET ROLE postgres', kind: 'deny', rule: 'escape.set_role' },
      { note: 'admin DISCARD ALL (resets the role)', claims: admin, sql: 'DISCARD ALL', kind: 'deny', rule: 'escape.set_role' },
      { note: 'reader RESET ROLE', claims: reader, sql: 'RESET ROLE', kind: 'deny', rule: 'escape.set_role' },
      {
        note: 'reader set_config role in FROM',
        claims: reader,
        sql: "SELECT * FROM pg_catalog.set_config('role', 'portcullis_admin', false)",
        kind: 'deny',
        rule: 'escape.set_role',
      },
      { note: 'reader RESET ALL (keeps the role)', claims: reader, sql: 'RESET ALL', kind: 'allow', masks: pii },
      {
        note: 'admin DO block',
        claims: admin,
        sql: "DO $$ BEGIN EXECUTE 'DROP TABLE orders'; END $$",
        kind: 'deny',
        rule: 'escape.dynamic_sql',
      },
      { note: 'writer creates a table', claims: writer, sql: 'CREATE TABLE t (a int)', kind: 'deny', rule: 'access.kind_not_granted' },
      { note: 'token without a role', claims: { sub: 'x' }, sql: 'SELECT 1', kind: 'deny', rule: 'access.no_role' },
      {
        note: 'SQL-level PREPARE is not granted',
        claims: admin,
        sql: 'PREPARE p AS SELECT 1',
        kind: 'deny',
        rule: 'access.kind_not_granted',
      },
      { note: 'reader COPY TO STDOUT of customers: masked', claims: reader, sql: 'COPY customers TO STDOUT', kind: 'allow', masks: pii },
      {
        note: 'reader filters on a masked column',
        claims: reader,
        sql: "SELECT count(*) FROM customers WHERE card_number LIKE '4111%'",
        kind: 'deny',
        rule: 'pii.masked_use',
      },
      {
        note: 'reader orders by a masked column through an alias',
        claims: reader,
        sql: 'SELECT email AS e FROM customers ORDER BY e',
        kind: 'deny',
        rule: 'pii.masked_use',
      },
      {
        note: 'writer stores a masked value in another column',
        claims: writer,
        sql: 'UPDATE customers SET name = email WHERE id = 1',
        kind: 'deny',
        rule: 'pii.masked_use',
      },
      {
        note: 'reader filters, joins and orders on unmasked columns',
        claims: reader,
        sql: 'SELECT c.name, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id WHERE c.name LIKE $1 ORDER BY o.amount',
        kind: 'allow',
        masks: pii,
      },
      {
        note: 'reader with pii:read filters on a masked column',
        claims: support,
        sql: "SELECT count(*) FROM customers WHERE email LIKE 'a%'",
        kind: 'allow',
        masks: [],
      },
    ];
  it.each(cases)('$note', ({ claims, sql, kind, rule, masks }) => {
    const d = decide(claims, sql);
    expect(d.kind).toBe(kind);
    if (d.kind === 'allow') expect(d.masks).toEqual(masks);
    else expect(d.rule).toBe(rule);
  });
});
