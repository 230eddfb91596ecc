// End-to-end tests with psql (PostgreSQL's own client, libpq): `psql -c` through the gateway with
// the token as PGPASSWORD: an allowed query, a masked result, COPY TO STDOUT masked, a denial
// with its reason and rule on stderr. Runs only where /usr/bin/psql exists (Debian's
// postgresql-client); elsewhere the suite is skipped and says why.

import { describe, expect, it } from 'vitest';
import { PSQL, havePsql, runPsql, useStack } from './helpers.js';
import type { PsqlResult } from './helpers.js';

describe.runIf(havePsql)(
  havePsql ? 'psql through the gateway' : `psql through the gateway: skipped, ${PSQL} is not installed (apt-get install postgresql-client)`,
  () => {
    const stack = useStack();

    const psql = (sql: string, roles: readonly string[], input = ''): Promise<PsqlResult> => runPsql(stack, sql, roles, { input });

    it.each([
      { note: 'an allowed query', sql: 'SELECT status FROM orders WHERE id = 2', stdout: 'shipped\n' },
      { note: 'a masked column', sql: 'SELECT email FROM customers WHERE id = 1', stdout: '***********.com\n' },
      {
        note: 'COPY TO STDOUT, masked',
        sql: 'COPY (SELECT id, card_number FROM customers WHERE id IN (1, 4) ORDER BY id) TO STDOUT',
        stdout: '1\t************1111\n4\t\\N\n',
      },
    ])('runs $note', async ({ sql, stdout }) => {
      const r = await psql(sql, ['db:read']);
      expect(r.stderr).toBe('');
      expect(r).toMatchObject({ code: 0, stdout });
    });

    it.each([
      { command: '\\d customers', shows: /card_number\|text/ },
      { command: '\\d+ orders', shows: /customer_id\|integer/ },
      { command: '\\dt+', shows: /public\|customers\|table/ },
      { command: '\\di', shows: /customers_pkey/ },
      { command: '\\ds', shows: /customers_id_seq/ },
      { command: '\\dn', shows: /public/ },
    ])('describes the schema for a reader: $command (psql reads the catalog through the policy)', async ({ command, shows }) => {
      const r = await psql(command, ['db:read']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(shows);
    });

    it('relays COPY FROM STDIN once the COPY is allowed', async () => {
      const copied = await psql('COPY audit_log (actor, action) FROM STDIN', ['db:write'], 'psql\tcopied-in\npsql\tcopied-in\n\\.\n');
      expect(copied).toMatchObject({ code: 0, stderr: '' });
      const count = await psql("SELECT count(*) FROM audit_log WHERE action = 'copied-in'", ['db:read']);
      expect(count.stdout).toBe('2\n');
    });

    it('prints a denial with its reason and rule', async () => {
      const r = await psql("INSERT INTO audit_log (actor, action) VALUES ('psql', 'x')", ['db:read']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/ERROR: {2}identity "psql-agent" is read-only/);
      expect(r.stderr).toContain('DETAIL:  rule: read_only.write');
    });
  },
);
