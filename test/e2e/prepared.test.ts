// SQL-level PREPARE / EXECUTE / DEALLOCATE through the gateway with the shipped policy: PREPARE is
// decided as the statement it prepares, EXECUTE as what the session prepared (masks included), an
// EXECUTE of a name the gateway never saw prepared is refused, and a refused PREPARE leaves
// nothing to execute. Simple protocol (psql's way) and the extended protocol (Parse of EXECUTE).

import { describe, expect, it } from 'vitest';
import { failure, useAgents, useStack } from './helpers.js';

const stack = useStack();
const connectAs = useAgents(stack);

describe('SQL-level prepared statements', () => {
  it('a reader prepares and executes a read; the result is masked', async () => {
    const c = await connectAs('prep-reader', ['db:read']);
    await c.query('PREPARE mail(int) AS SELECT id, email FROM customers WHERE id = $1');
    expect((await c.query('EXECUTE mail(1)')).rows).toEqual([{ id: 1, email: '***********.com' }]);
    expect((await c.query({ text: 'EXECUTE mail(2)', values: [] })).rows).toEqual([{ id: 2, email: '************.com' }]);
    await c.query('DEALLOCATE mail');
    expect((await failure(c.query('EXECUTE mail(1)'))).code).toBe('26000');
  });

  it('a reader cannot prepare a write, nor execute what it could not prepare', async () => {
    const c = await connectAs('prep-writer-attempt', ['db:read']);
    const prep = await failure(c.query("PREPARE w AS INSERT INTO audit_log (actor, action) VALUES ('x', 'prepared')"));
    expect(prep).toMatchObject({ code: '42501', detail: 'rule: read_only.write' });
    const exec = await failure(c.query('EXECUTE w'));
    expect(exec.code).toBe('26000');
    expect(exec.message).toMatch(/prepared statement "w" does not exist or was refused by portcullis/);
  });

  it('a masked column cannot be smuggled through PREPARE', async () => {
    const c = await connectAs('prep-smuggle', ['db:read']);
    const e = await failure(c.query('PREPARE s AS SELECT count(*) FROM customers WHERE email LIKE $1'));
    expect(e).toMatchObject({ code: '42501', detail: 'rule: pii.masked_use' });
  });

  it('a writer preparing a production write needs approval, as the write itself would', async () => {
    const c = await connectAs('prep-prod', ['db:write']);
    const e = await failure(c.query("PREPARE u AS UPDATE orders SET status = 'paid' WHERE id = 1"));
    expect(e).toMatchObject({ code: '42501', detail: 'rule: production.write' });
  });
});
